"""The app factory: `create_app(settings)` builds the API; its lifespan builds the clients once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from doctor.alerts import AlertJobs, AlertRunner
from doctor.api import alerts, analyze, health, history, metrics, reports
from doctor.api import slack as slack_inlet
from doctor.api.errors import install_error_handlers
from doctor.orchestrator import Doctor
from doctor.settings import Settings
from doctor.telemetry import TraceMiddleware


def create_app(settings: Settings, *, doctor: Doctor | None = None) -> FastAPI:
    """Build the API. `doctor` replaces the production one (tests inject their own)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Clients are built once here, not per request: boto3's credentials then refresh
        # themselves and the model client keeps its connection pool.
        service = doctor or Doctor.from_settings(settings)
        slack = slack_inlet.SlackCommands.from_settings(settings, service)
        app.state.doctor = service
        app.state.slack = slack
        store = service.store()
        jobs = AlertJobs(store) if store is not None else None
        runner = AlertRunner(service, jobs) if jobs is not None else None
        app.state.alert_jobs, app.state.alert_runner = jobs, runner
        if slack is not None:
            slack.start()
        if runner is not None and settings.doctor_alert_token is not None:
            await run_in_threadpool(runner.resume)  # jobs a previous process left pending
        try:
            yield
        finally:
            if runner is not None:
                await run_in_threadpool(runner.close)
            if slack is not None:
                await slack.aclose()
            service.close()

    app = FastAPI(
        title="Cloud Doctor",
        version=version("cloud-doctor"),
        description="Diagnoses an AWS workload from its CloudWatch logs.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_middleware(TraceMiddleware)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(analyze.router)
    app.include_router(alerts.router)
    app.include_router(history.router)
    app.include_router(reports.router)
    app.include_router(metrics.router)
    app.include_router(slack_inlet.router)
    return app
