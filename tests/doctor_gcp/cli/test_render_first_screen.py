"""The terminal report leads with the answer: on 2,000 events of every scenario, the headline,
the root cause, any warning and the priority actions are on the first screen (24 lines of 80
columns); evidence is capped unless --full; the footer is never cut."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from chaos_app.generator import generate
from chaos_app.render import to_json
from chaos_app.scenarios import CATALOG
from doctor.cli.render import EVIDENCE_LINES, render_analysis
from doctor.models import AnalysisResponse, Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings

SCREEN = 24


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> AnalysisResponse:
    path = tmp_path_factory.mktemp("logs") / "all.log"
    start = datetime.now(UTC) - timedelta(minutes=30)
    scenarios = list(CATALOG)
    with path.open("w") as out:
        for item in generate(scenarios, start=start, rate=5, seed=3, count=2000, error_ratio=0.3):
            out.write(to_json(item) + "\n")
    doctor = Doctor(Settings(doctor_engine="rules", doctor_history=False))
    try:
        return doctor.analyze(Query(file=str(path)))
    finally:
        doctor.close()


def shown(response: AnalysisResponse, *, width: int = 80, full: bool = False) -> list[str]:
    out = io.StringIO()
    render_analysis(response, Console(file=out, width=width, color_system=None), full=full)
    return out.getvalue().splitlines()


def test_the_first_screen_holds_the_answer(everything: AnalysisResponse) -> None:
    lines = shown(everything)
    first = "\n".join(lines[:SCREEN])
    assert len(everything.analysis.issues) > 10  # a long report: the layout is what is tested
    assert "Cloud Doctor" in first
    assert f"Root cause: {everything.analysis.issues[0].type}" in first
    assert "Priority actions" in first
    assert " 1. " + everything.analysis.priority_actions[0][:30] in first.replace("\n", " ")


def test_a_warning_is_on_the_first_screen_too(everything: AnalysisResponse) -> None:
    warned = everything.model_copy(
        update={"warnings": ["Gemini failed (timeout); the rules engine answered."]}
    )
    first = "\n".join(shown(warned)[:SCREEN])
    assert "Gemini failed (timeout); the rules engine answered." in first
    assert "Priority actions" in first


def test_evidence_is_capped_unless_full(everything: AnalysisResponse) -> None:
    long = next(i for i in everything.analysis.issues if len(i.evidence) > EVIDENCE_LINES)
    capped, full = "\n".join(shown(everything)), "\n".join(shown(everything, full=True))
    assert "--full shows every line" in capped
    assert "--full shows every line" not in full
    assert len(full.splitlines()) > len(capped.splitlines())
    assert "".join(long.evidence[-1][:40].split()) in "".join(full.split())  # wrapped or not


def test_the_footer_is_never_cut_and_says_what_was_left_out(
    everything: AnalysisResponse,
) -> None:
    cut = everything.model_copy(
        update={"summary": everything.summary.model_copy(update={"input_truncated": True})}
    )
    narrow = "\n".join(shown(cut, width=40)).replace("\n", "")
    assert f"id {everything.id}" in narrow  # the last fact, whole, at 40 columns
    assert "input truncated" in narrow
    assert "prompt truncated" not in narrow  # the rules engine answered: no prompt was read
