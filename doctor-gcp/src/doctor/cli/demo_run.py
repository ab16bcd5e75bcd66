"""The steps of `cloud-doctor demo`: the whole system on one machine, no Docker, no cloud account.

Real processes, real wiring, in the order a deploy has them: moto_server plays AWS on a free
loopback port; `python -m infra.local.bootstrap` creates the log group and the doctor's role as
Terraform does (the same command docker compose runs); chaos-app's cloudwatch sink writes a few
seconds of failures; `cloud-doctor serve` starts with web-identity credentials only (no AWS
keys) and answers POST /analyze with a bearer token. Then the alarm path (demo_alarm): the
bootstrap adds the alarm, rule and API destination, the demo delivers the alarm's events to
POST /alerts/aws, and the doctor answers in Slack, a stand-in (demo_slack) unless a real one is
configured. Everything is stopped on the way out.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import httpx
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from doctor.cli.demo_alarm import run_alarm_step
from doctor.cli.demo_slack import DEMO_CHANNEL, DemoSlack, block_text, demo_slack, plain_text
from doctor.cli.options import step
from doctor.cli.processes import free_port, running, wait_http
from doctor.cli.render import render_analysis
from doctor.errors import ConfigurationError
from doctor.models import AnalysisResponse
from doctor.notify import SLACK_DELIVERY_FAILED, report_message

LOG_GROUP = "/aws/ec2/chaos-app"
REGION = "us-east-1"
SCENARIOS = ("db-outage", "disk-full", "cert-expired", "rate-limited")
STEP_TIMEOUT = 30.0
PYTHON = sys.executable


def run_demo(console: Console, *, repo: Path, seconds: float = 4.0) -> AnalysisResponse:
    """Run every step, stop every process, return the doctor's answer."""
    _require_demo_parts(repo)
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cloud-doctor-demo-")))
        moto_url = _start_aws_emulator(console, stack, work)
        token_file = work / "web-identity-token"
        role_arn = _create_resources(console, repo, moto_url, token_file)
        _write_failures(console, moto_url, seconds)
        # Without a configured Slack, the doctor posts alarms to the stand-in.
        slack = None if _slack_configured() else stack.enter_context(demo_slack())
        alert_token = secrets.token_urlsafe(32)  # set when `serve` starts, as in a deploy
        extra = _alarm_env(work, alert_token, slack)
        base, api_token = _start_doctor(console, stack, work, moto_url, role_arn, token_file, extra)
        result = _ask_doctor(console, base, api_token, work)
        console.print()
        render_analysis(result, console)
        if slack is not None:
            _slack_preview(console, result)
        console.print()
        alarm = _create_alarm_path(console, repo, moto_url, token_file, base, alert_token, work)
        run_alarm_step(
            console, base=base, alert_token=alert_token, alarm=alarm, log_group=LOG_GROUP,
            slack=slack, channel=extra.get("SLACK_CHANNEL") or os.environ.get("SLACK_CHANNEL", ""),
            doctor_log=work / "doctor.log",
        )  # fmt: skip
        return result


# --- the steps


def _require_demo_parts(repo: Path) -> None:
    if importlib.util.find_spec("moto") is None:
        raise ConfigurationError(
            "The demo needs moto, which is not installed.",
            hint="Install the demo extra: `uv sync` in the repository, or "
            "`pip install 'cloud-doctor[demo]'`.",
        )
    if not (repo / "infra" / "local" / "bootstrap.py").is_file():
        raise ConfigurationError(
            f"The demo needs infra/local/bootstrap.py and did not find it under {repo}.",
            hint="Run it from a checkout of the repository: `make demo`.",
        )


