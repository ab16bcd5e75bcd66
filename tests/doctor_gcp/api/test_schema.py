"""Property-based: schemathesis generates requests (valid and invalid) from /openapi.json;
whatever it sends, the doctor never answers 5xx, and errors keep their shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from pydantic import SecretStr
from schemathesis.generation.modes import GenerationMode

from doctor.api import create_app
from doctor.settings import Settings
from tests.doctor_gcp.conftest import API_TOKEN


def error_shape(response: schemathesis.Response) -> None:
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}, response.text
        assert set(body["error"]) == {"code", "message", "hint"}, response.text


def check(case: schemathesis.Case[Any], headers: dict[str, str]) -> int:
    response = case.call(headers=headers)
    # AWS (moto) is healthy and Gemini unconfigured degrades to rules: nothing may be a 5xx.
    assert response.status_code < 500, response.text
    error_shape(response)
    return response.status_code


@pytest.mark.parametrize("authorized", [True, False], ids=["authorized", "anonymous"])
def test_generated_requests_never_meet_a_server_error(
    aws: None, aws_settings: Settings, seed_logs: Callable[..., int], authorized: bool
) -> None:
    seed_logs("db-outage", "rate-limited", count=150)
    # Every route open, so each is exercised (the alert route answers 401 to the API token).
    opened = aws_settings.model_copy(
        update={"doctor_alert_token": SecretStr("alert-token-0123456789abcdef-0123456789")}
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(opened))
    headers = {"Authorization": f"Bearer {API_TOKEN}"} if authorized else {}
    statuses: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert {op.label for op in operations} == {
        "GET /healthz",
        "GET /readyz",
        "POST /analyze",
        "GET /diagnoses",
        "GET /diagnoses/{diagnosis_id}",
        "GET /reports/{diagnosis_id}",
        "POST /alerts/aws",
        "GET /metrics",
    }
    # Valid bodies and invalid ones (wrong types, out-of-range values, unknown fields).
    strategies = [
        operation.as_strategy(generation_mode=mode)
        for operation in operations
        for mode in GenerationMode
        # no inputs
        if mode is GenerationMode.POSITIVE
        or operation.label not in {"GET /healthz", "GET /readyz", "GET /metrics"}
    ]
    for strategy in strategies:

        @given(case=strategy)
        @settings(
            max_examples=60,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: schemathesis.Case[Any]) -> None:
            statuses.append(check(case, headers))

        run()
    # Printed with -s; the closing note reports it.
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    who = "with" if authorized else "without"
    print(f"schemathesis ({who} token): {len(statuses)} cases, {counts}")
    assert len(statuses) >= 100
    if authorized:
        assert counts.get(200, 0) > 0  # valid analyses really ran
        assert counts.get(422, 0) > 0  # and invalid bodies were really sent
