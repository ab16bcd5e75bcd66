"""Incident streams keep their promises: deterministic per seed, written in the shape asked
for, a small root cause first in one service, symptoms after it in the others, chronic noise
from long before, and a size between MIN_LINES and MAX_LINES.

Most checks run on short streams (10 simulated minutes at 1.5 lines/s); the size and the
cascade are checked on default streams, built once per incident."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from functools import cache

import pytest
from typer.testing import CliRunner

from chaos_app.cli import app
from chaos_app.incidents import (
    INCIDENTS,
    MAX_LINES,
    MIN_LINES,
    SEEDED_EPOCH,
    Role,
    Shape,
    Stream,
    build,
    by_name,
    render_text,
)
from doctor.taxonomy import Category

runner = CliRunner()
NAMES = [incident.name for incident in INCIDENTS]
SERVICE_KEYS = ("service", "service.name", "SYSLOG_IDENTIFIER")


@cache
def short(name: str, seed: int = 1) -> Stream:
    return build(by_name(name), seed=seed, seconds=600, rate=1.5)


@cache
def default(name: str) -> Stream:
    return build(by_name(name), seed=11)


def test_catalog_names_categories_and_the_causes_asked_for() -> None:
    assert len(INCIDENTS) >= 10
    assert len(set(NAMES)) == len(NAMES)
    known = {c.value for c in Category} - {"unknown"}
    for incident in INCIDENTS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", incident.name)
        assert incident.category in known
        assert incident.description.strip()
        assert "\n" not in incident.description
        assert incident.symptoms
        for symptom in incident.symptoms:
            assert symptom.category in known
            assert symptom.services
        assert by_name(incident.name) is incident
    roots = Counter(incident.category for incident in INCIDENTS)
    asked = {
        "disk_full",
        "tls_certificate",
        "dns_resolution",
        "permission_denied",
        "out_of_memory",
        "rate_limited",
        "application_exception",
    }
    assert asked <= set(roots)
    assert roots["authentication_failure"] >= 3  # Redis, PostgreSQL, an AWS session token


@pytest.mark.parametrize("name", NAMES)
def test_a_seed_gives_the_same_stream_and_another_seed_another(name: str) -> None:
    incident = by_name(name)
    first = render_text(build(incident, seed=3, seconds=400, rate=1), Shape.json)
    again = render_text(build(incident, seed=3, seconds=400, rate=1), Shape.json)
    other = render_text(build(incident, seed=4, seconds=400, rate=1), Shape.json)
    assert first == again
    assert first != other


def test_a_seeded_cli_run_starts_at_the_seeded_epoch_and_repeats_itself() -> None:
    args = ["run", "--incident", "go-panic", "--seed", "5", "--fast", "--duration", "600"]
    args += ["--rate", "2", "--shape", "kubectl"]
    first, second = (runner.invoke(app, args) for _ in range(2))
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    stamp = first.stdout.split("] ", 1)[1][:16]  # kubectl's timestamp, to the minute
    assert stamp == SEEDED_EPOCH.strftime("%Y-%m-%dT%H:%M")


_COMPOSE = re.compile(r"^(?P<name>[a-z]+-\d+)(?P<pad> +)\| ")
_COMPOSE_EXIT = re.compile(r"^[a-z]+-\d+ exited with code \d+$")
_KUBECTL = re.compile(
    r"^\[pod/(?P<pod>[a-z0-9-]+)/(?P<container>[a-z-]+)\] "
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z "
)
_TEXT_HEADS = {
    "iso": re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [A-Z]+ +\[(?P<svc>[a-z]+)\] "),
    "pipe": re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \| [A-Z]+ +\| (?P<svc>[a-z]+) \| "),
    "syslog": re.compile(
        r"^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d ip-[\d-]+ (?P<svc>[a-z]+)(\[\d+\])?: "
    ),
    "logfmt": re.compile(r"^time=\S+ level=[A-Z]+ service=(?P<svc>[a-z]+) msg="),
}


def _check_compose(stream: Stream, lines: list[str]) -> None:
    widths = set()
    for line in lines:
        if _COMPOSE_EXIT.match(line):
            continue
        match = _COMPOSE.match(line)
        assert match, line
        widths.add(len(match["name"]) + len(match["pad"]))
    # compose pads every name to the longest one plus a space, then writes " | ".
    assert widths == {stream.cast.compose_width() + 1}


def _check_kubectl(stream: Stream, lines: list[str]) -> None:
    pods = {i.pod: s.name for s in stream.cast.services.values() for i in s.instances}
    for line in lines:
        match = _KUBECTL.match(line)
        assert match, line
        if match["container"] != "event-exporter":
            assert pods[match["pod"]] == match["container"]


def _check_json(stream: Stream, lines: list[str]) -> None:
    services = set()
    for line in lines:
        record = json.loads(line)
        assert isinstance(record, dict)
        named = [record[key] for key in SERVICE_KEYS if isinstance(record.get(key), str)]
        assert named, line
        services.add(named[0])
    assert set(stream.cast.services) <= services


def _check_text(stream: Stream, lines: list[str]) -> None:
    heads: Counter[str] = Counter()
    services = set()
    for line in lines:
        for style, pattern in _TEXT_HEADS.items():
            match = pattern.match(line)
            if match:
                heads[style] += 1
                services.add(match["svc"])
                break
    # Continuation lines (stacks, tracebacks) have no head; every record's first line has one.
    assert sum(heads.values()) >= len([s for s in stream.lines if s.origin.value != "runtime"])
    assert any(pattern.match(lines[0]) for pattern in _TEXT_HEADS.values())
    assert set(stream.cast.services) <= services
    assert len(heads) >= 2  # the services do not all write the same head


@pytest.mark.parametrize("shape", list(Shape))
@pytest.mark.parametrize("name", NAMES)
def test_every_incident_writes_every_shape_as_promised(name: str, shape: Shape) -> None:
    stream = short(name)
    lines = render_text(stream, shape).splitlines()
    assert lines
    checks = {
        Shape.compose: _check_compose,
        Shape.kubectl: _check_kubectl,
        Shape.json: _check_json,
        Shape.text: _check_text,
    }
    checks[shape](stream, lines)


@pytest.mark.parametrize("name", NAMES)
def test_a_small_root_cause_comes_first_then_symptoms_in_other_services(name: str) -> None:
    stream = default(name)
    incident = stream.incident
    root = [line for line in stream.lines if line.role is Role.ROOT]
    symptoms = [line for line in stream.lines if line.role is Role.SYMPTOM]
    assert 1 <= len(root) <= 20
    assert {line.service for line in root} == {incident.service}
    assert {line.category for line in root} == {incident.category}
    assert root[0].at == stream.onset
    assert all(line.at >= stream.onset for line in symptoms)
    assert min(line.at for line in symptoms) - stream.onset < timedelta(seconds=15)
    assert len(symptoms) >= 200  # hundreds, at least
    elsewhere = [line for line in symptoms if line.service != incident.service]
    assert len(elsewhere) > len(symptoms) / 2
    declared = {(s.category, svc) for s in incident.symptoms for svc in s.services}
    assert {(line.category, line.service) for line in symptoms} == declared
    # The onset is about two thirds of the way through.
    share = (stream.onset - stream.start) / (stream.end - stream.start)
    assert 0.6 < share < 0.75


@pytest.mark.parametrize("name", NAMES)
def test_chronic_noise_runs_from_long_before_the_onset(name: str) -> None:
    stream = default(name)
    chronic = [line for line in stream.lines if line.role is Role.CHRONIC]
    before = [line for line in chronic if line.at < stream.onset]
    root = sum(line.role is Role.ROOT for line in stream.lines)
    assert len(before) > root  # louder than the root cause
    assert chronic[0].at - stream.start < (stream.onset - stream.start) / 10
    assert stream.incident.category not in {line.category for line in chronic}
    last: dict[tuple[str, str, str | None], datetime] = {}
    for line in chronic:
        last[(line.service, line.event.logger, line.category)] = line.at
    assert any(at < stream.onset for at in last.values())  # some stopped before the onset
    assert any(at > stream.onset for at in last.values())  # some carry on through it
    healthy = {line.service for line in stream.lines if line.role is Role.HEALTHY}
    assert healthy == set(stream.cast.services)


@pytest.mark.parametrize("name", NAMES)
def test_a_default_stream_holds_between_min_and_max_lines(name: str) -> None:
    stream = default(name)
    for shape in (Shape.json, Shape.text):
        count = render_text(stream, shape).count("\n")
        assert MIN_LINES <= count <= MAX_LINES, (shape, count)
    minutes = (stream.end - stream.start).total_seconds() / 60
    assert 30 <= minutes <= 60


def test_incidents_json_lists_every_incident() -> None:
    result = runner.invoke(app, ["incidents", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [row["name"] for row in rows] == NAMES
    for row, incident in zip(rows, INCIDENTS, strict=True):
        assert row["category"] == incident.category
        assert row["service"] == incident.service
        assert row["description"] == incident.description
        assert [s["category"] for s in row["symptoms"]] == [s.category for s in incident.symptoms]
        assert all(s["services"] for s in row["symptoms"])


def test_incidents_text_names_each_with_its_root_cause() -> None:
    result = runner.invoke(app, ["incidents"])
    assert result.exit_code == 0
    for incident in INCIDENTS:
        assert re.search(rf"^{incident.name} +{incident.category} ", result.stdout, re.M)


def test_an_unknown_incident_is_a_usage_error_naming_the_known_ones() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "chaos_app", "run", "--incident", "no-such-outage", "--fast"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "no-such-outage" in result.stderr
    assert all(name in result.stderr for name in NAMES)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--incident", "go-panic", "--scenario", "db-outage"], "--scenario"),
        (["--incident", "go-panic", "--error-ratio", "0.5"], "--error-ratio"),
        (["--shape", "compose"], "--shape"),
        (["--incident", "go-panic", "--shape", "syslog"], "syslog"),
    ],
)
def test_options_that_do_not_fit_an_incident_run_are_usage_errors(
    args: list[str], named: str
) -> None:
    result = runner.invoke(app, ["run", "--count", "1", "--fast", *args])
    assert result.exit_code == 2
    assert named in result.output


def test_format_text_picks_the_text_shape_and_count_cuts_the_stream() -> None:
    args = ["run", "--incident", "oom-killed", "--seed", "2", "--fast", "--format", "text"]
    result = runner.invoke(app, [*args, "--count", "50", "--duration", "600", "--rate", "2"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) >= 50
    assert not any(line.startswith("{") for line in lines)
    assert any(p.match(lines[0]) for p in _TEXT_HEADS.values())
