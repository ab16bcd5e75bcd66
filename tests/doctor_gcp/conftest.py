"""Shared fixtures for the doctor: a fake Vertex AI endpoint, settings pointing at it, logs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from google.oauth2.credentials import Credentials

from doctor.digest import Prompt
from doctor.digest.types import Digest
from doctor.models import AnalysisResponse, Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from tests.fakes.gemini import FakeGemini, fake_gemini
from tests.fakes.slack import FakeSlack, fake_slack

# Secrets planted in input logs: none of them may reach Gemini or any output.
CANARIES = {
    "password": "Canary-Pw-7731x",
    "aws_key": "AKIAZZZZCANARY000001",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.Y2FuYXJ5LXNpZ25hdHVyZQ",
}

_REFUSED = (
    "ERROR psycopg2.OperationalError: could not connect to server: Connection refused "
    "(host=db.internal port=5432)"
)
SAMPLE_LOG = f"""\
2026-05-04T10:00:00Z INFO service started version=1.4.2
2026-05-04T10:00:01Z INFO GET /health 200 3ms
2026-05-04T10:00:02Z {_REFUSED}
2026-05-04T10:00:03Z {_REFUSED}
2026-05-04T10:00:04Z {_REFUSED}
2026-05-04T10:00:05Z WARNING retrying login for user=alice password={CANARIES["password"]}
2026-05-04T10:00:06Z ERROR upstream call failed key={CANARIES["aws_key"]} \
Authorization: Bearer {CANARIES["jwt"]}
2026-05-04T10:00:07Z ERROR Traceback (most recent call last):
  File "/app/worker.py", line 42, in handle
    conn = pool.getconn()
psycopg2.pool.PoolError: connection pool exhausted
2026-05-04T10:00:08Z INFO GET /health 200 2ms
2026-05-04T10:00:09Z {_REFUSED}
"""


def prepared(path: Path, *, log_group: str | None = None) -> tuple[Digest, Prompt]:
    """The digest and prompt the doctor makes of a log file: what engines are given."""
    with closing(Doctor(Settings())) as doctor:
        digested, prompt = doctor.prompt(Query(file=str(path), log_group=log_group))
    return digested.digest, prompt


@pytest.fixture
def gemini() -> Iterator[FakeGemini]:
    with fake_gemini() as fake:
        yield fake


@pytest.fixture
def gemini_settings(gemini: FakeGemini) -> Settings:
    """Settings aimed at the fake: short timeout, fast retries, three attempts."""
    return Settings(
        gcp_project_id="test-project",
        gemini_base_url=gemini.url,
        gemini_timeout_seconds=1.0,
        gemini_retry_attempts=3,
        gemini_retry_initial_delay_seconds=0.01,
        gemini_retry_max_delay_seconds=0.05,
    )


@pytest.fixture
def fake_credentials() -> Credentials:
    # Vertex mode sends a bearer token; a token-bearing, never-expiring credential needs no
    # refresh, so nothing ever talks to Google's token endpoint.
    return Credentials(token="fake-access-token")  # type: ignore[no-untyped-call]


@pytest.fixture
def sample_log(tmp_path: Path) -> Path:
    path = tmp_path / "app.log"
    path.write_text(SAMPLE_LOG, encoding="utf-8")
    return path


@pytest.fixture
def canaries() -> dict[str, str]:
    return dict(CANARIES)


@pytest.fixture
def sample_lines() -> list[str]:
    return SAMPLE_LOG.splitlines()


# --- AWS: moto in-process, a web identity token file, and settings with no AWS keys at all.

ROLE_ARN = "arn:aws:iam::123456789012:role/cloud-doctor"
LOG_GROUP = "/aws/ec2/chaos-app"
API_TOKEN = "test-api-token-0123456789abcdef-0123"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto for every boto3 call in the test. The doctor's own session never sees keys: its
    only credential provider is web identity (these env keys serve the seeding client)."""
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "seeding-only")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "seeding-only")
    with mock_aws():
        yield


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "web-identity-token"
    path.write_text("header.payload.signature\n")
    return path


@pytest.fixture
def aws_settings(token_file: Path) -> Settings:
    return Settings(
        aws_role_arn=ROLE_ARN,
        aws_region="us-east-1",
        aws_log_group_name=LOG_GROUP,
        aws_web_identity_token_file=token_file,
        doctor_api_token=API_TOKEN,
        doctor_engine="rules",
        # mock_aws patches this process only: alert diagnoses stay in it (test_pool.py runs
        # them in worker processes, against a moto_server they can reach).
        doctor_analysis_processes=0,
    )


@pytest.fixture
def seed_logs(aws: None) -> Callable[..., int]:
    """Write chaos-app scenarios into CloudWatch through chaos-app's own sink."""
    import boto3

    from chaos_app.cloudwatch import CloudWatchSink
    from chaos_app.generator import generate
    from chaos_app.render import to_json
    from chaos_app.scenarios import by_name

    def seed(
        *scenarios: str,
        count: int = 400,
        minutes_ago: float = 10,
        group: str = LOG_GROUP,
        seed: int = 1,
    ) -> int:
        client = boto3.client("logs", region_name="us-east-1")
        sink = CloudWatchSink(
            client, log_group=group, log_stream=f"seed-{seed}", render=to_json, report_to=None
        )
        start = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        chosen = [by_name(name) for name in scenarios]
        for item in generate(chosen, start=start, rate=5, seed=seed, count=count, error_ratio=0.3):
            sink.write(item)
        sink.flush()
        return sink.stats.events

    return seed


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A fake Slack Web API on 127.0.0.1 (the real client talks to it)."""
    with fake_slack() as fake:
        yield fake


# --- a stored diagnosis of a whole incident, and the settings whose links open its report

# A log line that tries to be markup: the page must show it as text.
HOSTILE = 'api-1  | ERROR payment <script>alert("x")</script> <img src=x onerror=1>'


@pytest.fixture
def report_settings(tmp_path: Path) -> Settings:
    return Settings(
        doctor_api_token=API_TOKEN,
        doctor_public_url="http://127.0.0.1:9",  # replaced by the live server's own, where one runs
        doctor_database_url=f"sqlite:///{tmp_path / 'history.sqlite3'}",
        doctor_engine="rules",
    )


@pytest.fixture
def incident_log(tmp_path: Path) -> Path:
    """chaos-app's db-disk-full incident, as docker compose prints it, plus one hostile line."""
    made = subprocess.run(
        [sys.executable, "-m", "chaos_app", "run", "--incident", "db-disk-full", "--shape",
         "compose", "--seed", "3", "--fast"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    path = tmp_path / "incident.log"
    path.write_text(made.stdout + HOSTILE + "\n", encoding="utf-8")
    return path


@pytest.fixture
def stored(report_settings: Settings, incident_log: Path) -> AnalysisResponse:
    with closing(Doctor(report_settings)) as doctor:
        return doctor.analyze(Query(file=str(incident_log)))
