"""docker-compose.yml, checked statically (no Docker engine here), then its services' commands
and environments run natively against a moto_server: the wiring is what is tested."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from doctor.settings import Settings
from tests.fakes.moto_server import moto_server
from tests.fakes.processes import doctor_server, free_port
from tests.infra.support import ROOT

COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
SETTINGS_ENV = {name.upper() for name in Settings.model_fields}
# Set for the process, not read by Settings: Cloud Run's port convention.
PLATFORM_ENV = {"PORT"}
AWS_KEYS = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"}
INTERPOLATION = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?:[:?-][^}]*)?\}")


def env(service: str) -> dict[str, str]:
    environment = SERVICES[service].get("environment", {})
    assert isinstance(environment, dict), "environment as a mapping, so anchors can merge"
    return {k: str(v) for k, v in environment.items()}


def mounts(service: str) -> dict[str, tuple[str, str]]:
    """target -> (source, mode)."""
    result = {}
    for volume in SERVICES[service].get("volumes", []):
        source, target, *mode = volume.split(":")
        result[target] = (source, mode[0] if mode else "rw")
    return result


def test_the_four_services() -> None:
    assert set(SERVICES) == {"moto", "bootstrap", "patient", "doctor"}


def test_build_contexts_and_dockerfiles_exist() -> None:
    built = {name: s["build"] for name, s in SERVICES.items() if "build" in s}
    assert set(built) == {"bootstrap", "patient", "doctor"}
    for build in built.values():
        context = ROOT / build["context"]
        assert context.is_dir()
        assert (context / build["dockerfile"]).is_file()
    assert built["patient"]["dockerfile"] == "patient-aws/Dockerfile"
    assert (
        built["doctor"]["dockerfile"]
        == built["bootstrap"]["dockerfile"]
        == ("doctor-gcp/Dockerfile")
    )


def test_moto_is_the_locked_version_and_healthchecked() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    [version] = [p["version"] for p in lock["package"] if p["name"] == "moto"]
    assert SERVICES["moto"]["image"] == f"motoserver/moto:{version}"
    assert "healthcheck" in SERVICES["moto"]
    # The bootstrap runs the doctor image, whose HEALTHCHECK probes `serve`: not for a job.
    assert SERVICES["bootstrap"]["healthcheck"] == {"disable": True}


def test_start_order() -> None:
    def conditions(service: str) -> dict[str, str]:
        return {k: v["condition"] for k, v in SERVICES[service]["depends_on"].items()}

    assert conditions("bootstrap") == {"moto": "service_healthy"}
    assert conditions("patient") == {"bootstrap": "service_completed_successfully"}
    assert conditions("doctor") == {
        "moto": "service_healthy",
        "bootstrap": "service_completed_successfully",
    }


def test_doctor_serves_on_8080_with_a_healthcheck() -> None:
    doctor = SERVICES["doctor"]
    assert "8080:8080" in doctor["ports"]
    assert env("doctor")["PORT"] == "8080"
    assert "/healthz" in " ".join(doctor["healthcheck"]["test"])


def test_doctor_env_names_are_its_settings() -> None:
    names = set(env("doctor"))
    assert names <= SETTINGS_ENV | PLATFORM_ENV, names - SETTINGS_ENV - PLATFORM_ENV
    assert {"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ENDPOINT_URL"} <= names
    assert "DOCTOR_API_TOKEN" in names


def test_no_aws_keys_for_the_doctor_or_the_bootstrap() -> None:
    for service in ("doctor", "bootstrap"):
        assert not set(env(service)) & AWS_KEYS, service
    patient = env("patient")
    # The patient's keys are moto's throwaway pair, and only ever sent to moto.
    assert patient["AWS_ACCESS_KEY_ID"] == patient["AWS_SECRET_ACCESS_KEY"] == "testing"
    assert patient["AWS_ENDPOINT_URL"] == "http://moto:5000"


def test_bootstrap_and_doctor_agree_on_role_and_token() -> None:
    bootstrap, doctor = env("bootstrap"), env("doctor")
    for name in (
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "AWS_LOG_GROUP_NAME",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "DOCTOR_TOKEN_AUDIENCE",
        "DOCTOR_ALLOWED_LOG_GROUPS",
    ):
        assert bootstrap[name] == doctor[name], name
    token_dir = str(Path(doctor["AWS_WEB_IDENTITY_TOKEN_FILE"]).parent)
    writer, reader = mounts("bootstrap")[token_dir], mounts("doctor")[token_dir]
    assert writer == (reader[0], "rw")
    assert reader[1] == "ro"
    assert reader[0] in COMPOSE["volumes"]
    # The image creates the mount point for its user, so a fresh named volume is writable.
    dockerfile = (ROOT / "doctor-gcp" / "Dockerfile").read_text()
    assert f"-o 10001 -g 10001 -m 0700 {token_dir}" in dockerfile


def test_bootstrap_runs_the_infra_module_it_mounts() -> None:
    bootstrap = SERVICES["bootstrap"]
    assert bootstrap["command"] == ["python", "-m", "infra.local.bootstrap"]
    source, mode = mounts("bootstrap")[f"{bootstrap['working_dir']}/infra"]
    assert (ROOT / source / "local" / "bootstrap.py").is_file()
    assert mode == "ro"


def test_patient_writes_to_cloudwatch() -> None:
    command = SERVICES["patient"]["command"]
    assert command[0] == "run"
    assert command[command.index("--sink") + 1] == "cloudwatch"


def test_env_example_covers_every_interpolated_variable() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(INTERPOLATION.findall(text))
    example = (ROOT / ".env.example").read_text()
    defined = dict(
        line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#")
    )
    assert used == set(defined)
    assert not set(defined) & AWS_KEYS
    assert defined["DOCTOR_API_TOKEN"] == ""  # never a value someone could deploy by mistake
    assert "DOCTOR_API_TOKEN:?" in text  # compose refuses to start without one


# --- the same services, run natively: compose's commands and environments, Docker aside


def native(environment: dict[str, str], moto_url: str, token_dir: Path) -> dict[str, str]:
    """A service's compose environment for this machine: moto on loopback, the volume a dir."""
    translated = {}
    for name, value in environment.items():
        local = value.replace("http://moto:5000", moto_url)
        translated[name] = local.replace("/var/run/cloud-doctor", str(token_dir))
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DOCTOR_", "GCP_"))}
    return {**base, **translated, "AWS_EC2_METADATA_DISABLED": "true"}


