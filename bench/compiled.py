"""The digest compiled with mypyc against the same source run as Python, on the same lines.

    uv run python bench/compiled.py [--lines 20000] [--repeat 3] [--check] [--out DIR] [LOG ...]

Builds the cloud-doctor wheel with its mypyc hook on (HATCH_BUILD_HOOK_ENABLE_MYPYC=true, as the
image does; about 30 s and a C compiler), from a copy of doctor-gcp so that no compiled module
lands beside the source, and unpacks it into build/compiled. Then one child process runs the
digest from the source and one from the compiled build over the same lines: the Loghub-2k sets
(Content and raw, when the data is there; see bench/loghub.py) and the bench's two generators.
It prints each build's rate as a ratio to drain3-default's on the same lines (the measure of
bench/digest.py), and whether the two builds give the same digest, event by event, and still
stream. LOG files are compared too; --check compares without timing and exits 1 when the
builds differ (3 when no C compiler or Python headers are here: nothing was built).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from doctor.digest import LogEvent

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "doctor-gcp"
DEFAULT_OUT = ROOT / "build" / "compiled"
# The hook is off by default (dev installs run the source); this turns it on for one build.
ENABLE = "HATCH_BUILD_HOOK_ENABLE_MYPYC"
# Year-less and clock-only times are placed relative to now: both builds get the same one.
NOW = datetime(2026, 11, 26, tzinfo=UTC)


class Figures(TypedDict):
    lines: int
    seconds: float  # best of --repeat runs; 0 when untimed (--check)
    drain3: float
    fingerprint: str


class Report(TypedDict):
    module: str  # where `doctor.digest.parse` was imported from: a .py or a compiled .so
    streams: bool  # the first event came before the input's end
    corpora: dict[str, Figures]


class BuildError(Exception):
    """The compiled build could not be made; the message says why and what to do."""


class ToolchainMissing(BuildError):
    """No C compiler or no Python headers on this machine: nothing was built."""


# The exit status for ToolchainMissing, told apart from a build that failed (1).
NO_TOOLCHAIN = 3


def check_toolchain() -> None:
    if not any(shutil.which(cc) for cc in (os.environ.get("CC", "cc"), "gcc", "clang")):
        raise ToolchainMissing("no C compiler: install one (Debian: apt-get install gcc libc6-dev)")
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.is_file():
        raise ToolchainMissing(f"no Python headers ({headers}): install python3-dev or similar")


def build(out: Path = DEFAULT_OUT, *, timeout: float = 900.0, opt_level: str | None = None) -> Path:
    """Build the compiled wheel from a copy of doctor-gcp and unpack it into `out` (replaced).
    `opt_level`: the C compiler's optimisation, where not mypyc's own (the image's build): the
    same generated C, compiled in a fraction of the time (the test's check)."""
    check_toolchain()
    with tempfile.TemporaryDirectory(prefix="doctor-compiled-") as scratch:
        source = Path(scratch) / "doctor-gcp"
        shutil.copytree(
            PACKAGE, source, ignore=shutil.ignore_patterns("__pycache__", "*.so", "build", "dist")
        )
        if opt_level is not None:  # hatch-mypyc passes its `options` table to mypycify
            with (source / "pyproject.toml").open("a", encoding="utf-8") as project:
                table = "[tool.hatch.build.targets.wheel.hooks.mypyc.options]"
                project.write(f'\n{table}\nopt_level = "{opt_level}"\n')
        wheels = Path(scratch) / "dist"
        wheels.mkdir()
        # PEP 517's build_wheel, called without isolation: hatchling, hatch-mypyc and mypy
        # come from the project's lock, so no package index is needed.
        hook = "import sys; from hatchling.build import build_wheel; build_wheel(sys.argv[1])"
        try:
            done = subprocess.run(
                [sys.executable, "-c", hook, str(wheels)],
                cwd=source,
                env={**os.environ, ENABLE: "true"},
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise BuildError(f"the compiled build took more than {timeout:.0f} s") from err
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-12:])
            raise BuildError(f"the compiled build failed:\n{tail}")
        [wheel] = wheels.glob("*.whl")
        if out.exists() and any(out.iterdir()) and not (out / "doctor").is_dir():
            raise BuildError(f"{out} holds something else than a build: choose another --out")
        shutil.rmtree(out, ignore_errors=True)
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(out)
    if not any((out / "doctor" / "digest").glob("*.so")):
        raise BuildError(f"{wheel.name} holds no compiled module: is the mypyc hook configured?")
    return out


def _corpora(lines: int, files: list[Path]) -> Iterator[tuple[str, list[str]]]:
    from digest import chaos_like, low_repetition
    from loghub import DEFAULT_DATA, load, present

    data = Path(os.environ.get("LOGHUB_DIR") or DEFAULT_DATA)
    if data.is_dir():
        for name in present(data):
            dataset = load(data, name)
            yield f"Loghub {name} content", dataset.content
            yield f"Loghub {name} raw", dataset.raw
    yield "chaos-like", list(chaos_like(lines))
    yield "low-repetition", list(low_repetition(lines))
    for path in files:
        yield path.name, path.read_text(encoding="utf-8").splitlines()


def _fingerprint(lines: list[str]) -> str:
    """Every event's fields, every pattern's facts and the prompt, hashed: equal means the
    same digest. The second half of the lines is the baseline of the first, and the lines
    also go in as whole records (CloudWatch events), as the service reads them."""
    from doctor.digest import Redactor, parse_lines, parse_records, render_prompt
    from doctor.digest.mine import build_digest

    def event_rows(events: list[LogEvent]) -> list[object]:
        return [
            (
                e.message,
                int(e.level),
                str(e.timestamp),
                e.service,
                e.first_line,
                e.line_count,
                e.line_numbers,
            )
            for e in events
        ]

    redactor = Redactor()
    events = list(parse_lines(lines, redactor=redactor, now=NOW))
    whole = list(parse_records(((line, NOW) for line in lines), whole=True, now=NOW))
    half = len(events) // 2
    rows: list[object] = [*event_rows(events), *event_rows(whole)]
    for digest in (
        build_digest(iter(events), redactions=redactor.counts),
        build_digest(events[half:], baseline=events[:half], baseline_minutes=30),
    ):
        rows += [
            (p.facts(), p.samples, p.services, sorted(p.minutes.items())) for p in digest.patterns
        ]
        rows += [digest.assignments, digest.line_assignments, digest.redactions]
        rows += [(b.minute.isoformat(), b.total, b.errors) for b in digest.timeline]
        rows += [digest.events_total, str(digest.spike_start), digest.baseline_minutes]
        prompt = render_prompt(digest, budget_tokens=8_000, log_group="bench", minutes=60)
        rows += [prompt.system, prompt.user, prompt.tokens, prompt.truncated]
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


def _streams() -> bool:
    """Whether events come out before the input ends: a parser that read a stream whole first
    would hold a million lines in memory before its first event."""
    from doctor.digest import parse_lines
    from doctor.digest.sections import SAMPLE_LINES

    read = 0

    def lines() -> Iterator[str]:
        nonlocal read
        while read < 50 * SAMPLE_LINES:  # bounded: a parser that reads it all still stops
            read += 1
            yield f"2026-11-22 23:58:00 INFO line {read}"

    next(iter(parse_lines(lines(), now=NOW)))
    return read <= 2 * SAMPLE_LINES


def child(lines: int, repeat: int, files: list[Path]) -> None:
    """One build's figures, as JSON on stdout: the digest's best of `repeat` runs and one
    drain3-default run, timed as bench/digest.py times them."""
    # bench/digest.py and bench/loghub.py, as modules: their generators, data and timers
    sys.path.insert(0, str(ROOT / "bench"))
    from digest import run_drain, timed_digest
    from drain3.template_miner_config import TemplateMinerConfig  # type: ignore[import-untyped]

    import doctor.digest.parse

    corpora: dict[str, Figures] = {}
    for name, corpus in _corpora(lines, files):
        seconds = min((timed_digest(corpus)[1] for _ in range(repeat)), default=0.0)
        drain = run_drain(corpus, TemplateMinerConfig())[0] if repeat else 0.0
        corpora[name] = {
            "lines": len(corpus),
            "seconds": seconds,
            "drain3": drain,
            "fingerprint": _fingerprint(corpus),
        }
    module = str(doctor.digest.parse.__file__)
    report: Report = {"module": module, "streams": _streams(), "corpora": corpora}
    print(json.dumps(report))


def run_child(
    compiled: Path | None, *, lines: int, repeat: int, files: list[Path], timeout: float = 1800
) -> Report:
    """Run `child` with this checkout's source `doctor`, or with the one unpacked in
    `compiled`: whichever is first on the path wins over the venv's install."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(compiled if compiled is not None else PACKAGE / "src")
    command = [sys.executable, str(Path(__file__)), "--child", "--lines", str(lines)]
    command += ["--repeat", str(repeat), *(str(path) for path in files)]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout, check=True
    )
    report: Report = json.loads(done.stdout)
    return report


def compare(source: Report, compiled: Report) -> bool:
    """Print both builds' figures; True when the compiled one ran and gave the same digests."""
    print(f"  source   {source['module']}\n  compiled {compiled['module']}")
    same_everywhere = compiled["module"].endswith(".so")
    if not same_everywhere:
        print("  the compiled build's `doctor` was not the one imported")
    if not Path(source["module"]).is_relative_to(PACKAGE / "src"):
        print(f"  the source's `doctor` was not this checkout's ({PACKAGE / 'src'})")
        same_everywhere = False
    for name, report in (("source", source), ("compiled", compiled)):
        print(f"  {name:<8} {'streams' if report['streams'] else 'READS ITS INPUT WHOLE FIRST'}")
        same_everywhere = same_everywhere and report["streams"]
    ours, theirs = source["corpora"], compiled["corpora"]
    totals: dict[str, list[float]] = {}
    for name, a in ours.items():
        b = theirs[name]
        same = a["fingerprint"] == b["fingerprint"]
        same_everywhere = same_everywhere and same
        line = f"  {name:<26} {a['lines']:>7,} lines  {'same' if same else 'DIFFERENT'} digest"
        if a["seconds"] and b["seconds"]:
            drain = (a["drain3"] + b["drain3"]) / 2
            line += (
                f"  drain3-default ratio: source {drain / a['seconds']:.2f}x, compiled "
                f"{drain / b['seconds']:.2f}x (compiled {a['seconds'] / b['seconds']:.2f}x faster)"
            )
            if name.startswith("Loghub"):
                total = totals.setdefault(name.rsplit(" ", 1)[1], [0.0, 0.0, 0.0])
                for i, seconds in enumerate((a["seconds"], b["seconds"], drain)):
                    total[i] += seconds
        print(line)
    for kind, (a_s, b_s, drain) in totals.items():
        print(
            f"  {'all Loghub ' + kind:<26} drain3-default ratio: source {drain / a_s:.2f}x, "
            f"compiled {drain / b_s:.2f}x (compiled {a_s / b_s:.2f}x faster)"
        )
    return same_everywhere


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20_000, help="lines per generated log")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per input; best counts")
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare the digests only, untimed; exit 1 if any differ",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to unpack the build")
    parser.add_argument(
        "--opt-level",
        choices=["0", "1", "2", "3"],
        help="the C compiler's optimisation (default: mypyc's 3, as the image builds it)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", type=Path, help="more logs to compare, one per file")
    args = parser.parse_args()
    repeat = 0 if args.check else args.repeat
    if args.child:
        child(args.lines, repeat, args.files)
        return
    started = time.perf_counter()
    try:
        out = build(args.out, opt_level=args.opt_level)
    except BuildError as err:
        print(f"bench/compiled.py: {err}", file=sys.stderr)
        if isinstance(err, ToolchainMissing):
            # Like a bench without its data: `make bench` goes on; --check says it did nothing.
            sys.exit(NO_TOOLCHAIN if args.check else 0)
        sys.exit(1)
    print(f"compiled build in {out} ({time.perf_counter() - started:.0f} s)")
    source = run_child(None, lines=args.lines, repeat=repeat, files=args.files)
    compiled = run_child(out, lines=args.lines, repeat=repeat, files=args.files)
    if not compare(source, compiled):
        sys.exit(1)


if __name__ == "__main__":
    main()
