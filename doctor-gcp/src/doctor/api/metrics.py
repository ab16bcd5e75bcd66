"""GET /metrics: the doctor's Prometheus metrics in the text format (bearer DOCTOR_API_TOKEN).

The metrics name the targets and what Gemini cost, so they are read like every other route
that reads: with the API token. Prometheus sends it with `authorization` in its scrape config.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from doctor.api.deps import Authenticated, DoctorDep
from doctor.metrics import CONTENT_TYPE

router = APIRouter()


@router.get(
    "/metrics",
    dependencies=[Authenticated],
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE: {}}, "description": "Prometheus text format"},
        401: {"description": "Missing or invalid bearer token"},
    },
    summary="Prometheus metrics: diagnoses, durations, Gemini tokens and cost, errors",
)
def metrics(doctor: DoctorDep) -> Response:
    # A plain def: FastAPI runs it in the thread pool, off the event loop (the process
    # collector reads /proc).
    return Response(doctor.metrics.exposition(), media_type=CONTENT_TYPE)
