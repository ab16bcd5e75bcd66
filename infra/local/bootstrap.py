"""Create in an AWS emulator (moto) what infra/terraform/aws creates and the demo needs.

The log group (with retention), the doctor's role (web-identity trust on accounts.google.com,
read-only logs policy), the chaos-app ECR repository (scan on push, immutable tags, lifecycle)
and the EC2 instance role and profile. Every policy document is rendered from infra/policies,
the very files Terraform reads with templatefile(), so the emulated account cannot drift from a
deployed one. Optionally writes a demo identity token file for AWS_WEB_IDENTITY_TOKEN_FILE.

Run the same way by `cloud-doctor demo` and by docker-compose's `bootstrap` service, from the
directory that holds infra/:

    python -m infra.local.bootstrap --endpoint-url http://127.0.0.1:5000 --token-file /tmp/token

Self-contained on purpose (boto3 and the standard library only): the doctor's image runs it
without the doctor's code. It refuses real AWS endpoints: it is a local tool and signs with
throwaway emulator keys.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from infra.local import alarms

POLICY_DIR = Path(__file__).resolve().parents[1] / "policies"

# Defaults mirror infra/terraform/aws/variables.tf (tests/infra checks that they agree).
DEFAULT_REGION = "us-east-1"
DEFAULT_LOG_GROUP = "/aws/ec2/chaos-app"
DEFAULT_RETENTION_DAYS = 14
DEFAULT_ROLE_NAME = "cloud-doctor"
DEFAULT_INSTANCE_ROLE_NAME = "chaos-app-instance"
DEFAULT_ECR_REPOSITORY = "chaos-app"
DEFAULT_KEEP_IMAGES = 10
DEFAULT_UNTAGGED_EXPIRE_DAYS = 7
DEFAULT_TOKEN_AUDIENCE = "sts.amazonaws.com/cloud-doctor"  # noqa: S105 (an audience, no secret)
MAX_SESSION_SECONDS = 3600

# Inline policy names, the same as the aws_iam_role_policy resources in Terraform.
DOCTOR_POLICY_NAME = "read-logs"
DOCTOR_LIST_POLICY_NAME = "list-log-groups"
INSTANCE_POLICY_NAME = "write-logs-pull-image"

# Stand-ins for the Google service account: its numeric unique id is the token's `sub` and,
# since Google puts it in `azp`, what IAM calls `accounts.google.com:aud`.
DEMO_GOOGLE_SUBJECT = "100000000000000000001"
DEMO_SERVICE_ACCOUNT_EMAIL = "cloud-doctor@demo-project.iam.gserviceaccount.com"

# moto accepts any key. These are not secrets and cannot reach AWS: real endpoints are refused.
_EMULATOR_KEY_ID = "testing"
_EMULATOR_SECRET = "testing"  # noqa: S105
_CLIENT_CONFIG = Config(
    connect_timeout=5, read_timeout=30, retries={"mode": "standard", "max_attempts": 5}
)
_AWS_HOST_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")


class BootstrapResult(TypedDict):
    endpoint_url: str
    region: str
    account_id: str
    log_group_name: str
    log_group_arn: str
    retention_days: int
    allowed_log_groups: list[str]
    role_name: str
    role_arn: str
    token_audience: str
    google_subject: str
    token_file: str | None
    instance_role_arn: str
    instance_profile_arn: str
    ecr_repository_url: str
    alarms: alarms.AlarmResult | None


# --- the policy templates, rendered as Terraform's templatefile() would render them

_TEMPLATE_MARK = re.compile(r"[$%]\{")
_PLACEHOLDER = re.compile(
    r"\$\{(?:jsonencode\((?P<json>[A-Za-z_][A-Za-z0-9_]*)\)|(?P<raw>[A-Za-z_][A-Za-z0-9_]*))\}"
)
# A raw `${name}` sits inside a JSON string: these characters would change the document.
_UNSAFE_RAW = re.compile(r'["\\\x00-\x1f]')


class TemplateError(ValueError):
    """A template uses syntax outside the shared subset, or a variable is missing or unsafe."""


def template_variables(name: str) -> set[str]:
    """The variables a template references (tests compare them with Terraform's call)."""
    text = (POLICY_DIR / name).read_text(encoding="utf-8")
    return {m["json"] or m["raw"] for m in _PLACEHOLDER.finditer(text)}


def render_template(name: str, variables: Mapping[str, object]) -> str:
    """Render infra/policies/`name` with the subset of Terraform's template syntax it may use:
    `${name}` (a string or number, inserted as is) and `${jsonencode(name)}`. Anything else
    (directives, other functions, `$${` escapes) is an error rather than a silent difference."""
    text = (POLICY_DIR / name).read_text(encoding="utf-8")
    parts: list[str] = []
    position = 0
    for mark in _TEMPLATE_MARK.finditer(text):
        if mark.start() < position:
            continue
        match = _PLACEHOLDER.match(text, mark.start())
        escaped = mark.start() > 0 and text[mark.start() - 1] == "$"
        if match is None or escaped:
            snippet = text[mark.start() : mark.start() + 40].splitlines()[0]
            raise TemplateError(f"{name}: unsupported template syntax: {snippet!r}")
        key = match["json"] or match["raw"]
        if key not in variables:
            raise TemplateError(f"{name}: no value for template variable {key!r}")
        value = variables[key]
        parts.append(text[position : match.start()])
        parts.append(json.dumps(value) if match["json"] else _raw_value(name, key, value))
        position = match.end()
    parts.append(text[position:])
    return "".join(parts)


def _raw_value(template: str, key: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TemplateError(f"{template}: {key!r} must be a string or an integer")
    text = str(value)
    if _UNSAFE_RAW.search(text):
        raise TemplateError(f"{template}: {key!r} contains a quote, backslash or control char")
    return text


def policy_document(name: str, **variables: object) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render_template(name, variables))
    return document


def log_group_arn(*, partition: str, region: str, account_id: str, name: str) -> str:
    return f"arn:{partition}:logs:{region}:{account_id}:log-group:{name}"


def log_group_resources(
    names: Sequence[str], *, partition: str, region: str, account_id: str
) -> list[str]:
    """Each group as `<arn>` and `<arn>:*`, like local.log_group_resources of the Terraform
    module infra/terraform/modules/doctor-access: CloudWatch Logs authorizes some actions
    against the bare group ARN and others against the `:*` form, which also covers the group's
    streams (GetLogEvents) and nothing else."""
    resources: list[str] = []
    for name in names:
        arn = log_group_arn(partition=partition, region=region, account_id=account_id, name=name)
        resources += [arn, f"{arn}:*"]
    return resources


# --- the demo identity token


def demo_identity_token(
    *,
    subject: str = DEMO_GOOGLE_SUBJECT,
    audience: str = DEFAULT_TOKEN_AUDIENCE,
    email: str = DEMO_SERVICE_ACCOUNT_EMAIL,
    lifetime_seconds: int = 3600,
    now: int | None = None,
) -> str:
    """An unsigned token shaped like the one Cloud Run's metadata server issues.

    moto does not verify web identity tokens; real STS would reject this one (no signature).
    The claims show what the trust policy matches: `sub` and `azp` are the service account's
    unique id, and the audience asked for becomes `aud` (IAM's `oaud`)."""
    issued = int(time.time()) if now is None else now
    header = {"alg": "none", "typ": "JWT"}
    claims = {
        "iss": "https://accounts.google.com",
        "aud": audience,
        "azp": subject,
        "sub": subject,
        "email": email,
        "email_verified": True,
        "iat": issued,
        "exp": issued + lifetime_seconds,
    }
    return f"{_b64url(header)}.{_b64url(claims)}."


def _b64url(value: Mapping[str, object]) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def write_token_file(path: Path, token: str) -> None:
    """Atomically, owner-only: the doctor re-reads the file on every credential refresh."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".token-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- the resources


def require_emulator(endpoint_url: str) -> None:
    parts = urlsplit(endpoint_url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or not host:
        raise ValueError(f"not an endpoint URL: {endpoint_url!r}")
    if host == "amazonaws.com" or host.endswith(_AWS_HOST_SUFFIXES):
        raise ValueError(
            f"{endpoint_url!r} is real AWS: this bootstrap is for an emulator; "
            "use infra/terraform/aws for an account"
        )


def bootstrap(
    endpoint_url: str,
    *,
    region: str = DEFAULT_REGION,
    log_group: str = DEFAULT_LOG_GROUP,
    role_name: str = DEFAULT_ROLE_NAME,
    allowed_groups: Sequence[str] | None = None,
    retention_days: int = DEFAULT_RETENTION_DAYS,
    token_audience: str = DEFAULT_TOKEN_AUDIENCE,
    google_subject: str = DEMO_GOOGLE_SUBJECT,
    token_file: Path | None = None,
    list_log_groups: bool = False,
    instance_role_name: str = DEFAULT_INSTANCE_ROLE_NAME,
    ecr_repository: str = DEFAULT_ECR_REPOSITORY,
    keep_images: int = DEFAULT_KEEP_IMAGES,
    untagged_expire_days: int = DEFAULT_UNTAGGED_EXPIRE_DAYS,
    doctor_url: str | None = None,
    alert_token: str | None = None,
    alarm_name_prefix: str = alarms.DEFAULT_ALARM_NAME_PREFIX,
    log_format: str = alarms.DEFAULT_LOG_FORMAT,
) -> BootstrapResult:
    """Create (or bring up to date: it is idempotent) the resources in the emulator at
    `endpoint_url`. `allowed_groups` defaults to `[log_group]`, as DOCTOR_ALLOWED_LOG_GROUPS
    does in the doctor's settings. Writes a demo identity token to `token_file` when given.
    With `doctor_url` and `alert_token`, also the alarm path (Terraform's enable_alarms)."""
    require_emulator(endpoint_url)
    if (doctor_url is None) != (alert_token is None):
        raise ValueError("the alarm path needs both the doctor's URL and its alert token")
    session = boto3.Session(
        aws_access_key_id=_EMULATOR_KEY_ID,
        aws_secret_access_key=_EMULATOR_SECRET,
        region_name=region,
    )

    def client(service: str) -> Any:
        # Any: boto3-stubs covers logs and sts only in this workspace, not iam or ecr.
        make: Any = session.client
        return make(service, endpoint_url=endpoint_url, config=_CLIENT_CONFIG)

    iam, logs, ecr = client("iam"), client("logs"), client("ecr")
    account_id: str = client("sts").get_caller_identity()["Account"]
    partition = session.get_partition_for_region(region)
    groups = list(allowed_groups) if allowed_groups else [log_group]
    group_arn = log_group_arn(
        partition=partition, region=region, account_id=account_id, name=log_group
    )

    _ensure_log_group(logs, log_group, retention_days)

    trust = policy_document(
        "doctor-trust.json.tftpl",
        google_service_account_unique_id=google_subject,
        token_audience=token_audience,
    )
    read_logs = policy_document(
        "doctor-read-logs.json.tftpl",
        log_group_resources=log_group_resources(
            groups, partition=partition, region=region, account_id=account_id
        ),
    )
    role_arn = _ensure_role(iam, role_name, trust, "Cloud Doctor: read-only access to logs")
    _put_policy(iam, role_name, DOCTOR_POLICY_NAME, read_logs)
    if list_log_groups:
        listing = policy_document(
            "doctor-list-log-groups.json.tftpl",
            log_groups_in_region=f"arn:{partition}:logs:{region}:{account_id}:log-group:*",
        )
        _put_policy(iam, role_name, DOCTOR_LIST_POLICY_NAME, listing)
    else:
        _delete_policy(iam, role_name, DOCTOR_LIST_POLICY_NAME)

    repository = _ensure_repository(ecr, ecr_repository)
    lifecycle = render_template(
        "ecr-lifecycle.json.tftpl",
        {"keep_images": keep_images, "untagged_expire_days": untagged_expire_days},
    )
    ecr.put_lifecycle_policy(repositoryName=ecr_repository, lifecyclePolicyText=lifecycle)

    instance_role_arn = _ensure_role(
        iam,
        instance_role_name,
        policy_document("patient-instance-trust.json.tftpl"),
        "chaos-app on EC2: write its log group, pull its image",
    )
    _put_policy(
        iam,
        instance_role_name,
        INSTANCE_POLICY_NAME,
        policy_document(
            "patient-instance.json.tftpl",
            log_group_arn=group_arn,
            ecr_repository_arn=repository["repositoryArn"],
        ),
    )
    profile_arn = _ensure_instance_profile(iam, instance_role_name)

    created_alarms = None
    if doctor_url is not None and alert_token is not None:
        created_alarms = alarms.create_alarm_path(
            client,
            render=policy_document,
            ensure_role=_ensure_role,
            account_id=account_id,
            log_group=log_group,
            doctor_url=doctor_url,
            alert_token=alert_token,
            prefix=alarm_name_prefix,
            log_format=log_format,
        )

    if token_file is not None:
        token = demo_identity_token(subject=google_subject, audience=token_audience)
        write_token_file(token_file, token)

    return BootstrapResult(
        endpoint_url=endpoint_url,
        region=region,
        account_id=account_id,
        log_group_name=log_group,
        log_group_arn=group_arn,
        retention_days=retention_days,
        allowed_log_groups=groups,
        role_name=role_name,
        role_arn=role_arn,
        token_audience=token_audience,
        google_subject=google_subject,
        token_file=str(token_file) if token_file is not None else None,
        instance_role_arn=instance_role_arn,
        instance_profile_arn=profile_arn,
        ecr_repository_url=repository["repositoryUri"],
        alarms=created_alarms,
    )


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _ensure_log_group(logs: Any, name: str, retention_days: int) -> None:
    try:
        logs.create_log_group(logGroupName=name)
    except ClientError as error:
        if _error_code(error) != "ResourceAlreadyExistsException":
            raise
    logs.put_retention_policy(logGroupName=name, retentionInDays=retention_days)


def _ensure_role(iam: Any, name: str, trust: Mapping[str, Any], description: str) -> str:
    document = json.dumps(trust)
    try:
        iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=document,
            MaxSessionDuration=MAX_SESSION_SECONDS,
            Description=description,
        )
    except ClientError as error:
        if _error_code(error) != "EntityAlreadyExists":
            raise
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=document)
        iam.update_role(RoleName=name, MaxSessionDuration=MAX_SESSION_SECONDS)
    arn: str = iam.get_role(RoleName=name)["Role"]["Arn"]
    return arn


