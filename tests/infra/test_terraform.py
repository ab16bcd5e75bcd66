"""The Terraform roots, the doctor-access module and its two-account example, checked
statically: the HCL is parsed (python-hcl2) and the policy documents it renders from
infra/policies are rendered the same way and inspected. Providers cannot be downloaded here:
`terraform validate` and the `terraform test` files (mocked providers) run only when the aws
provider is in a local mirror (tests/infra/support.py: aws_provider_mirror)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from doctor.models import LOG_GROUP_PATTERN
from doctor.settings import Settings
from doctor.targets import read_targets
from infra.local import (
    alarms,
    alert_delivery,
    doctor_role,
    identity_token,
    patient,
    policies,
    roles,
)
from infra.local import bootstrap as boot
from tests.infra.support import (
    ACCESS_MODULE,
    AWS_ROOT,
    GCP_ROOT,
    INFRA,
    POLICIES,
    ROOT,
    TWO_ACCOUNTS_EXAMPLE,
    Module,
    access_module,
    aws_module,
    aws_provider_mirror,
    env_names,
    gcp_module,
    hcl_literal,
    single,
    templatefile_call,
    terraform,
    terraform_copy,
    terraform_env,
    terraform_eval,
    terraform_init,
    terraform_run,
    two_accounts_example,
)

ACCOUNT = "111122223333"
REGION = "eu-west-1"
SA_ID = "112233445566778899001"
AUDIENCE = "sts.amazonaws.com/cloud-doctor"
GROUPS = ["/aws/ec2/chaos-app", "/aws/lambda/orders"]

DOCTOR_READ_ACTIONS = {
    "logs:DescribeLogStreams",
    "logs:FilterLogEvents",
    "logs:GetLogEvents",
    "logs:StartQuery",
}
# AWS supports no resource-level permissions for these two: "*" is the only valid Resource.
UNSCOPABLE_READ_ACTIONS = {"logs:GetQueryResults", "logs:StopQuery"}
ECR_PULL = {"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    assert document["Version"] == "2012-10-17"
    result: list[dict[str, Any]] = document["Statement"]
    for statement in result:
        assert statement["Effect"] == "Allow"
        assert not {"NotAction", "NotResource", "NotPrincipal"} & statement.keys()
    return result


def role_policy(module: Module, resource: str) -> tuple[str, dict[str, Any]]:
    """(template, rendered document) of an aws_iam_role_policy, with the values Terraform would
    pass mirrored in Python (the locals that build them are checked below)."""
    body = module.resource("aws_iam_role_policy", resource)
    template, names = templatefile_call(body["policy"])
    arn_prefix = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group"
    values: dict[str, object] = {
        "log_group_resources": policies.log_group_resources(
            GROUPS, partition="aws", region=REGION, account_id=ACCOUNT
        ),
        "log_groups_in_region": f"{arn_prefix}:*",
        "log_group_arn": f"{arn_prefix}:/aws/ec2/chaos-app",
        "ecr_repository_arn": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/chaos-app",
    }
    assert names <= values.keys()
    return template, policies.policy_document(template, **{n: values[n] for n in names})


# --- the doctor's role: infra/terraform/modules/doctor-access, applied once per patient account


def test_doctor_role_trusts_one_google_service_account_by_unique_id_and_audience() -> None:
    role = access_module().resource("aws_iam_role", "doctor")
    template, names = templatefile_call(role["assume_role_policy"])
    assert template == "doctor-trust.json.tftpl"
    assert names == {"google_service_account_unique_id", "token_audience"}
    assert "var.google_service_account_unique_id" in role["assume_role_policy"]
    assert "var.token_audience" in role["assume_role_policy"]

    document = policies.policy_document(
        template, google_service_account_unique_id=SA_ID, token_audience=AUDIENCE
    )
    [statement] = statements(document)
    assert statement["Principal"] == {"Federated": "accounts.google.com"}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    # StringEquals only (no wildcard matching) on all three keys: `aud` is the azp claim, the
    # service account's unique id, like `sub`; `oaud` is the requested audience.
    assert statement["Condition"] == {
        "StringEquals": {
            "accounts.google.com:aud": SA_ID,
            "accounts.google.com:sub": SA_ID,
            "accounts.google.com:oaud": AUDIENCE,
        }
    }


def test_the_unique_id_variable_rejects_an_email() -> None:
    # The module, and the two callers that take the id from the operator.
    for module in (access_module(), aws_module(), two_accounts_example()):
        variable = module.variables()["google_service_account_unique_id"]
        assert "default" not in variable, module.directory
        [validation] = variable["validation"]
        assert "^[0-9]" in validation["condition"], module.directory


def test_the_module_validates_audience_role_name_and_log_groups() -> None:
    variables = access_module().variables()
    [audience] = variables["token_audience"]["validation"]
    assert audience["condition"] == '${can(regex("^[A-Za-z0-9:/._-]+$", var.token_audience))}'
    assert variables["token_audience"]["default"] == AUDIENCE
    [role_name] = variables["role_name"]["validation"]
    assert "{1,64}" in role_name["condition"]
    assert "default" not in variables["log_groups"]

    conditions = [v["condition"] for v in variables["log_groups"]["validation"]]
    assert "${length(var.log_groups) > 0}" in conditions
    assert any("distinct(var.log_groups)" in c for c in conditions)
    # The charset of the doctor's own LOG_GROUP_PATTERN: no "*" or "?", which would be IAM
    # wildcards in the read policy's Resource and widen the grant beyond the named groups.
    [charset] = [m for c in conditions for m in re.findall(r'regex\("(.+?)", name\)', c)]
    pattern = re.compile(charset.replace("\\\\", "\\"))
    doctor = re.compile(LOG_GROUP_PATTERN)
    for name in ("/aws/ec2/chaos-app", "/aws/lambda/orders#1", "a.b-c_d", "/aws/*", "/aws/?", ""):
        assert bool(pattern.fullmatch(name)) == bool(doctor.fullmatch(name)), name
    assert not pattern.fullmatch("/aws/*")


def test_doctor_sessions_last_one_hour() -> None:
    assert access_module().resource("aws_iam_role", "doctor")["max_session_duration"] == 3600
    assert roles.MAX_SESSION_SECONDS == 3600


def test_doctor_may_only_read_the_allowed_log_groups() -> None:
    template, document = role_policy(access_module(), "doctor_read_logs")
    assert template == "doctor-read-logs.json.tftpl"
    allowed = set(
        policies.log_group_resources(GROUPS, partition="aws", region=REGION, account_id=ACCOUNT)
    )
    actions: set[str] = set()
    for statement in statements(document):
        stmt_actions = set(as_list(statement["Action"]))
        resources = as_list(statement["Resource"])
        actions |= stmt_actions
        assert not any("*" in action for action in stmt_actions)
        if resources == ["*"]:
            assert stmt_actions <= UNSCOPABLE_READ_ACTIONS
        else:
            assert set(resources) == allowed
            assert stmt_actions <= DOCTOR_READ_ACTIONS
    assert actions == DOCTOR_READ_ACTIONS | UNSCOPABLE_READ_ACTIONS


def test_allowed_group_arns_are_the_groups_and_their_streams_only() -> None:
    resources = policies.log_group_resources(
        ["/aws/ec2/chaos-app"], partition="aws", region=REGION, account_id=ACCOUNT
    )
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/ec2/chaos-app"
    assert resources == [arn, f"{arn}:*"]

    # The module builds the same list: same prefix, same two forms per group, in the account
    # and region of the provider it is applied with.
    local = access_module().locals()
    assert local["logs_arn_prefix"] == (
        "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group"
    )
    assert local["region"] == "${data.aws_region.current.name}"
    assert local["account_id"] == "${data.aws_caller_identity.current.account_id}"
    assert local["partition"] == "${data.aws_partition.current.partition}"
    flattened = local["log_group_resources"]
    assert '"${local.logs_arn_prefix}:${name}"' in flattened
    assert '"${local.logs_arn_prefix}:${name}:*"' in flattened
    assert "for name in var.log_groups" in flattened

    # The demo account's root passes its allowed groups, else its own log group.
    doctor_log_groups = aws_module().locals()["doctor_log_groups"]
    assert "var.doctor_allowed_log_groups" in doctor_log_groups
    assert "[var.log_group_name]" in doctor_log_groups


def test_listing_log_groups_is_opt_in_and_region_scoped() -> None:
    body = access_module().resource("aws_iam_role_policy", "doctor_list_log_groups")
    assert body["count"] == "${var.can_list_log_groups ? 1 : 0}"
    assert access_module().default("can_list_log_groups") is False
    assert aws_module().default("doctor_can_list_log_groups") is False
    _, document = role_policy(access_module(), "doctor_list_log_groups")
    [statement] = statements(document)
    assert statement["Action"] == "logs:DescribeLogGroups"
    assert statement["Resource"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"


def test_the_doctor_role_has_no_other_permissions() -> None:
    module = access_module()
    # The module creates the role and its two inline policies, nothing else.
    assert set(module._labelled("resource")) == {"aws_iam_role", "aws_iam_role_policy"}
    assert set(module.resources("aws_iam_role")) == {"doctor"}
    role_policies = module.resources("aws_iam_role_policy")
    assert {name: body["role"] for name, body in role_policies.items()} == {
        "doctor_read_logs": "${aws_iam_role.doctor.id}",
        "doctor_list_log_groups": "${aws_iam_role.doctor.id}",
    }
    names = {
        role_policies["doctor_read_logs"]["name"]: "read",
        role_policies["doctor_list_log_groups"]["name"]: "list",
    }
    assert names == {
        doctor_role.DOCTOR_POLICY_NAME: "read",
        doctor_role.DOCTOR_LIST_POLICY_NAME: "list",
    }

    # Nothing in the demo account's root grants the module's role more.
    root = aws_module()
    assert "doctor" not in root.resources("aws_iam_role")
    for type_ in ("aws_iam_role_policy", "aws_iam_role_policy_attachment"):
        for body in root.resources(type_).values():
            assert "doctor" not in body["role"]


def test_no_long_lived_keys_anywhere() -> None:
    forbidden = {
        "aws_iam_access_key",
        "aws_iam_user",
        "aws_iam_user_policy",
        "aws_iam_user_policy_attachment",
        "aws_iam_user_login_profile",
        "google_service_account_key",
    }
    for module in (aws_module(), gcp_module(), access_module(), two_accounts_example()):
        assert not module.resource_types() & forbidden
    for path in INFRA.rglob("*"):
        if path.is_file() and path.suffix in {".tf", ".tftpl", ".py", ".json", ".example", ".hcl"}:
            text = path.read_text(encoding="utf-8")
            assert "aws_iam_access_key" not in text, path
            assert not re.search(r"\bAKIA[0-9A-Z]{16}\b", text), path


def test_the_module_outputs_the_target() -> None:
    outputs = access_module().outputs()
    assert outputs["role_arn"]["value"] == "${aws_iam_role.doctor.arn}"
    assert outputs["log_groups"]["value"] == "${var.log_groups}"
    assert outputs["region"]["value"] == "${local.region}"
    assert outputs["target"]["value"] == {
        "role_arn": "${aws_iam_role.doctor.arn}",
        "region": "${local.region}",
        "log_groups": "${var.log_groups}",
    }
    # A child module: the caller chooses the account and region through its provider.
    assert "provider" not in access_module().blocks


# --- the callers: the demo account's root and the two-account example


def test_the_aws_root_calls_the_module_with_its_variables() -> None:
    root = aws_module()
    assert root.module_calls() == {
        "doctor_access": {
            "source": "../modules/doctor-access",
            "role_name": "${var.doctor_role_name}",
            "google_service_account_unique_id": "${var.google_service_account_unique_id}",
            "token_audience": "${var.token_audience}",
            "log_groups": "${local.doctor_log_groups}",
            "can_list_log_groups": "${var.doctor_can_list_log_groups}",
        }
    }
    assert (AWS_ROOT / "../modules/doctor-access").resolve() == ACCESS_MODULE
    # Same outputs as before the module, and an existing role moves instead of being replaced.
    outputs = root.outputs()
    assert outputs["doctor_role_arn"]["value"] == "${module.doctor_access.role_arn}"
    assert outputs["doctor_allowed_log_groups"]["value"] == (
        '${join(",", module.doctor_access.log_groups)}'
    )
    assert root.moved() == {
        f"${{{kind}.{name}}}": f"${{module.doctor_access.{kind}.{name}}}"
        for kind, name in (
            ("aws_iam_role", "doctor"),
            ("aws_iam_role_policy", "doctor_read_logs"),
            ("aws_iam_role_policy", "doctor_list_log_groups"),
        )
    }
    # The module's own defaults are the root's: one role name and audience everywhere.
    for module_name, root_name in (
        ("role_name", "doctor_role_name"),
        ("token_audience", "token_audience"),
    ):
        assert access_module().default(module_name) == root.default(root_name)


def test_the_example_applies_the_module_in_two_accounts_trusting_one_service_account() -> None:
    example = two_accounts_example()
    calls = example.module_calls()
    assert len(calls) == 2
    aliases = set()
    for name, call in calls.items():
        assert call["source"] == "../../modules/doctor-access"
        assert (TWO_ACCOUNTS_EXAMPLE / call["source"]).resolve() == ACCESS_MODULE
        assert call["google_service_account_unique_id"] == "${var.google_service_account_unique_id}"
        assert call["token_audience"] == "${var.token_audience}"
        assert call["log_groups"] == f"${{var.{name}.log_groups}}"
        [(local_name, provider)] = call["providers"].items()
        assert local_name == "aws"
        aliases.add(provider.removeprefix("${aws.").removesuffix("}"))
    assert aliases == set(calls)  # module "prod" runs with aws.prod, "staging" with aws.staging

    providers = {p["alias"]: p for p in example.providers("aws")}
    assert set(providers) == aliases
    for alias, provider in providers.items():
        assert provider["region"] == f"${{var.{alias}.region}}"
        # Terraform refuses to touch an account other than the one named.
        assert provider["allowed_account_ids"] == [f"${{var.{alias}.account_id}}"]
        [assume] = [block["assume_role"] for block in provider["dynamic"]]
        assert single(assume["content"])["role_arn"] == "${assume_role.value}"
        assert f"var.{alias}.deploy_role_arn" in assume["for_each"]

    outputs = example.outputs()
    assert "targets.toml.tftpl" in outputs["doctor_targets_toml"]["value"]
    assert "local.targets" in outputs["doctor_targets_toml"]["value"]
    targets = example.locals()["targets"]
    assert targets == [
        {"name": f"${{var.{name}.target}}", "access": f"${{module.{name}.target}}"}
        for name in calls
    ]


@pytest.mark.skipif(terraform() is None, reason="terraform is not on PATH")
def test_the_example_renders_a_targets_file_the_doctor_loads(tmp_path: Path) -> None:
    targets = [
        {
            "name": "payments-prod",
            "access": {
                "role_arn": "arn:aws:iam::111111111111:role/cloud-doctor",
                "region": "eu-west-1",
                "log_groups": ["/aws/ecs/payments-api", "/aws/ecs/payments-worker"],
            },
        },
        {
            "name": "payments-staging",
            "access": {
                "role_arn": "arn:aws:iam::222222222222:role/cloud-doctor",
                "region": "us-east-1",
                "log_groups": ["/aws/ecs/payments-api"],
            },
        },
    ]
    template = TWO_ACCOUNTS_EXAMPLE / "targets.toml.tftpl"
    [rendered] = terraform_eval(
        [f'templatefile("{template}", {{targets = {hcl_literal(targets)}}})'], tmp_path
    )
    path = tmp_path / "targets.toml"
    path.write_text(rendered, encoding="utf-8")
    loaded = read_targets(path)
    assert loaded.default == "payments-prod"
    assert loaded.names() == ["payments-prod", "payments-staging"]
    for target in targets:
        got = loaded.get(str(target["name"]))
        access = target["access"]
        assert isinstance(access, dict)
        assert (got.role_arn, got.region, got.log_groups) == (
            access["role_arn"],
            access["region"],
            access["log_groups"],
        )


needs_providers = pytest.mark.skipif(
    terraform() is None or aws_provider_mirror() is None,
    reason="terraform or the hashicorp/aws 5.x provider (offline mirror) is not available",
)


@needs_providers
@pytest.mark.parametrize(
    ("directory", "has_tests"),
    [(AWS_ROOT, True), (ACCESS_MODULE, True), (TWO_ACCOUNTS_EXAMPLE, True)],
    ids=["aws-root", "doctor-access", "two-accounts"],
)
def test_terraform_validates_and_tests_with_mocked_providers(
    directory: Path, has_tests: bool, tmp_path: Path
) -> None:
    """`terraform validate`, and the directory's `terraform test` files (a mocked aws provider:
    no credentials, no network), on a copy of infra/ so nothing is written to the repository."""
    mirror = aws_provider_mirror()
    assert mirror is not None
    workdir = terraform_copy(tmp_path) / directory.relative_to(INFRA)
    terraform_init(workdir, mirror)
    assert "The configuration is valid" in terraform_run(["validate"], workdir)
    if has_tests:
        assert list((directory / "tests").glob("*.tftest.hcl"))
        output = terraform_run(["test"], workdir)
        assert re.search(r"Success! \d+ passed, 0 failed", output), output


# --- the patient: ECR, log group, EC2 and its role


def test_ecr_scans_on_push_keeps_tags_immutable_and_has_a_lifecycle() -> None:
    module = aws_module()
    repository = module.resource("aws_ecr_repository", "chaos_app")
    assert repository["image_tag_mutability"] == "IMMUTABLE"
    assert single(repository["image_scanning_configuration"])["scan_on_push"] is True

    lifecycle = module.resource("aws_ecr_lifecycle_policy", "chaos_app")
    assert lifecycle["repository"] == "${aws_ecr_repository.chaos_app.name}"
    template, names = templatefile_call(lifecycle["policy"])
    assert template == "ecr-lifecycle.json.tftpl"
    policy = json.loads(
        policies.render_template(template, {"keep_images": 10, "untagged_expire_days": 7})
    )
    rules = {r["selection"]["tagStatus"]: r for r in policy["rules"]}
    assert rules["untagged"]["selection"]["countType"] == "sinceImagePushed"
    assert rules["any"]["selection"] == {
        "tagStatus": "any",
        "countType": "imageCountMoreThan",
        "countNumber": 10,
    }
    # ECR requires the catch-all "any" rule to have the lowest priority (highest number).
    assert rules["any"]["rulePriority"] == max(r["rulePriority"] for r in policy["rules"])
    assert names == {"keep_images", "untagged_expire_days"}


def test_log_group_has_a_retention() -> None:
    group = aws_module().resource("aws_cloudwatch_log_group", "chaos_app")
    assert group["name"] == "${var.log_group_name}"
    assert group["retention_in_days"] == "${var.log_retention_days}"
    assert aws_module().default("log_retention_days") == 14


def test_instance_role_only_writes_its_log_group_and_pulls_its_image() -> None:
    module = aws_module()
    body = module.resource("aws_iam_role_policy", "instance")
    assert "log_group_arn = aws_cloudwatch_log_group.chaos_app.arn" in body["policy"]
    assert "ecr_repository_arn = aws_ecr_repository.chaos_app.arn" in body["policy"]
    template, document = role_policy(module, "instance")
    assert template == "patient-instance.json.tftpl"
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/ec2/chaos-app"
    repository = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/chaos-app"
    grants = {frozenset(as_list(s["Action"])): as_list(s["Resource"]) for s in statements(document)}
    assert grants == {
        frozenset({"logs:CreateLogStream", "logs:PutLogEvents"}): [group, f"{group}:*"],
        # GetAuthorizationToken has no resource-level permissions.
        frozenset({"ecr:GetAuthorizationToken"}): ["*"],
        frozenset(ECR_PULL): [repository],
    }

    trust_template, _ = templatefile_call(
        module.resource("aws_iam_role", "instance")["assume_role_policy"]
    )
    [trust] = statements(policies.policy_document(trust_template))
    assert trust["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"

    # The only other grant is SSM, and only on request.
    attachments = module.resources("aws_iam_role_policy_attachment")
    assert set(attachments) == {"instance_ssm"}
    assert attachments["instance_ssm"]["count"] == "${var.enable_ssm ? 1 : 0}"
    assert module.default("enable_ssm") is False
    profile = module.resource("aws_iam_instance_profile", "instance")
    assert profile["role"] == "${aws_iam_role.instance.name}"


def test_instance_runs_al2023_with_imdsv2_and_no_ssh_key() -> None:
    module = aws_module()
    instance = module.resource("aws_instance", "patient")
    metadata = single(instance["metadata_options"])
    assert metadata["http_tokens"] == "required"
    assert metadata["http_put_response_hop_limit"] == 1
    assert instance["iam_instance_profile"] == "${aws_iam_instance_profile.instance.name}"
    assert instance["key_name"] == "${var.key_name}"
    assert module.default("key_name") is None
    assert single(instance["root_block_device"])["encrypted"] is True
    ssm = module.data("aws_ssm_parameter")["al2023"]
    assert ssm["name"].startswith("/aws/service/ami-amazon-linux-latest/al2023-ami-")
    assert "data.aws_ssm_parameter.al2023" in instance["ami"]
    group = module.resource("aws_security_group", "patient")
    assert "ingress" not in group
    assert [e["from_port"] for e in group["egress"]] == [443]


def test_user_data_runs_the_container_with_the_awslogs_driver() -> None:
    instance = aws_module().resource("aws_instance", "patient")
    template, names = templatefile_call(instance["user_data"])
    script = (AWS_ROOT / template).read_text(encoding="utf-8")
    for option in (
        "--log-driver awslogs",
        'awslogs-group="${log_group}"',
        'awslogs-region="${region}"',
        "awslogs-create-group=false",
        "awslogs-multiline-pattern=",
        "--restart always",
        "aws ecr get-login-password",
        "docker login --username AWS --password-stdin",
    ):
        assert option in script, option
    used = set(re.findall(r"(?<!\$)\$\{([a-z_]+)\}", script))
    used |= set(re.findall(r"%\{ if ([a-z_]+)", script))
    assert used == names


def test_aws_outputs() -> None:
    assert {"doctor_role_arn", "log_group_name", "ecr_repository_url", "instance_id"} <= set(
        aws_module().outputs()
    )


# --- GCP: service account, Artifact Registry, secrets, Cloud Run


def cloud_run() -> dict[str, Any]:
    return gcp_module().resource("google_cloud_run_v2_service", "doctor")


def container() -> dict[str, Any]:
    return single(single(cloud_run()["template"])["containers"])


def test_cloud_run_keeps_cpu_allocated_and_serves_on_8080_with_probes() -> None:
    service = cloud_run()
    template = single(service["template"])
    assert service["ingress"] == "INGRESS_TRAFFIC_ALL"
    assert template["service_account"] == "${google_service_account.doctor.email}"
    assert single(template["scaling"])["min_instance_count"] == "${var.min_instances}"
    resources = single(container()["resources"])
    assert resources["cpu_idle"] is False
    assert single(container()["ports"])["container_port"] == 8080
    for probe in ("startup_probe", "liveness_probe"):
        assert single(single(container()[probe])["http_get"])["path"] == "/healthz"


def test_cloud_run_env_names_are_the_doctor_settings() -> None:
    fields = {name.upper() for name in Settings.model_fields}
    local = gcp_module().locals()
    plain = env_names(local["plain_env"])
    secret = env_names(local["secrets"])
    generated = env_names(local["generated_secrets"])
    assert plain == {
        "AWS_ROLE_ARN",
        "AWS_REGION",
        "AWS_LOG_GROUP_NAME",
        "DOCTOR_TOKEN_AUDIENCE",
        "GCP_PROJECT_ID",
        "GCP_LOCATION",
        "GEMINI_MODEL",
        "DOCTOR_ENGINE",
        "DOCTOR_ALLOWED_LOG_GROUPS",
        "SLACK_CHANNEL",
        "DOCTOR_PUBLIC_URL",
        "DOCTOR_TARGETS_FILE",
    }
    assert secret == {
        "DOCTOR_API_TOKEN",
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "DOCTOR_ALERT_TOKEN",
    }
    assert generated == {"DOCTOR_DATABASE_URL"}
    assert (plain | secret | generated) <= fields
    assert not plain & secret
    assert not (plain | secret) & generated

    env_blocks = [block["env"] for block in container()["dynamic"] if "env" in block]
    assert [block["for_each"] for block in env_blocks] == [
        "${local.plain_env}",
        "${local.secrets}",
        "${local.generated_secrets}",
    ]
    secret_ref = single(single(single(env_blocks[1]["content"])["value_source"])["secret_key_ref"])
    assert secret_ref["secret"] == "${google_secret_manager_secret.doctor[env.key].secret_id}"


def test_secrets_live_in_secret_manager_and_never_in_state() -> None:
    module = gcp_module()
    secret = module.resource("google_secret_manager_secret", "doctor")
    assert secret["for_each"] == "${local.secrets}"
    # A secret version resource puts the value in the Terraform state: none for the secrets the
    # operator fills (API token, Slack), only for the two Terraform itself writes, each behind
    # its switch (tests/infra/test_terraform_gcp.py): the generated database URL and the targets.
    assert set(module.resources("google_secret_manager_secret_version")) == {
        "database_url",
        "targets",
    }
    access = module.resource("google_secret_manager_secret_iam_member", "doctor")
    assert access["role"] == "roles/secretmanager.secretAccessor"
    assert access["member"] == "${local.sa_member}"
    assert module.locals()["sa_member"] == "serviceAccount:${google_service_account.doctor.email}"


def test_service_account_may_call_vertex_ai_and_apis_are_enabled() -> None:
    module = gcp_module()
    vertex = module.resource("google_project_iam_member", "doctor_vertex")
    assert vertex["role"] == "roles/aiplatform.user"
    # roles/cloudsql.client only with enable_cloud_sql (tests/infra/test_terraform_gcp.py).
    assert set(module.resources("google_project_iam_member")) == {
        "doctor_vertex",
        "doctor_cloudsql",
    }
    services = set(re.findall(r'"([a-z]+\.googleapis\.com)"', module.locals()["services"]))
    assert {
        "run.googleapis.com",
        "artifactregistry.googleapis.com",
        "secretmanager.googleapis.com",
        "aiplatform.googleapis.com",
        "iamcredentials.googleapis.com",
    } <= services


def test_public_invoker_is_a_documented_switch() -> None:
    module = gcp_module()
    invoker = module.resource("google_cloud_run_v2_service_iam_member", "public")
    assert invoker["member"] == "allUsers"
    assert invoker["role"] == "roles/run.invoker"
    assert invoker["count"] == "${var.allow_unauthenticated ? 1 : 0}"
    assert "Slack" in module.variables()["allow_unauthenticated"]["description"]


def test_images_come_from_artifact_registry_never_gcr() -> None:
    module = gcp_module()
    repository = module.resource("google_artifact_registry_repository", "doctor")
    assert repository["format"] == "DOCKER"
    assert single(repository["docker_config"])["immutable_tags"] is True
    assert module.locals()["registry"].startswith("${var.region}-docker.pkg.dev/")
    assert container()["image"] == "${local.image}"
    paths = [*INFRA.rglob("*"), ROOT / "docker-compose.yml", *ROOT.glob("*/Dockerfile")]
    for path in paths:
        if path.is_file() and "__pycache__" not in path.parts:
            assert "gcr.io" not in path.read_text(encoding="utf-8"), path


def test_gcp_outputs_feed_the_aws_root() -> None:
    outputs = gcp_module().outputs()
    assert outputs["service_account_unique_id"]["value"] == (
        "${google_service_account.doctor.unique_id}"
    )
    assert {"service_url", "service_account_email", "token_audience", "aws_role_arn"} <= set(
        outputs
    )
    # AWS_ROLE_ARN is built from the AWS root's role name: the roots must agree on it.
    assert gcp_module().locals()["aws_role_arn"] == (
        "arn:${var.aws_partition}:iam::${var.aws_account_id}:role/${var.aws_doctor_role_name}"
    )
    call = aws_module().module_calls()["doctor_access"]
    assert call["role_name"] == "${var.doctor_role_name}"
    assert access_module().resource("aws_iam_role", "doctor")["name"] == "${var.role_name}"


def test_the_two_roots_and_the_local_bootstrap_share_defaults() -> None:
    aws, gcp = aws_module(), gcp_module()
    assert gcp.default("aws_doctor_role_name") == aws.default("doctor_role_name")
    assert gcp.default("token_audience") == aws.default("token_audience")
    assert gcp.default("aws_log_group_name") == aws.default("log_group_name")
    assert gcp.default("aws_region") == aws.default("region")
    names = (
        "region",
        "log_group_name",
        "log_retention_days",
        "doctor_role_name",
        "instance_role_name",
        "ecr_repository_name",
        "ecr_keep_images",
        "ecr_untagged_expire_days",
        "token_audience",
    )
    python = (
        boot.DEFAULT_REGION,
        boot.DEFAULT_LOG_GROUP,
        boot.DEFAULT_RETENTION_DAYS,
        boot.DEFAULT_ROLE_NAME,
        boot.DEFAULT_INSTANCE_ROLE_NAME,
        boot.DEFAULT_ECR_REPOSITORY,
        boot.DEFAULT_KEEP_IMAGES,
        boot.DEFAULT_UNTAGGED_EXPIRE_DAYS,
        identity_token.DEFAULT_TOKEN_AUDIENCE,
    )
    assert {name: aws.default(name) for name in names} == dict(zip(names, python, strict=True))
    alarm_names = (
        "alarm_name_prefix",
        "alarm_metric_namespace",
        "alarm_metric_name",
        "alarm_threshold",
        "alarm_period_seconds",
        "alarm_evaluation_periods",
        "alerts_invocation_rate_limit_per_second",
        "alerts_max_event_age_seconds",
        "alerts_max_retry_attempts",
        "log_format",
    )
    alarm_python = (
        alarms.DEFAULT_ALARM_NAME_PREFIX,
        alarms.DEFAULT_METRIC_NAMESPACE,
        alarms.DEFAULT_METRIC_NAME,
        alarms.DEFAULT_THRESHOLD,
        alarms.DEFAULT_PERIOD_SECONDS,
        alarms.DEFAULT_EVALUATION_PERIODS,
        alert_delivery.DEFAULT_INVOCATION_RATE_LIMIT,
        alert_delivery.DEFAULT_MAX_EVENT_AGE_SECONDS,
        alert_delivery.DEFAULT_MAX_RETRY_ATTEMPTS,
        alarms.DEFAULT_LOG_FORMAT,
    )
    assert {name: aws.default(name) for name in alarm_names} == dict(
        zip(alarm_names, alarm_python, strict=True)
    )
    assert aws.locals()["alarm_filter_patterns"] == alarms.FILTER_PATTERNS
    policy_names = {
        body["name"]
        for module in (aws, access_module())
        for body in module.resources("aws_iam_role_policy").values()
    }
    assert policy_names == {
        doctor_role.DOCTOR_POLICY_NAME,
        doctor_role.DOCTOR_LIST_POLICY_NAME,
        patient.INSTANCE_POLICY_NAME,
        alert_delivery.ALERT_TARGET_POLICY_NAME,
    }


# --- the shared templates


def all_templatefile_calls() -> list[tuple[str, set[str]]]:
    expressions = [
        body[attribute]
        for module in (aws_module(), access_module())
        for type_ in (
            "aws_iam_role",
            "aws_iam_role_policy",
            "aws_ecr_lifecycle_policy",
            "aws_sqs_queue_policy",
        )
        for body in module.resources(type_).values()
        for attribute in ("assume_role_policy", "policy")
        if attribute in body
    ]
    return [templatefile_call(e) for e in expressions]


def test_terraform_passes_exactly_the_variables_each_template_uses() -> None:
    calls = all_templatefile_calls()
    used = {template for template, _ in calls}
    assert used == {p.name for p in POLICIES.glob("*.json.tftpl")}
    for template, names in calls:
        assert names == policies.template_variables(template), template


def test_templates_use_only_the_subset_python_renders() -> None:
    for path in POLICIES.glob("*.json.tftpl"):
        text = path.read_text(encoding="utf-8")
        assert "%{" not in text, path
        assert "$${" not in text, path
        markers = re.findall(r"\$\{[^}]*\}", text)
        assert all(re.fullmatch(r"\$\{(jsonencode\()?[a-z_]+\)?\}", m) for m in markers), path


def test_python_renderer_refuses_what_it_does_not_implement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policies, "POLICY_DIR", tmp_path)
    (tmp_path / "a.tftpl").write_text('{"x": "${upper(name)}"}')
    (tmp_path / "b.tftpl").write_text('{"x": "$${name}"}')
    (tmp_path / "c.tftpl").write_text('{"x": [%{ for n in names }"${n}"%{ endfor }]}')
    (tmp_path / "d.tftpl").write_text('{"x": "${name}"}')
    for template in ("a.tftpl", "b.tftpl", "c.tftpl"):
        with pytest.raises(policies.TemplateError):
            policies.render_template(template, {"name": "v", "names": ["v"], "n": "v"})
    with pytest.raises(policies.TemplateError, match="no value"):
        policies.render_template("d.tftpl", {})
    with pytest.raises(policies.TemplateError, match="quote"):
        policies.render_template("d.tftpl", {"name": 'a", "Effect": "Deny'})


needs_terraform = pytest.mark.skipif(terraform() is None, reason="terraform is not on PATH")


@needs_terraform
def test_python_renders_every_template_exactly_as_terraform_does(tmp_path: Path) -> None:
    samples: dict[str, object] = {
        "google_service_account_unique_id": SA_ID,
        "token_audience": AUDIENCE,
        "log_group_resources": policies.log_group_resources(
            GROUPS, partition="aws", region=REGION, account_id=ACCOUNT
        ),
        "log_groups_in_region": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*",
        "log_group_arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/ec2/chaos-app",
        "ecr_repository_arn": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/chaos-app",
        "keep_images": 10,
        "untagged_expire_days": 7,
        "account_id": ACCOUNT,
        "api_destination_arn": f"arn:aws:events:{REGION}:{ACCOUNT}:api-destination/d/0e2b2a7c",
        "queue_arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:cloud-doctor-alerts-dlq",
        "rule_arn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/cloud-doctor-alarm-to-doctor",
    }
    templates = sorted(p.name for p in POLICIES.glob("*.json.tftpl"))
    expressions = []
    for template in templates:
        names = sorted(policies.template_variables(template))
        variables = ", ".join(f"{n} = {hcl_literal(samples[n])}" for n in names)
        expressions.append(f'templatefile("{POLICIES / template}", {{{variables}}})')
    rendered = terraform_eval(expressions, tmp_path)
    for template, by_terraform in zip(templates, rendered, strict=True):
        used = policies.template_variables(template)
        by_python = policies.render_template(template, {n: samples[n] for n in used})
        assert json.loads(by_python) == json.loads(by_terraform), template


@needs_terraform
def test_terraform_builds_the_same_log_group_resources_as_python(tmp_path: Path) -> None:
    prefix = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group"
    expression = access_module().locals()["log_group_resources"]
    expression = expression.removeprefix("${").removesuffix("}")
    expression = expression.replace("local.logs_arn_prefix", hcl_literal(prefix))
    expression = expression.replace("var.log_groups", hcl_literal(GROUPS))
    [result] = terraform_eval([f"jsonencode({expression})"], tmp_path)
    assert json.loads(result) == policies.log_group_resources(
        GROUPS, partition="aws", region=REGION, account_id=ACCOUNT
    )


@needs_terraform
def test_terraform_fmt_is_clean() -> None:
    binary = terraform()
    assert binary is not None
    completed = subprocess.run(
        [binary, "fmt", "-check", "-recursive", "-diff", str(INFRA / "terraform")],
        capture_output=True,
        text=True,
        env=terraform_env(),
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout


def test_every_root_and_module_pins_its_provider() -> None:
    for directory, provider, version in (
        (AWS_ROOT, "aws", "~> 5"),
        (GCP_ROOT, "google", "~> 6"),
        (ACCESS_MODULE, "aws", "~> 5"),
        (TWO_ACCOUNTS_EXAMPLE, "aws", "~> 5"),
    ):
        text = (directory / "versions.tf").read_text(encoding="utf-8")
        assert f'source  = "hashicorp/{provider}"' in text
        assert f'version = "{version}' in text
