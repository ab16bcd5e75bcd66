"""/healthz under analysis load: 50 concurrent POST /analyze while /healthz is probed every
20 ms, with the analyses' throughput, against the same server idle. A script, not a test.

Three processes, as in production: a moto_server plays AWS (at a lower CPU priority: AWS does
not share the doctor's cores), `cloud-doctor serve` runs with web-identity credentials, and
this script plays the clients. The doctor runs twice in the same run: analyses in worker
processes (DOCTOR_ANALYSIS_PROCESSES=2) and in the server's own threads (=0, the baseline).
Issue 15's bound: /healthz p99 <= 50 ms while 50 analyses run.

    uv run python bench/analyze_load.py [--concurrency 50] [--events 3000] [--processes 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_ack import doctor, seed  # the sibling script: the same AWS data and doctor process

from tests.fakes.moto_server import FAKE_AWS_ENV, moto_server
from tests.fakes.slack import fake_slack

API_TOKEN = "bench-api-token-0123456789abcdef01"  # noqa: S105  (slack_ack's, a loopback fake)
HEALTHZ_P99_BOUND_MS = 50.0
PROBE_EVERY_S = 0.02


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


async def probe(client: httpx.AsyncClient, until: asyncio.Event, out: list[float]) -> None:
    while not until.is_set():
        started = time.perf_counter()
        (await client.get("/healthz")).raise_for_status()
        out.append(time.perf_counter() - started)
        await asyncio.sleep(PROBE_EVERY_S)


async def load(base: str, n: int) -> tuple[list[float], list[float], float, int]:
    """Idle /healthz, loaded /healthz, seconds for the n analyses, and how many succeeded."""
    limits = httpx.Limits(max_connections=n + 10)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=300) as client:
        idle: list[float] = []
        quiet = asyncio.Event()
        prober = asyncio.create_task(probe(client, quiet, idle))
        await asyncio.sleep(1)
        quiet.set()
        await prober
        auth = {"Authorization": f"Bearer {API_TOKEN}"}
        body = {"time_range_minutes": 30}  # max_logs: the default cap (DOCTOR_MAX_LOGS, 1000)
        loaded: list[float] = []
        done = asyncio.Event()
        prober = asyncio.create_task(probe(client, done, loaded))
        started = time.perf_counter()
        answers = await asyncio.gather(
            *(client.post("/analyze", json=body, headers=auth) for _ in range(n))
        )
        took = time.perf_counter() - started
        done.set()
        failed = [a for a in answers if a.status_code != 200]
        if failed:
            print(f"  first failure: {failed[0].status_code} {failed[0].text[:300]}")
        await prober
    return idle, loaded, took, sum(1 for a in answers if a.status_code == 200)


def measure(moto_url: str, workdir: Path, processes: int, n: int) -> None:
    extra = {"DOCTOR_ANALYSIS_PROCESSES": str(processes),
             "XDG_DATA_HOME": str(workdir / f"data-{processes}")}  # fmt: skip
    with fake_slack() as slack, doctor(moto_url, slack, workdir, extra=extra) as base:
        idle, loaded, took, ok = asyncio.run(load(base, n))
    where = f"{processes} worker processes" if processes else "server threads (baseline)"
    p99 = pct(loaded, 0.99)
    verdict = "ok" if p99 <= HEALTHZ_P99_BOUND_MS else f"ABOVE {HEALTHZ_P99_BOUND_MS:g} ms"
    print(f"analyses in {where}:")
    print(f"  /healthz idle      p50 {pct(idle, 0.5):7.1f} ms  p99 {pct(idle, 0.99):7.1f} ms")
    print(f"  /healthz loaded    p50 {pct(loaded, 0.5):7.1f} ms  p99 {p99:7.1f} ms  "
          f"({len(loaded)} probes while {n} analyses ran): {verdict}")  # fmt: skip
    print(f"  analyses: {ok}/{n} answered 200 in {took:.1f} s ({ok / took:.2f} per second)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    os.environ.update(FAKE_AWS_ENV)  # the seeding client's keys for moto: never real ones
    with (
        tempfile.TemporaryDirectory(prefix="doctor-load-bench-") as tmp,
        moto_server(niceness=10) as moto_url,
    ):
        written = seed(moto_url, args.events)
        print(f"{written:,} events in CloudWatch (moto)")
        measure(moto_url, Path(tmp), args.processes, args.concurrency)
        measure(moto_url, Path(tmp), 0, args.concurrency)


if __name__ == "__main__":
    main()
