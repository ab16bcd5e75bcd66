"""`cloud-doctor demo`: the whole system on one machine, no Docker, no cloud account.

Real processes, real wiring: moto_server plays AWS on a free loopback port; infra/local creates
the log group and the doctor's role as Terraform does; chaos-app's cloudwatch sink writes a few
seconds of failures; `cloud-doctor serve` starts with web-identity credentials only (no AWS keys)
and answers POST /analyze with a bearer token. Everything is stopped on the way out.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
from rich.console import Console
from rich.panel import Panel

from doctor.errors import ConfigurationError, DoctorError
from doctor.models import AnalysisResponse
from doctor.report import render_analysis

LOG_GROUP = "/aws/ec2/chaos-app"
REGION = "us-east-1"
SCENARIOS = ("db-outage", "disk-full", "cert-expired", "rate-limited")
STEP_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_http(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + STEP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigurationError(f"{what} exited during start-up (code {process.returncode}).")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise ConfigurationError(f"{what} did not answer on {url} within {STEP_TIMEOUT:g} s.")


@contextmanager
def _process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        # Our own interpreter and modules, never user input.
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _load_bootstrap(repo: Path) -> ModuleType:
    path = repo / "infra" / "local" / "bootstrap.py"
    spec = importlib.util.spec_from_file_location("cloud_doctor_local_bootstrap", path)
    if spec is None or spec.loader is None or not path.exists():
        raise ConfigurationError(
            f"The demo needs infra/local/bootstrap.py and did not find it under {repo}.",
            hint="Run it from a checkout of the repository: `make demo`.",
        )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _base_env() -> dict[str, str]:
    """This environment without any AWS or doctor settings: each process gets only its own."""
    prefixes = ("AWS_", "DOCTOR_", "SLACK_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def run_demo(console: Console, *, repo: Path, seconds: float = 4.0) -> AnalysisResponse:
    if importlib.util.find_spec("moto") is None:
        raise ConfigurationError(
            "The demo needs moto, which is not installed.",
            hint="Install the demo extra: `uv sync` in the repository, or "
            "`pip install 'cloud-doctor[demo]'`.",
        )
    bootstrap = _load_bootstrap(repo)
    python = sys.executable
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cloud-doctor-demo-")))

        with console.status("Starting the AWS emulator (moto) on 127.0.0.1 …"):
            moto_port = _free_port()
            moto_url = f"http://127.0.0.1:{moto_port}"
            moto = stack.enter_context(
                _process(
                    [python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
                    _base_env(),
                    work / "moto.log",
                )
            )
            _wait_http(f"{moto_url}/moto-api/", moto, "moto_server")
        console.print(f"[green]✓[/] AWS emulator on {moto_url}")

        token_file = work / "web-identity-token"
        with console.status("Creating the log group and the doctor's IAM role (infra/local) …"):
            # The same policy documents Terraform applies; plus a Google-shaped demo token.
            created: dict[str, Any] = bootstrap.bootstrap(
                moto_url,
                region=REGION,
                log_group=LOG_GROUP,
                allowed_groups=[LOG_GROUP],
                token_file=token_file,
            )
        role_arn = str(created["role_arn"])
        console.print(f"[green]✓[/] log group {LOG_GROUP}, role {role_arn}")

        with console.status(f"chaos-app: {seconds:g} s of traffic with {', '.join(SCENARIOS)} …"):
            patient_env = {
                **_base_env(),
                # moto accepts any key; these exist only between chaos-app and the local emulator.
                "AWS_ACCESS_KEY_ID": "demo",
                "AWS_SECRET_ACCESS_KEY": "demo",
                "AWS_REGION": REGION,
                "AWS_ENDPOINT_URL": moto_url,
            }
            written = subprocess.run(  # noqa: S603 - our interpreter, our module
                [python, "-m", "chaos_app", "run", "--sink", "cloudwatch",
                 "--scenario", ",".join(SCENARIOS), "--duration", f"{seconds:g}", "--rate", "60",
                 "--error-ratio", "0.35", "--log-group", LOG_GROUP],
                env=patient_env, capture_output=True, text=True, timeout=STEP_TIMEOUT, check=False,
            )  # fmt: skip
            if written.returncode != 0:
                raise ConfigurationError(f"chaos-app failed: {written.stderr.strip()[-500:]}")
        console.print(f"[green]✓[/] {written.stderr.strip().removeprefix('chaos-app: ')}")

        api_token = secrets.token_urlsafe(24)
        doctor_port = _free_port()
        doctor_env = {
            **_base_env(),
            "AWS_ENDPOINT_URL": moto_url,
            "AWS_REGION": REGION,
            "AWS_ROLE_ARN": role_arn,
            "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
            "AWS_LOG_GROUP_NAME": LOG_GROUP,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "DOCTOR_API_TOKEN": api_token,
        }
        with console.status("Starting the doctor with web-identity credentials only …"):
            doctor = stack.enter_context(
                _process(
                    [python, "-m", "doctor.cli", "serve", "--host", "127.0.0.1",
                     "--port", str(doctor_port)],
                    doctor_env,
                    work / "doctor.log",
                )
            )  # fmt: skip
            base = f"http://127.0.0.1:{doctor_port}"
            _wait_http(f"{base}/healthz", doctor, "cloud-doctor serve")
        console.print(f"[green]✓[/] doctor on {base} (web-identity credentials, no AWS keys)")

        with console.status("POST /analyze …"):
            response = httpx.post(
                f"{base}/analyze",
                json={"time_range_minutes": 30},
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
        console.print(f"[green]✓[/] diagnosed by the {result.summary.engine} engine")
        console.print()
        render_analysis(result, console)
        _slack(console, result)
        return result


def _slack(console: Console, result: AnalysisResponse) -> None:
    """Post the report when Slack is configured; otherwise show what would be posted."""
    from doctor.notify.blocks import report
    from doctor.notify.slack import SlackPoster
    from doctor.settings import load_settings

    message = report(result)
    settings = load_settings()
    if settings.slack_bot_token and settings.slack_channel:
        SlackPoster(settings).post(message)
        console.print(f"[green]✓[/] posted the report to Slack channel {settings.slack_channel}")
        return
    console.print(
        Panel(
            "\n\n".join(_block_text(block) for block in message.blocks),
            title=f"Slack message preview ({len(message.blocks)} Block Kit blocks)",
            subtitle="set SLACK_BOT_TOKEN and SLACK_CHANNEL to post it",
            border_style="blue",
        )
    )


def _block_text(block: dict[str, Any]) -> str:
    if block.get("type") == "divider":
        return "─" * 40
    if "text" in block:
        return str(block["text"].get("text", ""))
    return "\n".join(str(part.get("text", "")) for part in block.get("elements", []))


def demo_main(console: Console, repo: Path) -> int:
    try:
        result = run_demo(console, repo=repo)
    except DoctorError as err:
        console.print(f"[bold red]Demo failed:[/] {err.message}")
        if err.hint:
            console.print(f"[bold]Hint:[/] {err.hint}")
        return 1
    console.print(
        f"\n[dim]{json.dumps({'status': result.status, 'issues': len(result.analysis.issues)})}"
        " — everything the demo started has been stopped.[/]"
    )
    return 0
