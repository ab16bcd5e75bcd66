"""Report links: signed for one diagnosis, expiring, and refused when touched."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest

from doctor.errors import NotAllowed
from doctor.reports.links import LINK_SECONDS, report_url, verify
from doctor.settings import Settings
from tests.doctor_gcp.conftest import API_TOKEN

ID = "ab" * 16
SETTINGS = Settings(doctor_api_token=API_TOKEN, doctor_public_url="https://doctor.example.com/")


def _parts(url: str) -> tuple[str, int, str]:
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    return parsed.path, int(query["exp"][0]), query["sig"][0]


def test_a_link_names_the_report_expires_in_a_week_and_verifies() -> None:
    url = report_url(SETTINGS, ID, now=1_000_000)
    assert url is not None
    assert url.startswith(f"https://doctor.example.com/reports/{ID}?")
    path, expires, sig = _parts(url)
    assert (path, expires, len(sig)) == (f"/reports/{ID}", 1_000_000 + LINK_SECONDS, 64)
    fresh = report_url(SETTINGS, ID)
    assert fresh is not None
    verify(SETTINGS, ID, *_parts(fresh)[1:])  # no exception


@pytest.mark.parametrize("change", ["other id", "later expiry", "other signature", "rotated"])
def test_anything_changed_is_refused(change: str) -> None:
    url = report_url(SETTINGS, ID)
    assert url is not None
    _, expires, sig = _parts(url)
    settings, diagnosis = SETTINGS, ID
    if change == "other id":
        diagnosis = "cd" * 16
    elif change == "later expiry":
        expires += 3600
    elif change == "other signature":
        sig = "0" * 64
    else:  # a new API token revokes the links given out before
        settings = Settings(doctor_api_token=API_TOKEN[::-1], doctor_public_url="https://d.ex")
    with pytest.raises(NotAllowed, match="invalid or has expired"):
        verify(settings, diagnosis, expires, sig)


def test_an_expired_link_is_refused() -> None:
    url = report_url(SETTINGS, ID, now=time.time() - LINK_SECONDS - 1)
    assert url is not None
    with pytest.raises(NotAllowed):
        verify(SETTINGS, ID, *_parts(url)[1:])


def test_no_link_without_a_public_url_or_a_token() -> None:
    assert report_url(Settings(doctor_api_token=API_TOKEN), ID) is None
    assert report_url(Settings(doctor_public_url="https://d.example.com"), ID) is None
