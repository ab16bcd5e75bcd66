"""A fake Slack on 127.0.0.1: the Web API (auth.test, chat.postMessage) under `/api/`, and
response_url receivers under `/response/<name>`. The real slack_sdk clients talk to it through
SLACK_API_URL (`fake.api_url`, ending with '/') and the response_url in a signed command.

It records every call, answers like Slack by default (a token check included), can be scripted
per endpoint (429 with Retry-After, 500, a Slack error code) and can be stopped to play "down".
Tests wait on it with `wait_for` (a condition variable), never with sleeps.

Also here: `signed_headers`, which signs a body the way Slack does (v0, HMAC-SHA256 over
`v0:{timestamp}:{body}`), written from Slack's documentation rather than from slack_sdk, so the
doctor's verification is checked against an independent implementation.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

BOT_TOKEN = "xoxb-1111-2222-fakebottoken"
SIGNING_SECRET = "fake-signing-secret-8f14e45fceea167a"
IDENTITY = {"team_id": "T0FAKE", "team": "Fake", "user_id": "U0BOT", "bot_id": "B0BOT"}


@dataclass(frozen=True)
class Reply:
    """One scripted answer: JSON (a dict) or plain text (a str), with status and headers;
    `drop` closes the connection without answering (a reset, as from a flaky proxy)."""

    status: int = 200
    body: dict[str, Any] | str = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    delay: float = 0.0  # seconds before answering: a Slack that trickles


def rate_limited(retry_after: int = 0) -> Reply:
    return Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})


def dropped() -> Reply:
    return Reply(drop=True)


def server_error(status: int = 500) -> Reply:
    return Reply(status, "<html>Slack is down</html>")


def slack_error(code: str) -> Reply:
    return Reply(200, {"ok": False, "error": code})


@dataclass(frozen=True)
class Call:
    endpoint: str  # "auth.test", "chat.postMessage", or "response/<name>"
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        content_type = self.headers.get("content-type", "")
        if "json" in content_type:
            return json.loads(self.body)
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class FakeSlack:
    token: str = BOT_TOKEN
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    _scripts: dict[str, deque[Reply]] = field(default_factory=lambda: defaultdict(deque))
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _stop: Callable[[], None] | None = None
    _posted: int = 0

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.url}/response/{name}"

    def script(self, endpoint: str, *replies: Reply) -> None:
        """Answers for the next calls to `endpoint` ("chat.postMessage", "response/<name>")."""
        with self._changed:
            self._scripts[endpoint].extend(replies)

    def calls_to(self, endpoint: str) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.endpoint == endpoint]

    def wait_for(self, predicate: Callable[[FakeSlack], bool], timeout: float = 10.0) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self), timeout=timeout)

    def wait_for_calls(self, endpoint: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        if not self.wait_for(lambda f: len(f.calls_to(endpoint)) >= count, timeout):
            seen = [c.endpoint for c in self.calls]
            raise AssertionError(f"{count} call(s) to {endpoint} not seen in {timeout}s: {seen}")
        return self.calls_to(endpoint)

    def stop(self) -> None:
        """Slack is down: the port stops accepting connections."""
        if self._stop is not None:
            self._stop()
            self._stop = None

    def _answer(self, call: Call) -> Reply:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
            if self._scripts[call.endpoint]:
                return self._scripts[call.endpoint].popleft()
        if call.endpoint.startswith("response/"):
            return Reply(200, "ok")  # response_url answers plain text
        if call.headers.get("authorization") != f"Bearer {self.token}":
            return slack_error("invalid_auth")
        methods: dict[str, Callable[[], Reply]] = {
            "auth.test": lambda: Reply(
                200, {"ok": True, "url": "https://fake.slack.com/", **IDENTITY}
            ),
            "chat.postMessage": lambda: _post_message(call, self._next_ts()),
            "chat.update": lambda: _update(call),
        }
        return methods.get(call.endpoint, lambda: slack_error("unknown_method"))()

    def _next_ts(self) -> str:
        with self._changed:  # unique, increasing: a thread is keyed by its parent's ts
            self._posted += 1
            return f"{int(time.time())}.{self._posted:06d}"

    def thread(self, ts: str) -> list[Call]:
        """The replies posted in the thread of the message `ts`, in order."""
        return [c for c in self.calls_to("chat.postMessage") if c.json.get("thread_ts") == ts]


def channel_id(channel: str) -> str:
    """As Slack answers: the id, also for a #name (chat.update then needs the id)."""
    return "C0FAKE0001" if channel.startswith("#") else channel


def _post_message(call: Call, ts: str) -> Reply:
    channel = call.json.get("channel")
    if not channel:
        return slack_error("channel_not_found")
    return Reply(200, {"ok": True, "channel": channel_id(str(channel)), "ts": ts})


def _update(call: Call) -> Reply:
    channel, ts = call.json.get("channel"), call.json.get("ts")
    if not channel or not str(channel).startswith("C"):
        return slack_error("channel_not_found")  # chat.update takes the id, never a #name
    if not ts:
        return slack_error("message_not_found")
    return Reply(200, {"ok": True, "channel": channel, "ts": ts})


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            path = self.path.split("?", 1)[0]
            endpoint = path.removeprefix("/api/").removeprefix("/")
            call = Call(
                endpoint=endpoint,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length),
            )
            reply = fake._answer(call)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.drop:
                self.close_connection = True
                return
            is_json = isinstance(reply.body, dict)
            payload = (json.dumps(reply.body) if is_json else str(reply.body)).encode()
            try:
                self.send_response(reply.status)
                content_type = "application/json" if is_json else "text/plain"
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def fake_slack(token: str = BOT_TOKEN) -> Iterator[FakeSlack]:
    fake = FakeSlack(token=token)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True
    )
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    fake._stop = stop
    try:
        yield fake
    finally:
        fake.stop()


# --- Slack's side of a slash command


def signed_headers(
    body: str | bytes, *, secret: str = SIGNING_SECRET, timestamp: int | str | None = None
) -> dict[str, str]:
    """Headers Slack sends with `body`: X-Slack-Request-Timestamp and the v0 signature."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    raw = body.encode() if isinstance(body, str) else body
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def slash_command(text: str, response_url: str, *, command: str = "/doctor") -> str:
    """The form body Slack posts for `/doctor <text>`."""
    return urlencode(
        {
            "token": "deprecated-verification-token",
            "team_id": IDENTITY["team_id"],
            "team_domain": "fake",
            "channel_id": "C0ONCALL",
            "channel_name": "oncall",
            "user_id": "U0ALICE",
            "user_name": "alice",
            "command": command,
            "text": text,
            "api_app_id": "A0DOCTOR",
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    )
