"""What `/doctor` answers besides its grammar's usage and the reports: the texts of its acks
(analyzing, busy, a refused response_url) and of its replies on response_url (a failure, a
crash, a restart). Our own text is Slack mrkdwn; anything from outside is escaped."""

from __future__ import annotations

from doctor.errors import DoctorError
from doctor.notify import Message, mrkdwn, notice, window_label
from doctor.targets import DEFAULT_TARGET

# One object, compared by identity: it alone still goes to a user told the doctor restarted.
RESTARTING = notice(
    ":warning: *The doctor restarted before your analysis finished.*",
    detail="Nothing was posted for it: run the command again.",
)


def failure(err: DoctorError) -> Message:
    """A DoctorError as a Slack reply: message and hint, written by us, escaped anyway."""
    return notice(f":x: *{err.message}*", detail=err.hint or None)


def crashed() -> Message:
    """An analysis that raised something other than a DoctorError (its traceback is logged)."""
    return notice(
        ":x: *The doctor hit an unexpected error.*",
        detail="Retry; if it persists, check the service logs.",
    )


def foreign_response_url() -> Message:
    """The ack of a command whose response_url is not Slack's: nothing can be posted on it."""
    return notice(
        ":x: *This request's response_url is not a Slack URL, so the doctor cannot answer on it.*",
        detail="Replies go only to https://hooks.slack.com/; run the command again from Slack.",
    )


def busy() -> Message:
    """The ack when `max_pending` analyses are already running or queued."""
    return notice(
        ":hourglass: *The doctor is busy with other analyses: try again in a minute.*",
        detail="Nothing was queued for this command.",
    )


def analyzing(minutes: int, target: str, groups: list[str]) -> Message:
    """The ack of a queued analysis: what it reads, and where the report will appear."""
    return notice(
        f":hourglass_flowing_sand: Analyzing the last {window_label(minutes)} "
        f"of {_where(target, groups)}… the report will be posted here."
    )


def _where(target: str, groups: list[str]) -> str:
    named = ", ".join(f"`{mrkdwn(group, 200)}`" for group in groups[:5])
    more = f" and {len(groups) - 5} more" if len(groups) > 5 else ""
    return named + more if target == DEFAULT_TARGET else f"*{mrkdwn(target, 80)}* ({named}{more})"
