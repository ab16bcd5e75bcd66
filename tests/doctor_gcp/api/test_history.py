"""GET /diagnoses and GET /diagnoses/{id}: stored answers behind the API token."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from doctor.api import create_app
from doctor.settings import Settings
from tests.doctor_gcp.api.conftest import AUTH, error_of


def test_the_api_lists_filters_pages_and_fetches_stored_diagnoses(
    aws: None, aws_settings: Settings, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", count=150)
    with TestClient(create_app(aws_settings), raise_server_exceptions=False) as client:
        ids = [client.post("/analyze", headers=AUTH).json()["id"] for _ in range(3)]
        first = client.get("/diagnoses?limit=2", headers=AUTH).json()
        rest = client.get(f"/diagnoses?limit=2&cursor={first['next_cursor']}", headers=AUTH)
        by_category = client.get("/diagnoses?category=database_connection", headers=AUTH)
        none_yet = client.get("/diagnoses?category=disk_full", headers=AUTH)
        one = client.get(f"/diagnoses/{ids[0]}", headers=AUTH)
        missing = client.get(f"/diagnoses/{'0' * 32}", headers=AUTH)
        anonymous = client.get("/diagnoses")
        bad = client.get("/diagnoses?since=yesterday", headers=AUTH)
        unknown = client.get("/diagnoses?target=nope", headers=AUTH)
    listed = [item["id"] for item in first["items"]] + [i["id"] for i in rest.json()["items"]]
    assert listed == list(reversed(ids))
    assert rest.json()["next_cursor"] is None
    assert len(by_category.json()["items"]) == 3
    assert none_yet.json()["items"] == []
    assert one.json()["id"] == ids[0]
    assert one.json()["summary"]["target"] == "default"
    assert (missing.status_code, error_of(missing)["code"]) == (404, "not_found")
    assert anonymous.status_code == 401
    assert bad.status_code == 422
    assert "30m, 24h, 7d" in error_of(bad)["hint"]
    assert unknown.status_code == 404
