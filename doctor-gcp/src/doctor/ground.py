"""Check an engine's answer against the logs it was given.

A model can invent pattern ids, counts and quotes. Here every issue keeps only the pattern ids
that exist in the digest; an issue left with none is dropped (with a warning), and what the
reader trusts as fact (count, first/last seen, evidence lines) is computed from the cited
patterns, never copied from the model. A model's answer is first brought within `bounds`. With
the incident stage's reading, each issue gets the role and services of its patterns, and issues are
put in its order (root cause, symptoms, chronic), whichever engine answered; issues it cannot
place keep the engine's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from itertools import chain, zip_longest

from doctor.bounds import bounded
from doctor.digest.types import Digest, Pattern
from doctor.incident import Incident, services_of
from doctor.models import Analysis, DiagnosedIssue, Diagnosis, Issue

MAX_SERVICES = 8  # services named per issue

MAX_EVIDENCE_LINES = 5
MAX_EVIDENCE_CHARS = 500
# Model-written text echoed in warnings is capped: it is untrusted and may be long.
_MAX_ECHO_CHARS = 80
_MAX_ECHO_IDS = 5


def ground(
    diagnosis: Diagnosis,
    digest: Digest,
    incident: Incident | None = None,
    *,
    untrusted: bool = True,
) -> tuple[Analysis, list[str]]:
    """Return the grounded analysis and the warnings about what had to be dropped.
    `untrusted` (a model's answer) is first brought within `bounds`; the rules engine's, read
    from the logs themselves, is taken whole."""
    diagnosis, warnings = bounded(diagnosis) if untrusted else (diagnosis, [])
    patterns = {p.id: p for p in digest.patterns}
    issues: list[Issue] = []
    for stated in diagnosis.issues:
        cited_ids = _dedupe(pid.strip() for pid in stated.pattern_ids)
        cited = [patterns[pid] for pid in cited_ids if pid in patterns]
        unknown = [pid for pid in cited_ids if pid not in patterns]
        title = _echo(stated.type)
        if not cited:
            warnings.append(
                f"Dropped issue '{title}': it cites no pattern found in the logs"
                + (f" (cited: {_echo_ids(unknown)})" if unknown else "")
            )
            continue
        if unknown:
            warnings.append(
                f"Issue '{title}' cited pattern ids not in the logs ({_echo_ids(unknown)}); "
                "they were ignored"
            )
        issues.append(_grounded_issue(stated, cited, incident))
    if diagnosis.issues and not issues:
        warnings.append(
            f"All {len(diagnosis.issues)} issues the engine reported were dropped: none cited a "
            "pattern found in the logs. Treat its summary with caution."
        )
    if incident is not None:
        issues.sort(key=lambda issue: incident.rank(issue.pattern_ids))  # stable: ties keep order
    analysis = Analysis(
        summary=diagnosis.summary,
        severity=diagnosis.severity,
        issues=issues,
        priority_actions=diagnosis.priority_actions,
    )
    return analysis, warnings


def _grounded_issue(
    stated: DiagnosedIssue, cited: list[Pattern], incident: Incident | None
) -> Issue:
    role = incident.role(p.id for p in cited) if incident is not None else None
    lead: dict[str, str] = {}
    if incident is not None:  # the root cause's own lines lead the evidence, not its echoes
        cited = sorted(cited, key=lambda p: incident.place(p.id))
        # ... and a chronic pattern's new wording that brought it in, before its old ones
        lead = {p.id: f.face for p in cited if (f := incident.facts.get(p.id)) and f.face}
    return Issue(
        type=stated.type,
        category=stated.category,
        count=sum(p.count for p in cited),
        description=stated.description,
        root_cause=stated.root_cause,
        solution=stated.solution,
        evidence=evidence_lines(cited, lead=lead),
        pattern_ids=[p.id for p in cited],
        first_seen=_earliest(p.first_seen for p in cited),
        last_seen=_latest(p.last_seen for p in cited),
        role=role.value if role is not None else None,
        services=services_of(cited)[:MAX_SERVICES],
    )


def evidence_lines(
    cited: list[Pattern], limit: int = MAX_EVIDENCE_LINES, *, lead: Mapping[str, str] | None = None
) -> list[str]:
    """Redacted samples taken round-robin across the cited patterns, so each one is shown;
    a pattern's line in `lead` (by id) first among its own."""
    lead = lead or {}
    per_pattern = [
        [lead[p.id], *p.samples] if p.id in lead else p.samples or [p.template] for p in cited
    ]
    interleaved = chain.from_iterable(zip_longest(*per_pattern))
    lines = _dedupe(_clip(line) for line in interleaved if line is not None)
    return lines[:limit]


def _clip(line: str) -> str:
    line = line.rstrip()
    if len(line) <= MAX_EVIDENCE_CHARS:
        return line
    return line[: MAX_EVIDENCE_CHARS - 1] + "…"


def _earliest(values: Iterable[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _latest(values: Iterable[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def _echo(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_ECHO_CHARS else text[: _MAX_ECHO_CHARS - 1] + "…"


def _echo_ids(ids: list[str]) -> str:
    shown = ", ".join(_echo(pid) for pid in ids[:_MAX_ECHO_IDS])
    return shown + (f" and {len(ids) - _MAX_ECHO_IDS} more" if len(ids) > _MAX_ECHO_IDS else "")
