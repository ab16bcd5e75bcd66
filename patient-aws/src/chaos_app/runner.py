"""Carrying out `chaos-app run`: open the chosen sink, then write the events to it, paced in
real time by their timestamps, and stop cleanly (flushing) on SIGTERM or Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Iterable
from datetime import datetime
from types import FrameType

import typer

from chaos_app.events import Stamped
from chaos_app.options import SinkName
from chaos_app.sinks import Renderer, Sink, StdoutSink


def open_sink(
    sink: SinkName,
    renderer: Renderer,
    fast: bool,
    log_group: str,
    log_stream: str | None,
    region: str | None,
    first: datetime,
) -> Sink:
    """The sink `--sink` names; the cloudwatch one without a region is a usage error."""
    if sink is SinkName.stdout:
        return StdoutSink(renderer, sys.stdout, line_buffered=not fast)
    import boto3  # only the cloudwatch sink needs it; keeps `chaos-app run` to stdout light

    from chaos_app.cloudwatch import CLIENT_CONFIG, CloudWatchSink

    if not region:
        raise typer.BadParameter(
            "the cloudwatch sink needs a region: set AWS_REGION or pass --region",
            param_hint="'--region'",
        )
    client = boto3.client("logs", region_name=region, config=CLIENT_CONFIG)
    stream = log_stream or f"chaos-app/{socket.gethostname()}/{first:%Y%m%dT%H%M%SZ}"
    return CloudWatchSink(client, log_group=log_group, log_stream=stream, render=renderer)


_TICK_SECONDS = 0.1  # how long a paced run may take to notice SIGTERM


def run(
    events: Iterable[Stamped], out: Sink, *, paced: bool, announce: str | None = None
) -> int | None:
    """Write events, pacing them in real time by their timestamps; stop cleanly on SIGTERM /
    Ctrl-C and flush."""
    received: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        # No lock in here: the handler runs between two bytecodes of the main thread, which may
        # hold any lock at that moment. `threading.Event.set()` took the Event's own lock and,
        # landing inside `Event.wait()`, deadlocked the run for good (seen once in CI).
        received.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    if announce:  # after the handlers: from here on, SIGTERM flushes what was buffered
        print(announce, file=sys.stderr, flush=True)
    began = time.monotonic()
    origin: datetime | None = None
    try:
        for item in events:
            if paced:
                origin = origin or item.timestamp
                due = (item.timestamp - origin).total_seconds()
                delay = began + due - time.monotonic()
                while delay > 0 and not received:  # short sleeps: a signal stops it promptly
                    time.sleep(min(delay, _TICK_SECONDS))
                    delay = began + due - time.monotonic()
            if received:
                break
            out.write(item)
    except BrokenPipeError:
        # `chaos-app run | head` is normal use: stop quietly, as other CLI tools do. Point stdout
        # at /dev/null so the final flush cannot raise again (Python's documented recipe).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        out.close()
    return received[0] if received else None
