"""Where rendered events go. stdout is what Docker's awslogs driver ships on EC2."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TextIO

from chaos_app.events import Stamped

Renderer = Callable[[Stamped], str]


class Sink(Protocol):
    def write(self, item: Stamped) -> None: ...

    def close(self) -> None:
        """Deliver everything still buffered. Called on exit, SIGTERM and Ctrl-C."""


class StdoutSink:
    def __init__(self, render: Renderer, stream: TextIO, *, line_buffered: bool) -> None:
        self._render = render
        self._stream = stream
        # Paced runs flush every line so `docker logs` and awslogs see events as they happen.
        self._line_buffered = line_buffered

    def write(self, item: Stamped) -> None:
        self._stream.write(self._render(item) + "\n")
        if self._line_buffered:
            self._stream.flush()

    def close(self) -> None:
        self._stream.flush()
