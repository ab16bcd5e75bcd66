"""A Slack stand-in for `cloud-doctor demo` when no Slack is configured, and the terminal view
of its channel as a thread.

A loopback HTTP server (stdlib, one thread) that answers the Web API methods the doctor calls
through SLACK_API_URL: auth.test, chat.postMessage (a unique, increasing `ts`; `thread_ts`
honoured) and chat.update. It checks the bot token like Slack and records every message, so the
demo can show what a real channel would hold, without a Slack workspace or any network.

The messages are Slack mrkdwn built from untrusted logs: the terminal view strips the markup to
plain text and builds rich `Text` objects, never rich markup (a log line with `[/admin]` in it
must print as is, not crash the renderer).
"""

from __future__ import annotations

import html
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from rich.console import Group
from rich.panel import Panel
from rich.text import Text

DEMO_CHANNEL = "#demo-incidents"
IDENTITY = {"team": "Cloud Doctor demo", "team_id": "T0DEMO", "user_id": "U0DEMO", "bot_id": "B0"}


@dataclass(frozen=True)
class SlackMessage:
    ts: str
    channel: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    edited: bool = False


class DemoSlack:
    """The channel's state (messages by ts, in posting order) behind the loopback server."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.url = ""
        self._messages: dict[str, SlackMessage] = {}
        self._changed = threading.Condition()
        self._last_micros = 0

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def messages(self) -> list[SlackMessage]:
        with self._changed:
            return list(self._messages.values())

    def wait_for(self, predicate: Callable[[list[SlackMessage]], bool], timeout: float) -> bool:
        """Block until `predicate(messages)` holds or `timeout` seconds pass."""
        with self._changed:
            return self._changed.wait_for(
                lambda: predicate(list(self._messages.values())), timeout=timeout
            )

    def answer(self, method: str, authorization: str, body: dict[str, Any]) -> dict[str, Any]:
        """Slack's answer to one Web API call (always HTTP 200, `ok` says how it went)."""
        if not secrets.compare_digest(authorization, f"Bearer {self.token}"):
            return {"ok": False, "error": "invalid_auth"}
        if method == "auth.test":
            return {"ok": True, "url": "https://demo.invalid/", **IDENTITY}
        channel = str(body.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        blocks = body.get("blocks") or []
        if isinstance(blocks, str):  # form-encoded calls send blocks as a JSON string
            blocks = json.loads(blocks)
        text = str(body.get("text") or "")
        with self._changed:
            if method == "chat.postMessage":
                thread = body.get("thread_ts")
                message = SlackMessage(
                    self._next_ts(), channel, text, list(blocks), str(thread) if thread else None
                )
            elif method == "chat.update":
                old = self._messages.get(str(body.get("ts") or ""))
                if old is None or old.channel != channel:
                    return {"ok": False, "error": "message_not_found"}
                message = replace(old, text=text, blocks=list(blocks), edited=True)
            else:
                return {"ok": False, "error": "unknown_method"}
            self._messages[message.ts] = message
            self._changed.notify_all()
        return {"ok": True, "channel": channel, "ts": message.ts, "message": {"text": text}}

    def _next_ts(self) -> str:
        # Slack's ts is seconds.micros, unique per channel and increasing: a thread's id.
        self._last_micros = max(time.time_ns() // 1000, self._last_micros + 100)
        seconds, micros = divmod(self._last_micros, 1_000_000)
        return f"{seconds}.{micros:06d}"


def _handler(slack: DemoSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                if "json" in self.headers.get("Content-Type", ""):
                    body = json.loads(raw or b"{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            except (ValueError, UnicodeDecodeError):
                body = None
            method = self.path.split("?", 1)[0].removeprefix("/api/")
            if not isinstance(body, dict):
                answer: dict[str, Any] = {"ok": False, "error": "invalid_json"}
            else:
                answer = slack.answer(method, self.headers.get("Authorization", ""), body)
            payload = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the demo's terminal is for the demo

    return Handler


@contextmanager
def demo_slack() -> Iterator[DemoSlack]:
    """The stand-in on a free 127.0.0.1 port, with a throwaway bot token; stopped on exit."""
    slack = DemoSlack(token=f"xoxb-demo-{secrets.token_hex(12)}")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(slack))
    server.daemon_threads = True
    slack.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="demo-slack", daemon=True)
    thread.start()
    try:
        yield slack
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- the channel in the terminal, as plain text

_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_LINK = re.compile(r"<([^!@#|<>][^|<>]*)\|([^<>]*)>")
_SPECIAL = re.compile(r"<([!@#])([^|<>]*)(?:\|([^<>]*))?>")
_BARE_LINK = re.compile(r"<((?:https?|mailto):[^<>]*)>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~([^~\n]+)~(?![\w~])")
_CODE = re.compile(r"`([^`\n]*)`")
# The shortcodes the doctor's messages use, drawn as Slack draws them; others stay as typed.
EMOJI = {
    "heavy_plus_sign": "\u2795",
    "large_green_circle": "🟢",
    "large_orange_circle": "🟠",
    "large_yellow_circle": "🟡",
    "red_circle": "🔴",
    "repeat": "🔁",
    "rotating_light": "🚨",
    "warning": "⚠️",
    "white_check_mark": "✅",
    "white_circle": "⚪",
}
_EMOJI = re.compile(r":([a-z_]+):")


def plain_text(mrkdwn: str) -> str:
    """Slack mrkdwn as a reader sees it, without the markup. Code blocks keep their content
    as is; entities are decoded last, so an escaped `&lt;b|x&gt;` from a log line stays text
    and is never read as a link."""
    parts = mrkdwn.replace("\u200b", "").split("```")
    # Even parts are prose, odd ones the inside of a fenced code block (its edge newlines go).
    text = "".join(_prose(part) if i % 2 == 0 else part.strip("\n") for i, part in enumerate(parts))
    return html.unescape(text) if "&" in text else text


def _prose(text: str) -> str:
    text = _DATE.sub(r"\1", text)
    text = _LINK.sub(r"\2", text)
    text = _SPECIAL.sub(_special, text)
    text = _BARE_LINK.sub(r"\1", text)
    text = _EMOJI.sub(lambda m: EMOJI.get(m[1], m[0]), text)
    for pattern in (_BOLD, _ITALIC, _STRIKE, _CODE):
        text = pattern.sub(r"\1", text)
    return text


def _special(match: re.Match[str]) -> str:
    """`<#C1|name>` → #name, `<@U1>` → @U1, `<!here>` → @here, `<!subteam^S|@ops>` → @ops."""
    kind, ident, label = match[1], match[2], match[3]
    if kind == "#":
        return "#" + (label or ident)
    return label or "@" + ident


def block_text(block: dict[str, Any]) -> str:
    """The mrkdwn of one Block Kit block (a divider as a rule)."""
    if block.get("type") == "divider":
        return "─" * 40
    if isinstance(block.get("text"), dict):
        return str(block["text"].get("text", ""))
    return "\n".join(str(part.get("text", "")) for part in block.get("elements", []))


def message_text(message: SlackMessage) -> str:
    """What a reader sees of `message`: its blocks, else its fallback text, as plain text."""
    if message.blocks:
        return "\n\n".join(plain_text(block_text(block)) for block in message.blocks)
    return plain_text(message.text)


def _clipped(text: str, max_lines: int) -> str:
    lines = text.splitlines()
    if len(lines) <= max_lines:
        return text
    return "\n".join([*lines[:max_lines], f"… {len(lines) - max_lines} more lines"])


def thread_panel(messages: list[SlackMessage], *, title: str, max_lines: int = 20) -> Panel:
    """Each parent with its replies indented under it, as Slack shows a thread; each message
    cut to `max_lines` (the full report is printed above)."""
    parents = [m for m in messages if m.thread_ts is None]
    parts: list[Text] = []
    for parent in parents:
        head = f"{parent.channel} · ts {parent.ts}" + (" · edited" if parent.edited else "")
        parts += [Text(head, style="bold"), Text(_clipped(message_text(parent), max_lines))]
        replies = [m for m in messages if m.thread_ts == parent.ts]
        for reply in replies:
            parts.append(Text(f"  ↳ reply · ts {reply.ts}", style="bold"))
            body = _clipped(message_text(reply), max_lines)
            parts.append(Text("    " + body.replace("\n", "\n    ")))
    return Panel(Group(*parts), title=Text(title), border_style="blue")