def _put_policy(iam: Any, role: str, name: str, document: Mapping[str, Any]) -> None:
    iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))


def _delete_policy(iam: Any, role: str, name: str) -> None:
    try:
        iam.delete_role_policy(RoleName=role, PolicyName=name)
    except ClientError as error:
        if _error_code(error) != "NoSuchEntity":
            raise


def _ensure_repository(ecr: Any, name: str) -> dict[str, Any]:
    try:
        created: dict[str, Any] = ecr.create_repository(
            repositoryName=name,
            imageTagMutability="IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": True},
            encryptionConfiguration={"encryptionType": "AES256"},
        )["repository"]
    except ClientError as error:
        if _error_code(error) != "RepositoryAlreadyExistsException":
            raise
    else:
        return created
    ecr.put_image_tag_mutability(repositoryName=name, imageTagMutability="IMMUTABLE")
    ecr.put_image_scanning_configuration(
        repositoryName=name, imageScanningConfiguration={"scanOnPush": True}
    )
    existing: dict[str, Any] = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
    return existing


def _ensure_instance_profile(iam: Any, role: str) -> str:
    try:
        iam.create_instance_profile(InstanceProfileName=role)
    except ClientError as error:
        if _error_code(error) != "EntityAlreadyExists":
            raise
    profile = iam.get_instance_profile(InstanceProfileName=role)["InstanceProfile"]
    if role not in {r["RoleName"] for r in profile["Roles"]}:
        iam.add_role_to_instance_profile(InstanceProfileName=role, RoleName=role)
    arn: str = profile["Arn"]
    return arn


