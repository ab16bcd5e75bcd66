"""Slack ack latency under load: 20 concurrent signed `/doctor analyze` commands while analyses
run, against idle baselines measured in the same run.

Three processes, as in production: a moto_server plays AWS (chaos-app scenarios written with
its own sink), `cloud-doctor serve` runs with web-identity credentials and Slack settings
pointing at the fake Slack, and this script (the fake Slack plus an httpx client) plays Slack.

Per round:
  1. idle baselines: 20 concurrent GET /healthz, then 20 concurrent `/doctor help` (the same
     signature check and Bolt dispatch as analyze, no analysis started);
  2. load: 20 concurrent `/doctor analyze 30m` start analyses, then, with those running,
     20 more concurrent `/doctor analyze 30m` (the measured wave) and /healthz probes;
  3. wait (bounded) until every accepted analysis has posted its report to its response_url.
     The doctor queues a bounded number of analyses (2 per worker, running or queued): the
     commands beyond it are answered "busy" at once and counted, not queued.

    uv run python bench/slack_ack.py [--rounds 3] [--concurrency 20] [--events 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chaos_app.cloudwatch import CloudWatchSink
from chaos_app.generator import generate
from chaos_app.render import to_json
from chaos_app.scenarios import by_name
from tests.fakes.moto_server import FAKE_AWS_ENV, moto_server
from tests.fakes.processes import doctor_server
from tests.fakes.slack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    fake_slack,
    signed_headers,
    slash_command,
)

GROUP = "/aws/ec2/chaos-app"
SCENARIOS = ("db-outage", "disk-full", "rate-limited", "cert-expired")
RESULT_TIMEOUT_S = 180.0


def seed(url: str, events: int) -> int:
    client = boto3.client("logs", region_name="us-east-1", endpoint_url=url)
    sink = CloudWatchSink(
        client, log_group=GROUP, log_stream="bench", render=to_json, report_to=None
    )
    start = datetime.now(UTC) - timedelta(minutes=20)
    chosen = [by_name(name) for name in SCENARIOS]
    rate = events / (15 * 60)  # all inside the last 20 minutes, so `analyze 30m` sees them
    for item in generate(chosen, start=start, rate=rate, seed=7, count=events, error_ratio=0.3):
        sink.write(item)
    sink.flush()
    return sink.stats.events


@contextmanager
def doctor(
    moto_url: str, slack: FakeSlack, workdir: Path, extra: dict[str, str] | None = None
) -> Iterator[str]:
    token = workdir / "web-identity-token"
    token.write_text("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2ln")
    keep = ("PATH", "HOME", "LANG", "VIRTUAL_ENV", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        AWS_ENDPOINT_URL=moto_url,
        AWS_REGION="us-east-1",
        AWS_ROLE_ARN="arn:aws:iam::123456789012:role/cloud-doctor",
        AWS_WEB_IDENTITY_TOKEN_FILE=str(token),
        AWS_LOG_GROUP_NAME=GROUP,
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        AWS_EC2_METADATA_DISABLED="true",
        DOCTOR_API_TOKEN="bench-api-token-0123456789abcdef01",  # a loopback fake
        DOCTOR_ENGINE="rules",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_CHANNEL="C0BENCH",
        SLACK_API_URL=slack.api_url,
        XDG_DATA_HOME=str(workdir / "data"),  # the history: this run's own
    )
    env.update(extra or {})
    with doctor_server(env, workdir / "doctor.log") as (base, _):
        yield base


async def timed(call: Awaitable[httpx.Response]) -> float:
    started = time.perf_counter()
    response = await call
    response.raise_for_status()
    return time.perf_counter() - started


async def command(client: httpx.AsyncClient, text: str, response_url: str) -> tuple[float, bool]:
    """The ack's latency, and whether an analysis was queued (False: answered "busy")."""
    body = slash_command(text, response_url)
    started = time.perf_counter()
    response = await client.post("/slack/events", content=body, headers=signed_headers(body))
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    if not text.startswith("analyze"):
        return elapsed, False
    answer = str(response.json()["text"])
    if "Analyzing" in answer:
        return elapsed, True
    if "busy" in answer:
        return elapsed, False
    raise RuntimeError(f"unexpected ack: {response.text[:200]}")


async def wave(
    client: httpx.AsyncClient, text: str, urls: list[str]
) -> tuple[list[float], list[str]]:
    """Ack latencies, and the fake Slack endpoints of the analyses that were queued."""
    results = await asyncio.gather(*(command(client, text, url) for url in urls))
    queued = [
        "response/" + url.rsplit("/response/", 1)[1]
        for url, (_, ok) in zip(urls, results, strict=True)
        if ok
    ]
    return [elapsed for elapsed, _ in results], queued


async def healthz(client: httpx.AsyncClient, n: int) -> list[float]:
    return list(await asyncio.gather(*(timed(client.get("/healthz")) for _ in range(n))))


