"""`cloud-doctor history`: stored diagnoses, newest first."""

from __future__ import annotations

import json
from contextlib import closing
from typing import Annotated

import typer
from rich.text import Text

from doctor.cli.options import StdoutConsole, TargetOpt, fail, number, usage_error, write
from doctor.cli.render import SEVERITY_STYLE
from doctor.errors import DoctorError, InvalidParameter
from doctor.models import MAX_HISTORY_PAGE, AnalysisResponse
from doctor.settings import load_settings
from doctor.since import parse_since


def history(
    target: TargetOpt = None,
    since: Annotated[
        str | None, typer.Option("--since", help="30m, 24h, 7d or an ISO-8601 time.")
    ] = None,
    limit: Annotated[
        int,
        typer.Option("--limit", parser=number(1, MAX_HISTORY_PAGE), help="At most N diagnoses."),
    ] = 20,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the stored AnalysisResponses as JSON.")
    ] = False,
) -> None:
    """Stored diagnoses, newest first (every analysis is kept; see DOCTOR_DATABASE_URL)."""
    try:
        after = parse_since(since) if since is not None else None
    except InvalidParameter:
        usage_error(
            f"{since!r} is neither a duration (30m, 24h, 7d) nor an ISO-8601 time", "--since"
        )
    try:
        settings = load_settings()
        from doctor.orchestrator import Doctor  # lazily: `-h` need not load every stage

        with closing(Doctor.from_settings(settings)) as doctor:
            page = doctor.history(target=target, since=after, limit=limit)
    except DoctorError as err:
        fail(err)
    if json_output:
        write(json.dumps([json.loads(item.model_dump_json()) for item in page.items], indent=2))
        return
    console = StdoutConsole()
    if not page.items:
        said = "No stored diagnoses" + (f" for target {target}" if target else "") + "."
        console.print(Text(said))
        return
    for item in page.items:
        console.print(_line(item))
    if page.next_cursor:
        console.print(Text("(more: raise --limit, or narrow --since)", style="dim"))


def _line(item: AnalysisResponse) -> Text:
    """Two lines a diagnosis: its facts (the id in full, to fetch it), then its summary."""
    severity = item.analysis.severity
    return Text.assemble(
        (item.timestamp.strftime("%Y-%m-%d %H:%M UTC"), "bold"),
        "  ",
        (f" {severity.value} ", SEVERITY_STYLE[severity]),
        f"  {item.summary.target or '(file)'}  {item.status}  {item.summary.engine}  {item.id}\n",
        ("  " + item.analysis.summary[:300], ""),  # model text: never markup
    )
