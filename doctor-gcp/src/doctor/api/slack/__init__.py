"""The Slack inlet: `/doctor` slash commands (signed requests in, replies on response_url).

- `router`: POST /slack/events, signature checked before anything is parsed.
- `bolt`: the slack-bolt app that acks within 3 s and runs the analysis after the ack.
- `analyses`: the bounded thread pools and tasks of those analyses, and telling who still
  waits at shutdown.
- `replies`: the texts of `/doctor`'s acks and replies.
- `commands`: the `/doctor` grammar (pure).
- `manifest`: the Slack app manifest printed by `cloud-doctor slack-manifest`.
"""

from doctor.api.slack.bolt import SlackCommands
from doctor.api.slack.router import router

__all__ = ["SlackCommands", "router"]
