"""The digest compiled with mypyc (the image's build) reads logs exactly as its source does."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.doctor_gcp.digest.test_headers import FORMATS

ROOT = Path(__file__).resolve().parents[3]
SOURCE = ROOT / "doctor-gcp" / "src"
NO_TOOLCHAIN = 3  # bench/compiled.py's exit status when no C compiler or headers are here


def test_no_compiled_module_shadows_the_source() -> None:
    # Python imports a module's .so before its .py: a leftover build would run stale code here.
    stale = sorted(str(path.relative_to(ROOT)) for path in SOURCE.rglob("*.so"))
    assert not stale, f"compiled modules beside the source; delete them: rm {' '.join(stale)}"


_BREAKERS = (
    "",
    "{",
    "{}",
    '{"log":',
    "<999>1 ",
    "\ufeff",
    "é" * 40,
    "  at ",
    "Caused by: ",
    "... 3 more",
    "Traceback (most recent call last):",
    "panic: ",
    "2026-13-45T99:99:99Z ERROR ",
    "level=",
    'ts="',
    "stdout F ",
    "[",
    "1" * 30,
)


def _mutated(count: int) -> list[str]:
    rng = random.Random(7)
    pool = [line for _, lines, _ in FORMATS for line in lines]
    out = []
    for _ in range(count):
        line = rng.choice(pool)
        cut = rng.randrange(len(line) + 1)
        roll = rng.random()
        if roll < 0.3:
            line = line[:cut] + rng.choice(_BREAKERS) + line[cut:]
        elif roll < 0.45:
            line = line[:cut]
        elif roll < 0.55:
            line = rng.choice(_BREAKERS)
        out.append(line)
    return out


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_the_compiled_digest_gives_the_same_digest_as_the_source(tmp_path: Path) -> None:
    # Every head the parser knows, one log per format, besides the bench's generators; and
    # the same lines broken at random, where a compiled module's runtime type checks would
    # raise if a value ever broke its annotation.
    logs = []
    for number, (_, lines, _) in enumerate(FORMATS):
        log = tmp_path / f"format-{number}.log"
        log.write_text("\n".join(lines) + "\n", encoding="utf-8")
        logs.append(str(log))
    mutated = tmp_path / "mutated.log"
    mutated.write_text("\n".join(_mutated(3000)) + "\n", encoding="utf-8")
    logs.append(str(mutated))
    # -O0: the image's generated C, compiled in a fraction of the time (the suite's longest test)
    bench = [sys.executable, str(ROOT / "bench" / "compiled.py"), "--check", "--lines", "3000"]
    bench += ["--opt-level", "0"]
    done = subprocess.run(
        [*bench, "--out", str(tmp_path / "compiled"), *logs],
        capture_output=True,
        text=True,
        timeout=880,
        check=False,
    )
    if done.returncode == NO_TOOLCHAIN:
        if os.environ.get("CI"):
            pytest.fail(f"{done.stderr.strip()} (.ci/system-deps installs them)")
        pytest.skip(done.stderr.strip())
    assert done.returncode == 0, done.stdout + done.stderr
    report = done.stdout.splitlines()
    assert any(line.strip().startswith("compiled ") and line.endswith(".so") for line in report)
    compared = [line for line in report if " lines  " in line]
    assert len(compared) >= len(FORMATS) + 2, done.stdout
    assert all("same digest" in line for line in compared), done.stdout
    assert any(line.strip() == "compiled streams" for line in report), done.stdout
    assert not list(SOURCE.rglob("*.so")), "the build left compiled modules beside the source"

    # The digest's own tests and the golden answers (the CLI end to end, in subprocesses that
    # inherit the path), run on the compiled build.
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "compiled")}
    probe = [sys.executable, "-c", "import doctor.digest.parse as m; print(m.__file__)"]
    where = subprocess.run(probe, env=env, capture_output=True, text=True, check=True, timeout=60)
    assert where.stdout.strip().endswith(".so"), where.stdout
    pytest_args = ["-q", "-n", "0", "-p", "no:cacheprovider", "-m", "not slow"]
    suites = [str(ROOT / "tests" / "doctor_gcp" / "digest"), str(ROOT / "tests" / "golden")]
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", *pytest_args, *suites],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
