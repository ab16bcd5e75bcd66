"""notify: the doctor's outlet. It only sends; it imports nothing above it.

- `blocks`: Block Kit messages inside Slack's limits (pure).
- `slack`: posting (chat.postMessage, chat.update, response_url): `SlackPoster`.
- `slack_errors`: Slack's failures as NotifyErrors with hints, retries, the redacted SDK log.
- `slack_urls`: the API's base URL; which response_urls are followed, and how often.
- `delivery`: an analysis' report posted within a deadline, a failure a warning on the answer.

Nothing here connects at import; clients are built from Settings by the caller.
"""

from doctor.notify.blocks import Message, mrkdwn, notice, report_message, window_label
from doctor.notify.delivery import SLACK_DELIVERY_FAILED, deliver
from doctor.notify.history import history_message
from doctor.notify.slack import ResponseType, SlackPoster, summary_line

__all__ = [
    "SLACK_DELIVERY_FAILED",
    "Message",
    "ResponseType",
    "SlackPoster",
    "deliver",
    "history_message",
    "mrkdwn",
    "notice",
    "report_message",
    "summary_line",
    "window_label",
]
