"""infra/terraform/gcp: the optional Cloud SQL history, the targets file, the report links and
the alert token (DOCTOR_ALERT_TOKEN, chained into infra/terraform/aws), checked statically
(python-hcl2). The google provider is not available offline, so there is no
`terraform validate` of the root; what Terraform can evaluate without a provider is evaluated
with the terraform binary when it is on PATH: the variable validations (a copy of variables.tf
planned alone), the DOCTOR_DATABASE_URL the root builds (its format() call, with sample
values), which SQLAlchemy must read as a psycopg unix-socket URL, the secrets map per switch, and
the AWS root's check of the alert token."""

from __future__ import annotations

import json
import re
import secrets as token_source
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from doctor.settings import Settings
from doctor.settings_checks import MIN_API_TOKEN_CHARS
from doctor.targets import read_targets
from tests.infra.support import (
    AWS_ROOT,
    GCP_ROOT,
    ROOT,
    aws_module,
    env_names,
    gcp_module,
    hcl_literal,
    single,
    terraform,
    terraform_env,
    terraform_eval,
)

# The environment variables DESIGN.md fixes ("Environment"): the service gets no other names.
DESIGN_ENV = {
    "AWS_ROLE_ARN",
    "AWS_REGION",
    "AWS_LOG_GROUP_NAME",
    "AWS_ENDPOINT_URL",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "DOCTOR_TOKEN_AUDIENCE",
    "GCP_PROJECT_ID",
    "GCP_LOCATION",
    "GEMINI_MODEL",
    "GEMINI_API_KEY",
    "DOCTOR_ENGINE",
    "DOCTOR_API_TOKEN",
    "DOCTOR_ALLOWED_LOG_GROUPS",
    "DOCTOR_MAX_LOGS",
    "DOCTOR_PROMPT_TOKEN_BUDGET",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_CHANNEL",
    "SLACK_API_URL",
    "DOCTOR_TARGETS_FILE",
    "DOCTOR_DATABASE_URL",
    "DOCTOR_ALERT_TOKEN",
    "DOCTOR_PUBLIC_URL",
    "DOCTOR_REDACT_PII",
}

CLOUD_SQL_FLAG = "${var.enable_cloud_sql ? 1 : 0}"
TARGETS_FLAG = "${local.targets_enabled ? 1 : 0}"
# Everything enable_cloud_sql creates: (type, name).
CLOUD_SQL_RESOURCES = {
    ("google_sql_database_instance", "history"),
    ("google_sql_database", "history"),
    ("google_sql_user", "doctor"),
    ("random_password", "database"),
    ("google_secret_manager_secret", "database_url"),
    ("google_secret_manager_secret_version", "database_url"),
    ("google_secret_manager_secret_iam_member", "database_url"),
    ("google_project_iam_member", "doctor_cloudsql"),
}
ALERT_TOKEN_SECRET_ID = "cloud-doctor-alert-token"
# gcp output => the infra/terraform/aws variable it feeds for the alarm path (alarms.tf there).
ALERT_CHAIN = {"service_url": "doctor_url", "alert_token_secret": "doctor_alert_token"}
TARGETS_RESOURCES = {
    ("google_secret_manager_secret", "targets"),
    ("google_secret_manager_secret_version", "targets"),
    ("google_secret_manager_secret_iam_member", "targets"),
}


def cloud_run() -> dict[str, Any]:
    return gcp_module().resource("google_cloud_run_v2_service", "doctor")


def template() -> dict[str, Any]:
    return single(cloud_run()["template"])


def container() -> dict[str, Any]:
    return single(template()["containers"])


