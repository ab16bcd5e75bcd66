"""IAM roles and their inline policies, created or brought up to date (idempotent).

Shared by the doctor's role, the patient's instance role and the alarm path's EventBridge role.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from infra.local.emulator import error_code

# max_session_duration of the roles in infra/terraform (tests/infra checks the doctor's).
MAX_SESSION_SECONDS = 3600


def ensure_role(iam: Any, name: str, trust: Mapping[str, Any], description: str) -> str:
    """The role `name` with this trust policy; its ARN."""
    document = json.dumps(trust)
    try:
        iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=document,
            MaxSessionDuration=MAX_SESSION_SECONDS,
            Description=description,
        )
    except ClientError as error:
        if error_code(error) != "EntityAlreadyExists":
            raise
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=document)
        iam.update_role(RoleName=name, MaxSessionDuration=MAX_SESSION_SECONDS)
    arn: str = iam.get_role(RoleName=name)["Role"]["Arn"]
    return arn


def put_policy(iam: Any, role: str, name: str, document: Mapping[str, Any]) -> None:
    iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))


def delete_policy(iam: Any, role: str, name: str) -> None:
    try:
        iam.delete_role_policy(RoleName=role, PolicyName=name)
    except ClientError as error:
        if error_code(error) != "NoSuchEntity":
            raise
