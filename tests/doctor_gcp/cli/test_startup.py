"""`cloud-doctor --version` and `-h` answer at once: loading the CLI does not load the stages'
heavy libraries (SQLAlchemy and Alembic, boto3), which only the commands that use them import,
and a history already at the newest schema is opened without Alembic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("sqlalchemy", "alembic", "boto3", "botocore", "google.genai", "slack_sdk")


def _loaded_after(code: str, env: dict[str, str] | None = None) -> list[str]:
    probe = f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    )
    modules = json.loads(done.stdout.strip().splitlines()[-1])
    return [name for name in HEAVY if name in modules]


def test_loading_the_cli_loads_no_stage_library() -> None:
    assert _loaded_after("import doctor.cli") == []


def test_an_analysis_with_a_history_at_the_newest_schema_skips_alembic(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("2026-01-01T00:00:00Z ERROR db: connection refused\n", encoding="utf-8")
    analyze = (
        "from doctor.cli.app import app\n"
        f"try: app(['analyze', '--file', {str(log)!r}, '--json'])\n"
        "except SystemExit: pass"
    )
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    assert "alembic" in _loaded_after(analyze, env)  # the first run creates the schema
    assert (tmp_path / "data" / "cloud-doctor" / "history.sqlite3").is_file()
    assert "alembic" not in _loaded_after(analyze, env)  # later runs find it current
