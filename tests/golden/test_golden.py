"""Golden outputs: what the CLI answers on seeded chaos-app runs, recorded and held still.

Every scenario alone and all of them together, in JSON lines and in each software's own text
format, go through `cloud-doctor analyze --json --engine rules` and `cloud-doctor patterns
--json`; the mixed runs also through `analyze --dry-run` (the exact prompt). The answers must
equal the files under `data/`, minus what differs per run (id, timestamp, duration).

A refactor keeps these identical. A change that means to alter what the doctor answers
regenerates them on purpose and shows the difference in review:

    UPDATE_GOLDEN=1 uv run pytest tests/golden
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chaos_app.cli import app as chaos_app
from chaos_app.scenarios import CATALOG
from doctor.cli import app as doctor_app

DATA = Path(__file__).parent / "data"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
FORMATS = ("json", "text")
SEED = 11
runner = CliRunner()

# (name, chaos-app arguments): each scenario alone, then all of them taking turns.
RUNS: list[tuple[str, list[str]]] = [
    (s.name, ["--scenario", s.name, "--count", "240", "--error-ratio", "0.5"]) for s in CATALOG
] + [("all", ["--scenario", "all", "--count", "3000", "--error-ratio", "0.3"])]
MIXED = {"all"}


def _generate(args: list[str], fmt: str, path: Path) -> None:
    result = runner.invoke(
        chaos_app, ["run", *args, "--seed", str(SEED), "--fast", "--format", fmt]
    )
    assert result.exit_code == 0, result.stderr
    path.write_text(result.stdout, encoding="utf-8")


def _doctor(*args: str) -> str:
    result = runner.invoke(doctor_app, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _stable_analysis(stdout: str) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(stdout)
    del answer["id"], answer["timestamp"], answer["summary"]["duration_ms"]
    return answer


def _check(name: str, actual: Any) -> None:
    path = DATA / name
    text = actual if isinstance(actual, str) else json.dumps(actual, indent=2, sort_keys=True)
    text = text.rstrip("\n") + "\n"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}: run with UPDATE_GOLDEN=1 to record it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from its golden file"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("name", "args"), RUNS, ids=[name for name, _ in RUNS])
def test_answers_equal_their_golden_files(
    name: str, args: list[str], fmt: str, tmp_path: Path
) -> None:
    log = tmp_path / f"{name}.{fmt}.log"
    _generate(args, fmt, log)
    stem = f"{name}.{fmt}"
    analysis = _stable_analysis(
        _doctor("analyze", "--file", str(log), "--json", "--engine", "rules")
    )
    _check(f"{stem}.analyze.json", analysis)
    _check(f"{stem}.patterns.json", json.loads(_doctor("patterns", "--file", str(log), "--json")))
    if name in MIXED:
        _check(f"{stem}.prompt.txt", _doctor("analyze", "--file", str(log), "--dry-run"))
        per_line = json.loads(_doctor("patterns", "--file", str(log), "--json", "--per-line"))
        _check(f"{stem}.per-line.json", per_line)
