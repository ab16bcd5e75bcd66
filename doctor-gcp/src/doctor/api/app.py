"""The app factory: `create_app(settings)` builds the API; its lifespan builds the clients once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from doctor.alerts import Alerts
from doctor.api import alerts, analyze, health, history, metrics, reports
from doctor.api import slack as slack_inlet
from doctor.api.deps import check_alert_token, check_api_token
from doctor.api.docs import install_docs
from doctor.api.errors import install_error_handlers
from doctor.api.limits import (
    ALERT_MAX_BODY_BYTES,
    ANALYZE_MAX_BODY_BYTES,
    DEFAULT_MAX_BODY_BYTES,
    SLACK_MAX_BODY_BYTES,
    Limit,
    RequestGate,
)
from doctor.api.shutdown import Stopping
from doctor.orchestrator import Doctor
from doctor.pool import AnalysisPool
from doctor.readiness.startup import log_readiness
from doctor.settings import Settings
from doctor.telemetry import TraceMiddleware


def create_app(settings: Settings, *, doctor: Doctor | None = None) -> FastAPI:
    """Build the API. `doctor` replaces the production one (tests inject their own)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Clients are built once here, not per request: boto3's credentials then refresh
        # themselves and the model client keeps its connection pool.
        app.state.stopping.bind(asyncio.get_running_loop())
        service = doctor or Doctor.from_settings(settings)
        app.state.doctor = service
        log_readiness(settings)  # one structured line: what this doctor can and cannot do
        # Analyses in worker processes: the loop and its GIL stay free for everything else.
        pool = None
        if settings.doctor_analysis_processes > 0:
            pool = AnalysisPool(settings, settings.doctor_analysis_processes,
                                on_response=service.metrics.analysis,
                                on_error=service.metrics.failure)  # fmt: skip
        app.state.analyze = pool.analyze if pool is not None else service.analyze
        slack = slack_inlet.SlackCommands.from_settings(
            settings, service, analyze=app.state.analyze
        )
        app.state.slack = slack
        alerts = None
        if settings.doctor_alert_token is not None:
            alerts = Alerts.build(service, analyze=app.state.analyze)
        app.state.alert_jobs = alerts.jobs if alerts is not None else None
        app.state.alert_runner = alerts.runner if alerts is not None else None
        if slack is not None:
            slack.start()
        if alerts is not None:
            await run_in_threadpool(alerts.start)  # what a previous process left pending
        try:
            yield
        finally:
            # Slack users and alert jobs get their grace at the same time: both fit in what is
            # left of Cloud Run's 10 s; then the workers stop (what they ran is redone or told).
            closing = []
            if slack is not None:
                closing.append(slack.aclose())
            if alerts is not None:
                closing.append(run_in_threadpool(alerts.close))
            await asyncio.gather(*closing)
            if pool is not None:
                await run_in_threadpool(pool.close)
            service.close()

    app = FastAPI(
        title="Cloud Doctor",
        version=version("cloud-doctor"),
        description="Diagnoses an AWS workload from its CloudWatch logs.\n\n"
        f"Request body limits (413 beyond them, checked before the body is read, chunked "
        f"bodies cut off while they stream): POST /analyze {ANALYZE_MAX_BODY_BYTES} bytes, "
        f"POST /alerts/aws {ALERT_MAX_BODY_BYTES} bytes (EventBridge's event size), "
        f"POST /slack/events {SLACK_MAX_BODY_BYTES} bytes, any other route "
        f"{DEFAULT_MAX_BODY_BYTES} bytes. `max_logs` is at most {settings.doctor_max_logs} "
        "(DOCTOR_MAX_LOGS).",
        lifespan=lifespan,
        docs_url=None,  # served offline by install_docs, not from a CDN
        redoc_url=None,
    )
    install_docs(app)
    app.state.settings = settings
    install_error_handlers(app)  # its last resort: the innermost middleware, inside the trace
    # Added first, so it runs inside TraceMiddleware: refusals are traced too.
    app.add_middleware(
        RequestGate,
        settings=settings,
        limits={
            ("POST", "/analyze"): Limit(
                ANALYZE_MAX_BODY_BYTES, token=check_api_token, json_body=True
            ),
            ("POST", "/alerts/aws"): Limit(
                ALERT_MAX_BODY_BYTES, token=check_alert_token, json_body=True
            ),
            # Slack's signature needs the body: this route relies on its small limit.
            ("POST", "/slack/events"): Limit(SLACK_MAX_BODY_BYTES),
        },
        default_max_body_bytes=DEFAULT_MAX_BODY_BYTES,
    )
    app.add_middleware(TraceMiddleware)
    app.state.stopping = Stopping()  # set by the server on SIGTERM (cli/serve.py)
    # Each router's routes get the default limit unless a route states its own (analyze,
    # alerts): the streaming check behind RequestGate's Content-Length check.
    for router in (health, analyze, alerts, history, reports, metrics):
        app.include_router(router.router, max_body_size=DEFAULT_MAX_BODY_BYTES)
    app.include_router(slack_inlet.router, max_body_size=SLACK_MAX_BODY_BYTES)
    app.openapi = _with_max_logs_cap(app.openapi, settings.doctor_max_logs)  # type: ignore[method-assign]
    return app


def _with_max_logs_cap(
    openapi: Callable[[], dict[str, Any]], cap: int
) -> Callable[[], dict[str, Any]]:
    """FastAPI's schema with this doctor's `max_logs` cap (DOCTOR_MAX_LOGS) as the field's
    maximum: the model's own bound is the largest cap any doctor may configure."""

    def schema() -> dict[str, Any]:
        document = openapi()  # FastAPI builds it once and caches it
        field = document["components"]["schemas"]["AnalyzeRequest"]["properties"]["max_logs"]
        for option in field.get("anyOf", [field]):
            if option.get("type") == "integer":
                option["maximum"] = cap
        return document

    return schema
