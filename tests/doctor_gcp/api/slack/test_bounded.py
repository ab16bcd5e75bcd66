"""`/doctor analyze` queues a bounded number of analyses: when full it answers "busy" at once
and queues nothing. And a response_url that is not Slack's is refused in the ack."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from doctor.api import create_app
from doctor.api.slack import SlackCommands
from doctor.api.slack.analyses import ANALYSIS_WORKERS, PENDING_PER_WORKER
from doctor.models import AnalysisResponse, Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from tests.doctor_gcp.api.slack.helpers import ACK_BUDGET_SECONDS, send, wait_idle
from tests.fakes.slack import FakeSlack

BOUND = ANALYSIS_WORKERS * PENDING_PER_WORKER


class CountingGatedDoctor(Doctor):
    """The real Doctor; analyze() counts its calls and waits for the test's gate."""

    def __init__(self, settings: Settings, gate: threading.Event) -> None:
        super().__init__(settings)
        self.gate = gate
        self.calls = 0
        self._lock = threading.Lock()

    def analyze(self, query: Query, *, notify_slack: bool = False) -> AnalysisResponse:
        with self._lock:
            self.calls += 1
        assert self.gate.wait(30)
        return super().analyze(query, notify_slack=notify_slack)


@pytest.fixture
def gated(
    aws: None, slack_settings: Settings, seed_logs: Callable[..., int]
) -> Iterator[tuple[TestClient, CountingGatedDoctor, threading.Event]]:
    seed_logs("db-outage", count=50)
    gate = threading.Event()
    doctor = CountingGatedDoctor(slack_settings, gate)
    try:
        with TestClient(create_app(slack_settings, doctor=doctor)) as client:
            yield client, doctor, gate
    finally:
        gate.set()


def _commands(client: TestClient) -> SlackCommands:
    commands: SlackCommands = client.app.state.slack  # type: ignore[attr-defined]
    return commands


def test_the_bound_is_small_and_above_the_workers() -> None:
    assert ANALYSIS_WORKERS < BOUND <= 4 * ANALYSIS_WORKERS


def test_when_full_the_command_answers_busy_at_once_and_queues_nothing(
    gated: tuple[TestClient, CountingGatedDoctor, threading.Event],
    slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, doctor, gate = gated
    for n in range(BOUND):
        response, _, ack = send(client, "analyze 30m", slack.response_url(f"a{n}"))
        assert response.status_code == 200
        assert ack["text"].startswith(":hourglass_flowing_sand: Analyzing"), n
    assert _commands(client).pending == BOUND
    with caplog.at_level(logging.INFO):
        response, elapsed, ack = send(client, "analyze 30m", slack.response_url("busy"))
    assert response.status_code == 200
    assert elapsed < ACK_BUDGET_SECONDS, f"busy answer took {elapsed:.3f}s"
    assert ack["response_type"] == "ephemeral"
    assert "busy" in ack["text"]
    assert "try again in a minute" in ack["text"]
    assert f"{BOUND} analyses running or queued (limit {BOUND})" in caplog.text
    assert _commands(client).pending == BOUND  # nothing was added

    gate.set()
    for n in range(BOUND):
        slack.wait_for_calls(f"response/a{n}", timeout=30)
    wait_idle(client)
    assert doctor.calls == BOUND
    assert slack.calls_to("response/busy") == []
    assert _commands(client).pending == 0

    # Room again: the next command is queued and answered.
    _, _, ack = send(client, "analyze 30m", slack.response_url("later"))
    assert "Analyzing" in ack["text"]
    slack.wait_for_calls("response/later", timeout=30)
    wait_idle(client)
    assert doctor.calls == BOUND + 1


def test_help_and_history_answer_while_the_analysis_pool_is_full(
    gated: tuple[TestClient, CountingGatedDoctor, threading.Event], slack: FakeSlack
) -> None:
    client, _, gate = gated
    for n in range(BOUND):
        send(client, "analyze 30m", slack.response_url(f"h{n}"))
    for text, expected in (("help", "/doctor analyze 2h"), ("history", "")):
        response, elapsed, ack = send(client, text, slack.response_url("quick"))
        assert response.status_code == 200
        assert elapsed < ACK_BUDGET_SECONDS, f"{text} took {elapsed:.3f}s"
        assert expected in ack["text"]
    gate.set()
    for n in range(BOUND):
        slack.wait_for_calls(f"response/h{n}", timeout=30)
    wait_idle(client)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "https://hooks.slack.com.evil.example/commands/T/1/x",
        "https://x@evil.example/commands/T/1/x",
        "not a url",
        "",
    ],
)
def test_a_response_url_that_is_not_slacks_is_refused_in_the_ack(
    slack_client: TestClient, slack: FakeSlack, caplog: pytest.LogCaptureFixture, url: str
) -> None:
    with caplog.at_level(logging.DEBUG):
        response, elapsed, ack = send(slack_client, "analyze 30m", url)
        wait_idle(slack_client)
    assert response.status_code == 200
    assert elapsed < ACK_BUDGET_SECONDS
    assert ack["response_type"] == "ephemeral"
    assert "response_url is not a Slack URL" in ack["text"]
    assert _commands(slack_client).pending == 0
    assert [c.endpoint for c in slack.calls if c.endpoint != "auth.test"] == []
    assert "refused: its response_url is not Slack's" in caplog.text
    host = urlsplit(url).hostname
    for part in (url, host, "/commands/T/1/x"):
        assert not part or part not in caplog.text


def test_a_shutdown_tells_every_waiting_user_and_posts_nothing_after(
    aws: None, slack_settings: Settings, seed_logs: Callable[..., int], slack: FakeSlack
) -> None:
    import time

    seed_logs("db-outage", count=50)
    gate = threading.Event()
    doctor = CountingGatedDoctor(slack_settings, gate)
    try:
        with TestClient(create_app(slack_settings, doctor=doctor)) as client:
            for n in range(3):
                response, _, _ = send(client, "analyze 30m", slack.response_url(f"w{n}"))
                assert response.status_code == 200
            started = time.monotonic()
        # The lifespan ended (SIGTERM): each waiting user got one message saying so.
        assert time.monotonic() - started < 12
        for n in range(3):
            [told] = slack.calls_to(f"response/w{n}")
            assert "restarted before your analysis finished" in told.json["text"]
        gate.set()  # the abandoned analyses end after the shutdown...
        time.sleep(1)
        for n in range(3):  # ...and nothing more reaches those users
            assert len(slack.calls_to(f"response/w{n}")) == 1
    finally:
        gate.set()
