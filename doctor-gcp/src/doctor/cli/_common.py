"""What every `cloud-doctor` command shares: the typer app, number parsing, output helpers.

stdout carries only the requested output (the report, the JSON, the prompt, the pattern ids) so
it can be piped; errors, hints and notes go to stderr. Exit codes: 0 done, 1 a DoctorError
(message + hint on stderr), 2 a usage error (bad or missing option, named).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from doctor.errors import DoctorError

app = typer.Typer(
    name="cloud-doctor",
    help="Diagnose an AWS workload from its logs: digest, Gemini (or offline rules), grounded.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # tracebacks would show locals: settings, secrets
)
stderr = Console(stderr=True, highlight=False)


def number(low: int, high: int | None = None) -> Any:
    """Parse a whole number, naming the bad value (typer's own message does not)."""

    def parse(value: str | int) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise typer.BadParameter(f"{value!r} is not a whole number") from None
        if number < low or (high is not None and number > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise typer.BadParameter(f"{value!r} is out of range: it must be {bounds}")
        return number

    return parse


class EngineOption(StrEnum):
    auto = "auto"
    gemini = "gemini"
    rules = "rules"


def write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def print_notes(notes: list[str]) -> None:
    for note in notes:
        stderr.print(Text.assemble(("note: ", "yellow"), note))


def usage_error(message: str) -> NoReturn:
    stderr.print(Text.assemble(("Usage error: ", "bold red"), message))
    raise typer.Exit(2)


def fail(err: DoctorError) -> NoReturn:
    stderr.print(Text.assemble(("Error: ", "bold red"), err.message))
    if err.hint:
        stderr.print(Text.assemble(("Hint: ", "bold"), err.hint))
    raise typer.Exit(1)
