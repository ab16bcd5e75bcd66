"""`cloud-doctor serve`: the HTTP API under uvicorn."""

from __future__ import annotations

import errno
import socket
from types import FrameType
from typing import Annotated

import typer

from doctor.cli.guard import report
from doctor.cli.options import fail, number
from doctor.errors import DoctorError
from doctor.settings import load_settings


def serve(
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
    _check_bindable(host, port)
    configure_logging(settings.gcp_project_id)
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,  # keep the JSON logging configured above
        proxy_headers=True,
        forwarded_allow_ips="*",  # Cloud Run's front end sets X-Forwarded-*
        timeout_graceful_shutdown=10,  # Cloud Run gives 10 s after SIGTERM
    )
    stopping = app.state.stopping

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            stopping.begin()  # requests still working answer 503 (retry) before the cut
            super().handle_exit(sig, frame)

    try:
        Server(config).run()
    except SystemExit as done:  # uvicorn exits 3 when it cannot start (e.g. the port was taken)
        if done.code in (None, 0):
            raise
        report(
            f"The server could not start on {host}:{port}.",
            "See the log lines above; choose another --port if this one is taken.",
        )
        raise typer.Exit(1) from None


def _check_bindable(host: str, port: int) -> None:
    """Refuse a port in use, or an address this machine does not have, before starting."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            report(
                f"Port {port} on {host} is already in use.",
                "Stop what listens there, or choose another: --port N (or $PORT).",
            )
        else:
            report(
                f"Cannot listen on {host}:{port} ({exc.strerror or type(exc).__name__}).",
                "Check --host (an address of this machine, or 0.0.0.0) and --port.",
            )
        raise typer.Exit(1) from None
