"""A fake Vertex AI endpoint on 127.0.0.1 that the real google-genai client talks to.

Tests point the SDK at it with `HttpOptions(base_url=...)` (GEMINI_BASE_URL), script what each
`generateContent` call answers (JSON text, an HTTP error, a hang past the client's timeout), and
read back what the SDK actually sent. So the wiring is tested: URL, auth header, request body,
retries and timeouts all go through the real client and its HTTP stack.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One scripted answer: `status` + JSON `body`, optionally after `hang` seconds, and
    optionally trickled out `trickle` seconds per byte (a reply no read timeout catches).
    `raw` replaces the JSON body with these exact bytes."""

    status: int = 200
    body: Any = None
    hang: float = 0.0
    trickle: float = 0.0
    raw: bytes | None = None


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


# What a reply says it cost unless told otherwise: the model's own token accounting.
USAGE = {"promptTokenCount": 100, "candidatesTokenCount": 50, "thoughtsTokenCount": 25}


def generate_content_response(
    text: str, *, finish_reason: str = "STOP", usage: dict[str, int] | None = None
) -> dict[str, Any]:
    """A generateContent response whose first candidate's text is `text`."""
    return {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": text}]},
                "finishReason": finish_reason,
            }
        ],
        "usageMetadata": USAGE if usage is None else usage,
        "modelVersion": "gemini-3.8-flash",
    }


def text_reply(text: str, **options: Any) -> Reply:
    return Reply(body=generate_content_response(text, **options))


def json_reply(payload: Any, **options: Any) -> Reply:
    return text_reply(json.dumps(payload), **options)


def error_reply(status: int, message: str = "fake error") -> Reply:
    names = {429: "RESOURCE_EXHAUSTED", 403: "PERMISSION_DENIED", 503: "UNAVAILABLE"}
    error = {"code": status, "message": message, "status": names.get(status, "UNKNOWN")}
    return Reply(status=status, body={"error": error})


@dataclass
class FakeGemini:
    """Replies are consumed in order; an unscripted request gets a 404 (not retried)."""

    replies: deque[Reply] = field(default_factory=deque)
    requests: list[RecordedRequest] = field(default_factory=list)
    url: str = ""
    dropped: int = 0  # replies the client hung up on before they were complete
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _released: threading.Event = field(default_factory=threading.Event)

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def _next(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self.replies:
                return self.replies.popleft()
        return error_reply(404, "unscripted request to the fake Gemini")

    def generate_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith(":generateContent")]


def _handler(fake: FakeGemini) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            recorded = RecordedRequest(
                method="POST",
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length),
            )
            reply = fake._next(recorded)
            if reply.hang and fake._released.wait(reply.hang):
                return  # the server is stopping: drop the connection
            payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if not reply.trickle:
                    self.wfile.write(payload)
                    return
                for index in range(len(payload)):
                    self.wfile.write(payload[index : index + 1])
                    self.wfile.flush()
                    if fake._released.wait(reply.trickle):
                        return
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (timeout, deadline): that is the point of a hang.
                with fake._lock:
                    fake.dropped += 1

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest output clean

    return Handler


@contextmanager
def fake_gemini() -> Iterator[FakeGemini]:
    """Serve a FakeGemini on a free loopback port for the duration of the block."""
    fake = FakeGemini()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-gemini", daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        fake._released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
