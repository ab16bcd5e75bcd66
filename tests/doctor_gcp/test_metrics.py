"""doctor.metrics: what one finished analysis records, the bounded labels, and a registry per
Doctor (never prometheus_client's global one)."""

from __future__ import annotations

import re
from contextlib import closing
from pathlib import Path

import prometheus_client
from prometheus_client.parser import text_string_to_metric_families

from doctor import errors
from doctor.engines import FallbackEngine
from doctor.errors import EngineUnavailable
from doctor.metrics import NO_TARGET, Metrics, aws_error_codes
from doctor.models import TARGET_NAME_PATTERN, AnalysisResponse, Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from doctor.taxonomy import Category, Severity
from tests.fakes.engines import StubEngine


def _analysis(doctor: Doctor, log: Path) -> AnalysisResponse:
    return doctor.analyze(Query(file=str(log)))


def test_aws_error_codes_are_the_log_source_errors() -> None:
    assert aws_error_codes() == {
        "log_source_error",
        "log_source_unavailable",
        "log_group_not_found",
        "access_denied",
        "throttled",
    }


def test_a_code_outside_the_known_set_is_counted_as_the_base_code() -> None:
    metrics = Metrics()
    error = errors.LogSourceError("x")
    error.code = "something_new"  # type: ignore[misc]  # a class attribute, shadowed here
    metrics.aws_error(error)
    metrics.aws_error(errors.Throttled("slow down"))
    registry = metrics.registry
    assert registry.get_sample_value("cloud_doctor_aws_errors_total", {"code": "throttled"}) == 1
    assert (
        registry.get_sample_value("cloud_doctor_aws_errors_total", {"code": "log_source_error"})
        == 1
    )
    assert (
        registry.get_sample_value("cloud_doctor_aws_errors_total", {"code": "something_new"})
        is None
    )


def test_a_file_analysis_is_labelled_with_no_target(sample_log: Path) -> None:
    with closing(Doctor(Settings(doctor_engine="rules"))) as doctor:
        response = _analysis(doctor, sample_log)
        registry = doctor.metrics.registry
    labels = {
        "target": NO_TARGET,
        "severity": response.analysis.severity.value,
        "engine": "rules",
        "status": response.status,
    }
    assert registry.get_sample_value("cloud_doctor_diagnoses_total", labels) == 1
    assert not re.match(TARGET_NAME_PATTERN, NO_TARGET)  # never a configured target's name


def test_each_category_counts_once_per_diagnosis(sample_log: Path) -> None:
    with closing(Doctor(Settings(doctor_engine="rules"))) as doctor:
        response = _analysis(doctor, sample_log)
    issue = response.analysis.issues[0]
    issues = [
        issue.model_copy(update={"category": category})
        for category in (Category.TIMEOUT, Category.TIMEOUT, Category.DISK_FULL)
    ]
    analysis = response.analysis.model_copy(update={"issues": issues, "severity": Severity.HIGH})
    metrics = Metrics()
    metrics.analysis(response.model_copy(update={"analysis": analysis}))
    families = {
        sample.labels["category"]: sample.value
        for family in text_string_to_metric_families(metrics.exposition().decode())
        for sample in family.samples
        if sample.name == "cloud_doctor_diagnosis_categories_total"
    }
    assert families == {"timeout": 1.0, "disk_full": 1.0}


def test_a_gemini_failure_answered_by_rules_spends_no_counted_tokens(sample_log: Path) -> None:
    failing = StubEngine("gemini", error=EngineUnavailable("Vertex AI failed (HTTP 503)"))
    fallback = FallbackEngine(failing, StubEngine("rules"))
    settings = Settings(doctor_engine="gemini")
    with closing(Doctor(settings, engines={"gemini": fallback})) as doctor:
        response = _analysis(doctor, sample_log)
        registry = doctor.metrics.registry
    assert (response.status, response.summary.engine) == ("degraded", "rules")
    assert response.summary.prompt_tokens > 0  # the prompt's estimated size, not spent
    names = {
        sample.name for family in registry.collect() for sample in family.samples if sample.value
    }
    assert "cloud_doctor_diagnoses_total" in names
    assert not {n for n in names if n.startswith("cloud_doctor_gemini")}


def test_doctors_have_registries_of_their_own() -> None:
    first, second = Metrics(), Metrics()  # the global registry would refuse the second
    first.slack_error("post")
    assert first.registry.get_sample_value("cloud_doctor_slack_errors_total", {"operation": "post"})
    assert (
        second.registry.get_sample_value("cloud_doctor_slack_errors_total", {"operation": "post"})
        == 0
    )
    global_names = {family.name for family in prometheus_client.REGISTRY.collect()}
    assert not {name for name in global_names if name.startswith("cloud_doctor")}


def test_the_exposition_parses(sample_log: Path) -> None:
    with closing(Doctor(Settings(doctor_engine="rules"))) as doctor:
        _analysis(doctor, sample_log)
        text = doctor.metrics.exposition().decode()
    names = {family.name for family in text_string_to_metric_families(text)}
    assert {
        "cloud_doctor_diagnoses",
        "cloud_doctor_diagnosis_categories",
        "cloud_doctor_analysis_duration_seconds",
        "cloud_doctor_gemini_tokens",
        "cloud_doctor_gemini_cost_usd",
        "cloud_doctor_slack_errors",
        "cloud_doctor_aws_errors",
    } <= names
