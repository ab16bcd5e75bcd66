"""The demo's web identity token: what AWS_WEB_IDENTITY_TOKEN_FILE holds for the doctor.

A stand-in for the token Cloud Run's metadata server issues to the doctor's Google service
account, which the doctor's role trusts (infra/policies/doctor-trust.json.tftpl). moto does not
verify it, so it is unsigned. Standard library only, like the rest of infra/local.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

# Mirrors infra/terraform/aws/variables.tf (tests/infra checks that they agree).
DEFAULT_TOKEN_AUDIENCE = "sts.amazonaws.com/cloud-doctor"  # noqa: S105 (an audience, no secret)

# Stand-ins for the Google service account: its numeric unique id is the token's `sub` and,
# since Google puts it in `azp`, what IAM calls `accounts.google.com:aud`.
DEMO_GOOGLE_SUBJECT = "100000000000000000001"
DEMO_SERVICE_ACCOUNT_EMAIL = "cloud-doctor@demo-project.iam.gserviceaccount.com"


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
