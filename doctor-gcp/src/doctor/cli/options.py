"""What every `cloud-doctor` command shares: option parsing and output helpers.

stdout carries only the requested output (the report, the JSON, the prompt, the pattern ids) so
it can be piped; errors, hints and notes go to stderr. Exit codes: 0 done, 1 a DoctorError
(message + hint on stderr), 2 a usage error (bad or missing option, named).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text

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
        problems = "; ".join(
            f"{_FLAGS.get(str(err['loc'][0]), '--' + str(err['loc'][0]).replace('_', '-'))}: "
            f"{err['msg']}"
            for err in exc.errors(include_url=False)
        )
        usage_error(problems)
