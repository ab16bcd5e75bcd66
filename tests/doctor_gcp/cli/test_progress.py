"""The CLI's stderr while it works: a spinner only past a second and only on a terminal; a
hint when `--file -` would wait on a terminal."""

from __future__ import annotations

import io
import time

import pytest
from rich.console import Console

from doctor.cli import progress
from doctor.cli.progress import stdin_hint, working


def terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=80), out


def test_a_slow_step_shows_the_spinner_a_quick_one_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.2)
    console, out = terminal()
    with working("Reading the logs…", console=console):
        time.sleep(0.05)
    assert out.getvalue() == ""
    with working("Reading the logs…", console=console):
        time.sleep(0.6)
    assert "Reading the logs" in out.getvalue()


def test_no_spinner_into_a_pipe() -> None:
    out = io.StringIO()
    with working("Reading the logs…", console=Console(file=out, force_terminal=False)):
        time.sleep(1.2)
    assert out.getvalue() == ""


class FakeStdin(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__("")
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("file", "tty", "hinted"), [("-", True, True), ("-", False, False), ("app.log", True, False)]
)
def test_reading_a_terminal_says_how_to_end_it(
    monkeypatch: pytest.MonkeyPatch, file: str, tty: bool, hinted: bool
) -> None:
    monkeypatch.setattr("sys.stdin", FakeStdin(tty))
    out = io.StringIO()
    stdin_hint(file, console=Console(file=out, width=200))
    assert ("Ctrl-D" in out.getvalue()) is hinted