def dynamic_blocks(body: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The `dynamic "kind"` blocks of a body, in order: [{for_each, content}]."""
    return [block[kind] for block in body.get("dynamic", []) if kind in block]


def content(block: dict[str, Any]) -> dict[str, Any]:
    return single(block["content"])


def resolved_local(name: str) -> str:
    """A local that is a string made of plain text and other such locals, resolved."""
    value: str = gcp_module().locals()[name]
    return re.sub(r"\$\{local\.([a-z_]+)\}", lambda m: resolved_local(m[1]), value)


def all_resources() -> set[tuple[str, str]]:
    module = gcp_module()
    return {(type_, name) for type_ in module.resource_types() for name in module.resources(type_)}


# --- Cloud SQL: off by default, everything behind enable_cloud_sql


def test_cloud_sql_is_off_by_default_and_every_piece_is_behind_the_flag() -> None:
    module = gcp_module()
    assert module.default("enable_cloud_sql") is False
    assert all_resources() >= CLOUD_SQL_RESOURCES
    for type_, name in CLOUD_SQL_RESOURCES:
        body = module.resource(type_, name)
        assert body.get("count") == CLOUD_SQL_FLAG, (type_, name)
        assert "for_each" not in body, (type_, name)
    # No Cloud SQL or generated password outside that set.
    for type_, name in all_resources():
        if type_.startswith(("google_sql_", "random_")):
            assert (type_, name) in CLOUD_SQL_RESOURCES, (type_, name)
    # The Cloud SQL Admin API (behind Cloud Run's Cloud SQL volume) only when it is used.
    services = module.locals()["services"]
    assert services.endswith(', var.enable_cloud_sql ? ["sqladmin.googleapis.com"] : []))}')
    assert services.count("sqladmin.googleapis.com") == 1


def test_cloud_sql_instance_is_a_small_protected_postgres() -> None:
    module = gcp_module()
    instance = module.resource("google_sql_database_instance", "history")
    assert instance["deletion_protection"] is True
    assert instance["database_version"] == "${var.cloud_sql_database_version}"
    assert module.default("cloud_sql_database_version").startswith("POSTGRES_")
    assert instance["region"] == "${var.region}"
    settings = single(instance["settings"])
    assert settings["deletion_protection_enabled"] is True
    assert settings["tier"] == "${var.cloud_sql_tier}"
    assert module.default("cloud_sql_tier") == "db-f1-micro"
    # Shared-core tiers exist only in the Enterprise edition (new PostgreSQL 16+ instances
    # otherwise default to Enterprise Plus).
    assert settings["edition"] == "ENTERPRISE"
    assert settings["availability_type"] == "ZONAL"
    ip = single(settings["ip_configuration"])
    # Reached only through the connector: no network may connect directly.
    assert "authorized_networks" not in ip
    assert ip["ssl_mode"] == "ENCRYPTED_ONLY"
    assert single(settings["backup_configuration"])["enabled"] is True

    database = module.resource("google_sql_database", "history")
    assert database["instance"] == "${google_sql_database_instance.history[0].name}"
    user = module.resource("google_sql_user", "doctor")
    assert user["instance"] == "${google_sql_database_instance.history[0].name}"
    assert user["password"] == "${random_password.database[0].result}"
    password = module.resource("random_password", "database")
    assert password["length"] >= 24
    # Unescaped in the URL: letters and digits only.
    assert password["special"] is False


def test_the_database_url_is_a_secret_built_for_the_cloud_sql_socket() -> None:
    module = gcp_module()
    version = module.resource("google_secret_manager_secret_version", "database_url")
    assert version["secret"] == "${google_secret_manager_secret.database_url[0].id}"
    data = version["secret_data"]
    assert data.startswith('${format("postgresql+psycopg://%s:%s@/%s?host=%s/%s", ')
    arguments = [a.strip() for a in data.split('", ', 1)[1].removesuffix(")}").split(",")]
    assert [a for a in arguments if a] == [
        "google_sql_user.doctor[0].name",
        "random_password.database[0].result",
        "google_sql_database.history[0].name",
        "local.cloud_sql_mount",
        "google_sql_database_instance.history[0].connection_name",
    ]
    assert module.locals()["cloud_sql_mount"] == "/cloudsql"
    secret = module.resource("google_secret_manager_secret", "database_url")
    assert single(secret["replication"]) == {"auto": [{}]}


def test_the_database_url_reaches_cloud_run_only_as_a_secret_reference() -> None:
    module = gcp_module()
    locals_ = module.locals()
    assert "DOCTOR_DATABASE_URL" not in env_names(locals_["plain_env"])
    assert locals_["generated_secrets"] == (
        "${var.enable_cloud_sql ? {DOCTOR_DATABASE_URL = {"
        "secret = google_secret_manager_secret.database_url[0].secret_id, "
        "version = google_secret_manager_secret_version.database_url[0].version}} : {}}"
    )
    [generated] = [
        block
        for block in dynamic_blocks(container(), "env")
        if block["for_each"] == "${local.generated_secrets}"
    ]
    env = content(generated)
    assert "value" not in env
    ref = single(single(env["value_source"])["secret_key_ref"])
    # Pinned to the version Terraform wrote: a new URL (a new password) rolls out a revision.
    assert ref == {"secret": "${env.value.secret}", "version": "${env.value.version}"}
    # Nothing of the URL or its password in the service's own configuration.
    text = json.dumps(cloud_run())
    for leak in ("random_password", "postgresql", "google_sql_user", "secret_data"):
        assert leak not in text, leak
    # Nor in an output.
    outputs = json.dumps(module.outputs())
    assert "random_password" not in outputs
    assert "google_secret_manager_secret_version" not in outputs


def test_cloud_run_mounts_the_cloud_sql_socket_only_with_the_flag() -> None:
    module = gcp_module()
    assert module.locals()["cloud_sql_connection_names"] == (
        "${google_sql_database_instance.history[*].connection_name}"
    )
    [volume] = [
        block
        for block in dynamic_blocks(template(), "volumes")
        if "cloud_sql_instance" in content(block)
    ]
    assert volume["for_each"] == "${local.cloud_sql_connection_names}"
    assert single(content(volume)["cloud_sql_instance"])["instances"] == ["${volumes.value}"]
    [mount] = [
        block
        for block in dynamic_blocks(container(), "volume_mounts")
        if content(block)["name"] == content(volume)["name"]
    ]
    assert mount["for_each"] == "${local.cloud_sql_connection_names}"
    # Cloud Run accepts only /cloudsql for a Cloud SQL volume; the URL's host is under it.
    assert content(mount)["mount_path"] == "${local.cloud_sql_mount}"


# --- IAM: the service account's grants


def test_the_service_account_may_use_cloud_sql_only_when_enabled() -> None:
    module = gcp_module()
    grants = module.resources("google_project_iam_member")
    assert {body["role"]: body.get("count") for body in grants.values()} == {
        "roles/aiplatform.user": None,
        "roles/cloudsql.client": CLOUD_SQL_FLAG,
    }
    assert all(body["member"] == "${local.sa_member}" for body in grants.values())
    # No project-wide secret access, no bindings that would replace others' grants.
    for type_ in (
        "google_project_iam_binding",
        "google_project_iam_policy",
        "google_secret_manager_secret_iam_binding",
        "google_secret_manager_secret_iam_policy",
    ):
        assert type_ not in module.resource_types(), type_


def test_the_service_account_reads_exactly_its_own_secrets() -> None:
    module = gcp_module()
    secrets = module.resources("google_secret_manager_secret")
    access = module.resources("google_secret_manager_secret_iam_member")
    # One accessor grant per secret resource of this root, each on that secret, and the same
    # switch (count / for_each) as the secret itself.
    assert set(access) == set(secrets) == {"doctor", "database_url", "targets"}
    for name, grant in access.items():
        assert grant["role"] == "roles/secretmanager.secretAccessor", name
        assert grant["member"] == "${local.sa_member}", name
        if "for_each" in grant:
            assert grant["for_each"] == f"${{google_secret_manager_secret.{name}}}"
            assert grant["secret_id"] == "${each.value.secret_id}"
        else:
            assert grant["count"] == secrets[name]["count"], name
            assert grant["secret_id"] == f"${{google_secret_manager_secret.{name}[0].secret_id}}"
    # The service waits for every grant (a revision that cannot read its secrets fails).
    depends = set(cloud_run()["depends_on"])
    assert {f"${{google_secret_manager_secret_iam_member.{n}}}" for n in access} <= depends
    assert "${google_project_iam_member.doctor_cloudsql}" in depends


# --- DOCTOR_TARGETS_FILE


def test_targets_are_off_by_default_and_behind_targets_toml() -> None:
    module = gcp_module()
    assert module.default("targets_toml") == ""
    assert module.locals()["targets_enabled"] == '${var.targets_toml != ""}'
    assert all_resources() >= TARGETS_RESOURCES
    for type_, name in TARGETS_RESOURCES:
        assert module.resource(type_, name)["count"] == TARGETS_FLAG, (type_, name)
    version = module.resource("google_secret_manager_secret_version", "targets")
    assert version["secret"] == "${google_secret_manager_secret.targets[0].id}"
    assert version["secret_data"] == "${var.targets_toml}"


def test_the_targets_secret_is_mounted_where_doctor_targets_file_points() -> None:
    module = gcp_module()
    targets_file = resolved_local("targets_file")
    assert targets_file == "/etc/cloud-doctor/targets.toml"
    plain_env = module.locals()["plain_env"]
    assert 'DOCTOR_TARGETS_FILE = local.targets_enabled ? local.targets_file : ""' in plain_env
    # Empty values are left out: without targets_toml the variable is not set at all.
    assert ': name => value if value != ""}' in plain_env

    [volume] = [
        block for block in dynamic_blocks(template(), "volumes") if "secret" in content(block)
    ]
    assert volume["for_each"] == "${google_secret_manager_secret_version.targets}"
    secret = single(content(volume)["secret"])
    assert secret["secret"] == "${google_secret_manager_secret.targets[0].secret_id}"
    item = single(secret["items"])
    assert item["path"] == "${local.targets_file_name}"
    # Pinned: a changed TOML makes a new revision, and the doctor reads the file at start-up.
    assert item["version"] == "${volumes.value.version}"

    [mount] = [
        block
        for block in dynamic_blocks(container(), "volume_mounts")
        if content(block)["name"] == content(volume)["name"]
    ]
    assert mount["for_each"] == volume["for_each"]
    assert content(mount)["mount_path"] == "${local.targets_dir}"
    mount_path = resolved_local("targets_dir")
    file_name = resolved_local("targets_file_name")
    assert f"{mount_path}/{file_name}" == targets_file
    # Not over a directory the image needs (the history's XDG_DATA_HOME, the app).
    assert not targets_file.startswith(("/var/lib/cloud-doctor", "/app", "/cloudsql"))
    # Every mount names a volume of the template, and volumes are named once.
    volumes = [content(b)["name"] for b in dynamic_blocks(template(), "volumes")]
    mounts = [content(b)["name"] for b in dynamic_blocks(container(), "volume_mounts")]
    assert sorted(volumes) == sorted(set(volumes)) == sorted(mounts)


# --- DOCTOR_ALERT_TOKEN: POST /alerts/aws, the token the aws root's EventBridge connection sends


def test_alerts_are_off_by_default_like_the_aws_alarm_path() -> None:
    gcp, aws = gcp_module(), aws_module()
    assert gcp.variables()["enable_alerts"]["type"] == "bool"
    assert gcp.default("enable_alerts") is False
    assert gcp.default("enable_alerts") == aws.default("enable_alarms")
    description = gcp.variables()["enable_alerts"]["description"]
    for name in (
        "DOCTOR_ALERT_TOKEN",
        ALERT_TOKEN_SECRET_ID,
        "enable_alarms",
        "doctor_alert_token",
    ):
        assert name in description, name
    assert {"enable_alarms", "doctor_alert_token", "doctor_url"} <= set(aws.variables())
    example = (GCP_ROOT / "terraform.tfvars.example").read_text(encoding="utf-8")
    assert re.search(r"(?m)^# enable_alerts +=+ true ", example)


def test_the_alert_token_is_an_operator_secret_behind_enable_alerts() -> None:
    module = gcp_module()
    secrets = module.locals()["secrets"]
    # One more entry of the operator-filled map, behind its own switch.
    assert (
        f'var.enable_alerts ? {{DOCTOR_ALERT_TOKEN = "{ALERT_TOKEN_SECRET_ID}"}} : {{}}' in secrets
    )
    assert secrets.count("DOCTOR_ALERT_TOKEN") == 1
    assert "DOCTOR_ALERT_TOKEN" in env_names(secrets)
    # So the secret is one of google_secret_manager_secret.doctor (for_each over that map)...
    secret = module.resource("google_secret_manager_secret", "doctor")
    assert secret["for_each"] == "${local.secrets}"
    assert secret["secret_id"] == "${each.value}"
    assert single(secret["replication"]) == {"auto": [{}]}
    # ...created empty: no version, no generated value, the token is in no plan and no state.
    assert set(module.resources("google_secret_manager_secret_version")) == {
        "database_url",
        "targets",
    }
    assert not module.data("google_secret_manager_secret_version")
    for type_, name in all_resources():
        assert not (type_.startswith("random_") and "alert" in name), (type_, name)
    # The value is added out of band, as secrets.tf documents for each of its secrets.
    header = (GCP_ROOT / "secrets.tf").read_text(encoding="utf-8")
    assert (
        f'printf %s "$(openssl rand -hex 32)" | gcloud secrets versions add '
        f"{ALERT_TOKEN_SECRET_ID} --data-file=-"
    ) in header


def test_the_alert_token_is_mounted_as_doctor_alert_token() -> None:
    locals_ = gcp_module().locals()
    assert "DOCTOR_ALERT_TOKEN" not in env_names(locals_["plain_env"])
    assert "DOCTOR_ALERT_TOKEN" not in env_names(locals_["generated_secrets"])
    [block] = [
        block
        for block in dynamic_blocks(container(), "env")
        if block["for_each"] == "${local.secrets}"
    ]
    env = content(block)
    # The variable's name is the map's key: DOCTOR_ALERT_TOKEN, the name Settings reads.
    assert env["name"] == "${env.key}"
    assert "doctor_alert_token" in Settings.model_fields
    assert "value" not in env
    ref = single(single(env["value_source"])["secret_key_ref"])
    assert ref == {
        "secret": "${google_secret_manager_secret.doctor[env.key].secret_id}",
        "version": "latest",
    }


def test_only_the_runtime_service_account_reads_the_alert_token() -> None:
    module = gcp_module()
    assert template()["service_account"] == "${google_service_account.doctor.email}"
    assert module.locals()["sa_member"] == "serviceAccount:${google_service_account.doctor.email}"
    # The one grant on the operator secrets: accessor, per secret, to that account only.
    grant = module.resource("google_secret_manager_secret_iam_member", "doctor")
    assert grant == {
        "for_each": "${google_secret_manager_secret.doctor}",
        "project": "${var.project_id}",
        "secret_id": "${each.value.secret_id}",
        "role": "roles/secretmanager.secretAccessor",
        "member": "${local.sa_member}",
    }
    # No other member on any secret, and no project-wide secret role for anyone.
    for name, body in module.resources("google_secret_manager_secret_iam_member").items():
        assert body["member"] == "${local.sa_member}", name
    for name, body in module.resources("google_project_iam_member").items():
        assert "secretmanager" not in body["role"], name
    for type_ in module.resource_types():
        assert not type_.startswith("google_secret_manager_secret_iam_") or type_.endswith(
            "_member"
        ), type_
    assert "${google_secret_manager_secret_iam_member.doctor}" in cloud_run()["depends_on"]


def test_the_gcp_outputs_are_the_aws_alarm_variables() -> None:
    gcp, aws = gcp_module(), aws_module()
    outputs = gcp.outputs()
    assert outputs["service_url"]["value"] == "${google_cloud_run_v2_service.doctor.uri}"
    assert outputs["alert_token_secret"]["value"] == (
        '${var.enable_alerts ? google_secret_manager_secret.doctor["DOCTOR_ALERT_TOKEN"]'
        ".secret_id : null}"
    )
    aws_variables = aws.variables()
    for output, variable in ALERT_CHAIN.items():
        # Each output says which aws variable it feeds, and that variable exists there.
        assert f"{variable} of infra/terraform/aws" in outputs[output]["description"], output
        assert variable in aws_variables, variable
        assert aws_variables[variable]["default"] is None, variable
    # The aws root uses exactly those: the endpoint from doctor_url, the bearer from the token.
    assert aws.locals()["alerts_endpoint"] == (
        '${var.doctor_url == null ? null : "${trimsuffix(var.doctor_url, "/")}/alerts/aws"}'
    )
    connection = aws.resource("aws_cloudwatch_event_connection", "doctor")
    api_key = single(single(connection["auth_parameters"])["api_key"])
    assert api_key == {"key": "Authorization", "value": "Bearer ${var.doctor_alert_token}"}
    assert aws_variables["doctor_alert_token"]["sensitive"] is True
    # The secret's name is an output, never its value (sensitive or not).
    for name, body in outputs.items():
        assert "secret_data" not in json.dumps(body), name
        assert "google_secret_manager_secret_version" not in json.dumps(body), name
    # The chain is written down where the aws root is fed.
    comment = (GCP_ROOT / "outputs.tf").read_text(encoding="utf-8")
    assert "TF_VAR_doctor_alert_token" in comment
    assert "output -raw alert_token_secret" in comment
    assert "TF_VAR_doctor_alert_token" in (AWS_ROOT / "terraform.tfvars.example").read_text(
        encoding="utf-8"
    )


def test_the_readme_adds_the_alert_token_like_the_other_secrets() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert (
        f'printf %s "$(openssl rand -hex 32)" | gcloud secrets versions add '
        f"{ALERT_TOKEN_SECRET_ID} --data-file=-"
    ) in readme
    assert "enable_alerts = true" in readme
    assert "output -raw alert_token_secret" in readme


# --- DOCTOR_PUBLIC_URL and the names


def test_public_url_is_a_variable_not_a_self_reference() -> None:
    module = gcp_module()
    assert module.default("public_url") == ""
    assert "DOCTOR_PUBLIC_URL = var.public_url" in module.locals()["plain_env"]
    description = module.variables()["public_url"]["description"]
    assert "service_url" in description
    assert "custom domain" in description
    # The service cannot name its own uri (a cycle): nothing in it refers to itself.
    assert "google_cloud_run_v2_service.doctor" not in json.dumps(cloud_run())


def test_every_env_name_given_to_cloud_run_is_designs() -> None:
    locals_ = gcp_module().locals()
    names = set()
    for local in ("plain_env", "secrets", "generated_secrets"):
        names |= env_names(locals_[local])
    assert names <= DESIGN_ENV
    assert {
        "DOCTOR_DATABASE_URL",
        "DOCTOR_TARGETS_FILE",
        "DOCTOR_PUBLIC_URL",
        "DOCTOR_ALERT_TOKEN",
    } <= names
    assert names <= {name.upper() for name in Settings.model_fields}
    # The env blocks take their names from those locals only (no literal name elsewhere).
    for block in dynamic_blocks(container(), "env"):
        assert content(block)["name"] == "${env.key}"
    assert "env" not in container()


def test_outputs_name_the_new_pieces() -> None:
    outputs = gcp_module().outputs()
    assert outputs["cloud_sql_connection_name"]["value"] == (
        "${one(google_sql_database_instance.history[*].connection_name)}"
    )
    assert outputs["database_url_secret"]["value"] == (
        "${one(google_secret_manager_secret.database_url[*].secret_id)}"
    )
    assert {"service_url", "targets_file", "alert_token_secret"} <= set(outputs)


def test_the_random_provider_is_pinned() -> None:
    text = (GCP_ROOT / "versions.tf").read_text(encoding="utf-8")
    assert 'source  = "hashicorp/random"' in text
    assert 'version = "~> 3.' in text


# --- evaluated by Terraform itself (no provider needed)

needs_terraform = pytest.mark.skipif(terraform() is None, reason="terraform is not on PATH")

TARGETS_TOML = """\
default_target = "payments-prod"

[targets.payments-prod]
role_arn = "arn:aws:iam::111111111111:role/cloud-doctor"
region = "eu-west-1"
log_groups = ["/aws/ecs/payments-api", "/aws/ecs/payments-worker"]
"""


@needs_terraform
def test_terraform_builds_a_database_url_sqlalchemy_reads_as_the_cloud_sql_socket(
    tmp_path: Path,
) -> None:
    version = gcp_module().resource("google_secret_manager_secret_version", "database_url")
    expression = version["secret_data"].removeprefix("${").removesuffix("}")
    samples = {
        "google_sql_user.doctor[0].name": "cloud_doctor",
        "random_password.database[0].result": "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
        "google_sql_database.history[0].name": "cloud_doctor",
        "local.cloud_sql_mount": "/cloudsql",
        "google_sql_database_instance.history[0].connection_name": "proj:us-central1:cloud-doctor",
    }
    for reference, value in samples.items():
        assert reference in expression
        expression = expression.replace(reference, hcl_literal(value))
    [result] = terraform_eval([expression], tmp_path)
    url = make_url(result)
    assert url.drivername == "postgresql+psycopg"
    assert url.username == "cloud_doctor"
    assert url.password == samples["random_password.database[0].result"]
    assert url.host is None
    assert url.database == "cloud_doctor"
    assert url.query == {"host": "/cloudsql/proj:us-central1:cloud-doctor"}
    assert Settings(doctor_database_url=result).database_url() == result


def plan_variables(workdir: Path, variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`terraform plan` of a copy of the root's variables.tf alone: Terraform checks the
    variables' validation blocks without any provider."""
    binary = terraform()
    assert binary is not None
    if not (workdir / "variables.tf").exists():
        shutil.copy(GCP_ROOT / "variables.tf", workdir / "variables.tf")
        subprocess.run(
            [binary, "init", "-backend=false", "-input=false", "-no-color"],
            cwd=workdir,
            env=terraform_env(),
            capture_output=True,
            timeout=60,
            check=True,
        )
    required = {"project_id": "p", "image_tag": "0.1.0", "aws_account_id": "123456789012"}
    args = [f"-var={name}={value}" for name, value in {**required, **variables}.items()]
    return subprocess.run(
        [binary, "plan", "-input=false", "-no-color", "-lock=false", *args],
        cwd=workdir,
        env=terraform_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@needs_terraform
@pytest.mark.parametrize(
    ("variables", "accepted"),
    [
        ({}, True),
        ({"targets_toml": TARGETS_TOML}, True),
        ({"targets_toml": 'targets = { a = { region = "eu-west-1" } }'}, True),
        ({"targets_toml": "   \n"}, False),
        ({"targets_toml": 'default_target = "a"\n'}, False),
        ({"targets_toml": "[targets.a]\n" + "#" * 70_000}, False),
        ({"public_url": "https://cloud-doctor-abc123-uc.a.run.app"}, True),
        ({"public_url": "https://doctor.example.com/base"}, True),
        ({"public_url": "http://doctor.example.com"}, False),
        ({"public_url": "https://doctor.example.com/"}, False),
        ({"public_url": "https://doctor.example.com/?x=1"}, False),
        ({"enable_cloud_sql": "true"}, True),
        ({"enable_alerts": "true"}, True),
        ({"enable_alerts": "false", "enable_slack": "false"}, True),
        ({"cloud_sql_database_version": "MYSQL_8_0"}, False),
        ({"cloud_sql_user": "doctor:x"}, False),
        ({"cloud_sql_database_name": "cloud-doctor"}, False),
    ],
)
def test_terraform_validates_the_new_variables(
    tmp_path_factory: pytest.TempPathFactory, variables: dict[str, str], accepted: bool
) -> None:
    workdir = tmp_path_factory.getbasetemp() / "gcp-variables"
    workdir.mkdir(exist_ok=True)
    completed = plan_variables(workdir, variables)
    output = completed.stdout + completed.stderr
    if accepted:
        assert completed.returncode == 0, output
    else:
        assert completed.returncode != 0, output
        assert "Invalid value for variable" in output, output


@needs_terraform
@pytest.mark.parametrize("enable_slack", [True, False])
@pytest.mark.parametrize("enable_alerts", [True, False])
def test_terraform_builds_the_operator_secrets_per_switch(
    tmp_path: Path, enable_slack: bool, enable_alerts: bool
) -> None:
    expression = gcp_module().locals()["secrets"].removeprefix("${").removesuffix("}")
    for variable, value in (("enable_slack", enable_slack), ("enable_alerts", enable_alerts)):
        assert f"var.{variable}" in expression
        expression = expression.replace(f"var.{variable}", hcl_literal(value))
    [result] = terraform_eval([f"jsonencode({expression})"], tmp_path)
    expected = {"DOCTOR_API_TOKEN": "cloud-doctor-api-token"}
    if enable_slack:
        expected |= {
            "SLACK_BOT_TOKEN": "cloud-doctor-slack-bot-token",
            "SLACK_SIGNING_SECRET": "cloud-doctor-slack-signing-secret",
        }
    if enable_alerts:
        expected["DOCTOR_ALERT_TOKEN"] = ALERT_TOKEN_SECRET_ID
    assert json.loads(result) == expected


@needs_terraform
def test_the_documented_alert_token_passes_the_aws_root_and_the_doctor(tmp_path: Path) -> None:
    # `openssl rand -hex 32` (secrets.tf, README): 64 hex digits.
    token = token_source.token_hex(32)
    [validation] = aws_module().variables()["doctor_alert_token"]["validation"]
    condition = validation["condition"].removeprefix("${").removesuffix("}")
    results = terraform_eval(
        [
            f"tostring({condition.replace('var.doctor_alert_token', hcl_literal(sample))})"
            for sample in (token, token[:31])
        ],
        tmp_path,
    )
    assert results == ["true", "false"]
    assert len(token) >= MIN_API_TOKEN_CHARS
    assert Settings(doctor_alert_token=token).doctor_alert_token is not None


def test_the_sample_targets_toml_is_one_the_doctor_reads(tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(TARGETS_TOML, encoding="utf-8")
    assert read_targets(path).names() == ["payments-prod"]


def test_accepted_public_urls_are_ones_the_doctor_accepts() -> None:
    for url in ("https://cloud-doctor-abc123-uc.a.run.app", "https://doctor.example.com/base"):
        assert Settings(doctor_public_url=url).doctor_public_url == url
