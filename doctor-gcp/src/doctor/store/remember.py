"""`remember`: an answer stored, with what changed since its target's previous diagnosis."""

from __future__ import annotations

import logging

from doctor.digest.types import Digest
from doctor.errors import DoctorError
from doctor.models import AnalysisResponse, Query
from doctor.store.record import changes_since, digest_summary, request_summary
from doctor.store.store import Store

log = logging.getLogger(__name__)


def remember(
    store: Store, query: Query, target: str | None, digest: Digest, response: AnalysisResponse
) -> AnalysisResponse:
    """Store the answer, and say what changed since the target's last one. A failure is a
    warning on the answer: the diagnosis itself is never lost to the database."""
    try:
        if target is not None:
            previous = store.latest(target)
            if previous is not None:
                changes = changes_since(previous.response, previous.digest, response, digest)
                response = response.model_copy(update={"changes": changes})
        cited = frozenset(pid for issue in response.analysis.issues for pid in issue.pattern_ids)
        summary = digest_summary(digest, cited)
        store.save(response, request=request_summary(query), digest=summary)
    except Exception as exc:
        reason = exc.message if isinstance(exc, DoctorError) else "an internal error"
        log.warning("diagnosis %s not stored: %s", response.id, reason, exc_info=True)
        note = f"This diagnosis was not stored in history ({reason})."
        return response.model_copy(update={"warnings": [*response.warnings, note]})
    return response
