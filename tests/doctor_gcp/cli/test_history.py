"""`cloud-doctor history`: what was diagnosed, newest first."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from doctor.cli.app import app as cli


def test_the_cli_lists_what_was_diagnosed(sample_log: Path) -> None:
    runner = CliRunner()
    analysed = runner.invoke(cli, ["analyze", "--file", str(sample_log), "--json"])
    assert analysed.exit_code == 0, analysed.output
    listed = runner.invoke(cli, ["history", "--json"])
    assert listed.exit_code == 0, listed.output
    [item] = json.loads(listed.output)
    assert item["id"] == json.loads(analysed.output)["id"]
    human = runner.invoke(cli, ["history", "--since", "1h"])
    assert item["id"] in human.output
    bad = runner.invoke(cli, ["history", "--since", "soon"])
    assert bad.exit_code == 2  # a usage error, named
    assert "Invalid value for '--since': 'soon' is neither a duration" in bad.output
