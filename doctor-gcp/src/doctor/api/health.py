"""GET /healthz: the process is alive and its event loop answers. GET /readyz: whether
POST /analyze could work with this configuration (the facts `cloud-doctor check` shows)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from doctor.api.deps import SettingsDep
from doctor.api.errors import error_response
from doctor.errors import ConfigurationError
from doctor.readiness.assessment import assess

router = APIRouter()


@router.get("/healthz", summary="Liveness: the process serves requests")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: POST /analyze could work",
    description="200 with each path's status and configuration (secrets as set/unset only); "
    "503 with the error JSON naming what is missing and how to fix it. No network: reads the "
    "settings and the local token and targets files only.",
    responses={503: {"description": "Not ready: the message says why, the hint how to fix it"}},
    response_model=None,
)
def readyz(settings: SettingsDep) -> dict[str, Any] | JSONResponse:
    # A plain `def`: FastAPI runs it in the thread pool (it reads the targets and token files).
    readiness = assess(settings)
    blockers = readiness.serving_blockers()
    if blockers:
        # Answered, not raised: a probe polls this every few seconds, and the error handler
        # would log a warning each time. The start-up log line already says it once.
        return error_response(
            503,
            ConfigurationError.code,
            "Not ready: "
            + "; ".join(f"{check.name}: {', '.join(check.problems)}" for check in blockers),
            " ".join(check.fix for check in blockers if check.fix),
        )
    return readiness.to_dict()
