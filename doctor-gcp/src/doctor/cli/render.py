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


EVIDENCE_LINES = 3  # per issue in the terminal; --full shows every line
DETAILED_ISSUES = 5  # the rest in one line each; --full shows every issue in detail
LEADING_CHARS = 150  # the root cause's why and fix on the first screen: about two lines each


def render_analysis(response: AnalysisResponse, console: Console, *, full: bool = False) -> None:
    """The answer first: what is wrong, its root cause, what to do and any warning fit the
    first screen (24 lines); the issues follow (the first DETAILED_ISSUES in detail, with
    EVIDENCE_LINES of evidence each, the others in a line; `full`: all of it), and the facts
    of the run close it."""
    analysis = response.analysis
    title = Text.assemble(
        ("Cloud Doctor ", "bold"),
        (f" {analysis.severity.value} ", SEVERITY_STYLE[analysis.severity]),
    )
    if response.status != "success":
        title.append(f"  ({response.status})", style="yellow")
    said = Text(analysis.summary)
    sentence = told(response)
    if sentence is not None:
        said.append("\n" + sentence, style="bold")
    console.print(Panel(said, title=title, title_align="left"))
    if analysis.issues:
        console.print(_leading(analysis.issues[0]))
    if response.warnings:  # before the actions: whether to trust them comes first
        console.print(Text("Warnings", style="bold yellow underline"))
        for warning in response.warnings:
            console.print(Text.assemble((" ! ", "yellow"), Text(warning)))
    if analysis.priority_actions:
        console.print(Text("Priority actions", style="bold underline"))
        for number, action in enumerate(analysis.priority_actions, start=1):
            console.print(Text.assemble(f" {number}. ", Text(action)))
    if analysis.issues:
        console.print()
        console.print(Text(f"Issues ({len(analysis.issues)})", style="bold underline"))
        detailed = analysis.issues if full else analysis.issues[:DETAILED_ISSUES]
        for number, issue in enumerate(detailed, start=1):
            console.print(_issue(number, issue, full=full))
        rest = analysis.issues[len(detailed) :]
        for number, issue in enumerate(rest, start=len(detailed) + 1):
            console.print(_line(number, issue))
        if rest:
            console.print(Text(f"   (--full shows these {len(rest)} in detail)", style="italic"))
    console.print(_footer(response))


def _line(number: int, issue: Issue) -> Text:
    """An issue past the detailed ones, in one line."""
    line = Text.assemble((f" {number}. ", "bold"), (issue.type, "bold"))
    line.append(f"  {issue.category.value}", style="cyan")
    if issue.role is not None:
        line.append(f"  {ROLE_LABEL[issue.role]}", style=ROLE_STYLE[issue.role])
    line.append(f"  {issue.count} event{'s' if issue.count != 1 else ''}", style="magenta")
    return line


def _leading(issue: Issue) -> RenderableType:
    """The first issue (the root cause when there is a chain) in three lines."""
    label = "Root cause" if issue.role in (None, "root_cause") else ROLE_LABEL[issue.role]
    head = Text.assemble((f"{label}: ", "bold red"), (issue.type, "bold"))
    head.append(f"  {issue.category.value}", style="cyan")
    if issue.services:
        head.append(f"  in {', '.join(issue.services[:3])}", style="cyan")
    head.append(f"  {issue.count} event{'s' if issue.count != 1 else ''}", style="magenta")
    why = Text.assemble(("  Why  ", "bold"), Text(_clip(issue.root_cause)))
    fix = Text.assemble(("  Fix  ", "bold"), Text(_clip(issue.solution)))
    return Group(head, why, fix)


def _clip(text: str, limit: int = LEADING_CHARS) -> str:
    """About two lines: the whole text is in the issue's details below."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _footer(response: AnalysisResponse) -> Text:
    """The run's facts, wrapped (never cut at the terminal's width), with what was left out."""
    summary = response.summary
    facts = [
        f"{summary.total_logs_analyzed} events",
        f"{summary.distinct_patterns} patterns",
        f"engine {summary.engine}",
        f"{summary.duration_ms} ms",
        f"status {response.status}",
        f"id {response.id}",
    ]
    if summary.log_group:
        facts.insert(0, summary.log_group)
    if spent := summary.spent():
        facts.append(spent)
    footer = Text(" · ".join(facts), style="dim")
    for cut in summary.cuts():
        footer.append(f"\n{cut}", style="yellow")
    return footer


def _issue(number: int, issue: Issue, *, full: bool = False) -> RenderableType:
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
    shown = issue.evidence if full else issue.evidence[:EVIDENCE_LINES]
    lines = [Text(line, style="dim") for line in shown]
    if len(shown) < len(issue.evidence):
        hidden = len(issue.evidence) - len(shown)
        lines.append(Text(f"… {hidden} more (--full shows every line)", style="italic"))
    body.add_row("    Evidence", Group(*lines))
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
