"""What every `cloud-doctor` command shares: option parsing and output helpers.

stdout carries only the requested output (the report, the JSON, the prompt, the pattern ids) so
it can be piped; errors, hints and notes go to stderr. Exit codes: 0 done, 1 a DoctorError
(message + hint on stderr), 2 a usage error (bad or missing option, named). Every usage error,
typer's or ours, reads the same: "Invalid value for '--flag': what is wrong" (see `guard`).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text

from doctor.cli import guard
from doctor.errors import DoctorError
from doctor.models import AnalyzeRequest, EngineChoice, Query

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


class StdoutConsole(Console):
    """The console for a command's report on stdout. A reader that stops early (`| head`)
    ends the command quietly with exit 0, like the plain writes (rich itself exits 1)."""

    def __init__(self, *, soft_wrap: bool = False) -> None:
        super().__init__(highlight=False, soft_wrap=soft_wrap)

    def on_broken_pipe(self) -> None:
        self.quiet = True
        guard.quiet_closed_pipe()
        raise typer.Exit(0)


def write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def print_notes(notes: list[str]) -> None:
    for note in notes:
        stderr.print(Text.assemble(("note: ", "yellow"), note))


def step(text: str, *, mark: str = "✓", style: str = "green") -> Text:
    """A demo step's line: the mark styled, the text (which may quote logs, ARNs, channel
    names) never read as rich markup."""
    return Text.assemble((mark, style), " ", text)


def usage_error(message: str, flag: str | None = None) -> NoReturn:
    """A usage error (exit 2) worded as typer words its own: "Invalid value for '--flag': ..."."""
    raise typer.BadParameter(message, param_hint=f"'{flag}'" if flag else None)


def fail(err: DoctorError) -> NoReturn:
    guard.fail(err)


# --- the options `analyze` and `patterns` share, and the Query they make

FileOpt = Annotated[
    str | None,
    typer.Option("--file", "-f", metavar="PATH|-", help="Log file to read; '-' reads stdin."),
]
TargetOpt = Annotated[
    str | None,
    typer.Option(
        "--target", help="A configured target (AWS account); default: the default target."
    ),
]
LogGroupOpt = Annotated[
    str | None, typer.Option("--log-group", help="CloudWatch log group (a label with --file).")
]
MinutesOpt = Annotated[
    int | None,
    typer.Option("--minutes", parser=number(1), help="Time window in minutes (CloudWatch)."),
]
_FLAGS = {"time_range_minutes": "--minutes"}


def make_query(
    *,
    file: str | None,
    log_group: str | None,
    target: str | None = None,
    minutes: int | None,
    max_logs: int | None = None,
    filter_pattern: str | None = None,
    engine: EngineOption | None = None,
) -> Query:
    """The Query the flags ask for. CloudWatch flags go through the API's own request model, so
    the same limits apply; a bad value is a usage error naming the flag."""
    chosen: EngineChoice | None = engine.value if engine else None
    if file is not None:
        return Query(
            file=file,
            target=target,  # refused by the Doctor: a file has no target
            log_group=log_group,  # only a label for the answer
            minutes=minutes,
            max_logs=max_logs,
            filter_pattern=filter_pattern,
            engine=chosen,
        )
    fields: dict[str, Any] = {
        "target": target,
        "log_group": log_group,
        "max_logs": max_logs,
        "filter_pattern": filter_pattern,
        "engine": chosen,
    }
    if minutes is not None:
        fields["time_range_minutes"] = minutes
    try:
        return AnalyzeRequest(**fields).query()
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        usage_error(_problem(first), _FLAGS.get(field, "--" + field.replace("_", "-")))


def _problem(err: Any) -> str:
    """A pydantic error in the parsers' wording: "'0' is out of range: it must be ..."."""
    value, ctx = err.get("input"), err.get("ctx") or {}
    low = ctx.get("ge", ctx.get("gt"))
    high = ctx.get("le", ctx.get("lt"))
    if high is not None or low is not None:
        bounds = f"at most {high}" if high is not None else f"at least {low}"
        return f"{str(value)!r} is out of range: it must be {bounds}"
    return f"{str(value)!r}: {err['msg']}"
