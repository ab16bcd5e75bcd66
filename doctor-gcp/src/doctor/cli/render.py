"""Human-readable terminal rendering of an AnalysisResponse and of digest patterns (rich).

Log lines and model text are untrusted: they are always passed to rich as `Text`, never as
markup strings, so a "[bold]" or "[link=...]" inside a log cannot restyle or spoof the report.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from doctor.digest.types import Digest
from doctor.incident.story import ROLE_LABEL, told
from doctor.models import AnalysisResponse, Issue
from doctor.taxonomy import Severity

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "bold yellow",
    Severity.LOW: "bold green",
}
ROLE_STYLE = {"root_cause": "bold red", "symptom": "yellow", "chronic": "dim"}


def render_analysis(response: AnalysisResponse, console: Console) -> None:
    analysis, summary = response.analysis, response.summary
    title = Text.assemble(
        ("Cloud Doctor ", "bold"),
        (f" {analysis.severity.value} ", SEVERITY_STYLE[analysis.severity]),
    )
    if response.status != "success":
        title.append(f"  ({response.status})", style="yellow")
    facts = [
        f"{summary.total_logs_analyzed} events",
        f"{summary.distinct_patterns} patterns",
        f"engine {summary.engine}",
        f"{summary.duration_ms} ms",
    ]
    if summary.log_group:
        facts.insert(0, summary.log_group)
    if spent := summary.spent():
        facts.append(spent)
    facts += summary.cuts()
    said = Text(analysis.summary)
    sentence = told(response)
    if sentence is not None:
        said.append("\n" + sentence, style="bold")
    console.print(
        Panel(
            said,
            title=title,
            title_align="left",
            subtitle=Text(" · ".join(facts), style="dim"),
            subtitle_align="left",
        )
    )
    if analysis.issues:
        console.print(Text("Issues", style="bold underline"))
        for number, issue in enumerate(analysis.issues, start=1):
            console.print(_issue(number, issue))
    if analysis.priority_actions:
        console.print(Text("Priority actions", style="bold underline"))
        for number, action in enumerate(analysis.priority_actions, start=1):
            console.print(Text.assemble(f" {number}. ", Text(action)))
        console.print()
    if response.warnings:
        console.print(Text("Warnings", style="bold yellow underline"))
        for warning in response.warnings:
            console.print(Text.assemble((" ! ", "yellow"), Text(warning)))


def _issue(number: int, issue: Issue) -> RenderableType:
    head = Text.assemble(
        (f" {number}. ", "bold"),
        (issue.type, "bold"),
        ("  ", ""),
        (issue.category.value, "cyan"),
    )
    if issue.role is not None:
        head.append(f"  {ROLE_LABEL[issue.role]}", style=ROLE_STYLE[issue.role])
    if issue.services:
        head.append(f"  in {', '.join(issue.services[:3])}", style="cyan")
    head.append(f"  {issue.count} event{'s' if issue.count != 1 else ''}", style="magenta")
    seen = _seen(issue.first_seen, issue.last_seen)
    if seen:
        head.append(f"  {seen}", style="dim")
    body = Table.grid(padding=(0, 1))
    body.add_column(style="bold", no_wrap=True)
    body.add_column()
    body.add_row("    What", Text(issue.description))
    body.add_row("    Root cause", Text(issue.root_cause))
    body.add_row("    Fix", Text(issue.solution))
    body.add_row("    Patterns", Text(", ".join(issue.pattern_ids), style="dim"))
    evidence = Group(*(Text(line, style="dim") for line in issue.evidence))
    body.add_row("    Evidence", evidence)
    return Group(head, body, Text())


def _seen(first: datetime | None, last: datetime | None) -> str:
    if first is None or last is None:
        return ""
    fmt = "%Y-%m-%d %H:%M:%S"
    if first == last:
        return f"at {first.strftime(fmt)}Z"
    return f"{first.strftime(fmt)}Z → {last.strftime(fmt)}Z"


def render_patterns(digest: Digest, console: Console) -> None:
    table = Table(title=f"{digest.events_total} events, {len(digest.patterns)} patterns")
    table.add_column("id", no_wrap=True)
    table.add_column("count", justify="right")
    table.add_column("level", no_wrap=True)
    table.add_column("last seen", no_wrap=True)
    table.add_column("template")
    for pattern in digest.patterns:
        last = pattern.last_seen.strftime("%Y-%m-%d %H:%M:%S") if pattern.last_seen else ""
        table.add_row(
            pattern.id, str(pattern.count), pattern.level.name, last, Text(pattern.template)
        )
    console.print(table)
    if digest.redactions:
        redacted = ", ".join(f"{kind}: {n}" for kind, n in sorted(digest.redactions.items()))
        console.print(Text(f"Redacted before analysis: {redacted}", style="dim"))
