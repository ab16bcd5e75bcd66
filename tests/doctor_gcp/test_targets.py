"""Targets: several AWS accounts behind one doctor, each with its role, region and groups."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import boto3
import pytest
from fastapi.testclient import TestClient

from doctor.api import create_app
from doctor.credentials import ROLE_SESSION_NAME
from doctor.errors import ConfigurationError, NotAllowed, TargetNotFound
from doctor.models import Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings, load_settings
from doctor.targets import DEFAULT_TARGET, load_targets, read_targets
from tests.doctor_gcp.api.conftest import AUTH, error_of

PAYMENTS_ROLE = "arn:aws:iam::111111111111:role/cloud-doctor-reader"
SEARCH_ROLE = "arn:aws:iam::222222222222:role/cloud-doctor-reader"
TARGETS = f"""\
default_target = "payments-prod"

[targets.payments-prod]
role_arn = "{PAYMENTS_ROLE}"
region = "us-east-1"
log_groups = ["/payments/api", "/payments/worker", "/payments/audit"]

[targets.payments-prod.defaults]
log_groups = ["/payments/api", "/payments/worker"]
minutes = 45
max_logs = 300

[targets.search-prod]
role_arn = "{SEARCH_ROLE}"
region = "eu-west-1"
log_groups = ["/search/api"]
"""


@pytest.fixture
def targets_file(tmp_path: Path) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(TARGETS, encoding="utf-8")
    return path


@pytest.fixture
def target_settings(aws_settings: Settings, targets_file: Path) -> Settings:
    return aws_settings.model_copy(update={"doctor_targets_file": targets_file})


def _write(group: str, role: str, region: str, lines: list[tuple[int, str]]) -> None:
    """`lines` as (seconds ago, message) into `group` of `region`, in the role's own account:
    moto keeps one backend per account, as AWS does."""
    import time

    assumed = boto3.client("sts", region_name=region).assume_role(
        RoleArn=role, RoleSessionName="seed"
    )["Credentials"]
    client = boto3.client(
        "logs",
        region_name=region,
        aws_access_key_id=assumed["AccessKeyId"],
        aws_secret_access_key=assumed["SecretAccessKey"],
        aws_session_token=assumed["SessionToken"],
    )
    client.create_log_group(logGroupName=group)
    client.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(time.time() * 1000)
    ordered = sorted(lines, key=lambda line: -line[0])  # oldest first, as CloudWatch wants
    client.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": now - ago * 1000, "message": text} for ago, text in ordered],
    )


def test_without_a_file_the_one_default_target_is_the_variables(aws_settings: Settings) -> None:
    targets = load_targets(aws_settings)
    assert targets.names() == [DEFAULT_TARGET]
    target = targets.get(None)
    assert (target.role_arn, target.region) == (aws_settings.aws_role_arn, "us-east-1")
    assert target.default_groups() == [aws_settings.aws_log_group_name]


def test_a_file_names_targets_their_defaults_and_the_default_one(targets_file: Path) -> None:
    targets = read_targets(targets_file)
    assert targets.names() == ["payments-prod", "search-prod"]
    payments = targets.get(None)
    assert payments.name == "payments-prod"
    assert payments.default_groups() == ["/payments/api", "/payments/worker"]
    assert targets.get("search-prod").default_groups() == ["/search/api"]  # all of its groups


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[targets.a\nlog_groups = 1", "not valid TOML"),
        ("[targets.a]\nlog_groups = ['/a']\nrole = 'x'", "target 'a': role: Extra inputs"),
        ("[targets.a]\nrole_arn = 'arn:aws:iam::1:role/x'\nlog_groups = ['/a']", "role_arn"),
        ("[targets.a]\nlog_groups = []", "log_groups is empty"),
        ("[targets.a]\nlog_groups = ['/a']\ndefaults = {log_groups = ['/b']}", "not in its"),
        ("default_target = 'b'\n[targets.a]\nlog_groups = ['/a']", "default_target 'b'"),
        ("[targets.Bad_Name]\nlog_groups = ['/a']", "name"),
        ("targets = {}", "targets"),
    ],
)
def test_a_bad_file_is_refused_whole_naming_each_problem(
    tmp_path: Path, text: str, said: str
) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        read_targets(path)
    assert said in caught.value.message
    assert str(path) in caught.value.message
    assert "DOCTOR_TARGETS_FILE" in caught.value.hint


def test_a_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    settings = load_settings(doctor_targets_file=tmp_path / "nope.toml")
    with pytest.raises(ConfigurationError, match="Cannot read DOCTOR_TARGETS_FILE"):
        Doctor(settings)


def test_an_unknown_target_lists_the_known_ones(target_settings: Settings) -> None:
    with closing(Doctor(target_settings)) as doctor, pytest.raises(TargetNotFound) as caught:
        doctor.plan(Query(target="payments-staging"))
    assert "Known targets: payments-prod, search-prod." in caught.value.message


def test_a_group_outside_the_targets_list_is_refused_naming_the_target(
    target_settings: Settings,
) -> None:
    with closing(Doctor(target_settings)) as doctor, pytest.raises(NotAllowed) as caught:
        doctor.plan(Query(target="search-prod", log_group="/payments/api"))
    assert "'/payments/api' of target 'search-prod'" in caught.value.message
    assert "DOCTOR_TARGETS_FILE" in caught.value.hint


def test_the_targets_defaults_fill_what_the_request_leaves_out(target_settings: Settings) -> None:
    with closing(Doctor(target_settings)) as doctor:
        plan = doctor.plan(Query())
        asked = doctor.plan(Query(minutes=10, max_logs=50, log_group="/payments/audit"))
    assert (plan.target.name, plan.groups, plan.minutes, plan.max_logs) == (
        "payments-prod",
        ["/payments/api", "/payments/worker"],
        45,
        300,
    )
    assert (asked.groups, asked.minutes, asked.max_logs) == (["/payments/audit"], 10, 50)


def test_a_targets_groups_are_read_together_merged_by_time_and_bounded(
    aws: None, target_settings: Settings
) -> None:
    _write(
        "/payments/api",
        PAYMENTS_ROLE,
        "us-east-1",
        [(50, "ERROR api: db refused"), (30, "ERROR api: 2")],
    )
    _write(
        "/payments/worker",
        PAYMENTS_ROLE,
        "us-east-1",
        [(40, "ERROR worker: db refused"), (20, "ERROR w 2")],
    )
    with closing(Doctor(target_settings)) as doctor:
        digested = doctor.digest(Query())
        bounded = doctor.digest(Query(max_logs=3))
    assert digested.label == "/payments/api, /payments/worker"
    assert digested.target == "payments-prod"
    assert digested.digest.events_total == 4
    samples = [s for p in digested.digest.patterns for s in p.samples]
    assert any("api:" in s for s in samples)
    assert any("worker:" in s for s in samples)
    assert bounded.digest.events_total == 3  # the newest three of the merge
    assert bounded.input_truncated
    assert any("newest 3 were analysed" in w for w in bounded.warnings)


def test_one_role_session_per_target_shared_across_requests(
    aws: None, target_settings: Settings
) -> None:
    from moto.sts.models import sts_backends

    _write("/payments/api", PAYMENTS_ROLE, "us-east-1", [(30, "ERROR api: db refused")])
    _write("/payments/worker", PAYMENTS_ROLE, "us-east-1", [(30, "ERROR worker: db refused")])
    _write("/search/api", SEARCH_ROLE, "eu-west-1", [(30, "ERROR search: shard failed")])
    with closing(Doctor(target_settings)) as doctor:
        for _ in range(3):
            doctor.digest(Query(target="payments-prod"))
        response = doctor.analyze(Query(target="search-prod"))
    assert response.summary.target == "search-prod"
    assert response.summary.log_group == "/search/api"
    assumed = [
        role.role_arn
        for backend in sts_backends.values()
        for region in backend.values()
        for role in region.assumed_roles
        if role.session_name == ROLE_SESSION_NAME  # the doctor's, not the seeding's
    ]
    assert sorted(assumed) == [PAYMENTS_ROLE, SEARCH_ROLE]  # once each, not once per request


def test_the_api_takes_a_target_and_answers_404_for_an_unknown_one(
    aws: None, target_settings: Settings, seed_logs: Callable[..., int]
) -> None:
    _write("/search/api", SEARCH_ROLE, "eu-west-1", [(30, "ERROR search: shard failed")])
    with TestClient(create_app(target_settings), raise_server_exceptions=False) as client:
        found = client.post("/analyze", json={"target": "search-prod"}, headers=AUTH)
        unknown = client.post("/analyze", json={"target": "nope"}, headers=AUTH)
    assert found.status_code == 200
    assert found.json()["summary"]["target"] == "search-prod"
    assert unknown.status_code == 404
    error = error_of(unknown)
    assert error["code"] == "target_not_found"
    assert "payments-prod, search-prod" in error["message"]
