"""infra/local/bootstrap.py against a moto_server: the emulated account gets the resources and
the exact policy documents the Terraform AWS root declares."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from infra.local import bootstrap as boot
from infra.local import doctor_role, patient, policies
from tests.fakes.moto_server import moto_client
from tests.infra.support import ROOT, access_module, aws_module, templatefile_call

AUDIENCE = "sts.amazonaws.com/cloud-doctor-test"
SUBJECT = "109876543210987654321"


def unique(prefix: str) -> str:
    # One moto_server serves the whole session: every test names its own resources.
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


@pytest.fixture
def created(moto_server_url: str, tmp_path: Path) -> dict[str, Any]:
    result: dict[str, Any] = dict(
        boot.bootstrap(
            moto_server_url,
            region="us-east-1",
            log_group=unique("/test/chaos-app"),
            role_name=unique("doctor"),
            instance_role_name=unique("instance"),
            ecr_repository=unique("chaos-app"),
            retention_days=30,
            token_audience=AUDIENCE,
            google_subject=SUBJECT,
            token_file=tmp_path / "identity" / "token",
        )
    )
    return result


def test_the_role_trust_policy_is_the_terraform_one(
    created: dict[str, Any], moto_server_url: str
) -> None:
    role = moto_client(moto_server_url, "iam").get_role(RoleName=created["role_name"])["Role"]
    body = access_module().resource("aws_iam_role", "doctor")
    template, names = templatefile_call(body["assume_role_policy"])
    terraform_values = {"google_service_account_unique_id": SUBJECT, "token_audience": AUDIENCE}
    assert names == terraform_values.keys()
    assert role["AssumeRolePolicyDocument"] == policies.policy_document(
        template, **terraform_values
    )
    assert role["MaxSessionDuration"] == body["max_session_duration"] == 3600
    assert created["role_arn"] == role["Arn"]


def test_the_role_may_read_only_its_log_group(
    created: dict[str, Any], moto_server_url: str
) -> None:
    iam = moto_client(moto_server_url, "iam")
    role = created["role_name"]
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == [doctor_role.DOCTOR_POLICY_NAME]
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []
    document = iam.get_role_policy(RoleName=role, PolicyName=doctor_role.DOCTOR_POLICY_NAME)
    group_arn = created["log_group_arn"]
    assert document["PolicyDocument"] == policies.policy_document(
        "doctor-read-logs.json.tftpl", log_group_resources=[group_arn, f"{group_arn}:*"]
    )
    assert created["allowed_log_groups"] == [created["log_group_name"]]


def test_log_group_exists_with_its_retention(created: dict[str, Any], moto_server_url: str) -> None:
    groups = moto_client(moto_server_url, "logs").describe_log_groups(
        logGroupNamePrefix=created["log_group_name"]
    )["logGroups"]
    assert [(g["logGroupName"], g["retentionInDays"]) for g in groups] == [
        (created["log_group_name"], 30)
    ]


def test_instance_role_and_ecr_repository_match_terraform(
    created: dict[str, Any], moto_server_url: str
) -> None:
    iam, ecr = moto_client(moto_server_url, "iam"), moto_client(moto_server_url, "ecr")
    role = created["instance_role_arn"].rsplit("/", 1)[-1]
    policy = iam.get_role_policy(RoleName=role, PolicyName=patient.INSTANCE_POLICY_NAME)
    repository_name = created["ecr_repository_url"].rsplit("/", 1)[-1]
    [repository] = ecr.describe_repositories(repositoryNames=[repository_name])["repositories"]
    assert policy["PolicyDocument"] == policies.policy_document(
        "patient-instance.json.tftpl",
        log_group_arn=created["log_group_arn"],
        ecr_repository_arn=repository["repositoryArn"],
    )
    profile = iam.get_instance_profile(InstanceProfileName=role)["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == [role]
    assert repository["imageTagMutability"] == "IMMUTABLE"
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
    lifecycle = ecr.get_lifecycle_policy(repositoryName=repository_name)["lifecyclePolicyText"]
    assert json.loads(lifecycle) == json.loads(
        policies.render_template(
            "ecr-lifecycle.json.tftpl",
            {
                "keep_images": aws_module().default("ecr_keep_images"),
                "untagged_expire_days": aws_module().default("ecr_untagged_expire_days"),
            },
        )
    )


def test_demo_token_satisfies_the_trust_conditions(created: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "identity" / "token"
    assert created["token_file"] == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = claims(path.read_text())
    condition = policies.policy_document(
        "doctor-trust.json.tftpl",
        google_service_account_unique_id=SUBJECT,
        token_audience=AUDIENCE,
    )["Statement"][0]["Condition"]["StringEquals"]
    # How IAM maps a Google ID token's claims onto the keys: aud <- azp, oaud <- aud, sub <- sub.
    assert condition == {
        "accounts.google.com:aud": token["azp"],
        "accounts.google.com:oaud": token["aud"],
        "accounts.google.com:sub": token["sub"],
    }
    assert token["iss"] == "https://accounts.google.com"
    assert token["exp"] > token["iat"]


def test_the_doctor_gets_credentials_with_the_token(
    created: dict[str, Any], moto_server_url: str
) -> None:
    from doctor.credentials import web_identity_session
    from doctor.settings import Settings

    settings = Settings(
        aws_role_arn=created["role_arn"],
        aws_region="us-east-1",
        aws_endpoint_url=moto_server_url,
        aws_web_identity_token_file=Path(created["token_file"]),
    )
    logs = web_identity_session(settings).client("logs", endpoint_url=moto_server_url)
    names = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    assert created["log_group_name"] in names


def test_bootstrap_is_idempotent_and_listing_is_opt_in(moto_server_url: str) -> None:
    iam = moto_client(moto_server_url, "iam")
    names: dict[str, Any] = {
        "log_group": unique("/test/group"),
        "role_name": unique("doctor"),
        "instance_role_name": unique("instance"),
        "ecr_repository": unique("repo"),
    }
    first = boot.bootstrap(moto_server_url, list_log_groups=True, **names)
    listed = iam.list_role_policies(RoleName=names["role_name"])["PolicyNames"]
    assert sorted(listed) == sorted(
        [doctor_role.DOCTOR_POLICY_NAME, doctor_role.DOCTOR_LIST_POLICY_NAME]
    )
    listing = iam.get_role_policy(
        RoleName=names["role_name"], PolicyName=doctor_role.DOCTOR_LIST_POLICY_NAME
    )
    assert listing["PolicyDocument"]["Statement"][0]["Resource"] == (
        f"arn:aws:logs:us-east-1:{first['account_id']}:log-group:*"
    )

    second = boot.bootstrap(moto_server_url, retention_days=7, **names)
    assert second["role_arn"] == first["role_arn"]
    assert second["instance_profile_arn"] == first["instance_profile_arn"]
    assert iam.list_role_policies(RoleName=names["role_name"])["PolicyNames"] == [
        doctor_role.DOCTOR_POLICY_NAME
    ]
    [group] = moto_client(moto_server_url, "logs").describe_log_groups(
        logGroupNamePrefix=names["log_group"]
    )["logGroups"]
    assert group["retentionInDays"] == 7


@pytest.mark.parametrize(
    "url",
    [
        "https://logs.us-east-1.amazonaws.com",
        "https://iam.amazonaws.com",
        "https://sts.cn-north-1.amazonaws.com.cn",
        "https://logs.us-east-1.api.aws",
        "not a url",
    ],
)
def test_refuses_anything_but_an_emulator(url: str) -> None:
    with pytest.raises(ValueError, match=r"emulator|endpoint"):
        boot.bootstrap(url)


def run_cli(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # As compose's bootstrap service runs it: `python -m infra.local.bootstrap` from the
    # directory holding infra/, configured by the doctor's own environment variables.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DOCTOR_"))}
    return subprocess.run(
        [sys.executable, "-m", "infra.local.bootstrap"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_reads_the_doctor_environment(moto_server_url: str, tmp_path: Path) -> None:
    role = unique("doctor")
    group = unique("/test/cli")
    env = {
        "AWS_ENDPOINT_URL": moto_server_url,
        "AWS_REGION": "us-east-1",
        "AWS_LOG_GROUP_NAME": group,
        "AWS_ROLE_ARN": f"arn:aws:iam::123456789012:role/{role}",
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(tmp_path / "token"),
        "DOCTOR_TOKEN_AUDIENCE": AUDIENCE,
        "DOCTOR_ALLOWED_LOG_GROUPS": f"{group},/other/group",
    }
    completed = run_cli(env)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["role_arn"] == env["AWS_ROLE_ARN"]
    assert result["allowed_log_groups"] == [group, "/other/group"]
    assert claims((tmp_path / "token").read_text())["aud"] == AUDIENCE


def test_cli_fails_when_the_configured_role_arn_cannot_match(
    moto_server_url: str, tmp_path: Path
) -> None:
    completed = run_cli(
        {
            "AWS_ENDPOINT_URL": moto_server_url,
            "AWS_ROLE_ARN": f"arn:aws:iam::999999999999:role/{unique('doctor')}",
        }
    )
    assert completed.returncode == 1
    assert "account id differs" in completed.stderr
