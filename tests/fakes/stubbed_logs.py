"""A real boto3 CloudWatch Logs client whose answers a test scripts with botocore's Stubber."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.stub import Stubber


def stubbed_logs() -> tuple[Any, Stubber]:
    """(client, stubber): no retries, so a scripted error reaches the caller at once."""
    client = boto3.client(
        "logs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )  # fmt: skip
    return client, Stubber(client)
