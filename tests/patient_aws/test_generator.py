from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chaos_app.generator import generate
from chaos_app.scenarios import CATALOG, by_name

START = datetime(2026, 1, 1, tzinfo=UTC)


def test_timestamps_follow_the_logical_clock() -> None:
    items = list(generate(CATALOG, start=START, rate=4, seed=1, count=9))
    assert [item.timestamp for item in items] == [
        START + timedelta(seconds=i / 4) for i in range(9)
    ]


def test_same_seed_same_events_different_seed_different_events() -> None:
    def run(seed: int) -> list[tuple[str, str | None]]:
        return [
            (i.event.message, i.scenario)
            for i in generate(CATALOG, start=START, rate=10, seed=seed, count=500)
        ]

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_all_rotates_through_every_scenario_in_a_short_run() -> None:
    items = list(generate(CATALOG, start=START, rate=10, seed=1, count=2000))
    assert {i.scenario for i in items if i.scenario} == {s.name for s in CATALOG}


def test_failures_are_mixed_into_healthy_traffic() -> None:
    items = list(generate([by_name(CATALOG[0].name)], start=START, rate=10, seed=2, count=1000))
    healthy = [i for i in items if i.scenario is None]
    assert 0.4 < len(healthy) / len(items) < 0.95
    assert all(i.event.level in {"DEBUG", "INFO", "WARNING"} for i in healthy)


def test_error_ratio_zero_is_all_healthy() -> None:
    items = list(generate(CATALOG, start=START, rate=10, seed=2, count=300, error_ratio=0))
    assert all(i.scenario is None for i in items)


@pytest.mark.parametrize("bad", [0, -1])
def test_rate_must_be_positive(bad: float) -> None:
    with pytest.raises(ValueError, match="rate"):
        next(generate(CATALOG, start=START, rate=bad))
