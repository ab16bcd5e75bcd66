"""`make demo`'s command, as a newcomer runs it: real processes, exit 0, the injected failures
found, everything stopped afterwards, well under a minute."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from doctor.cli.demo_run import SCENARIOS

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CATEGORIES = {
    "db-outage": "database_connection",
    "disk-full": "disk_full",
    "cert-expired": "tls_certificate",
    "rate-limited": "rate_limited",
}


def test_the_demo_diagnoses_the_injected_scenarios() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GCP_", "SLACK_"))}
    env["COLUMNS"] = "200"  # keep rich from wrapping category names across lines
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "doctor.cli", "demo"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    elapsed = time.monotonic() - began
    assert result.returncode == 0, result.stdout + result.stderr
    assert elapsed < 60
    assert set(SCENARIOS) == set(CATEGORIES)
    for category in CATEGORIES.values():
        assert category in result.stdout
    assert "no AWS keys" in result.stdout
    assert "diagnosed by the rules engine" in result.stdout  # no GCP configured here
    assert "Slack message preview" in result.stdout
    assert "everything the demo started has been" in result.stdout


def test_the_demo_outside_a_checkout_says_how_to_run_it(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "doctor.cli", "demo", "--repo", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "make demo" in result.stdout
