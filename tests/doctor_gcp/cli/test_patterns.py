"""`cloud-doctor patterns`: the digest's templates with counts, per line, as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from doctor.cli import app
from tests.doctor_gcp.conftest import prepared

runner = CliRunner()


def test_patterns_per_line_gives_one_id_per_event_in_order(
    sample_log: Path, sample_lines: list[str]
) -> None:
    result = runner.invoke(app, ["patterns", "--file", str(sample_log), "--per-line"])
    assert result.exit_code == 0, result.stderr
    ids = result.stdout.splitlines()
    digest, _ = prepared(sample_log)
    assert ids == digest.assignments
    assert len(ids) == digest.events_total
    assert set(ids) == {p.id for p in digest.patterns}


def test_patterns_json_lists_templates_with_counts(sample_log: Path) -> None:
    result = runner.invoke(app, ["patterns", "--file", str(sample_log), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert sum(p["count"] for p in data["patterns"]) == data["events_total"]
    assert {"id", "template", "count", "level"} <= set(data["patterns"][0])


def test_patterns_table(sample_log: Path) -> None:
    result = runner.invoke(app, ["patterns", "--file", str(sample_log)])
    assert result.exit_code == 0, result.stderr
    assert "p1" in result.stdout
    assert "patterns" in result.stdout