# --- command line


def _parser() -> argparse.ArgumentParser:
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.bootstrap",
        description="Create the Terraform-managed AWS resources of Cloud Doctor in an emulator "
        "(moto). Flags default to the doctor's own environment variables.",
    )
    parser.add_argument(
        "--endpoint-url",
        default=env("AWS_ENDPOINT_URL"),
        help="The emulator (default: $AWS_ENDPOINT_URL).",
    )
    parser.add_argument("--region", default=env("AWS_REGION") or DEFAULT_REGION)
    parser.add_argument("--log-group", default=env("AWS_LOG_GROUP_NAME") or DEFAULT_LOG_GROUP)
    parser.add_argument("--retention-days", type=int, default=DEFAULT_RETENTION_DAYS)
    parser.add_argument(
        "--allowed-log-groups",
        default=env("DOCTOR_ALLOWED_LOG_GROUPS", ""),
        help="Comma list the doctor may read (default: $DOCTOR_ALLOWED_LOG_GROUPS, else the "
        "log group).",
    )
    parser.add_argument(
        "--role-arn",
        default=env("AWS_ROLE_ARN"),
        help="The ARN the doctor will assume (default: $AWS_ROLE_ARN). The role is named after "
        "it, and the run fails if the emulator gives it another ARN.",
    )
    parser.add_argument("--role-name", help=f"Without --role-arn (default: {DEFAULT_ROLE_NAME}).")
    parser.add_argument(
        "--audience", default=env("DOCTOR_TOKEN_AUDIENCE") or DEFAULT_TOKEN_AUDIENCE
    )
    parser.add_argument(
        "--token-file",
        type=Path,
        default=env("AWS_WEB_IDENTITY_TOKEN_FILE"),
        help="Write a demo identity token here (default: $AWS_WEB_IDENTITY_TOKEN_FILE).",
    )
    parser.add_argument(
        "--list-log-groups",
        action="store_true",
        help="Also allow logs:DescribeLogGroups (region-wide; off in Terraform by default).",
    )
    alarms.add_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.endpoint_url:
        parser.error("--endpoint-url (or AWS_ENDPOINT_URL) is required")
    role_name: str = args.role_name or DEFAULT_ROLE_NAME
    if args.role_arn:
        from_arn = args.role_arn.rsplit("/", 1)[-1]
        if args.role_name and args.role_name != from_arn:
            parser.error(f"--role-name {args.role_name!r} disagrees with --role-arn")
        role_name = from_arn
    groups = [g.strip() for g in args.allowed_log_groups.split(",") if g.strip()]
    alert_token = alarms.alert_token_from(parser, args)
    try:
        result = bootstrap(
            args.endpoint_url,
            region=args.region,
            log_group=args.log_group,
            role_name=role_name,
            allowed_groups=groups or None,
            retention_days=args.retention_days,
            token_audience=args.audience,
            token_file=args.token_file,
            list_log_groups=args.list_log_groups,
            doctor_url=args.doctor_url or None,
            alert_token=alert_token,
            alarm_name_prefix=args.alarm_name_prefix,
            log_format=args.log_format,
        )
    except (ValueError, ClientError, BotoCoreError, OSError) as error:  # TemplateError: ValueError
        print(f"bootstrap failed: {error}", file=sys.stderr)
        return 1
    if args.role_arn and result["role_arn"] != args.role_arn:
        print(
            f"bootstrap created {result['role_arn']} but the doctor is configured with "
            f"{args.role_arn}: the emulator's account id differs (moto's default is "
            "123456789012, MOTO_ACCOUNT_ID changes it)",
            file=sys.stderr,
        )
        return 1
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
