"""Alert ack latency under load: 50 concurrent `POST /alerts/aws` while alarm diagnoses run,
against an idle baseline measured in the same run. A script, not a test: it prints figures.

As in production, in three processes: a moto_server plays AWS (chaos-app scenarios written with
its own sink, in several regions), `cloud-doctor serve` runs with web-identity credentials,
DOCTOR_ALERT_TOKEN and a targets file (one target per region, so each region's alarms are their
own incident and get their own diagnosis), and this script plays EventBridge (httpx, concurrent
POSTs of the event's exact shape).

Per round: 20 GET /healthz one at a time (idle baseline); a first wave of ALARMs, one per
target and more, that opens an incident per target and starts its diagnosis; then, with those
running, the measured wave of --concurrency ALARMs; then OK for every alarm, so the next round
opens new incidents. The doctor runs twice in the same run: with diagnoses in worker processes
(DOCTOR_ANALYSIS_PROCESSES=1, the default) and in the server's own threads (=0, the baseline).
Issue 14's bound: ack p99 <= 200 ms.

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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_ack import GROUP, SCENARIOS, doctor  # the sibling script: the same doctor process

from chaos_app.cloudwatch import CloudWatchSink
from chaos_app.generator import generate
from chaos_app.render import to_json
from chaos_app.scenarios import by_name
from tests.fakes.moto_server import FAKE_AWS_ENV, moto_server
from tests.fakes.slack import fake_slack

ALERT_TOKEN = "bench-alert-token-0123456789abcdef01"  # noqa: S105  (a loopback fake)
API_TOKEN = "bench-api-token-0123456789abcdef01"  # noqa: S105  (slack_ack's, a loopback fake)
ACK_P99_BOUND_S = 0.200
ACCOUNT = "123456789012"
REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2")


def seed(url: str, events: int) -> int:
    written = 0
    for n, region in enumerate(REGIONS):
        client = boto3.client("logs", region_name=region, endpoint_url=url)
        sink = CloudWatchSink(client, log_group=GROUP, log_stream="bench", render=to_json,
                              report_to=None)  # fmt: skip
        start = datetime.now(UTC) - timedelta(minutes=20)
        chosen = [by_name(name) for name in SCENARIOS]
        rate = events / (15 * 60)
        for item in generate(chosen, start=start, rate=rate, seed=n, count=events, error_ratio=0.3):
            sink.write(item)
        sink.flush()
        written += sink.stats.events
    return written


def targets_file(workdir: Path) -> Path:
    path = workdir / "targets.toml"
    blocks = [
        f'[targets.{region}]\nrole_arn = "arn:aws:iam::{ACCOUNT}:role/cloud-doctor"\n'
        f'region = "{region}"\nlog_groups = ["{GROUP}"]\n'
        for region in REGIONS
    ]
    path.write_text("\n".join(blocks))
    return path


def alarm_event(n: int, state: str = "ALARM", arn: str | None = None) -> dict[str, Any]:
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime())
    region = REGIONS[n % len(REGIONS)]
    arn = arn or f"arn:aws:cloudwatch:{region}:{ACCOUNT}:alarm:bench-{n}-{uuid.uuid4().hex[:6]}"
    region = arn.split(":")[3]
    change = {"value": state, "reason": "Threshold Crossed", "timestamp": now}
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch", "account": ACCOUNT, "time": now,
        "region": region, "resources": [arn],
        "detail": {"alarmName": arn.rsplit(":", 1)[1], "state": change},
    }  # fmt: skip


async def post(client: httpx.AsyncClient, body: dict[str, Any]) -> float:
    started = time.perf_counter()
    response = await client.post(
        "/alerts/aws", json=body, headers={"Authorization": f"Bearer {ALERT_TOKEN}"}
    )
    elapsed = time.perf_counter() - started
    if response.status_code != 202:
        raise RuntimeError(f"unexpected answer {response.status_code}: {response.text[:200]}")
    return elapsed


async def one_round(base: str, n: int) -> tuple[list[float], list[float], list[float], int]:
    """Idle /healthz, the first wave's acks (nothing diagnosed yet: the floor), the loaded
    acks, and how many diagnoses ended after the loaded wave began."""
    limits = httpx.Limits(max_connections=2 * n, max_keepalive_connections=2 * n)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        idle = []
        for _ in range(20):
            started = time.perf_counter()
            (await client.get("/healthz")).raise_for_status()
            idle.append(time.perf_counter() - started)
        first = [alarm_event(i) for i in range(n)]  # every target: an incident to diagnose
        floor = list(await asyncio.gather(*(post(client, body) for body in first)))
        await asyncio.sleep(1.5)  # the runner's settle: the diagnoses are now under way
        wave_began = datetime.now(UTC)
        loaded_events = [alarm_event(i) for i in range(n)]
        loaded = list(await asyncio.gather(*(post(client, body) for body in loaded_events)))
        oks = [alarm_event(0, "OK", body["resources"][0]) for body in first + loaded_events]
        await asyncio.gather(*(post(client, body) for body in oks))
        await asyncio.sleep(8)  # let this round's diagnoses end before the next round
        auth = {"Authorization": f"Bearer {API_TOKEN}"}
        items = (await client.get("/diagnoses?limit=100", headers=auth)).json()["items"]
        ran = sum(1 for item in items if datetime.fromisoformat(item["timestamp"]) >= wave_began)
    return idle, floor, loaded, ran


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def measure(moto_url: str, workdir: Path, processes: int, args: argparse.Namespace) -> None:
    extra = {
        "DOCTOR_ALERT_TOKEN": ALERT_TOKEN,
        "DOCTOR_TARGETS_FILE": str(targets_file(workdir)),
        "DOCTOR_ANALYSIS_PROCESSES": str(processes),
        "XDG_DATA_HOME": str(workdir / f"data-{processes}"),
    }
    idle: list[float] = []
    floor: list[float] = []
    loaded: list[float] = []
    ran = 0
    with fake_slack() as slack, doctor(moto_url, slack, workdir, extra=extra) as base:
        for _ in range(args.rounds):
            i, f, w, r = asyncio.run(one_round(base, args.concurrency))
            idle, floor, loaded, ran = idle + i, floor + f, loaded + w, ran + r
    p99 = pct(loaded, 0.99)
    where = f"{processes} worker process" if processes else "server threads (baseline)"
    verdict = "ok" if p99 <= ACK_P99_BOUND_S * 1000 else f"ABOVE {ACK_P99_BOUND_S * 1000:g} ms"
    print(f"diagnoses in {where}:")
    print(f"  idle /healthz        p50 {pct(idle, 0.5):6.1f} ms  p99 {pct(idle, 0.99):6.1f} ms")
    print(f"  alert ack, idle      p50 {pct(floor, 0.5):6.1f} ms  p99 {pct(floor, 0.99):6.1f} ms  "
          "(the first wave: nothing diagnosed yet)")  # fmt: skip
    print(
        f"  alert ack under load p50 {pct(loaded, 0.5):6.1f} ms  p99 {p99:6.1f} ms  "
        f"({len(loaded)} acks, {args.concurrency} at once; {ran} diagnoses ended after the "
        f"wave began): {verdict}"
    )
    ratio = statistics.median(loaded) / statistics.median(idle)
    print(f"  ratio of p50s (loaded ack / idle healthz): {ratio:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--events", type=int, default=3000)
    args = parser.parse_args()
    os.environ.update(FAKE_AWS_ENV)  # the seeding client's keys for moto: never real ones
    with tempfile.TemporaryDirectory(prefix="doctor-alerts-bench-") as tmp:
        workdir = Path(tmp)
        with moto_server(niceness=10) as moto_url:  # AWS's CPU is not the doctor's
            written = seed(moto_url, args.events)
            print(f"{written:,} events in CloudWatch (moto), {len(REGIONS)} regions/targets; "
                  f"{args.rounds} rounds")  # fmt: skip
            measure(moto_url, workdir, 1, args)
            measure(moto_url, workdir, 0, args)


if __name__ == "__main__":
    main()
