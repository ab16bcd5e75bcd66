"""Signed, expiring links to a report page: `DOCTOR_PUBLIC_URL/reports/{id}?exp=&sig=`.

Whoever holds the link may read that one report until it expires; nothing else opens the page.
The signing key is derived from DOCTOR_API_TOKEN (HMAC with a fixed label), so no other secret
needs managing, and rotating the token revokes every link given out before.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode

from doctor.errors import NotAllowed
from doctor.settings import Settings

LINK_SECONDS = 7 * 24 * 3600  # a week: the incident's review meeting is within it
_LABEL = b"cloud-doctor report links v1"


def link_key(settings: Settings) -> bytes | None:
    token = settings.doctor_api_token
    if token is None:
        return None
    return hmac.new(token.get_secret_value().encode(), _LABEL, hashlib.sha256).digest()


def signature(key: bytes, diagnosis_id: str, expires: int) -> str:
    return hmac.new(key, f"{diagnosis_id}.{expires}".encode(), hashlib.sha256).hexdigest()


def report_url(settings: Settings, diagnosis_id: str, now: float | None = None) -> str | None:
    """The page's signed link, or None when links cannot be made (no public URL or token)."""
    key = link_key(settings)
    base = settings.doctor_public_url
    if key is None or not base:
        return None
    expires = int(now if now is not None else time.time()) + LINK_SECONDS
    query = urlencode({"exp": expires, "sig": signature(key, diagnosis_id, expires)})
    return f"{base.rstrip('/')}/reports/{diagnosis_id}?{query}"


def verify(settings: Settings, diagnosis_id: str, expires: int, sig: str) -> None:
    """NotAllowed (403) unless `sig` signs this id and `expires` is still ahead."""
    key = link_key(settings)
    valid = key is not None and hmac.compare_digest(
        sig.encode(), signature(key, diagnosis_id, expires).encode()
    )
    if not valid or expires < time.time():
        raise NotAllowed(
            "This report link is invalid or has expired.",
            hint="Open the report from a recent Slack message, or fetch the diagnosis with "
            "GET /diagnoses/{id} and the API token.",
        )
