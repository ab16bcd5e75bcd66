"""What is kept of a diagnosis, what changed since the target's previous one, and `remember`,
which does both for an answer."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from doctor.digest.types import Digest
from doctor.errors import DoctorError
from doctor.models import AnalysisResponse, Changes, Query

if TYPE_CHECKING:
    from doctor.store.store import Store

log = logging.getLogger(__name__)

MAX_STORED_PATTERNS = 200  # the ranked head of the digest; the rest is counted, not listed
MAX_NEW_PATTERNS = 10  # templates named in `changes`
TIMELINE_PATTERNS = 20  # the ranked head keeps its own per-minute counts (the report's chart)


def digest_summary(digest: Digest, cited: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The digest as history keeps it: patterns with counts, and the per-minute timeline; the
    patterns an answer cites (and the ranked head) with their own per-minute counts."""
    return {
        "events_total": digest.events_total,
        "patterns_total": len(digest.patterns),
        "patterns": [
            {
                "id": p.id,
                "template": p.template,
                "count": p.count,
                "level": p.level.name,
                "first_seen": p.first_seen.isoformat() if p.first_seen else None,
                "last_seen": p.last_seen.isoformat() if p.last_seen else None,
                **(
                    {"minutes": p.minutes, "minute_step": p.minute_step}
                    if rank < TIMELINE_PATTERNS or p.id in cited
                    else {}
                ),
            }
            for rank, p in enumerate(digest.patterns[:MAX_STORED_PATTERNS])
        ],
        "timeline": [
            {"minute": b.minute.isoformat(), "total": b.total, "errors": b.errors}
            for b in digest.timeline
        ],
    }


def request_summary(query: Query) -> dict[str, Any]:
    return {
        "target": query.target,
        "log_group": query.log_group,
        "minutes": query.minutes,
        "max_logs": query.max_logs,
        "filter_pattern": query.filter_pattern,
        "engine": query.engine,
        "file": query.file is not None,  # a path says nothing to history; that one was read
    }


def categories(response: AnalysisResponse) -> set[str]:
    return {issue.category.value for issue in response.analysis.issues}


def changes_since(
    previous: AnalysisResponse,
    previous_digest: dict[str, Any],
    now: AnalysisResponse,
    digest: Digest,
) -> Changes:
    """Patterns not seen before, and categories that appeared or cleared, against the target's
    previous diagnosis."""
    seen = {str(p["template"]) for p in previous_digest.get("patterns", [])}
    new = [p.template for p in digest.patterns[:MAX_STORED_PATTERNS] if p.template not in seen]
    before, after = categories(previous), categories(now)
    return Changes(
        previous_id=previous.id,
        previous_at=previous.timestamp,
        new_patterns=new[:MAX_NEW_PATTERNS],
        new_patterns_total=len(new),
        appeared=sorted(after - before),
        cleared=sorted(before - after),
    )


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
