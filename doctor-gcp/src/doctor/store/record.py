"""What is kept of a diagnosis, and what changed since the target's previous one."""

from __future__ import annotations

from typing import Any

from doctor.digest.types import Digest
from doctor.models import AnalysisResponse, Changes, Query

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
            p.facts()
            | (
                {"minutes": p.minutes, "minute_step": p.minute_step}
                if rank < TIMELINE_PATTERNS or p.id in cited
                else {}
            )
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
    before, after = set(previous.analysis.categories()), set(now.analysis.categories())
    return Changes(
        previous_id=previous.id,
        previous_at=previous.timestamp,
        new_patterns=new[:MAX_NEW_PATTERNS],
        new_patterns_total=len(new),
        appeared=sorted(after - before),
        cleared=sorted(before - after),
    )
