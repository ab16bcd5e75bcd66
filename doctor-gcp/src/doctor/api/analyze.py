"""POST /analyze: diagnose a log group's recent errors (bearer DOCTOR_API_TOKEN)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from starlette.concurrency import run_in_threadpool

from doctor.api.deps import Authenticated, DoctorDep
from doctor.api.limits import ANALYZE_MAX_BODY_BYTES, body_limit_text, openapi_limit
from doctor.api.shutdown import Stopping
from doctor.models import AnalysisResponse, AnalyzeRequest, Query

router = APIRouter()
# Reading (<= 62 s), the model (<= 61 s) and Slack (<= 15 s) each have their own bound; this
# one holds the whole request, well inside Cloud Run's 300 s.
REQUEST_DEADLINE_SECONDS = 150.0

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description}
    for status, description in {
        401: "Missing or invalid bearer token",
        403: "Log group not allowed, or AWS refused access (see the hint)",
        404: "Log group not found",
        413: "Body larger than the limit (x-max-body-bytes), refused before it is read",
        415: "A non-empty body that is not application/json",
        422: "Invalid body: the message names the field",
        429: "AWS is throttling the doctor",
        502: "CloudWatch or the model failed",
        503: "Not configured for this (see the hint), or restarting: retry",
        504: "The analysis did not finish within its deadline",
    }.items()
}


@router.post(
    "/analyze",
    dependencies=[Authenticated],
    responses=ERROR_RESPONSES,
    summary="Diagnose the recent errors of a log group",
    description="An empty body (or none) means every default. The bearer token is checked "
    "before the body is read. " + body_limit_text(ANALYZE_MAX_BODY_BYTES),
    max_body_size=ANALYZE_MAX_BODY_BYTES,
    openapi_extra=openapi_limit(ANALYZE_MAX_BODY_BYTES),
)
async def analyze(
    http: Request,
    doctor: DoctorDep,
    request: Annotated[AnalyzeRequest | None, Body()] = None,
) -> AnalysisResponse:
    request = request or AnalyzeRequest()
    query, notify = request.query(), request.notify_slack
    diagnose: Callable[[Query], AnalysisResponse] = http.app.state.analyze

    def run() -> AnalysisResponse:
        # In a worker process (DOCTOR_ANALYSIS_PROCESSES) or this thread; the post to Slack,
        # I/O only, from here.
        response = diagnose(query)
        return doctor.notify(response) if notify else response

    # boto3, the Gemini SDK and slack_sdk block: off the event loop, within one deadline,
    # and answered (503, retry) rather than cut off when the server stops.
    stopping: Stopping = http.app.state.stopping
    return await stopping.within(
        run_in_threadpool(run), deadline=REQUEST_DEADLINE_SECONDS, what="the analysis"
    )
