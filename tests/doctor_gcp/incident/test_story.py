"""The chain told everywhere: the response (roles, services, onset, order) whichever engine
answered, the model's prompt, the terminal and Slack."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from rich.console import Console

from doctor.cli.render import render_analysis
from doctor.digest.types import Digest
from doctor.engines import Engine
from doctor.incident.story import Item, chain
from doctor.models import AnalysisResponse, DiagnosedIssue, Diagnosis, EngineName, Query
from doctor.notify.blocks import report_message
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from doctor.taxonomy import Category, Severity
from tests.doctor_gcp.incident.streams import ONSET, Burst, stream
from tests.doctor_gcp.incident.test_roles import CHRONIC_TLS, DNS, TIMEOUTS, UNAVAILABLE
from tests.fakes.engines import StubEngine


def _ids(digest: Digest, word: str) -> list[str]:
    return [p.id for p in digest.patterns if word in p.template]


def _analyze(
    tmp_path: Path, answer: Diagnosis | None = None
) -> tuple[AnalysisResponse, StubEngine]:
    path = tmp_path / "incident.log"
    path.write_text("\n".join(stream([CHRONIC_TLS, DNS, TIMEOUTS, UNAVAILABLE])) + "\n")
    engine = StubEngine("gemini", diagnosis=answer)
    engines: dict[EngineName, Engine] = {"gemini": engine}
    doctor = Doctor(Settings(doctor_engine="gemini"), engines=engines)
    return doctor.analyze(Query(file=str(path))), engine


def _issue(category: Category, ids: list[str]) -> DiagnosedIssue:
    return DiagnosedIssue(
        type=category.value, category=category, description="d", root_cause="r", solution="s",
        pattern_ids=ids,
    )  # fmt: skip


def _answer(tmp_path: Path, *issues: tuple[Category, str]) -> Diagnosis:
    """A model's answer: one issue per (category, a word of its patterns' templates)."""
    _, probe = _analyze(tmp_path)
    digest = probe.calls[0][0]
    return Diagnosis(
        summary="Payments fail.",
        severity=Severity.HIGH,
        issues=[_issue(category, _ids(digest, word)) for category, word in issues],
        priority_actions=["Fix DNS"],
    )


def test_a_model_answer_in_count_order_is_put_in_causal_order(tmp_path: Path) -> None:
    answer = _answer(
        tmp_path,
        (Category.TLS_CERTIFICATE, "certificate"),
        (Category.UPSTREAM_UNAVAILABLE, "reset reason"),
        (Category.DNS_RESOLUTION, "no such host"),
    )
    response, engine = _analyze(tmp_path, answer)
    issues = response.analysis.issues
    assert [i.category for i in issues] == [
        Category.DNS_RESOLUTION,
        Category.UPSTREAM_UNAVAILABLE,
        Category.TLS_CERTIFICATE,
    ]
    assert [i.role for i in issues] == ["root_cause", "symptom", "chronic"]
    assert [i.services for i in issues] == [["api"], ["gateway"], ["gateway"]]
    # the incident began with the resolver's first failure (DNS starts at ONSET, within a second)
    assert response.summary.onset is not None
    assert timedelta(0) <= response.summary.onset - ONSET < timedelta(seconds=1)
    incident = engine.incidents[0]
    assert incident is not None
    assert incident.onset == response.summary.onset


def test_the_prompt_gives_the_model_onset_roles_and_links_root_cause_first(tmp_path: Path) -> None:
    _, engine = _analyze(tmp_path)
    digest, prompt = engine.calls[0]
    user = prompt.user
    root = _ids(digest, "no such host")[0]
    assert "Incident onset (problems new or spiking together): 2026-03-16T17:49:10Z." in user
    assert "dns_resolution -> timeout, upstream_unavailable" in user
    assert f"[{root}] " in user
    assert "  incident: role=root_cause category_guess=dns_resolution new" in user
    assert user.index(f"[{root}] ") < min(
        user.index(f"[{pid}] ") for pid in _ids(digest, "certificate") + _ids(digest, "reset")
    )


def test_terminal_and_slack_tell_the_chain_the_model_left_out(tmp_path: Path) -> None:
    answer = _answer(
        tmp_path, (Category.DNS_RESOLUTION, "no such host"), (Category.TIMEOUT, "request timeout")
    )
    response, _ = _analyze(tmp_path, answer)
    chain = "Root cause at 17:49 UTC in api: dns_resolution (6) → symptoms in web: timeout (300)."
    out = io.StringIO()
    render_analysis(response, Console(file=out, width=200, color_system=None))
    assert chain in out.getvalue()
    assert "root cause" in out.getvalue()
    blocks = report_message(response).blocks
    texts = [b["text"]["text"] for b in blocks if b.get("type") == "section"]
    assert any(t.startswith("*Chain:* Root cause at 17:49 UTC in api") for t in texts)
    assert any("_root cause_" in t and "in api" in t for t in texts)


def test_no_chain_without_a_root_cause() -> None:
    assert chain([Item("TLS", "chronic", 40)], None) is None
    two = chain([Item("A", "root_cause", 1, ("db",)), Item("B", "root_cause", 2, ("db",))], None)
    assert two == "Root causes in db: A (1), B (2)."


def test_the_root_causes_own_lines_lead_its_evidence(tmp_path: Path) -> None:
    echo = Burst(
        "web", "ERROR", "getaddrinfo EAI_AGAIN payments.internal while calling /v1/pay/{n}", 400,
        ONSET + timedelta(seconds=8),
    )  # fmt: skip
    path = tmp_path / "dns.log"
    path.write_text("\n".join(stream([CHRONIC_TLS, DNS, echo, UNAVAILABLE])) + "\n")
    engine = StubEngine("gemini")
    doctor = Doctor(Settings(doctor_engine="gemini"), engines={"gemini": engine})
    doctor.analyze(Query(file=str(path)))
    digest = engine.calls[0][0]
    # the model cites the loud echo first, the 6 lines of the resolver failure second
    cited = _ids(digest, "EAI_AGAIN") + _ids(digest, "no such host")
    engine.diagnosis = Diagnosis(
        summary="DNS.",
        severity=Severity.HIGH,
        issues=[_issue(Category.DNS_RESOLUTION, cited)],
        priority_actions=["Fix DNS"],
    )
    (issue,) = doctor.analyze(Query(file=str(path))).analysis.issues
    assert issue.role == "root_cause"
    assert "no such host" in issue.evidence[0]
    assert issue.pattern_ids[0] == _ids(digest, "no such host")[0]
