"""GET /diagnoses and GET /diagnoses/{id}: stored answers (bearer DOCTOR_API_TOKEN)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from doctor.api.deps import Authenticated, DoctorDep
from doctor.errors import NotFound
from doctor.models import TARGET_NAME_PATTERN, AnalysisResponse, HistoryPage
from doctor.since import parse_since
from doctor.store.store import MAX_PAGE
from doctor.taxonomy import Category

router = APIRouter(dependencies=[Authenticated])


@router.get("/diagnoses", summary="Stored diagnoses, newest first")
async def list_diagnoses(
    doctor: DoctorDep,
    target: Annotated[str | None, Query(pattern=TARGET_NAME_PATTERN)] = None,
    since: Annotated[
        str | None, Query(max_length=40, description="30m, 24h, 7d or an ISO-8601 time")
    ] = None,
    category: Category | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HistoryPage:
    after = parse_since(since) if since is not None else None
    page = await run_in_threadpool(
        doctor.history,
        target=target,
        since=after,
        category=category.value if category is not None else None,
        limit=limit,
        cursor=cursor,
    )
    return HistoryPage(items=page.items, next_cursor=page.next_cursor)


@router.get("/diagnoses/{diagnosis_id}", summary="One stored diagnosis")
async def get_diagnosis(
    doctor: DoctorDep,
    diagnosis_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")],
) -> AnalysisResponse:
    found = await run_in_threadpool(doctor.diagnosis, diagnosis_id)
    if found is None:
        raise NotFound(
            f"No stored diagnosis {diagnosis_id}.",
            hint="List them with GET /diagnoses (history keeps every analysis).",
        )
    return found
