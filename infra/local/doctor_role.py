"""The doctor's role, as infra/terraform/modules/doctor-access creates it.

Web-identity trust on accounts.google.com for the doctor's Google service account and a
read-only policy on the allowed log groups; optionally the region-wide logs:DescribeLogGroups
policy (off in Terraform by default), which is deleted again when not asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from infra.local.policies import log_group_resources, policy_document
from infra.local.roles import delete_policy, ensure_role, put_policy

# Inline policy names, the same as the aws_iam_role_policy resources in Terraform.
DOCTOR_POLICY_NAME = "read-logs"
DOCTOR_LIST_POLICY_NAME = "list-log-groups"


def create_doctor_role(
    iam: Any,
    role_name: str,
    *,
    google_subject: str,
    token_audience: str,
    allowed_groups: Sequence[str],
    list_log_groups: bool,
    partition: str,
    region: str,
    account_id: str,
) -> str:
    """Create or update the role and its inline policies; the role's ARN."""
    trust = policy_document(
        "doctor-trust.json.tftpl",
        google_service_account_unique_id=google_subject,
        token_audience=token_audience,
    )
    read_logs = policy_document(
        "doctor-read-logs.json.tftpl",
        log_group_resources=log_group_resources(
            allowed_groups, partition=partition, region=region, account_id=account_id
        ),
    )
    role_arn = ensure_role(iam, role_name, trust, "Cloud Doctor: read-only access to logs")
    put_policy(iam, role_name, DOCTOR_POLICY_NAME, read_logs)
    if list_log_groups:
        listing = policy_document(
            "doctor-list-log-groups.json.tftpl",
            log_groups_in_region=f"arn:{partition}:logs:{region}:{account_id}:log-group:*",
        )
        put_policy(iam, role_name, DOCTOR_LIST_POLICY_NAME, listing)
    else:
        delete_policy(iam, role_name, DOCTOR_LIST_POLICY_NAME)
    return role_arn