def _start_aws_emulator(console: Console, stack: ExitStack, work: Path) -> str:
    with console.status("Starting the AWS emulator (moto) on 127.0.0.1 …"):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        moto = stack.enter_context(
            running(
                [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                _base_env(),
                work / "moto.log",
            )
        )
        wait_http(f"{url}/moto-api/", moto, "moto_server", timeout=STEP_TIMEOUT)
    console.print(step(f"AWS emulator on {url}"))
    return url


def _create_resources(console: Console, repo: Path, moto_url: str, token_file: Path) -> str:
    """The same resources and policy documents Terraform applies, plus a Google-shaped token."""
    with console.status("Creating the log group and the doctor's IAM role (infra/local) …"):
        created = _run(
            [PYTHON, "-m", "infra.local.bootstrap", "--endpoint-url", moto_url,
             "--region", REGION, "--log-group", LOG_GROUP, "--token-file", str(token_file)],
            _base_env(),
            "infra/local/bootstrap",
            cwd=repo,  # `-m infra.local.bootstrap` resolves from the checkout, as in compose
        )  # fmt: skip
        role_arn = str(json.loads(created)["role_arn"])
    console.print(step(f"log group {LOG_GROUP}, role {role_arn}"))
    return role_arn


def _create_alarm_path(
    console: Console,
    repo: Path,
    moto_url: str,
    token_file: Path,
    base: str,
    alert_token: str,
    work: Path,
) -> dict[str, str]:
    """The bootstrap again (it is idempotent), now with the doctor's URL and alert token: the
    alarm path of alarms.tf. The token goes through a file, never the command line."""
    token_path = work / "alert-token"
    token_path.write_text(alert_token, encoding="utf-8")
    token_path.chmod(0o600)
    with console.status("Creating the alarm path: metric filter, alarm, EventBridge rule, "
                        "connection, API destination, DLQ (infra/local) …"):  # fmt: skip
        created = _run(
            [PYTHON, "-m", "infra.local.bootstrap", "--endpoint-url", moto_url,
             "--region", REGION, "--log-group", LOG_GROUP, "--token-file", str(token_file),
             "--doctor-url", base, "--alert-token-file", str(token_path)],
            _base_env(),
            "infra/local/bootstrap (alarms)",
            cwd=repo,
        )  # fmt: skip
        alarm: dict[str, str] = json.loads(created)["alarms"]
    console.print(step(f"alarm {alarm['alarm_arn']}"))
    console.print(step(f"EventBridge rule → API destination {alarm['alerts_endpoint']}"))
    return alarm


def _write_failures(console: Console, moto_url: str, seconds: float) -> None:
    with console.status(f"chaos-app: {seconds:g} s of traffic with {', '.join(SCENARIOS)} …"):
        patient_env = {
            **_base_env(),
            # moto accepts any key; these exist only between chaos-app and the local emulator.
            "AWS_ACCESS_KEY_ID": "demo",
            "AWS_SECRET_ACCESS_KEY": "demo",
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": moto_url,
        }
        written = _run(
            [PYTHON, "-m", "chaos_app", "run", "--sink", "cloudwatch",
             "--scenario", ",".join(SCENARIOS), "--duration", f"{seconds:g}", "--rate", "60",
             "--error-ratio", "0.35", "--log-group", LOG_GROUP],
            patient_env,
            "chaos-app",
            report_stderr=True,
        )  # fmt: skip
    console.print(step(f"{written.strip().removeprefix('chaos-app: ')}"))


def _start_doctor(
    console: Console,
    stack: ExitStack,
    work: Path,
    moto_url: str,
    role_arn: str,
    token_file: Path,
    extra: dict[str, str],
) -> tuple[str, str]:
    api_token = secrets.token_urlsafe(24)
    port = free_port()
    env = {
        **_base_env(),
        **_slack_env(),  # a configured Slack gets the report from the doctor itself
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_REGION": REGION,
        "AWS_ROLE_ARN": role_arn,
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
        "AWS_LOG_GROUP_NAME": LOG_GROUP,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "DOCTOR_API_TOKEN": api_token,
        **extra,
    }
    with console.status("Starting the doctor with web-identity credentials only …"):
        doctor = stack.enter_context(
            running(
                [PYTHON, "-m", "doctor.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                env,
                work / "doctor.log",
            )
        )
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz", doctor, "cloud-doctor serve", timeout=STEP_TIMEOUT)
    console.print(step(f"doctor on {base} (web-identity credentials, no AWS keys)"))
    return base, api_token


def _ask_doctor(console: Console, base: str, api_token: str, work: Path) -> AnalysisResponse:
    notify = _slack_configured()
    with console.status("POST /analyze …"):
        response = httpx.post(
            f"{base}/analyze",
            json={"time_range_minutes": 30, "notify_slack": notify},
            headers={"Authorization": f"Bearer {api_token}"},
            timeout=120,
        )
    if response.status_code != 200:
        try:
            error = response.json().get("error", {})
        except ValueError:  # not the doctor's JSON: something else answered
            error = {}
        raise ConfigurationError(
            f"The doctor answered {response.status_code}: {error.get('message', '?')}",
            hint=str(error.get("hint") or f"See {work / 'doctor.log'}."),
        )
    result = AnalysisResponse.model_validate(response.json())
    console.print(step(f"diagnosed by the {result.summary.engine} engine"))
    if notify and not any(w.startswith(SLACK_DELIVERY_FAILED) for w in result.warnings):
        channel = os.environ.get("SLACK_CHANNEL")
        console.print(step(f"the doctor posted the report to Slack channel {channel}"))
    return result


def _slack_preview(console: Console, result: AnalysisResponse) -> None:
    """Without Slack, show what the doctor would post (plain text: logs are no rich markup)."""
    message = report_message(result)
    console.print(
        Panel(
            Text("\n\n".join(plain_text(block_text(block)) for block in message.blocks)),
            title=f"Slack message preview ({len(message.blocks)} Block Kit blocks)",
            subtitle="set SLACK_BOT_TOKEN and SLACK_CHANNEL to post it",
            border_style="blue",
        )
    )


# --- plumbing


def _alarm_env(work: Path, alert_token: str, slack: DemoSlack | None) -> dict[str, str]:
    """The doctor's alert token, its own history file (jobs a previous demo left pending must
    not post into this one's thread) and, without a real Slack, the stand-in."""
    env = {
        "DOCTOR_ALERT_TOKEN": alert_token,
        "DOCTOR_DATABASE_URL": f"sqlite:///{work / 'history.sqlite3'}",
    }
    if slack is not None:
        env |= {
            "SLACK_API_URL": slack.api_url,
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_CHANNEL": DEMO_CHANNEL,
        }
    return env


def _slack_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("SLACK_")}


def _slack_configured() -> bool:
    env = _slack_env()
    return bool(env.get("SLACK_BOT_TOKEN") and env.get("SLACK_CHANNEL"))


def _base_env() -> dict[str, str]:
    """This environment without any AWS, doctor or Slack settings: each process gets its own."""
    prefixes = ("AWS_", "DOCTOR_", "SLACK_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def _run(
    args: list[str],
    env: dict[str, str],
    what: str,
    *,
    cwd: Path | None = None,
    report_stderr: bool = False,
) -> str:
    """Run a step to its end; its stdout (or stderr, where it reports), or a clear failure."""
    done = subprocess.run(  # noqa: S603 - our interpreter, our modules
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=STEP_TIMEOUT, check=False
    )
    if done.returncode != 0:
        raise ConfigurationError(f"{what} failed: {done.stderr.strip()[-500:]}")
    return done.stderr if report_stderr else done.stdout
