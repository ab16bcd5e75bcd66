"""Analyses in worker processes: the real Doctor in a spawned process, AWS in a moto_server on
loopback (an in-process mock_aws cannot reach another process), history in the shared file."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from chaos_app.cloudwatch import CloudWatchSink
from chaos_app.generator import generate
from chaos_app.render import to_json
from chaos_app.scenarios import by_name
from doctor.errors import EngineUnavailable, LogGroupNotFound
from doctor.metrics import Metrics
from doctor.models import AnalysisResponse, Query
from doctor.orchestrator import Doctor
from doctor.pool import AnalysisPool
from doctor.settings import Settings
from tests.fakes.moto_server import FAKE_AWS_ENV, moto_server

pytestmark = pytest.mark.slow  # spawns moto_server and Python workers: a few seconds
GROUP = "/aws/ec2/chaos-app"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        client = boto3.client("logs", endpoint_url=url, **_keys())  # type: ignore[call-overload]
        client.create_log_group(logGroupName=GROUP)
        sink = CloudWatchSink(
            client, log_group=GROUP, log_stream="s", render=to_json, report_to=None
        )
        start = datetime.now(UTC) - timedelta(minutes=10)
        for item in generate(
            [by_name("db-outage")], start=start, rate=5, seed=1, count=200, error_ratio=0.3
        ):
            sink.write(item)
        sink.flush()
        yield url


def _keys() -> dict[str, str]:
    return {
        "region_name": FAKE_AWS_ENV["AWS_REGION"],
        "aws_access_key_id": FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": FAKE_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
    }


@pytest.fixture
def settings(moto_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    # Spawned workers inherit the environment: boto3 there finds the emulator as here.
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    token = tmp_path / "token"
    token.write_text("header.payload.signature\n")
    return Settings(
        aws_role_arn="arn:aws:iam::123456789012:role/cloud-doctor",
        aws_region="us-east-1",
        aws_log_group_name=GROUP,
        aws_web_identity_token_file=token,
        doctor_allowed_log_groups=[GROUP, "/gone"],
        doctor_engine="rules",
        doctor_database_url=f"sqlite:///{tmp_path / 'h.sqlite3'}",
    )


def test_a_worker_diagnoses_and_stores_it_in_the_shared_history(settings: Settings) -> None:
    seen: list[AnalysisResponse] = []
    pool = AnalysisPool(settings, 1, on_response=seen.append)
    try:
        response = pool.analyze(Query(minutes=30))
    finally:
        pool.close()
    assert any(i.category.value == "database_connection" for i in response.analysis.issues)
    assert seen == [response]  # the server's metrics see it
    doctor = Doctor(settings)
    assert doctor.diagnosis(response.id) == response  # the worker wrote the history
    doctor.close()


def test_an_error_in_the_worker_is_the_same_error_here_and_counted(settings: Settings) -> None:
    metrics = Metrics()
    pool = AnalysisPool(settings, 1, on_error=metrics.failure)
    try:
        with pytest.raises(LogGroupNotFound) as caught:
            pool.analyze(Query(minutes=30, log_group="/gone"))
    finally:
        pool.close()
    assert "/gone" in caught.value.message
    assert caught.value.hint
    # The worker's own counter is lost with it; /metrics shows the server's.
    assert 'cloud_doctor_aws_errors_total{code="log_group_not_found"} 1.0' in (
        metrics.exposition().decode()
    )


def test_a_dead_worker_fails_one_analysis_and_the_next_gets_a_new_one(settings: Settings) -> None:
    pool = AnalysisPool(settings, 1)
    try:
        pool.analyze(Query(minutes=30))
        executor = pool._executor  # the test reaches in only to find the worker to kill
        assert executor is not None
        for pid in list(executor._processes):
            os.kill(pid, signal.SIGKILL)
        with pytest.raises(EngineUnavailable):
            pool.analyze(Query(minutes=30))
        assert pool.analyze(Query(minutes=30)).analysis.issues
    finally:
        pool.close()


def test_close_does_not_wait_for_a_hanging_analysis(settings: Settings) -> None:
    import socket
    import threading
    import time

    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        hanging = f"http://127.0.0.1:{silent.getsockname()[1]}"
        stuck = settings.model_copy(update={"aws_endpoint_url": hanging})
        pool = AnalysisPool(stuck, 1)  # its worker's STS call hangs: 2 tries x 5 s
        outcome: list[BaseException | AnalysisResponse] = []

        def run() -> None:
            try:
                outcome.append(pool.analyze(Query(minutes=30)))
            except BaseException as exc:
                outcome.append(exc)

        caller = threading.Thread(target=run)
        caller.start()
        time.sleep(3)  # the worker is up and waiting on the silent peer
        started = time.monotonic()
        pool.close()
        assert time.monotonic() - started < 6  # not the 40 s the hung call would take
        caller.join(10)
    assert len(outcome) == 1  # the caller got a clear error, never a hang
    assert isinstance(outcome[0], EngineUnavailable)
