"""Block Kit messages: the analysis report, plus the short replies of the slash command.

Everything taken from an analysis (log lines, model text, log group names) is untrusted: it is
escaped for mrkdwn (`&`, `<`, `>`), so a log line cannot ping `<!channel>`, forge a link or a
mention. Slack's limits are met by construction, cutting gracefully rather than failing the
post: at most 50 blocks, 3000 characters per section or context text, 150 per header. A cut
never lands inside an escape entity, and code blocks always keep their closing fence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from doctor.incident.story import ROLE_LABEL, told
from doctor.models import AnalysisResponse, Changes, Issue
from doctor.taxonomy import Severity

MAX_BLOCKS = 50
MAX_TEXT = 3000  # section text, context element text
MAX_HEADER = 150  # header block plain_text
MAX_FALLBACK = 3000  # our own cap on the notification text: long enough, still readable
DEFAULT_MAX_ISSUES = 10  # a chat message is a pager, not the full report
EVIDENCE_LINES = 3
EVIDENCE_LINE_CHARS = 600
FIELD_CHARS = 800  # description, root cause and solution each, so an issue fits one section
ELLIPSIS = "…"
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
FENCE = "```"

SEVERITY_EMOJI = {
    Severity.LOW: ":large_green_circle:",
    Severity.MEDIUM: ":large_yellow_circle:",
    Severity.HIGH: ":large_orange_circle:",
    Severity.CRITICAL: ":red_circle:",
}


@dataclass(frozen=True)
class Message:
    """What chat.postMessage and response_url both take: blocks plus the fallback `text`
    (shown in notifications and by clients that cannot render blocks)."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"text": self.text}
        if self.blocks:
            body["blocks"] = self.blocks
        return body


def escape(text: str) -> str:
    """Slack's mrkdwn escaping, plus a broken-up triple backtick so text cannot open or close
    a code block (a zero-width space between the backticks)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace(FENCE, "`\u200b`\u200b`")


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending in '…' when cut, never inside an `&amp;` entity."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(ELLIPSIS), 0)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + ELLIPSIS


def mrkdwn(raw: str, limit: int) -> str:
    """Untrusted text made safe and short: escape first (it lengthens), then clip."""
    return clip(escape(raw), limit)


def code_block(lines: list[str], limit: int = MAX_TEXT) -> str:
    """A fenced code block of at most `limit` characters; only the content is ever cut."""
    room = limit - len(FENCE) * 2 - 2  # the fences and their newlines are never cut
    content = "\n".join(mrkdwn(line, EVIDENCE_LINE_CHARS) for line in lines)
    return f"{FENCE}\n{clip(content, room)}\n{FENCE}"


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, MAX_HEADER)}}


def section(text: str) -> dict[str, Any]:
    """`text` must already be mrkdwn-safe; the clip is a last guard for our own formatting."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, MAX_TEXT)}}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, MAX_TEXT)}]}


def when(moment: datetime) -> str:
    """Slack renders `<!date^…>` in each reader's own time zone; the fallback is UTC."""
    fallback = moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time_secs}}|{fallback}>"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def issue_blocks(number: int, issue: Issue) -> list[dict[str, Any]]:
    """One section per issue (what, why, fix), then its evidence in a code block."""
    head = f"*{number}. {mrkdwn(issue.type, 200)}*  ·  `{issue.category.value}`  ·  "
    if issue.role is not None:
        head += f"_{ROLE_LABEL[issue.role]}_  ·  "
    if issue.services:
        head += f"in {mrkdwn(', '.join(issue.services[:3]), 200)}  ·  "
    lines = [head + f"*{_plural(issue.count, 'event')}*"]
    if issue.first_seen and issue.last_seen:
        lines.append(f"First seen {when(issue.first_seen)} · last seen {when(issue.last_seen)}")
    lines.append(mrkdwn(issue.description, FIELD_CHARS))
    lines.append(f"*Root cause:* {mrkdwn(issue.root_cause, FIELD_CHARS)}")
    lines.append(f"*Fix:* {mrkdwn(issue.solution, FIELD_CHARS)}")
    blocks = [section("\n".join(lines))]
    if issue.evidence:
        blocks.append(section(code_block(issue.evidence[:EVIDENCE_LINES])))
    return blocks


def _facts(response: AnalysisResponse) -> str:
    summary = response.summary
    facts = []
    if summary.log_group:
        facts.append(f"`{mrkdwn(summary.log_group, 600)}`")
    if summary.time_range_minutes:
        facts.append(f"last {window_label(summary.time_range_minutes)}")
    facts += [
        _plural(summary.total_logs_analyzed, "event"),
        _plural(summary.distinct_patterns, "pattern"),
        f"engine {summary.engine}",
        f"{summary.duration_ms} ms",
        f"status {response.status}",
    ]
    if spent := summary.spent():
        facts.append(spent)
    facts += summary.cuts()
    facts.append(f"id {mrkdwn(response.id, 100)}")
    return "  ·  ".join(facts)


