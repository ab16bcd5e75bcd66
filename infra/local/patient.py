"""The patient's side of infra/terraform/aws: its log group (logs.tf), the chaos-app ECR
repository (ecr.tf) and the EC2 instance role and profile (iam_patient.tf).

Each is created or brought up to date (idempotent), with the same settings as Terraform.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from infra.local.emulator import error_code
from infra.local.policies import policy_document, render_template
from infra.local.roles import ensure_role, put_policy

# The instance role's inline policy, named as its aws_iam_role_policy in Terraform.
INSTANCE_POLICY_NAME = "write-logs-pull-image"


def ensure_log_group(logs: Any, name: str, retention_days: int) -> None:
    try:
        logs.create_log_group(logGroupName=name)
    except ClientError as error:
        if error_code(error) != "ResourceAlreadyExistsException":
            raise
    logs.put_retention_policy(logGroupName=name, retentionInDays=retention_days)


def ensure_repository(
    ecr: Any, name: str, *, keep_images: int, untagged_expire_days: int
) -> dict[str, Any]:
    """The repository (scan on push, immutable tags) with its lifecycle policy; its record."""
    repository = _ensure_repository(ecr, name)
    lifecycle = render_template(
        "ecr-lifecycle.json.tftpl",
        {"keep_images": keep_images, "untagged_expire_days": untagged_expire_days},
    )
    ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=lifecycle)
    return repository


def _ensure_repository(ecr: Any, name: str) -> dict[str, Any]:
    try:
        created: dict[str, Any] = ecr.create_repository(
            repositoryName=name,
            imageTagMutability="IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": True},
            encryptionConfiguration={"encryptionType": "AES256"},
        )["repository"]
    except ClientError as error:
        if error_code(error) != "RepositoryAlreadyExistsException":
            raise
    else:
        return created
    ecr.put_image_tag_mutability(repositoryName=name, imageTagMutability="IMMUTABLE")
    ecr.put_image_scanning_configuration(
        repositoryName=name, imageScanningConfiguration={"scanOnPush": True}
    )
    existing: dict[str, Any] = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
    return existing


def create_instance_role(
    iam: Any, name: str, *, log_group_arn: str, repository_arn: str
) -> tuple[str, str]:
    """The role EC2 assumes for chaos-app (write its log group, pull its image) and the
    instance profile of the same name; their ARNs."""
    role_arn = ensure_role(
        iam,
        name,
        policy_document("patient-instance-trust.json.tftpl"),
        "chaos-app on EC2: write its log group, pull its image",
    )
    put_policy(
        iam,
        name,
        INSTANCE_POLICY_NAME,
        policy_document(
            "patient-instance.json.tftpl",
            log_group_arn=log_group_arn,
            ecr_repository_arn=repository_arn,
        ),
    )
    return role_arn, _ensure_instance_profile(iam, name)


def _ensure_instance_profile(iam: Any, role: str) -> str:
    try:
        iam.create_instance_profile(InstanceProfileName=role)
    except ClientError as error:
        if error_code(error) != "EntityAlreadyExists":
            raise
    profile = iam.get_instance_profile(InstanceProfileName=role)["InstanceProfile"]
    if role not in {r["RoleName"] for r in profile["Roles"]}:
        iam.add_role_to_instance_profile(InstanceProfileName=role, RoleName=role)
    arn: str = profile["Arn"]
    return arn