def script(name: str) -> str:
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    assert found is not None, name
    return found


@pytest.fixture
def moto_url() -> Iterator[str]:
    # Its own emulator: compose's names (the default log group and role) must not collide with
    # other tests sharing the session's moto_server.
    with moto_server() as url:
        yield url


@pytest.fixture
def doctor_service(moto_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    moto_server_url = moto_url
    token_dir = tmp_path / "identity"
    token_dir.mkdir()
    api_token = "compose-test-token-8d2f61a0c4e9b7a1d2"

    command = SERVICES["bootstrap"]["command"]
    assert command[:1] == ["python"]
    boot = subprocess.run(
        [sys.executable, *command[1:]],
        cwd=ROOT,
        env=native(env("bootstrap"), moto_server_url, token_dir),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert boot.returncode == 0, boot.stderr

    # The patient's image runs `chaos-app` with compose's command; here a bounded burst of the
    # last few minutes, written at once.
    start = (datetime.now(UTC) - timedelta(minutes=4)).isoformat()
    bounded = ["--fast", "--count", "300", "--start", start]
    patient_cmd = [script("chaos-app"), *SERVICES["patient"]["command"], *bounded]
    patient = subprocess.run(
        patient_cmd,
        env=native(env("patient"), moto_server_url, token_dir),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert patient.returncode == 0, patient.stderr

    port = free_port()
    doctor_env = native(env("doctor"), moto_server_url, token_dir)
    doctor_env.update(
        PORT=str(port), DOCTOR_API_TOKEN=api_token, DOCTOR_ENGINE="rules", GCP_PROJECT_ID=""
    )
    doctor_env = {k: v for k, v in doctor_env.items() if not INTERPOLATION.search(v)}
    assert not set(doctor_env) & AWS_KEYS
    # compose's own command (`cloud-doctor serve`) through the installed script.
    command = [script("cloud-doctor")]
    with doctor_server(doctor_env, tmp_path / "doctor.log", port=port, command=command) as (url, _):
        yield url, api_token


@pytest.mark.slow
def test_compose_wiring_works_end_to_end(doctor_service: tuple[str, str]) -> None:
    url, api_token = doctor_service
    response = httpx.post(
        f"{url}/analyze",
        headers={"Authorization": f"Bearer {api_token}"},
        json={"time_range_minutes": 30},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["summary"]["log_group"] == env("doctor")["AWS_LOG_GROUP_NAME"]
    assert body["summary"]["total_logs_analyzed"] > 0
    assert body["analysis"]["issues"], body["analysis"]
