"""notify: the doctor's reports on Slack.

- `blocks`: Block Kit messages inside Slack's limits (pure).
- `slack`: posting (chat.postMessage, response_url) with retries and mapped errors.
- `commands`: the `/doctor` grammar (pure).
- `slash`: the slack-bolt AsyncApp behind POST /slack/events.
- `manifest`: the Slack app manifest printed by `cloud-doctor slack-manifest`.

Nothing here connects at import; clients are built from Settings by the caller.
"""
