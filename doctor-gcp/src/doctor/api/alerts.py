"""POST /alerts/aws: CloudWatch alarm state changes from an EventBridge API destination.

The job is stored before the answer, which is a 202 within EventBridge's 5 s (one insert): the
diagnosis runs in the background. A repeat of the same event or change answers 200 and does
nothing, so EventBridge's retries are harmless.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from doctor.alerts import AlertJobs, AlertRunner, parse_event
from doctor.api.deps import AlertAuthenticated, DoctorDep
from doctor.errors import ConfigurationError, PayloadTooLarge

router = APIRouter()
MAX_EVENT_BYTES = 256 * 1024  # EventBridge's own event size limit


@router.post(
    "/alerts/aws",
    dependencies=[AlertAuthenticated],
    status_code=202,
    summary="A CloudWatch Alarm State Change event (EventBridge API destination)",
)
async def aws_alert(request: Request, doctor: DoctorDep) -> JSONResponse:
    body = await request.body()
    if len(body) > MAX_EVENT_BYTES:
        raise PayloadTooLarge(
            f"The event is larger than {MAX_EVENT_BYTES // 1024} KiB.",
            hint="Send the EventBridge event unchanged.",
        )
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
