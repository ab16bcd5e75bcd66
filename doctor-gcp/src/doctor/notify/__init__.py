"""notify: the doctor's outlet. It only sends; it imports nothing above it.

- `blocks`: Block Kit messages inside Slack's limits (pure).
- `slack`: posting (chat.postMessage, chat.update, response_url): `SlackPoster`.
- `slack_errors`: Slack's failures as NotifyErrors with hints, retries, the redacted SDK log.
- `slack_urls`: the API's base URL; which response_urls are followed, and how often.

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
