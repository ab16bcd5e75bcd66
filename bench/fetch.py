"""CloudWatch fetch: concurrent time slices vs one sequential paginator, same data, same run.

Starts a moto_server on 127.0.0.1, writes chaos-app events spread over the window with
chaos-app's own sink, then times CloudWatchLogs.fetch with slices=1 and slices=N, alternating,
a few rounds each. Optionally (--latency-ms) puts a loopback proxy in front of moto that delays
every response, to model the round trip to a real regional endpoint, which is where concurrent
slices pay off; moto itself is one CPU-bound process, so without latency slices mostly compete
for the same core.

    uv run python bench/fetch.py [--events 40000] [--hours 8] [--rounds 3] [--latency-ms 0]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chaos_app.cloudwatch import CloudWatchSink
from chaos_app.generator import generate
from chaos_app.render import to_json
from chaos_app.scenarios import CATALOG
from doctor.logs.cloudwatch import CloudWatchLogs
from tests.fakes.moto_server import moto_server
from tests.fakes.processes import free_port

GROUP = "/bench/fetch"


@contextmanager
def delaying_proxy(target_port: int, delay_s: float) -> Iterator[int]:
    """A loopback TCP proxy adding `delay_s` before each chunk the server sends back."""
    port = free_port()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    ready = threading.Event()

    async def pipe(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float
    ) -> None:
        try:
            while data := await reader.read(65536):
                if delay:
                    await asyncio.sleep(delay)
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(pipe(client_r, server_w, 0), pipe(server_r, client_w, delay_s))

    stop = asyncio.Event()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        ready.set()
        async with server:
            await stop.wait()

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), daemon=True)
    thread.start()
    ready.wait(5)
    try:
        yield port
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(5)


def seed(url: str, events: int, hours: float) -> int:
    client = boto3.client("logs", region_name="us-east-1", endpoint_url=url)
    sink = CloudWatchSink(
        client, log_group=GROUP, log_stream="bench", render=to_json, report_to=None
    )
    start = datetime.now(UTC) - timedelta(hours=hours) + timedelta(minutes=1)
    rate = events / (hours * 3600 - 120)
    for item in generate(CATALOG, start=start, rate=rate, seed=3, count=events):
        sink.write(item)
    sink.flush()
    return sink.stats.events


def timed(source: CloudWatchLogs, end: datetime, minutes: int, slices: int) -> tuple[float, int]:
    began = time.perf_counter()
    fetched = source.fetch(
        GROUP, minutes=minutes, max_logs=10**7, filter_pattern="", end=end, slices=slices
    )
    return time.perf_counter() - began, len(fetched.events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=40_000)
    parser.add_argument("--hours", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--slices", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=0)
    args = parser.parse_args()
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")  # moto only

    with moto_server() as url:
        written = seed(url, args.events, args.hours)
        end = datetime.now(UTC)  # one fixed window for every run, however long they take
        port = int(url.rsplit(":", 1)[1])
        with delaying_proxy(port, args.latency_ms / 1000) as proxy_port:
            endpoint = f"http://127.0.0.1:{proxy_port}"
            client = boto3.client("logs", region_name="us-east-1", endpoint_url=endpoint)
            source = CloudWatchLogs(client)
            minutes = int(args.hours * 60)
            results: dict[int, list[float]] = {1: [], args.slices: []}
            counts: set[int] = set()
            for _ in range(args.rounds):
                for slices in (1, args.slices):
                    seconds, count = timed(source, end, minutes, slices)
                    results[slices].append(seconds)
                    counts.add(count)

    sequential = statistics.median(results[1])
    sliced = statistics.median(results[args.slices])
    print(f"events written: {written}; events fetched per run: {sorted(counts)}")
    print(f"window: {minutes} min; added round-trip latency: {args.latency_ms:g} ms per response")
    print(f"sequential paginator: median {sequential:.3f} s ({written / sequential:,.0f} events/s)")
    print(
        f"{args.slices} concurrent slices: median {sliced:.3f} s ({written / sliced:,.0f} events/s)"
    )
    print(f"speed-up (sequential / sliced): {sequential / sliced:.2f}x")


if __name__ == "__main__":
    main()
