"""docker-compose.yml, checked statically (no Docker engine here), then its services' commands
and environments run natively against a moto_server: the wiring is what is tested."""

from __future__ import annotations

import json
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
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from doctor.api import create_app
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


def profiles(service: str) -> set[str]:
    return set(SERVICES[service].get("profiles", []))


def container_path(service: str, path: str) -> Path:
    """The host file or folder that compose mounts at `path` in `service`."""
    for target, (source, _) in mounts(service).items():
        if path == target or path.startswith(f"{target}/"):
            assert source.startswith("./"), f"{path} is in a named volume, not in the repo"
            return ROOT / source / path.removeprefix(target).lstrip("/")
    raise AssertionError(f"nothing is mounted at {path} in {service}")


def test_the_four_services() -> None:
    assert {name for name in SERVICES if not profiles(name)} == {
        "moto",
        "bootstrap",
        "patient",
        "doctor",
    }


def test_the_observability_profile_adds_prometheus_and_grafana() -> None:
    extra = {name for name in SERVICES if profiles(name)}
    assert extra == {"prometheus", "grafana"}
    assert all(profiles(name) == {"observability"} for name in extra)
    for name in extra:
        ports = SERVICES[name]["ports"]
        assert all(port.startswith("127.0.0.1:") for port in ports), (name, ports)
    assert SERVICES["prometheus"]["depends_on"] == {"doctor": {"condition": "service_started"}}
    assert SERVICES["grafana"]["depends_on"] == {"prometheus": {"condition": "service_healthy"}}
    assert "/-/ready" in " ".join(SERVICES["prometheus"]["healthcheck"]["test"])


def test_pulled_images_are_pinned() -> None:
    for name, service in SERVICES.items():
        if "build" in service:
            continue  # built here, tagged :local
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository, (name, image)
        assert "/" not in tag, (name, image)
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", tag), (name, image)  # never :latest


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


# --- the observability profile: Prometheus scraping the doctor, Grafana showing it

PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml"  # where the image's default command reads
GRAFANA_PROVISIONING = "/etc/grafana/provisioning"
METRIC = re.compile(r"\bcloud_doctor_[a-z0-9_]+\b")
# The sample names each metric type exposes, from its family's name.
SAMPLE_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "gauge": ("",),
    "info": ("_info",),
}


def exported_names(text: str) -> set[str]:
    """Every sample name a /metrics text can carry, series or not yet (its TYPE lines)."""
    return {
        family.name + suffix
        for family in text_string_to_metric_families(text)
        for suffix in SAMPLE_SUFFIXES.get(family.type, ("",))
    }


def live_metric_names() -> set[str]:
    """GET /metrics of the doctor's app, with the token the scrape sends."""
    token = "compose-metrics-token-0123456789abcdef"
    settings = Settings(doctor_api_token=token, doctor_history=False, doctor_engine="rules")
    with TestClient(create_app(settings)) as client:
        assert client.get("/metrics").status_code == 401  # why the scrape needs the token
        response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return exported_names(response.text)


def prometheus_config() -> dict[str, Any]:
    assert "command" not in SERVICES["prometheus"]  # the image's own, which reads this path
    config: dict[str, Any] = yaml.safe_load(
        container_path("prometheus", PROMETHEUS_CONFIG).read_text()
    )
    return config


def grafana_provisioning(kind: str) -> list[dict[str, Any]]:
    folder = container_path("grafana", f"{GRAFANA_PROVISIONING}/{kind}")
    files = sorted(folder.glob("*.y*ml"))
    assert files, folder
    return [yaml.safe_load(path.read_text()) for path in files]


def dashboards() -> dict[Path, dict[str, Any]]:
    """The dashboards Grafana's file providers load, read from the repo."""
    found = {}
    for provisioning in grafana_provisioning("dashboards"):
        assert provisioning["apiVersion"] == 1
        for provider in provisioning["providers"]:
            assert provider["type"] == "file"
            folder = container_path("grafana", provider["options"]["path"])
            for path in sorted(folder.glob("*.json")):
                found[path] = json.loads(path.read_text())
    assert found
    return found


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    flat = []
    for panel in dashboard["panels"]:
        flat.append(panel)
        flat.extend(panel.get("panels", []))  # collapsed rows hold their panels
    return [panel for panel in flat if panel["type"] != "row"]


def queries(dashboard: dict[str, Any]) -> list[str]:
    exprs = [target["expr"] for panel in panels(dashboard) for target in panel["targets"]]
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        exprs.append(query["query"] if isinstance(query, dict) else str(query or ""))
    return exprs