def window_label(minutes: int) -> str:
    if minutes % 1440 == 0:
        return _plural(minutes // 1440, "day")
    if minutes % 60 == 0:
        return _plural(minutes // 60, "hour")
    return f"{minutes} min"


def report_message(
    response: AnalysisResponse,
    *,
    requested_by: str | None = None,
    max_issues: int = DEFAULT_MAX_ISSUES,
    link: str | None = None,
    reserved_blocks: int = 0,
) -> Message:
    """The report of one analysis. `requested_by` is a Slack user id (from a signed request);
    `link`, the signed URL of the full report page (a "Full report" button);
    `reserved_blocks`, room left under Slack's 50 for blocks the caller adds."""
    analysis = response.analysis
    emoji = SEVERITY_EMOJI[analysis.severity]
    group = response.summary.log_group or "logs"
    if response.status == "no_logs":
        title = f":white_circle: No matching logs · {group}"
    else:
        title = f"{emoji} {analysis.severity.value} · {group}"
    top = [header(title), section(mrkdwn(analysis.summary, MAX_TEXT))]
    sentence = told(response)
    if sentence is not None:  # the engine's summary does not tell the chain: say it
        top.append(section("*Chain:* " + mrkdwn(sentence, MAX_TEXT)))

    if response.changes is not None:
        top.append(changes_block(response.changes))

    tail: list[dict[str, Any]] = []
    if link is not None:
        tail.append(report_button(link))
    if analysis.priority_actions:
        actions = [
            f"{n}. {mrkdwn(action, 280)}"
            for n, action in enumerate(analysis.priority_actions[:10], start=1)
        ]
        tail.append(section("*Priority actions*\n" + "\n".join(actions)))
    if response.warnings:
        tail.append(context(":warning: " + "\n".join(mrkdwn(w, 600) for w in response.warnings)))
    footer = _facts(response)
    if requested_by and _USER_ID.fullmatch(requested_by):
        footer += f"  ·  requested by <@{requested_by}>"
    tail.append(context(footer))

    # Each issue takes up to two blocks; one more block is kept for "N more not shown".
    room = (MAX_BLOCKS - reserved_blocks - len(top) - len(tail) - 1) // 2
    shown = analysis.issues[: max(0, min(max_issues, room))]
    middle: list[dict[str, Any]] = []
    for number, issue in enumerate(shown, start=1):
        middle += issue_blocks(number, issue)
    hidden = len(analysis.issues) - len(shown)
    if hidden:
        middle.append(
            context(
                f":heavy_plus_sign: {_plural(hidden, 'more issue')} not shown: "
                + (
                    "open the full report."
                    if link
                    else "see the full report with `cloud-doctor analyze --json` or POST /analyze."
                )
            )
        )
    return Message(text=fallback_text(response), blocks=top + middle + tail)


def fallback_text(response: AnalysisResponse) -> str:
    analysis = response.analysis
    counts = ", ".join(f"{i.category.value} x{i.count}" for i in analysis.issues[:10])
    more = f" (+{len(analysis.issues) - 10} more)" if len(analysis.issues) > 10 else ""
    text = f"{SEVERITY_EMOJI[analysis.severity]} Cloud Doctor {analysis.severity.value}: "
    text += escape(analysis.summary)
    if counts:
        text += f" Issues: {counts}{more}."
    return clip(text, MAX_FALLBACK)


def notice(text: str, *, detail: str | None = None) -> Message:
    """A short reply (usage, errors). `text` is ours; `detail` is escaped."""
    body = text if detail is None else f"{text}\n{mrkdwn(detail, MAX_TEXT)}"
    body = clip(body, MAX_TEXT)
    return Message(text=body, blocks=[section(body)])


def report_button(link: str) -> dict[str, Any]:
    """The "Full report" button: the whole diagnosis, past Slack's 50 blocks."""
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": "Full report"},
        "url": link,
        "action_id": "open_report",
    }
    return {"type": "actions", "elements": [button]}


def changes_block(changes: Changes) -> dict[str, Any]:
    """One context line: what is new against the target's previous diagnosis."""
    said = [f"Since the last diagnosis ({when(changes.previous_at)}):"]
    if changes.appeared:
        said.append("new " + ", ".join(f"`{mrkdwn(c, 40)}`" for c in changes.appeared))
    if changes.cleared:
        said.append("cleared " + ", ".join(f"`{mrkdwn(c, 40)}`" for c in changes.cleared))
    if changes.new_patterns_total:
        said.append(f"{changes.new_patterns_total} pattern(s) not seen before")
    if len(said) == 1:
        said.append("nothing new")
    return context(":repeat: " + " ".join(said[:1]) + " " + "; ".join(said[1:]))
