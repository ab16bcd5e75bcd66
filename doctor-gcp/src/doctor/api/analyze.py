"""POST /analyze: diagnose a log group's recent errors (bearer DOCTOR_API_TOKEN)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from starlette.concurrency import run_in_threadpool

from doctor.api.deps import Authenticated, DoctorDep
from doctor.api.limits import ANALYZE_MAX_BODY_BYTES, body_limit_text, openapi_limit
from doctor.models import AnalysisResponse, AnalyzeRequest

router = APIRouter()

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
        503: "The doctor is not configured for this (see the hint)",
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
    doctor: DoctorDep, request: Annotated[AnalyzeRequest | None, Body()] = None
) -> AnalysisResponse:
    request = request or AnalyzeRequest()
    # boto3, the Gemini SDK and slack_sdk block: the analysis runs in the thread pool.
    return await run_in_threadpool(
        doctor.analyze, request.query(), notify_slack=request.notify_slack
    )
