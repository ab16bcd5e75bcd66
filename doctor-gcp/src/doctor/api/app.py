"""The app factory: `create_app(settings)` builds the API; its lifespan builds the clients once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from doctor.alerts import Alerts
from doctor.api import alerts, analyze, health, history, metrics, reports
from doctor.api import slack as slack_inlet
from doctor.api.errors import install_error_handlers
from doctor.api.shutdown import Stopping
from doctor.orchestrator import Doctor
from doctor.pool import AnalysisPool
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
        # Analyses in worker processes: the loop and its GIL stay free for everything else.
        pool = None
        if settings.doctor_analysis_processes > 0:
            pool = AnalysisPool(settings, settings.doctor_analysis_processes,
                                on_response=service.metrics.analysis)  # fmt: skip
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
        description="Diagnoses an AWS workload from its CloudWatch logs.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_middleware(TraceMiddleware)
    app.state.stopping = Stopping()  # set by the server on SIGTERM (cli/serve.py)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(analyze.router)
    app.include_router(alerts.router)
    app.include_router(history.router)
    app.include_router(reports.router)
    app.include_router(metrics.router)
    app.include_router(slack_inlet.router)
    return app
