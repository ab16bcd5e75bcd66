"""notify: the doctor's outlet. It only sends; it imports nothing above it.

- `blocks`: Block Kit messages inside Slack's limits (pure).
- `slack`: posting (chat.postMessage, response_url) with retries and mapped errors.

Nothing here connects at import; clients are built from Settings by the caller.
"""

from doctor.notify.blocks import Message, mrkdwn, notice, report_message, window_label
from doctor.notify.history import history_message
from doctor.notify.slack import ResponseType, SlackPoster, summary_line

__all__ = [
    "Message",
    "ResponseType",
    "SlackPoster",
    "history_message",
    "mrkdwn",
    "notice",
    "report_message",
    "summary_line",
    "window_label",
]
