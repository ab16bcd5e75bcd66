"""Helpers for the Slack API tests: send a signed command, wait for the app's analyses."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from doctor.api.slack import SlackCommands
from tests.fakes.slack import signed_headers, slash_command

# Slack allows 3 s. The ack does no I/O: 30-50 ms alone, but 1.11 s was seen in CI with the
# other worker compiling C and this app's analysis starting on the same two cores.
ACK_BUDGET_SECONDS = 2.0


def send(
    client: TestClient, text: str, response_url: str, **sign: Any
) -> tuple[Any, float, dict[str, Any]]:
    """Post `/doctor <text>` signed like Slack; the response, its latency and its JSON."""
    body = slash_command(text, response_url)
    started = time.perf_counter()
    response = client.post("/slack/events", content=body, headers=signed_headers(body, **sign))
    elapsed = time.perf_counter() - started
    is_json = response.headers.get("content-type", "").startswith("application/json")
    return response, elapsed, response.json() if is_json else {}


def wait_idle(client: TestClient) -> None:
    """Every analysis the app started has finished (on the app's own event loop)."""
    commands: SlackCommands = client.app.state.slack  # type: ignore[attr-defined]
    assert client.portal is not None
    assert client.portal.call(commands.wait_idle, 20.0)


def section_text(payload: dict[str, Any]) -> str:
    return "\n".join(
        b["text"]["text"] for b in payload.get("blocks", []) if b["type"] in ("section", "header")
    )
