"""GET /reports/{id}?exp=&sig=: the full report as one HTML page, opened by its signed link."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from doctor.api.deps import DoctorDep, SettingsDep
from doctor.errors import NotFound
from doctor.reports import HEADERS, render, verify

router = APIRouter()


@router.get(
    "/reports/{diagnosis_id}",
    response_class=HTMLResponse,
    summary="The full report page (signed, expiring link; no login)",
)
async def report(
    doctor: DoctorDep,
    settings: SettingsDep,
    diagnosis_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")],
    exp: Annotated[int, Query(ge=0, le=2**40)],
    sig: Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")],
) -> HTMLResponse:
    verify(settings, diagnosis_id, exp, sig)  # 403 before anything is read
    store = doctor.store()
    found = await run_in_threadpool(store.stored, diagnosis_id) if store is not None else None
    if found is None:
        raise NotFound(f"No stored diagnosis {diagnosis_id}.", hint="History may be off.")
    page = await run_in_threadpool(render, found.response, found.digest)
    return HTMLResponse(page, headers=HEADERS)
