"""The Doctor remembers: every diagnosis stored and compared with the target's previous one;
a failing database never costs the answer."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from doctor.models import Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings


def test_a_second_diagnosis_of_a_target_says_what_is_new(
    aws: None, aws_settings: Settings, seed_logs: Callable[..., int]
) -> None:
    seed_logs("db-outage", count=200)
    with closing(Doctor(aws_settings)) as doctor:
        first = doctor.analyze(Query())
        seed_logs("disk-full", count=200, seed=2)
        second = doctor.analyze(Query())
    assert first.changes is None  # nothing to compare with
    assert second.changes is not None
    assert second.changes.previous_id == first.id
    assert "disk_full" in second.changes.appeared
    assert second.changes.new_patterns_total > 0
    assert any("No space left" in t or "disk" in t.lower() for t in second.changes.new_patterns)


def test_a_failed_write_is_a_warning_and_the_answer_still_comes(
    sample_log: Path, tmp_path: Path
) -> None:
    broken = Settings(doctor_database_url=f"sqlite:///{tmp_path}")  # a directory, not a file
    with closing(Doctor(broken)) as doctor:
        response = doctor.analyze(Query(file=str(sample_log), engine="rules"))
    assert response.analysis.issues
    assert any("not stored in history" in w for w in response.warnings)


def test_history_off_stores_nothing(sample_log: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    with closing(Doctor(Settings(doctor_history=False, doctor_database_url=url))) as doctor:
        doctor.analyze(Query(file=str(sample_log)))
    assert not (tmp_path / "h.sqlite3").exists()
