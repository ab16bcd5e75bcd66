"""`cloud-doctor patterns`: the digest's templates with counts, no engine."""

from __future__ import annotations

import json
from contextlib import closing
from typing import Annotated, Any

import typer

from doctor.cli.options import (
    FileOpt,
    LogGroupOpt,
    MinutesOpt,
    StdoutConsole,
    TargetOpt,
    fail,
    make_query,
    print_notes,
    write,
)
from doctor.cli.progress import stdin_hint, working
from doctor.cli.render import render_patterns
from doctor.digest.types import Digest
from doctor.errors import DoctorError
from doctor.settings import load_settings


def patterns(
    file: FileOpt = None,
    target: TargetOpt = None,
    log_group: LogGroupOpt = None,
    minutes: MinutesOpt = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the patterns as JSON.")] = (
        False
    ),
    per_line: Annotated[
        bool,
        typer.Option("--per-line", help="Print one pattern id per input line, in input order."),
    ] = False,
) -> None:
    """Show the digest's templates with counts. Calls no engine."""
    query = make_query(file=file, target=target, log_group=log_group, minutes=minutes)
    try:
        from doctor.orchestrator import Doctor  # lazily: `-h` need not load every stage

        with closing(Doctor.from_settings(load_settings(), ambient_aws=True)) as doctor:
            stdin_hint(file)
            with working("Reading and digesting the logs…"):
                digested = doctor.digest(query)
    except DoctorError as err:
        fail(err)
    print_notes(digested.warnings)
    digest = digested.digest
    if per_line:
        # One id per input line; "-" (null in JSON) for a line no event holds (blank, binary).
        if json_output:
            write(json.dumps(digest.line_assignments))
        else:
            write("\n".join(pid or "-" for pid in digest.line_assignments))
    elif json_output:
        write(json.dumps(patterns_json(digest), indent=2))
    else:
        render_patterns(digest, StdoutConsole())


def patterns_json(digest: Digest) -> dict[str, Any]:
    return {
        "events_total": digest.events_total,
        "redactions": digest.redactions,
        "patterns": [p.facts() | {"samples": p.samples} for p in digest.patterns],
    }
