"""`cloud-doctor` as a user meets it: no traceback for a user or environment error (one line, a
hint, exit 1 or 2), tracebacks only with --verbose, --version, -h everywhere, flags shown as
flags, `--json --dry-run`, and a closed pipe that ends quietly. Process-level where the exit
code, stderr or the state of stdin/stdout is the point."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from doctor.cli import app
from doctor.errors import ConfigurationError

runner = CliRunner()


def doctor(
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: int | None = None,
    shell_prefix: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m doctor.cli ARGS` in a real process (the console script's entry point)."""
    command = [sys.executable, "-m", "doctor.cli", *args]
    if shell_prefix is not None:  # e.g. to start it with stdin closed: exec ... <&-
        command = ["sh", "-c", f'exec "$0" "$@" {shell_prefix}', *command]
    return subprocess.run(
        command,
        env={**os.environ, **(env or {})},
        stdin=stdin,
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
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.stderr


# --- item 1: no traceback for a user or environment error


def test_an_unknown_aws_profile_is_one_line_and_a_hint() -> None:
    result = doctor("analyze", "--log-group", "/aws/ec2/app", env={"AWS_PROFILE": "nope"})
    assert_one_error(result, 1, "Error: AWS profile 'nope' is not configured.")
    assert "AWS_PROFILE" in result.stderr
    assert result.stdout == ""


def test_verbose_shows_the_sdk_traceback() -> None:
    result = doctor(
        "--verbose", "analyze", "--log-group", "/aws/ec2/app", env={"AWS_PROFILE": "nope"}
    )
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "ProfileNotFound" in result.stderr
    assert "Error: AWS profile 'nope' is not configured." in result.stderr


@pytest.mark.parametrize("how", ["<&-", "</dev/null"])
def test_reading_stdin_that_is_closed_is_an_error_not_a_traceback_or_no_logs(how: str) -> None:
    result = doctor("analyze", "--file", "-", "--json", shell_prefix=how)
    assert_one_error(result, 1, "Standard input is closed")
    assert result.stdout == ""  # not a `no_logs` answer


@pytest.mark.slow
def test_an_aws_failure_is_one_line_without_the_botocore_chain(moto_server_url: str) -> None:
    result = doctor(
        "analyze",
        "--log-group",
        "/aws/ec2/misspelt",
        env={
            "AWS_ENDPOINT_URL": moto_server_url,
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
        },
    )
    assert_one_error(result, 1, "Error: ")
    assert "/aws/ec2/misspelt" in result.stderr
    # Only the error and its hint: not the library's "AWS call failed" warning, nor its chain.
    assert len(result.stderr.splitlines()) == 2, result.stderr
    assert "botocore" not in result.stderr


def test_an_unexpected_exception_is_one_line_and_verbose_shows_it() -> None:
    script = (
        "import sys, doctor.cli.analyze as a\n"
        "def boom():\n"
        "    raise RuntimeError('secret detail')\n"
        "a.load_settings = boom\n"
        "sys.argv = ['cloud-doctor', *sys.argv[1:]]\n"
        "from doctor.cli import main\n"
        "main()\n"
    )
    args = ["analyze", "--file", os.devnull]
    quiet = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False
    )
    assert_one_error(quiet, 1, "Error: unexpected error (RuntimeError)")
    assert "secret detail" not in quiet.stderr  # str() of an exception is not for users
    assert "--verbose" in quiet.stderr
    loud = subprocess.run(
        [sys.executable, "-c", script, "--verbose", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert loud.returncode == 1
    assert "Traceback" in loud.stderr
    assert "secret detail" in loud.stderr


def test_an_unexpected_exception_through_the_cli_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> None:
        raise KeyError("x")

    monkeypatch.setattr("doctor.cli.patterns.load_settings", boom)
    result = runner.invoke(app, ["patterns", "--file", os.devnull])
    assert result.exit_code == 1
    assert "unexpected error (KeyError)" in result.stderr
    assert "Traceback" not in result.output


MARKUP = "GET /x failed [/admin] at render [as oncomplete] [bold]not bold[/bold]"


def test_log_text_is_never_rich_markup(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text(
        "".join(f"2026-01-01T00:00:0{i}Z ERROR {MARKUP}\n" for i in range(3)), encoding="utf-8"
    )
    for args in (["patterns", "--file", str(log)], ["analyze", "--file", str(log)]):
        result = doctor(*args, env={"COLUMNS": "200"})
        assert result.returncode == 0, result.stderr
        assert "[as oncomplete]" in result.stdout
        assert "[/admin]" in result.stdout


def test_the_demo_prints_its_error_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(*_args: object, **_kwargs: object) -> None:
        raise ConfigurationError(f"moto said {MARKUP}", hint="see [/tmp/x] [as oncomplete]")

    monkeypatch.setattr("doctor.cli.demo_run.run_demo", fails)
    result = runner.invoke(app, ["demo"], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert f"Demo failed: moto said {MARKUP}" in result.output
    assert "Hint: see [/tmp/x] [as oncomplete]" in result.output


def test_a_target_name_is_printed_as_text() -> None:
    result = runner.invoke(app, ["history", "--target", "[/admin]"], env={"COLUMNS": "200"})
    assert "Traceback" not in result.output
    assert "[/admin]" in result.output


# --- item 5: exit codes, wording, --version, -h, flags


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["analyze", "--minutes", "0"], "Invalid value for '--minutes': '0' is out of range"),
        (["analyze", "--minutes", "99999"], "Invalid value for '--minutes': '99999' is out of"),
        (["analyze", "--max-logs", "9999999"], "Invalid value for '--max-logs': '9999999' is"),
        (["history", "--since", "soon"], "Invalid value for '--since': 'soon' is neither"),
        (["slack-manifest", "--url", "http://x"], "Invalid value for '--url': "),
        (["analyze", "--json", "true"], "Got unexpected extra argument(s) (true)"),
        (["analyze", "--nope"], "No such option: --nope"),
        (
            ["analyze", "--engine", "foo"],
            "Invalid value for '--engine': 'foo' is not one of 'auto', 'gemini', 'rules'\n",
        ),
    ],
)
def test_usage_errors_exit_2_in_one_wording(args: list[str], says: str) -> None:
    result = doctor(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert says in result.stderr
    assert "Usage: " in result.stderr


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield held.getsockname()[1]


def test_serve_on_a_port_in_use_exits_1_with_a_hint(taken_port: int) -> None:
    result = doctor("serve", "--host", "127.0.0.1", "--port", str(taken_port))
    assert_one_error(result, 1, f"Error: Port {taken_port} on 127.0.0.1 is already in use.")


def test_version() -> None:
    result = doctor("--version")
    assert result.returncode == 0
    assert result.stdout == f"cloud-doctor {version('cloud-doctor')}\n"
    assert runner.invoke(app, ["--version"]).stdout.startswith("cloud-doctor ")


@pytest.mark.parametrize(
    "command", [[], ["analyze"], ["patterns"], ["history"], ["serve"], ["demo"], ["slack-manifest"]]
)
def test_dash_h_works_wherever_help_does_and_flags_are_flags(command: list[str]) -> None:
    short = runner.invoke(app, [*command, "-h"])
    assert short.exit_code == 0, short.output
    assert short.output == runner.invoke(app, [*command, "--help"]).output
    assert "Usage: " in short.output
    assert "<bool>" not in short.output


def test_help_documents_the_exit_codes_and_shows_json_as_a_flag() -> None:
    top = runner.invoke(app, ["-h"]).output
    assert "Exit codes:" in top
    assert "2  usage error" in top
    assert "--verbose" in top
    assert "--version" in top
    analyze = runner.invoke(app, ["analyze", "-h"]).output
    json_line = next(line for line in analyze.splitlines() if "--json" in line)
    assert json_line.split()[:2] == ["--json", "Print"]


def test_json_dry_run_prints_the_prompt_as_json(sample_log: Path) -> None:
    structured = doctor("analyze", "--file", str(sample_log), "--dry-run", "--json")
    assert structured.returncode == 0, structured.stderr
    body = json.loads(structured.stdout)  # the whole of stdout is one JSON object
    plain = doctor("analyze", "--file", str(sample_log), "--dry-run")
    assert body["prompt"].rstrip("\n") == plain.stdout.rstrip("\n")
    assert body["prompt"] == "===== SYSTEM INSTRUCTION =====\n" + body["system"] + (
        "\n===== USER MESSAGE =====\n" + body["user"]
    )
    assert isinstance(body["prompt_tokens"], int)
    assert body["prompt_tokens"] > 0
    assert body["total_logs_analyzed"] > 0
    assert body["prompt_truncated"] is False


@pytest.fixture
def big_log(tmp_path: Path) -> Path:
    path = tmp_path / "big.log"
    path.write_text(
        "".join(
            f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z ERROR worker {i % 40} "
            f"failed: code E{i % 40} on job {i}\n"
            for i in range(5000)
        ),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["analyze"],
        ["analyze", "--json"],
        ["analyze", "--dry-run"],
        ["patterns"],
        ["patterns", "--per-line"],
    ],
)
def test_a_closed_pipe_ends_quietly_with_exit_0(args: list[str], big_log: Path) -> None:
    """`cloud-doctor ... | head`: the reader left, so every write fails (EPIPE); exit 0, not
    rich's 1, and nothing on stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "doctor.cli", *args, "--file", str(big_log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before the first write
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert err == ""


def test_head_in_a_real_shell_pipeline(big_log: Path) -> None:
    pipeline = 'set -o pipefail; "$0" -m doctor.cli patterns --per-line --file "$1" | head -1'
    result = subprocess.run(
        ["bash", "-c", pipeline, sys.executable, str(big_log)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 1
