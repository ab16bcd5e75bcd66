"""The app as a whole: its routes answer, and every error has the one JSON shape."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.doctor_gcp.api.conftest import error_of


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_unknown_routes_and_methods_use_the_error_shape(client: TestClient) -> None:
    assert error_of(client.get("/nope"))["code"] == "not_found"
    response = client.get("/analyze")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
