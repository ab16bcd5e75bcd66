"""Create in an AWS emulator (moto) what infra/terraform/aws creates and the demo needs.

The log group (with retention), the doctor's role (web-identity trust on accounts.google.com,
read-only logs policy), the chaos-app ECR repository (scan on push, immutable tags, lifecycle)
and the EC2 instance role and profile. Every policy document is rendered from infra/policies,
the very files Terraform reads with templatefile(), so the emulated account cannot drift from a
deployed one. Optionally writes a demo identity token file for AWS_WEB_IDENTITY_TOKEN_FILE.

Run the same way by `cloud-doctor demo` and by docker-compose's `bootstrap` service, from the
directory that holds infra/:

    python -m infra.local.bootstrap --endpoint-url http://127.0.0.1:5000 --token-file /tmp/token

This module holds the command line and the order of the steps; the pieces are beside it:
policies.py (templates), emulator.py (clients, the real-AWS guard), roles.py, doctor_role.py,
patient.py (log group, ECR, instance role), identity_token.py, and alarms.py with
alert_delivery.py (the alarm path). None of them imports this module, which runs as `__main__`.

Self-contained on purpose (boto3 and the standard library only): the doctor's image runs it
without the doctor's code. It refuses real AWS endpoints: it is a local tool and signs with
throwaway emulator keys.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TypedDict

from botocore.exceptions import BotoCoreError, ClientError

from infra.local import alarms
from infra.local.doctor_role import create_doctor_role
from infra.local.emulator import Emulator, require_emulator
from infra.local.identity_token import (
    DEFAULT_TOKEN_AUDIENCE,
    DEMO_GOOGLE_SUBJECT,
    demo_identity_token,
    write_token_file,
)
from infra.local.patient import create_instance_role, ensure_log_group, ensure_repository
from infra.local.policies import log_group_arn

# Defaults mirror infra/terraform/aws/variables.tf (tests/infra checks that they agree).
DEFAULT_REGION = "us-east-1"
DEFAULT_LOG_GROUP = "/aws/ec2/chaos-app"
DEFAULT_RETENTION_DAYS = 14
DEFAULT_ROLE_NAME = "cloud-doctor"
DEFAULT_INSTANCE_ROLE_NAME = "chaos-app-instance"
DEFAULT_ECR_REPOSITORY = "chaos-app"
DEFAULT_KEEP_IMAGES = 10
DEFAULT_UNTAGGED_EXPIRE_DAYS = 7


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
    emulator = Emulator(endpoint_url, region)
    client = emulator.client

    iam, logs, ecr = client("iam"), client("logs"), client("ecr")
    account_id: str = client("sts").get_caller_identity()["Account"]
    partition = emulator.partition()
    groups = list(allowed_groups) if allowed_groups else [log_group]
    group_arn = log_group_arn(
        partition=partition, region=region, account_id=account_id, name=log_group
    )

    ensure_log_group(logs, log_group, retention_days)
    role_arn = create_doctor_role(
        iam,
        role_name,
        google_subject=google_subject,
        token_audience=token_audience,
        allowed_groups=groups,
        list_log_groups=list_log_groups,
        partition=partition,
        region=region,
        account_id=account_id,
    )
    repository = ensure_repository(
        ecr, ecr_repository, keep_images=keep_images, untagged_expire_days=untagged_expire_days
    )
    instance_role_arn, profile_arn = create_instance_role(
        iam,
        instance_role_name,
        log_group_arn=group_arn,
        repository_arn=repository["repositoryArn"],
    )

    created_alarms = None
    if doctor_url is not None and alert_token is not None:
        created_alarms = alarms.create_alarm_path(
            client,
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
