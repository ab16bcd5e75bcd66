"""`cloud-doctor serve`, `demo` and `slack-manifest`: running the doctor rather than asking it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from doctor.cli._common import app, fail, number, usage_error, write
from doctor.errors import DoctorError
from doctor.notify.manifest import render as render_manifest
from doctor.settings import load_settings


@app.command("slack-manifest")
def slack_manifest_command(
    url: Annotated[
        str,
        typer.Option(
            "--url", metavar="https://HOST", help="The doctor's public base URL (no path)."
        ),
    ],
) -> None:
    """Print the Slack app manifest (JSON) for this doctor: paste it into api.slack.com/apps."""
    try:
        write(render_manifest(url))
    except ValueError as err:
        usage_error(f"--url: {err}")


@app.command("serve")
def serve_command(
    host: Annotated[
        str | None,
        typer.Option(help="Interface to bind. Default: 0.0.0.0 when $PORT is set, else 127.0.0.1."),
    ] = None,
    port: Annotated[
        int | None, typer.Option(parser=number(1, 65535), help="Default: $PORT, else 8080.")
    ] = None,
) -> None:
    """Serve the HTTP API (POST /analyze, POST /slack/events, GET /healthz) with uvicorn."""
    import uvicorn

    from doctor.api import create_app
    from doctor.telemetry import configure_logging

    try:
        settings = load_settings()
    except DoctorError as err:
        fail(err)
    port = port or settings.port or 8080
    if host is None:
        # Containers (Cloud Run sets PORT) must listen on every interface; a laptop need not.
        host = "0.0.0.0" if settings.port else "127.0.0.1"  # noqa: S104
    configure_logging(settings.gcp_project_id)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_config=None,  # keep the JSON logging configured above
        proxy_headers=True,
        forwarded_allow_ips="*",  # Cloud Run's front end sets X-Forwarded-*
        timeout_graceful_shutdown=10,  # Cloud Run gives 10 s after SIGTERM
    )


@app.command("demo")
def demo_command(
    repo: Annotated[
        Path,
        typer.Option(help="The repository checkout (for infra/local). Default: this directory."),
    ] = Path(),
) -> None:
    """The whole system on this machine: moto, chaos-app, the doctor; no Docker, no cloud."""
    from doctor.demo import demo_main

    raise typer.Exit(demo_main(Console(highlight=False), repo.resolve()))