def test_prometheus_scrapes_the_doctors_metrics_with_the_api_token() -> None:
    [job] = prometheus_config()["scrape_configs"]
    [static] = job["static_configs"]
    assert static["targets"] == [f"doctor:{env('doctor')['PORT']}"]
    assert job.get("scheme", "http") == "http"
    assert job["metrics_path"] == "/metrics"
    assert "get" in create_app(Settings()).openapi()["paths"]["/metrics"]
    # The token: a compose secret made of the doctor's own DOCTOR_API_TOKEN, read as a file.
    authorization = job["authorization"]
    assert authorization["type"] == "Bearer"
    assert "credentials" not in authorization  # never the token itself in the repo
    secret = authorization["credentials_file"].removeprefix("/run/secrets/")
    assert secret in SERVICES["prometheus"]["secrets"]
    assert COMPOSE["secrets"][secret] == {"environment": "DOCTOR_API_TOKEN"}
    assert INTERPOLATION.findall(env("doctor")["DOCTOR_API_TOKEN"]) == ["DOCTOR_API_TOKEN"]


def test_grafana_has_the_prometheus_datasource() -> None:
    [provisioning] = grafana_provisioning("datasources")
    [datasource] = provisioning["datasources"]
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090"
    assert "127.0.0.1:9090:9090" in SERVICES["prometheus"]["ports"]
    assert datasource["uid"]
    interval = prometheus_config()["global"]["scrape_interval"]
    assert datasource["jsonData"]["timeInterval"] == interval


def test_the_dashboard_is_provisioned_valid_and_uses_the_datasource() -> None:
    [(path, dashboard)] = dashboards().items()
    assert path == ROOT / "infra" / "grafana" / "dashboards" / "cloud-doctor.json"
    [provisioning] = grafana_provisioning("datasources")
    uid = provisioning["datasources"][0]["uid"]
    assert dashboard["uid"] == "cloud-doctor"
    assert dashboard["title"] == "Cloud Doctor"
    home = env("grafana")["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert container_path("grafana", home) == path
    shown = panels(dashboard)
    assert len(shown) >= 8
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])
    for panel in shown:
        assert panel["datasource"]["uid"] == uid, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == uid, panel["title"]
            expr = target["expr"]
            for opening, closing in ("()", "{}", "[]"):
                assert expr.count(opening) == expr.count(closing), expr
    titles = " ".join(panel["title"] for panel in shown)
    for words in ("severity", "category", "target", "p50", "p95", "tokens", "cost", "Slack", "AWS"):
        assert words in titles, words


def test_the_dashboard_shows_every_doctor_metric_and_only_those() -> None:
    exported = live_metric_names()
    [dashboard] = dashboards().values()
    used = {name for expr in queries(dashboard) for name in METRIC.findall(expr)}
    assert used <= exported, used - exported
    # And every family the doctor exports has a panel.
    families = {name for name in exported if name.startswith("cloud_doctor_")}
    shown = {
        name
        for name in families
        for suffix in ("_total", "_bucket", "_count", "_sum", "")
        if name.endswith(suffix) and name in used
    }
    expected = {
        "cloud_doctor_diagnoses_total",
        "cloud_doctor_diagnosis_categories_total",
        "cloud_doctor_analysis_duration_seconds_bucket",
        "cloud_doctor_gemini_tokens_total",
        "cloud_doctor_gemini_cost_usd_total",
        "cloud_doctor_slack_errors_total",
        "cloud_doctor_aws_errors_total",
    }
    assert expected <= families
    assert shown == expected


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
    # What the observability profile's Prometheus scrapes, as it scrapes it.
    [job] = prometheus_config()["scrape_configs"]
    metrics = httpx.get(
        f"{url}{job['metrics_path']}",
        headers={"Authorization": f"Bearer {api_token}"},
        timeout=10,
    )
    assert metrics.status_code == 200, metrics.text
    assert httpx.get(f"{url}/metrics", timeout=10).status_code == 401
    samples = {
        sample.name: sample.value
        for family in text_string_to_metric_families(metrics.text)
        for sample in family.samples
        if sample.name == "cloud_doctor_diagnoses_total"
    }
    assert samples == {"cloud_doctor_diagnoses_total": 1.0}
    [dashboard] = dashboards().values()
    used = {name for expr in queries(dashboard) for name in METRIC.findall(expr)}
    assert used <= exported_names(metrics.text)
