"""Benchmark of the CLI's start: what a person waits for before any log is read. A script, not
a test: it prints figures.

    uv run python bench/startup.py [--runs 7] [--events 1000]

Each command runs --runs times as its own process (the installed `cloud-doctor` console script,
as a person types it); the median and the fastest wall time are printed, and the ratio of the
median to a bare interpreter's (`python -c pass`) measured in the same run, which is the floor
any Python CLI pays. `analyze` reads a seeded chaos-app log of --events events with a history
already at the newest schema (the common case: the first run of a machine creates it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from digest import chaos_app_lines  # the sibling script: the same chaos-app log


def timed(args: list[str], env: dict[str, str], runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)  # fmt: skip
        seconds.append(time.perf_counter() - began)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--events", type=int, default=1000)
    options = parser.parse_args()
    script = shutil.which("cloud-doctor") or str(Path(sys.executable).parent / "cloud-doctor")
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as work:
        log = Path(work) / "app.log"
        lines, source = chaos_app_lines(options.events)
        log.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = {**os.environ, "XDG_DATA_HOME": str(Path(work) / "data"), "COLUMNS": "100"}
        analyze = [script, "analyze", "--file", str(log), "--engine", "rules"]
        subprocess.run(analyze, env=env, stdout=subprocess.DEVNULL, check=True)  # the schema
        floor = statistics.median(timed([sys.executable, "-c", "pass"], env, options.runs))
        print(f"CLI start, {options.runs} runs each; log: {options.events:,} events ({source})")
        print(f"  {'python -c pass':<34} median {floor * 1000:7.0f} ms  (the floor)")
        commands = {
            "cloud-doctor --version": [script, "--version"],
            "cloud-doctor -h": [script, "-h"],
            "cloud-doctor analyze -h": [script, "analyze", "-h"],
            f"cloud-doctor analyze ({options.events:,} ev.)": analyze,
        }
        for label, args in commands.items():
            seconds = timed(args, env, options.runs)
            median = statistics.median(seconds)
            print(f"  {label:<34} median {median * 1000:7.0f} ms  fastest "
                  f"{min(seconds) * 1000:7.0f} ms  {median / floor:5.1f}x the floor")  # fmt: skip


if __name__ == "__main__":
    main()
