"""The digest compiled with mypyc (the image's build) reads logs exactly as its source does."""

from __future__ import annotations

import os
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


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_compiled_digest_gives_the_same_digest_as_the_source(tmp_path: Path) -> None:
    # Every head the parser knows, one log per format, besides the bench's generators.
    logs = []
    for number, (_, lines, _) in enumerate(FORMATS):
        log = tmp_path / f"format-{number}.log"
        log.write_text("\n".join(lines) + "\n", encoding="utf-8")
        logs.append(str(log))
    bench = [sys.executable, str(ROOT / "bench" / "compiled.py"), "--check", "--lines", "3000"]
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
    assert not list(SOURCE.rglob("*.so")), "the build left compiled modules beside the source"
