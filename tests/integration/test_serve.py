"""The doctor as it runs for real, across process boundaries: a moto_server process plays AWS,
chaos-app's cloudwatch sink writes real scenarios into it, and `cloud-doctor serve` runs as its
own process with web-identity credentials only (no AWS keys in its environment)."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.fakes.moto_server import FAKE_AWS_ENV, moto_server
from tests.fakes.processes import doctor_server

pytestmark = pytest.mark.slow

GROUP = "/aws/ec2/chaos-app"
TOKEN = "integration-api-token-4f1c9e0a7b3d5e6f"
Served = tuple[str, "subprocess.Popen[bytes]", Path]  # base URL, process, its log
SCENARIOS = {
    "db-outage": "database_connection",
    "disk-full": "disk_full",
    "cert-expired": "tls_certificate",
}


@pytest.fixture(scope="module")
def recorded_moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    recording = tmp_path_factory.mktemp("moto") / "recording.jsonl"
    with moto_server({"MOTO_RECORDER_FILEPATH": str(recording)}) as url:
        yield url, recording


def clean_env() -> dict[str, str]:
    """This process's environment minus anything AWS: the doctor must not inherit keys."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DOCTOR_", "GCP_"))}


@pytest.fixture(scope="module")
def seeded(recorded_moto: tuple[str, Path]) -> str:
    url, _ = recorded_moto
    start = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
    env = {**clean_env(), **FAKE_AWS_ENV, "AWS_ENDPOINT_URL": url}
    sent = subprocess.run(
        [sys.executable, "-m", "chaos_app", "run", "--sink", "cloudwatch",
         "--scenario", ",".join(SCENARIOS), "--seed", "5", "--count", "900", "--fast",
         "--rate", "2", "--start", start, "--error-ratio", "0.3"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    assert "(0 rejected" in sent.stderr
    return url


def doctor_env(moto_url: str, tmp: Path) -> dict[str, str]:
    token = tmp / "web-identity-token"
    token.write_text("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMTIyMzM0NDU1In0.c2lnbmF0dXJl")
    return {
        **clean_env(),
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_REGION": "us-east-1",
        "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/cloud-doctor",
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(token),
        "AWS_LOG_GROUP_NAME": GROUP,
        # No shared config or instance metadata either: web identity is the only way in.
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "DOCTOR_API_TOKEN": TOKEN,
        "DOCTOR_ENGINE": "rules",
        "GCP_PROJECT_ID": "",
    }


@pytest.fixture(scope="module")
def doctor(seeded: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("doctor")
    env = doctor_env(seeded, work)
    assert not {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} & set(env)
    log = work / "doctor.log"
    with doctor_server(env, log) as (base, process):
        yield base, process, log


def start_recording(moto_url: str) -> None:
    httpx.post(f"{moto_url}/moto-api/recorder/reset-recording", timeout=5).raise_for_status()
    httpx.post(f"{moto_url}/moto-api/recorder/start-recording", timeout=5).raise_for_status()


def recorded_actions(recording: Path) -> list[str]:
    actions = []
    for line in recording.read_text().splitlines():
        entry = json.loads(line)
        body = entry.get("body") or ""
        if entry.get("body_encoded"):
            body = base64.b64decode(body).decode()
        target = entry["headers"].get("X-Amz-Target", "")
        actions.append(target.split(".")[-1] if target else body.split("Action=")[-1].split("&")[0])
    return actions


def test_analyze_over_http_finds_the_scenarios_with_one_sts_call(
    doctor: Served, recorded_moto: tuple[str, Path]
) -> None:
    base, _, _ = doctor
    moto_url, recording = recorded_moto
    start_recording(moto_url)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    bodies = []
    for _ in range(6):
        response = httpx.post(
            f"{base}/analyze", json={"time_range_minutes": 30}, headers=auth, timeout=60
        )
        assert response.status_code == 200, response.text
        bodies.append(response.json())
    for body in bodies:
        assert body["status"] == "success"
        assert body["summary"]["total_logs_analyzed"] > 0
        assert set(SCENARIOS.values()) <= {
            issue["category"] for issue in body["analysis"]["issues"]
        }
    actions = recorded_actions(recording)
    assert actions.count("FilterLogEvents") >= 6
    assert actions.count("AssumeRoleWithWebIdentity") == 1


def test_credentials_near_expiry_are_refreshed_by_a_running_doctor(
    seeded: str, recorded_moto: tuple[str, Path], tmp_path: Path
) -> None:
    # 900-s sessions (STS's minimum) start inside botocore's 15-minute refresh window, so a
    # doctor process must exchange its token again before each use instead of reusing them.
    moto_url, recording = recorded_moto
    env = {**doctor_env(seeded, tmp_path), "DOCTOR_AWS_SESSION_SECONDS": "900"}
    with doctor_server(env, tmp_path / "doctor.log") as (base, _):
        start_recording(moto_url)
        auth = {"Authorization": f"Bearer {TOKEN}"}
        for _ in range(3):
            response = httpx.post(f"{base}/analyze", json={}, headers=auth, timeout=60)
            assert response.status_code == 200, response.text
    actions = recorded_actions(recording)
    assert actions.count("AssumeRoleWithWebIdentity") >= 3
    refreshes = [a for a in actions if a == "AssumeRoleWithWebIdentity"]
    assert len(refreshes) <= actions.count("FilterLogEvents")


def test_bad_token_and_bad_body_over_http(
    doctor: Served,
) -> None:
    base, _, _ = doctor
    assert httpx.post(f"{base}/analyze", json={}, timeout=10).status_code == 401
    response = httpx.post(
        f"{base}/analyze",
        json={"time_range_minutes": -1},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 422
    assert "time_range_minutes" in response.json()["error"]["message"]


def test_cli_reads_cloudwatch_with_the_same_credentials(seeded: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "doctor.cli", "analyze", "--log-group", GROUP,
         "--minutes", "30", "--json"],
        env=doctor_env(seeded, tmp_path), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert set(SCENARIOS.values()) <= {issue["category"] for issue in body["analysis"]["issues"]}


def test_a_real_server_logs_its_readiness_once_and_access_lines_as_fields(doctor: Served) -> None:
    base, _, log = doctor
    ready = httpx.get(f"{base}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json()["serving"] is True
    signature = "c2lnbmF0dXJlLW5ldmVyLWxvZ2dlZA"
    httpx.get(f"{base}/reports/nope?exp=1&sig={signature}", timeout=10)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    [startup] = [line for line in lines if line.get("event") == "startup"]
    assert startup["serving"] is True
    assert startup["paths"]["aws"] == ready.json()["paths"]["aws"]
    assert TOKEN not in json.dumps(startup)
    access = [line["httpRequest"] for line in lines if "httpRequest" in line]
    assert {"requestMethod": "GET", "requestUrl": "/readyz", "status": 200}.items() <= (
        next(a for a in access if a["requestUrl"] == "/readyz").items()
    )
    assert any(a["requestUrl"] == "/reports/nope" for a in access)
    assert signature not in log.read_text()


def test_sigterm_stops_the_server_cleanly_with_json_logs(
    doctor: Served,
) -> None:
    _, process, log = doctor
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)
    output = log.read_text()
    # uvicorn re-raises the signal once shutdown is complete, so -SIGTERM is a clean exit.
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert lines, output
    assert all({"severity", "message"} <= set(line) for line in lines)


def test_sigterm_during_an_analysis_answers_503_json_before_the_cut(tmp_path: Path) -> None:
    import socket
    import threading
    import time

    with socket.socket() as silent:  # AWS that accepts and never answers: the analysis hangs
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        env = doctor_env(f"http://127.0.0.1:{silent.getsockname()[1]}", tmp_path)
        with doctor_server(env, tmp_path / "doctor.log") as (base, process):
            answers: list[httpx.Response] = []

            def ask() -> None:
                answers.append(
                    httpx.post(
                        f"{base}/analyze",
                        json={},
                        timeout=60,
                        headers={"Authorization": f"Bearer {TOKEN}"},
                    )
                )

            client = threading.Thread(target=ask)
            client.start()
            time.sleep(1.5)  # the analysis is under way
            stopped_at = time.monotonic()
            process.send_signal(signal.SIGTERM)
            client.join(15)
            answered_in = time.monotonic() - stopped_at
            process.wait(timeout=20)
    [answer] = answers
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "shutting_down"
    assert "Retry" in answer.json()["error"]["hint"]
    assert answered_in < 9  # inside Cloud Run's 10 s, before uvicorn cuts the request off
