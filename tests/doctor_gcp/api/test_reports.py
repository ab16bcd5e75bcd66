"""GET /reports/{id}: the page behind a signed link; nothing without one."""

from __future__ import annotations

from urllib.parse import urlparse

from fastapi.testclient import TestClient

from doctor.api import create_app
from doctor.models import AnalysisResponse
from doctor.reports.links import report_url
from doctor.settings import Settings
from tests.doctor_gcp.api.conftest import error_of
from tests.doctor_gcp.conftest import HOSTILE


def _path(settings: Settings, diagnosis_id: str) -> str:
    url = report_url(settings, diagnosis_id)
    assert url is not None
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}"


def test_the_signed_link_opens_the_whole_report(
    report_settings: Settings, stored: AnalysisResponse
) -> None:
    with TestClient(create_app(report_settings), raise_server_exceptions=False) as client:
        page = client.get(_path(report_settings, stored.id))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    html = page.text
    assert stored.analysis.summary.split(".")[0] in html
    for issue in stored.analysis.issues:
        assert issue.type in html
    assert 'id="timeline"' in html
    assert "<rect" in html
    assert "<script" not in html  # not the page's, and not the hostile log line's
    assert "&lt;script&gt;" in html or "script" not in HOSTILE


def test_no_signature_a_bad_one_or_an_unknown_id_is_refused(
    report_settings: Settings, stored: AnalysisResponse
) -> None:
    good = _path(report_settings, stored.id)
    tampered = good[:-4] + ("0000" if not good.endswith("0000") else "1111")
    other = _path(report_settings, "0" * 32)
    with TestClient(create_app(report_settings), raise_server_exceptions=False) as client:
        bare = client.get(f"/reports/{stored.id}")
        forged = client.get(tampered)
        missing = client.get(other)
    assert bare.status_code == 422
    assert forged.status_code == 403
    assert error_of(forged)["code"] == "not_allowed"
    assert missing.status_code == 404  # a valid link to a diagnosis history does not hold


def test_the_slack_report_carries_the_signed_link_of_a_stored_diagnosis(
    report_settings: Settings, stored: AnalysisResponse
) -> None:
    from doctor.orchestrator import Doctor

    doctor = Doctor(report_settings)
    try:
        link = doctor.report_link(stored.id)
        unknown = doctor.report_link("0" * 32)
    finally:
        doctor.close()
    assert link is not None
    assert link.startswith(f"http://127.0.0.1:9/reports/{stored.id}?exp=")
    assert unknown is None  # no button to a page that would 404
