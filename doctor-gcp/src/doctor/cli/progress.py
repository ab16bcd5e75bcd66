"""What the CLI says on stderr while it works: a spinner for reads and digests that take
longer than a second, and a hint when it waits on a terminal's stdin.

Both go to stderr and only to a terminal: stdout stays the report (or the JSON), and a
pipe or a CI log gets neither."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

DELAY_SECONDS = 1.0  # a quick answer shows no spinner at all


@contextmanager
def working(what: str, *, console: Console | None = None) -> Iterator[None]:
    """A transient spinner on stderr, from DELAY_SECONDS on, for as long as the block runs."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    status = console.status(what)  # a plain string: ours, never log text
    shown = threading.Event()

    def show() -> None:
        shown.set()
        status.start()

    timer = threading.Timer(DELAY_SECONDS, show)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        if shown.is_set():
            status.stop()


def stdin_hint(file: str | None, *, console: Console | None = None) -> None:
    """`--file -` on a terminal waits for typing: say so instead of waiting silently."""
    if file != "-" or not sys.stdin or not sys.stdin.isatty():
        return
    (console or Console(stderr=True)).print(
        "Reading logs from the terminal: paste them, then press Ctrl-D. "
        "(To read a file: cloud-doctor analyze --file app.log, or pipe it: … | cloud-doctor "
        "analyze --file -)",
        markup=False,
        highlight=False,
    )
