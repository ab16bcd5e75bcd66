"""The report's timeline geometry: stacked by role, totals kept, strays left out of the span."""

from __future__ import annotations

from typing import Any

from doctor.models import AnalysisResponse
from doctor.reports.chart import HEIGHT, MAX_BARS, timeline
from tests.doctor_gcp.notify.reports import make_issue, make_response

T = 29_453_760  # 2026-01-01 00:00 UTC, in epoch minutes


def _response() -> AnalysisResponse:
    root, symptom = make_issue(1), make_issue(2)
    root.role, root.pattern_ids = "root_cause", ["p1"]
    symptom.role, symptom.pattern_ids = "symptom", ["p2"]
    return make_response([root, symptom])


def _digest(p1: dict[int, int], p2: dict[int, int]) -> dict[str, Any]:
    return {
        "patterns": [
            {"id": "p1", "minutes": {str(k): v for k, v in p1.items()}, "minute_step": 1},
            {"id": "p2", "minutes": {str(k): v for k, v in p2.items()}, "minute_step": 1},
            {"id": "p9", "minutes": {str(T): 1000}, "minute_step": 1},  # cited by no issue
        ]
    }


def test_bars_stack_by_role_and_the_legend_keeps_the_totals() -> None:
    chart = timeline(_response(), _digest({T: 4, T + 1: 2}, {T + 1: 6, T + 2: 3}))
    assert chart is not None
    assert chart.peak == 8  # minute T+1: 2 root-cause events under 6 symptom events
    assert [(label, total) for label, _, total in chart.legend] == [
        ("root cause", 6),
        ("symptom", 9),
    ]
    tallest = [bar for bar in chart.bars if bar.x == chart.bars[1].x]
    assert round(sum(bar.height for bar in tallest)) == HEIGHT - 8 - 22  # the whole plot height
    assert chart.start.startswith("2026-01-01 00:00")


def test_a_stray_line_days_away_does_not_squeeze_the_incident() -> None:
    busy = {T + m: 50 for m in range(60)}
    chart = timeline(_response(), _digest(busy, {T - 60 * 24 * 70: 1}))  # 70 days before
    assert chart is not None
    assert chart.start.startswith("2026-01-01 00:00")
    assert len(chart.bars) == 60


def test_a_long_window_is_drawn_in_coarser_buckets() -> None:
    week = {T + m: 1 for m in range(0, 7 * 24 * 60, 5)}
    chart = timeline(_response(), _digest(week, {}))
    assert chart is not None
    assert len(chart.bars) <= MAX_BARS
    assert sum(total for _, _, total in chart.legend) == len(week)


def test_no_minutes_no_chart() -> None:
    assert timeline(_response(), {"patterns": []}) is None
