"""`cloud-doctor patterns`: the digest's templates with counts, per line, as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from doctor.cli import app
from tests.doctor_gcp.conftest import prepared

runner = CliRunner()


def test_patterns_per_line_gives_one_id_per_input_line_in_order(
    sample_log: Path, sample_lines: list[str]
) -> None:
    result = runner.invoke(app, ["patterns", "--file", str(sample_log), "--per-line"])
    assert result.exit_code == 0, result.stderr
    ids = result.stdout.splitlines()
    digest, _ = prepared(sample_log)
    assert len(ids) == len(sample_lines)  # one per LINE, the traceback's lines included
    assert ids == [pid or "-" for pid in digest.line_assignments]
    assert set(ids) == {p.id for p in digest.patterns}
    # The traceback's four lines are one event: they repeat its id.
    start = next(n for n, line in enumerate(sample_lines) if "Traceback" in line)
    assert len(set(ids[start : start + 4])) == 1
    assert ids[start + 4] != ids[start]
    as_json = runner.invoke(app, ["patterns", "--file", str(sample_log), "--per-line", "--json"])
    assert json.loads(as_json.stdout) == digest.line_assignments


def test_lines_that_hold_no_event_are_marked(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"ERROR disk full\n\nbinary \x00 junk\nERROR disk full\n")
    result = runner.invoke(app, ["patterns", "--file", str(log), "--per-line"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["p1", "-", "-", "p1"]


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
