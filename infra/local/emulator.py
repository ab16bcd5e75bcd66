"""boto3 clients for the AWS emulator (moto), and the guard that keeps them off real AWS.

The bootstrap is a local tool: it signs with throwaway emulator keys and refuses endpoints of
real AWS, which infra/terraform/aws is for.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

# moto accepts any key. These are not secrets and cannot reach AWS: real endpoints are refused.
_EMULATOR_KEY_ID = "testing"
_EMULATOR_SECRET = "testing"  # noqa: S105
_CLIENT_CONFIG = Config(
    connect_timeout=5, read_timeout=30, retries={"mode": "standard", "max_attempts": 5}
)
_AWS_HOST_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")


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


class Emulator:
    """A session on the emulator at `endpoint_url`; refuses real AWS like require_emulator."""

    def __init__(self, endpoint_url: str, region: str) -> None:
        require_emulator(endpoint_url)
        self.endpoint_url = endpoint_url
        self.region = region
        self._session = boto3.Session(
            aws_access_key_id=_EMULATOR_KEY_ID,
            aws_secret_access_key=_EMULATOR_SECRET,
            region_name=region,
        )

    def client(self, service: str) -> Any:
        # Any: boto3-stubs covers logs and sts only in this workspace, not iam or ecr.
        make: Any = self._session.client
        return make(service, endpoint_url=self.endpoint_url, config=_CLIENT_CONFIG)

    def partition(self) -> str:
        partition: str = self._session.get_partition_for_region(self.region)
        return partition


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