async def probe_while(
    client: httpx.AsyncClient, running: asyncio.Event, limit: int | None = None
) -> list[float]:
    """/healthz every 20 ms until `running` is cleared (or `limit` probes): how responsive
    the doctor's event loop stays."""
    samples: list[float] = []
    while running.is_set() and (limit is None or len(samples) < limit):
        samples.append(await timed(client.get("/healthz")))
        await asyncio.sleep(0.02)  # pacing of the probe, not a wait for a condition
    return samples


async def run_round(base: str, slack: FakeSlack, n: int, tag: str) -> dict[str, list[float]]:
    limits = httpx.Limits(max_connections=4 * n, max_keepalive_connections=4 * n)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        idle_health = await healthz(client, n)
        always = asyncio.Event()
        always.set()
        idle_probe = await probe_while(client, always, limit=50)
        idle_help, _ = await wave(
            client, "help", [slack.response_url(f"{tag}-h{i}") for i in range(n)]
        )
        running = asyncio.Event()
        running.set()
        probes = asyncio.create_task(probe_while(client, running))
        first, queued_first = await wave(
            client, "analyze 30m", [slack.response_url(f"{tag}-a{i}") for i in range(n)]
        )
        loaded, queued_loaded = await wave(
            client, "analyze 30m", [slack.response_url(f"{tag}-b{i}") for i in range(n)]
        )
        started = time.perf_counter()
        expected = set(queued_first + queued_loaded)
        # In a thread: a blocking wait here would stall this loop and the probes with it.
        arrived = await asyncio.to_thread(
            slack.wait_for,
            lambda f: expected <= {c.endpoint for c in f.calls},
            RESULT_TIMEOUT_S,
        )
        drained = time.perf_counter() - started
        running.clear()
        loaded_health = await probes
    delivered = len(expected & {c.endpoint for c in slack.calls})
    return {
        "idle_health": idle_health,
        "idle_probe": idle_probe,
        "idle_help": idle_help,
        "first": first,
        "loaded": loaded,
        "loaded_health": loaded_health,
        "delivered": [delivered],
        "expected": [len(expected)],
        "busy": [2 * n - len(expected)],
        "drain": [drained],
        "complete": [1.0 if arrived else 0.0],
    }


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def describe(name: str, samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return f"{name:<48} n={len(ms):<4} p50 {pct(ms, 50):7.1f} ms   p99 {pct(ms, 99):7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--events", type=int, default=3000)
    args = parser.parse_args()
    os.environ.update(FAKE_AWS_ENV)  # the seeding client only; the doctor gets none of these

    totals: dict[str, list[float]] = {}
    with moto_server() as moto_url, fake_slack() as slack, tempfile.TemporaryDirectory() as tmp:
        written = seed(moto_url, args.events)
        with doctor(moto_url, slack, Path(tmp)) as base:
            for number in range(args.rounds):
                result = asyncio.run(run_round(base, slack, args.concurrency, f"r{number}"))
                for key, values in result.items():
                    totals.setdefault(key, []).extend(values)
    n = args.concurrency
    print(f"events in CloudWatch (moto): {written}; rounds: {args.rounds}; concurrency: {n}")
    print(describe(f"idle: {n} concurrent GET /healthz", totals["idle_health"]))
    print(describe("idle: GET /healthz probes (every 20 ms)", totals["idle_probe"]))
    print(describe(f"idle: {n} concurrent /doctor help acks", totals["idle_help"]))
    print(describe(f"{n} concurrent analyze acks (first wave)", totals["first"]))
    print(describe(f"{n} concurrent analyze acks (analyses running)", totals["loaded"]))
    print(describe("load: GET /healthz probes (every 20 ms)", totals["loaded_health"]))
    ratio50 = pct(totals["loaded"], 50) / pct(totals["idle_help"], 50)
    ratio99 = pct(totals["loaded"], 99) / pct(totals["idle_help"], 99)
    print(f"analyze ack under load / idle help ack: p50 {ratio50:.2f}x, p99 {ratio99:.2f}x")
    health50 = pct(totals["loaded_health"], 50) / pct(totals["idle_probe"], 50)
    health99 = pct(totals["loaded_health"], 99) / pct(totals["idle_probe"], 99)
    print(f"/healthz probes under load / idle: p50 {health50:.2f}x, p99 {health99:.2f}x")
    worst = max(totals["loaded"] + totals["first"])
    print(f"slowest ack: {worst * 1000:.1f} ms (Slack's limit: 3000 ms)")
    delivered, expected = sum(totals["delivered"]), sum(totals["expected"])
    drain = statistics.median(totals["drain"])
    print(
        f"reports at response_url: {delivered}/{expected:.0f}; "
        f"median time from last ack to last report: {drain:.1f} s"
    )
    busy = sum(totals["busy"])
    print(
        f"analyze commands answered 'busy' (queue bound reached): {busy:.0f}/{2 * n * args.rounds}"
    )
    if delivered < expected:
        sys.exit(1)


if __name__ == "__main__":
    main()
