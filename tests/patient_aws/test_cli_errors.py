"""`chaos-app` as a user meets it: no traceback for a user or environment error (one line, a
hint, exit 1 or 2), tracebacks only with --verbose, --version, -h everywhere, a closed pipe that
ends quietly. Real processes where the exit code or stderr is the point."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from importlib.metadata import version

import pytest
from typer.testing import CliRunner

from chaos_app.cli import app

runner = CliRunner()


def chaos(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chaos_app", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_one_error(result: subprocess.CompletedProcess[str], code: int, says: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert says in result.stderr
    assert "Hint: " in result.stderr
    assert sum(line.startswith("Error: ") for line in result.stderr.splitlines()) == 1


CLOUDWATCH = ["run", "--sink", "cloudwatch", "--count", "3", "--fast"]


def test_the_cloudwatch_sink_without_credentials() -> None:
    result = chaos(*CLOUDWATCH, env={"AWS_REGION": "us-east-1"})
    assert_one_error(result, 1, "Error: No AWS credentials were found for the cloudwatch sink.")
    assert "--sink stdout" in result.stderr


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens there once closed


def test_the_cloudwatch_sink_without_a_network() -> None:
    env = {
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{_closed_port()}",
    }
    result = chaos(*CLOUDWATCH, env=env)
    assert_one_error(result, 1, "Error: CloudWatch Logs could not be reached.")
    verbose = chaos("--verbose", *CLOUDWATCH, env=env)
    assert verbose.returncode == 1
    assert "Traceback" in verbose.stderr
    assert "EndpointConnectionError" in verbose.stderr


def test_an_unknown_aws_profile() -> None:
    result = chaos(*CLOUDWATCH, env={"AWS_REGION": "us-east-1", "AWS_PROFILE": "nope"})
    assert_one_error(result, 1, "Error: AWS profile 'nope' is not configured.")


def test_a_missing_region_is_a_usage_error() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"AWS_REGION", "AWS_DEFAULT_REGION"}}
    result = subprocess.run(
        [sys.executable, "-m", "chaos_app", *CLOUDWATCH],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Invalid value for '--region'" in result.stderr


def test_an_unexpected_exception_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("secret detail")

    monkeypatch.setattr("chaos_app.cli.generate", boom)
    result = runner.invoke(app, ["run", "--count", "1", "--fast"])
    assert result.exit_code == 1
    assert "Error: unexpected error (ZeroDivisionError); this is a bug in chaos-app." in (
        result.stderr
    )
    assert "secret detail" not in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["run", "--rate", "0"], "Invalid value for '--rate': '0' is out of range"),
        (["run", "--scenario", "nope"], "unknown scenario 'nope'"),
        (["run", "--fast", "true"], "Got unexpected extra argument(s) (true)"),
        (["run", "--sink", "s3"], "Invalid value for '--sink': 's3' is not one of 'stdout',"),
    ],
)
def test_usage_errors_exit_2(args: list[str], says: str) -> None:
    result = chaos(*args)
    assert result.returncode == 2, result.stderr
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_version() -> None:
    result = chaos("--version")
    assert result.returncode == 0
    assert result.stdout == f"chaos-app {version('chaos-app')}\n"


@pytest.mark.parametrize("command", [[], ["run"], ["scenarios"], ["incidents"]])
def test_dash_h_works_wherever_help_does(command: list[str]) -> None:
    short = runner.invoke(app, [*command, "-h"])
    assert short.exit_code == 0, short.output
    assert short.output == runner.invoke(app, [*command, "--help"]).output
    assert "<bool>" not in short.output


def test_help_documents_the_exit_codes() -> None:
    top = runner.invoke(app, ["-h"]).output
    assert "Exit codes:" in top
    assert "1    runtime or environment error" in top
    assert "2    usage error" in top
    assert "--verbose" in top


@pytest.mark.parametrize(
    "args", [["scenarios"], ["incidents", "--json"], ["run", "--count", "50000", "--fast"]]
)
def test_a_closed_pipe_ends_quietly_with_exit_0(args: list[str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "chaos_app", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before the first write
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert err == ""
