"""`make demo`, as a newcomer runs it in a fresh clone: real processes, exit 0, the injected
failures found, the alarm path played into the Slack stand-in, everything stopped afterwards,
well under a minute. One demo run serves every test here (it takes half a minute)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from doctor.cli.demo_run import SCENARIOS
from tests.readme.checkout import shell_env

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CATEGORIES = {
    "db-outage": "database_connection",
    "disk-full": "disk_full",
    "cert-expired": "tls_certificate",
    "rate-limited": "rate_limited",
}


@dataclass(frozen=True)
class Demo:
    result: subprocess.CompletedProcess[str]
    elapsed: float

    @property
    def alarm_part(self) -> str:
        out = self.result.stdout
        return out[out.index("✓ alarm arn:") :]


# The README's first command, as written, in a fresh clone: the Makefile's uv sync included.
DEMO_COMMAND = "make demo"


@pytest.fixture(scope="module")
def demo(fresh_clone: Path, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    env = shell_env(tmp_path_factory.mktemp("demo"))
    env["COLUMNS"] = "200"  # keep rich from wrapping category names across lines
    began = time.monotonic()
    result = subprocess.run(
        ["bash", "-e", "-c", DEMO_COMMAND],
        cwd=fresh_clone, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    return Demo(result, time.monotonic() - began)


def test_the_demo_diagnoses_the_injected_scenarios(demo: Demo) -> None:
    result, elapsed = demo.result, demo.elapsed
    assert result.returncode == 0, result.stdout + result.stderr
    assert elapsed < 60
    assert set(SCENARIOS) == set(CATEGORIES)
    for category in CATEGORIES.values():
        assert category in result.stdout
    assert "no AWS keys" in result.stdout
    assert "diagnosed by the rules engine" in result.stdout  # no GCP configured here
    assert "Slack message preview" in result.stdout
    assert "everything the demo started has been" in result.stdout


def test_the_demo_plays_an_alarm_into_a_slack_thread(demo: Demo) -> None:
    assert demo.result.returncode == 0, demo.result.stdout + demo.result.stderr
    part = demo.alarm_part
    assert re.search(
        r"alarm arn:aws:cloudwatch:us-east-1:\d{12}:alarm:cloud-doctor-patient-errors", part
    )
    assert re.search(r"API destination http://127\.0\.0\.1:\d+/alerts/aws", part)
    assert re.search(r"POST /alerts/aws, ALARM event \w{8}… → 202 accepted", part)
    assert re.search(r"POST /alerts/aws, OK event \w{8}… → 202 accepted", part)
    parent = re.search(r"diagnosis posted to #demo-incidents \(thread ts (\d+\.\d{6})\)", part)
    assert parent is not None, part
    assert "Slack #demo-incidents (the demo's stand-in)" in part
    # The parent, in the panel as plain text: the alarm's diagnosis, no mrkdwn left.
    assert f"#demo-incidents · ts {parent[1]}" in part
    panel = part[part.index(f"#demo-incidents · ts {parent[1]}") :]
    assert re.search(r"(LOW|MEDIUM|HIGH|CRITICAL) · /aws/ec2/chaos-app", panel), panel
    assert "<!date^" not in panel
    assert "&lt;" not in panel


def test_the_demo_shows_the_incident_resolved_in_its_thread(demo: Demo) -> None:
    assert demo.result.returncode == 0, demo.result.stdout + demo.result.stderr
    part = demo.alarm_part
    assert "Resolved after … replied in the thread, parent marked resolved" in part
    assert re.search(r"↳ reply · ts \d+\.\d{6}\W*Resolved after", part)  # borders: \W
    assert "· edited" in part


def test_the_demo_outside_a_checkout_says_how_to_run_it(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "doctor.cli", "demo", "--repo", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "make demo" in result.stdout
