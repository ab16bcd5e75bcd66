"""The `/doctor history` reply: the latest stored diagnoses, one line each."""

from __future__ import annotations

from doctor.models import AnalysisResponse
from doctor.notify.blocks import (
    SEVERITY_EMOJI,
    Message,
    header,
    mrkdwn,
    section,
    when,
)

MAX_LISTED = 10


def history_message(items: list[AnalysisResponse], target: str | None) -> Message:
    """The latest diagnoses, newest first, one line each."""
    where = f" of {mrkdwn(target, 80)}" if target else ""
    if not items:
        text = f"No stored diagnoses{where} yet: run `/doctor analyze`."
        return Message(text=text, blocks=[section(text)])
    lines = [
        f"{SEVERITY_EMOJI[item.analysis.severity]} {when(item.timestamp)} · "
        f"*{mrkdwn(item.summary.target or 'file', 80)}* · "
        f"{mrkdwn(item.analysis.summary, 200)} · `{item.id}`"
        for item in items[:MAX_LISTED]
    ]
    title = f"Cloud Doctor history{where}"
    return Message(
        text=title,
        blocks=[header(title), section("\n".join(lines))],  # section() clips to Slack's limit
    )
