"""The Slack app manifest for this doctor, printed by `cloud-doctor slack-manifest --url`.

JSON, not YAML: Slack's "Create New App → From a manifest" dialog takes either, JSON needs no
extra dependency, and `jq` can edit it. Scopes: `commands` for /doctor, `chat:write` for
posting reports (notify_slack, `analyze --slack`), `chat:write.public` so SLACK_CHANNEL may be
a public channel the bot was not invited to. Replies to /doctor go to response_url and need no
scope.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from doctor.api.slack.commands import COMMAND

EVENTS_PATH = "/slack/events"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*")


def base_url(url: str) -> str:
    """`https://HOST[:PORT]`, or ValueError saying what is wrong. Slack only calls https
    request URLs; the path is ours to add, so any given path is a mistake worth naming."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises ValueError on a bad port
    except ValueError:
        raise ValueError(f"{url!r} is not a URL; give https://HOST") from None
    if parts.scheme.lower() != "https":
        raise ValueError(f"{url!r} must use https (Slack only calls https URLs)")
    host = (parts.hostname or "").lower()
    if not host or parts.username is not None or not _HOST.fullmatch(host):
        raise ValueError(f"{url!r} has no valid host name; give https://HOST")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(
            f"{url!r} must be the bare service URL, without a path: {EVENTS_PATH} is added"
        )
    return f"https://{host}" + (f":{port}" if port else "")


def manifest(url: str) -> dict[str, Any]:
    events = base_url(url) + EVENTS_PATH
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Cloud Doctor",
            "description": "Diagnoses the AWS workload's recent errors from its CloudWatch logs.",
            "background_color": "#1f3a5f",
        },
        "features": {
            "bot_user": {"display_name": "cloud-doctor", "always_online": False},
            "slash_commands": [
                {
                    "command": COMMAND,
                    "url": events,
                    "description": "Diagnose the recent errors of the AWS workload",
                    "usage_hint": "analyze [30m|2h|1d] [log-group] | help",
                    "should_escape": False,
                }
            ],
        },
        "oauth_config": {"scopes": {"bot": ["commands", "chat:write", "chat:write.public"]}},
        "settings": {
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }


def render(url: str) -> str:
    return json.dumps(manifest(url), indent=2)
