"""Alert ack latency under load: 50 concurrent `POST /alerts/aws` while alarm diagnoses run,
against an idle baseline measured in the same run. A script, not a test: it prints figures.

As in production, in three processes: a moto_server plays AWS (chaos-app scenarios written with
its own sink), `cloud-doctor serve` runs with web-identity credentials and DOCTOR_ALERT_TOKEN,
and this script plays EventBridge (httpx, concurrent POSTs of the event's exact shape).

Per round: 20 concurrent GET /healthz (idle baseline); a first wave of alarms that starts
diagnoses; then, with those running, the measured wave of --concurrency alarms. Issue 14's
bound: ack p99 <= 200 ms.

    uv run python bench/alerts.py [--rounds 3] [--concurrency 50] [--events 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_ack import doctor, seed  # the sibling script: the same AWS and doctor processes

from tests.fakes.moto_server import FAKE_AWS_ENV, moto_server
from tests.fakes.slack import fake_slack

ALERT_TOKEN = "bench-alert-token-0123456789abcdef01"  # noqa: S105  (a loopback fake)
ACK_P99_BOUND_S = 0.200


def alarm_event(n: int) -> dict[str, Any]:
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime())
    arn = f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:bench-{n}-{uuid.uuid4().hex[:6]}"
    state = {"value": "ALARM", "reason": "Threshold Crossed", "timestamp": now}
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch", "account": "123456789012", "time": now,
        "region": "us-east-1", "resources": [arn],
        "detail": {"alarmName": arn.rsplit(":", 1)[1], "state": state},
    }  # fmt: skip


async def post(client: httpx.AsyncClient, n: int) -> float:
    started = time.perf_counter()
    response = await client.post(
        "/alerts/aws", json=alarm_event(n), headers={"Authorization": f"Bearer {ALERT_TOKEN}"}
    )
    elapsed = time.perf_counter() - started
    if response.status_code != 202:
        raise RuntimeError(f"unexpected answer {response.status_code}: {response.text[:200]}")
    return elapsed


async def one_round(base: str, n: int) -> tuple[list[float], list[float], list[float]]:
    limits = httpx.Limits(max_connections=2 * n, max_keepalive_connections=2 * n)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        idle = []
        for _ in range(20):
            started = time.perf_counter()
            (await client.get("/healthz")).raise_for_status()
            idle.append(time.perf_counter() - started)
        # The first wave: acks while nothing runs yet; its alarms start the diagnoses.
        first = list(await asyncio.gather(*(post(client, i) for i in range(n))))
        await asyncio.sleep(0.5)
        loaded = list(await asyncio.gather(*(post(client, i) for i in range(n))))
    return idle, first, loaded


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--events", type=int, default=3000)
    args = parser.parse_args()
    os.environ.update(FAKE_AWS_ENV)  # the seeding client's keys for moto: never real ones
    with tempfile.TemporaryDirectory(prefix="doctor-alerts-bench-") as tmp:
        workdir = Path(tmp)
        with moto_server() as moto_url, fake_slack() as slack:
            written = seed(moto_url, args.events)
            print(f"{written:,} events in CloudWatch (moto); {args.rounds} rounds")
            with doctor(
                moto_url, slack, workdir, extra={"DOCTOR_ALERT_TOKEN": ALERT_TOKEN}
            ) as base:
                idle: list[float] = []
                first: list[float] = []
                loaded: list[float] = []
                for _ in range(args.rounds):
                    i, f, w = asyncio.run(one_round(base, args.concurrency))
                    idle += i
                    first += f
                    loaded += w
    p99 = pct(loaded, 0.99)
    verdict = "ok" if p99 <= ACK_P99_BOUND_S * 1000 else f"ABOVE {ACK_P99_BOUND_S * 1000:g} ms"
    print(f"idle /healthz          p50 {pct(idle, 0.5):6.1f} ms  p99 {pct(idle, 0.99):6.1f} ms")
    print(
        f"alert ack, first wave p50 {pct(first, 0.5):6.1f} ms  p99 {pct(first, 0.99):6.1f} ms  "
        f"({args.concurrency} at once, no diagnosis running yet)"
    )
    print(
        f"alert ack under load   p50 {pct(loaded, 0.5):6.1f} ms  p99 {p99:6.1f} ms  "
        f"({len(loaded)} acks, {args.concurrency} at once while diagnoses run): {verdict}"
    )
    ratio = statistics.median(loaded) / statistics.median(idle)
    print(f"ratio of p50s (loaded ack / idle healthz): {ratio:.1f}x")


if __name__ == "__main__":
    main()
