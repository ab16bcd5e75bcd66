"""POST /alerts/aws: CloudWatch alarm state changes from an EventBridge API destination.

The job is stored before the answer, which is a 202 within EventBridge's 5 s (one insert): the
diagnosis runs in the background. A repeat of the same event or change answers 200 and does
nothing, so EventBridge's retries are harmless.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from doctor.alerts import AlertJobs, AlertRunner, parse_event
from doctor.api.deps import AlertAuthenticated, DoctorDep
from doctor.api.limits import ALERT_MAX_BODY_BYTES, body_limit_text, openapi_limit
from doctor.errors import ConfigurationError

router = APIRouter()

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description}
    for status, description in {
        401: "Missing or invalid bearer token (DOCTOR_ALERT_TOKEN)",
        413: "Body larger than EventBridge's event limit (x-max-body-bytes), not read",
        415: "A body that is not application/json",
        400: "Not a CloudWatch Alarm State Change event (the message says why)",
        503: "Alerts are not configured (see the hint)",
    }.items()
}


@router.post(
    "/alerts/aws",
    dependencies=[AlertAuthenticated],
    status_code=202,
    responses=ERROR_RESPONSES,
    summary="A CloudWatch Alarm State Change event (EventBridge API destination)",
    description="The bearer token (DOCTOR_ALERT_TOKEN) is checked before the body is read. "
    + body_limit_text(ALERT_MAX_BODY_BYTES),
    # The size is enforced while the body streams in (and from Content-Length before it is
    # read, by RequestGate): never after the whole body sits in memory.
    max_body_size=ALERT_MAX_BODY_BYTES,
    openapi_extra=openapi_limit(ALERT_MAX_BODY_BYTES),
)
async def aws_alert(request: Request, doctor: DoctorDep) -> JSONResponse:
    body = await request.body()
    event = parse_event(body)
    target = doctor.accounts.target_for(event.account, event.region)
    jobs: AlertJobs | None = request.app.state.alert_jobs
    runner: AlertRunner | None = request.app.state.alert_runner
    if jobs is None or runner is None:
        raise ConfigurationError(
            "Alerts need the history store, which is off.",
            hint="Unset DOCTOR_HISTORY (or set it to true).",
        )
    job = await run_in_threadpool(jobs.add, event, target.name)
    if job is None:
        return JSONResponse({"status": "duplicate", "event_id": event.id}, status_code=200)
    runner.submit(job)
    return JSONResponse(
        {"status": "accepted", "event_id": event.id, "target": target.name}, status_code=202
    )
