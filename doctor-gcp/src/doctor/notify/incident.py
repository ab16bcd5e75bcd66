"""The messages of an incident's Slack thread (pure): the parent, the replies, the edit.

The parent is the report of the first diagnosis with one status block (block_id
`incident_status`) under its header; resolving the incident edits that block only, so the
parent reads "Resolved after N min" in the channel without opening the thread.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from doctor.models import AnalysisResponse
from doctor.notify.blocks import (
    MAX_TEXT,
    SEVERITY_EMOJI,
    Message,
    changes_block,
    clip,
    context,
    escape,
    mrkdwn,
    report_button,
    report_message,
    section,
    when,
)

STATUS_BLOCK = "incident_status"
SHOWN_ALARMS = 5


def alarm_list(names: list[str]) -> str:
    """`a`, `b` and 3 more: alarm names are user-chosen, so escaped."""
    shown = ", ".join(f"`{mrkdwn(name, 80)}`" for name in names[:SHOWN_ALARMS])
    hidden = len(names) - SHOWN_ALARMS
    return f"{shown} and {hidden} more" if hidden > 0 else shown


def minutes_between(start: datetime, end: datetime) -> int:
    """Nearest whole minutes, at least 1: "resolved after 0 min" reads like a bug."""
    return max(1, round((end - start).total_seconds() / 60))


def _status(text: str) -> dict[str, Any]:
    block = section(text)
    block["block_id"] = STATUS_BLOCK
    return block


def _alarming(names: list[str], opened_at: datetime, target: str) -> str:
    return (
        f":rotating_light: *In ALARM* since {when(opened_at)}: {alarm_list(names)}"
        f" · target `{mrkdwn(target, 64)}`"
    )


def parent_message(
    response: AnalysisResponse,
    *,
    alarms: list[str],
    opened_at: datetime,
    target: str,
    link: str | None = None,
) -> Message:
    """The thread's first message: the status, then the report of the first diagnosis."""
    report = report_message(response, link=link, reserved_blocks=1)  # room for the status
    blocks = [report.blocks[0], _status(_alarming(alarms, opened_at, target)), *report.blocks[1:]]
    text = clip(f":rotating_light: ALARM {escape(', '.join(alarms[:3]))}: {report.text}", MAX_TEXT)
    return Message(text=text, blocks=blocks)


def failed_parent(
    *, alarms: list[str], opened_at: datetime, target: str, reason: str, hint: str
) -> Message:
    """The thread's first message when the diagnosis failed: the alarm still gets its thread."""
    body = f":warning: The doctor could not diagnose it: {mrkdwn(reason, 500)} {mrkdwn(hint, 500)}"
    title = f":rotating_light: ALARM · {target}"
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(title, 150)}},
        _status(_alarming(alarms, opened_at, target)),
        section(body),
    ]
    text = clip(f"ALARM {escape(', '.join(alarms[:3]))}: {escape(reason)}", MAX_TEXT)
    return Message(text=text, blocks=blocks)


def resolved_parent(
    parent: dict[str, Any], *, alarms: list[str], opened_at: datetime, resolved_at: datetime
) -> Message:
    """The parent as posted, with its status block saying it is over."""
    minutes = minutes_between(opened_at, resolved_at)
    status = (
        f":white_check_mark: *Resolved* after {minutes} min "
        f"({when(opened_at)} → {when(resolved_at)}): {alarm_list(alarms)}"
    )
    blocks = copy.deepcopy(list(parent.get("blocks") or []))
    replaced = False
    for n, block in enumerate(blocks):
        if block.get("block_id") == STATUS_BLOCK:
            blocks[n] = _status(status)
            replaced = True
    if not replaced:
        blocks.insert(0, _status(status))
    text = clip(f"[Resolved after {minutes} min] {parent.get('text', '')}", MAX_TEXT)
    return Message(text=text, blocks=blocks[:50])


def repeat_message(
    response: AnalysisResponse | None,
    *,
    joined: list[str],
    still: list[str],
    link: str | None = None,
    failure: str | None = None,
    diagnosed_at: datetime | None = None,
) -> Message:
    """A reply while the incident is open: which alarms (re)fired, and, when the doctor looked
    again, what changed since its last diagnosis (or why it could not look)."""
    said = [f":repeat: *(Re)fired*: {alarm_list(joined)}"]
    if still:
        said.append(f"in ALARM now: {alarm_list(still)}")
    blocks = [section("\n".join(said))]
    if failure is not None:
        blocks.append(context(":warning: The doctor could not look again: " + mrkdwn(failure, 600)))
    elif response is None:
        last = f"at {when(diagnosed_at)}" if diagnosed_at else "not yet (it failed)"
        blocks.append(context(f"Last diagnosed {last}; it looks again 5 minutes after that."))
    else:
        analysis = response.analysis
        emoji = SEVERITY_EMOJI[analysis.severity]
        blocks.append(
            section(f"{emoji} *{analysis.severity.value}* · " + mrkdwn(analysis.summary, 1500))
        )
        if response.changes is not None:
            blocks.append(changes_block(response.changes))
        if link is not None:
            blocks.append(report_button(link))
    text = clip(f"(Re)fired: {escape(', '.join(joined))}", MAX_TEXT)
    return Message(text=text, blocks=blocks)


def resolved_message(*, alarms: list[str], opened_at: datetime, resolved_at: datetime) -> Message:
    """The thread's last reply."""
    minutes = minutes_between(opened_at, resolved_at)
    body = (
        f":white_check_mark: *Resolved after {minutes} min*: {alarm_list(alarms)} "
        f"back to OK at {when(resolved_at)}."
    )
    return Message(text=f"Resolved after {minutes} min.", blocks=[section(body)])
