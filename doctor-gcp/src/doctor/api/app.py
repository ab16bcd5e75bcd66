"""The app factory and its routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Annotated, Any

from fastapi import Body, FastAPI
from starlette.concurrency import run_in_threadpool

from doctor.api.deps import Authenticated, DoctorDep, SlackPosterDep
from doctor.api.errors import install_error_handlers
from doctor.api.slack import router as slack_router
from doctor.models import AnalysisResponse, AnalyzeRequest
from doctor.notify.slack import SlackPoster, notify_or_warn
from doctor.notify.slash import SlackCommands
from doctor.service import Doctor
from doctor.settings import Settings
from doctor.telemetry import TraceMiddleware

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description}
    for status, description in {
        401: "Missing or invalid bearer token",
        403: "Log group not allowed, or AWS refused access (see the hint)",
        404: "Log group not found",
        422: "Invalid body: the message names the field",
        429: "AWS is throttling the doctor",
        502: "CloudWatch or the model failed",
        503: "The doctor is not configured for this (see the hint)",
    }.items()
}


def create_app(settings: Settings, *, doctor: Doctor | None = None) -> FastAPI:
    """Build the API. `doctor` replaces the production service (tests inject their own)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Clients are built once here, not per request: boto3's credentials then refresh
        # themselves and the model client keeps its connection pool.
        service = doctor or Doctor.from_settings(settings)
        poster = SlackPoster(settings)
        slack = SlackCommands.from_settings(settings, service, poster)
        app.state.doctor = service
        app.state.slack_poster = poster
        app.state.slack = slack
        if slack is not None:
            slack.start()
        try:
            yield
        finally:
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

    @app.get("/healthz", summary="Liveness: the process serves requests")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post(
        "/analyze",
        dependencies=[Authenticated],
        responses=ERROR_RESPONSES,
        summary="Diagnose the recent errors of a log group",
    )
    async def analyze(
        service: DoctorDep,
        poster: SlackPosterDep,
        request: Annotated[AnalyzeRequest | None, Body()] = None,
    ) -> AnalysisResponse:
        request = request or AnalyzeRequest()
        # boto3, the Gemini SDK and slack_sdk block: run them in the thread pool.
        response = await run_in_threadpool(service.analyze, request)
        if request.notify_slack:
            # A failed post is a warning in the answer, never a failed analysis.
            response = await run_in_threadpool(notify_or_warn, poster, response)
        return response

    app.include_router(slack_router)
    return app
