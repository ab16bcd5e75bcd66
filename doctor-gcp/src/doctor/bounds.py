"""Limits on an engine's answer, applied before it is grounded and shown.

A model's answer is untrusted output: it can be megabytes of summary, thousands of issues, the
same issue twenty times. Here duplicate issues (saying the same, or citing the same patterns)
are merged, the issue and action counts are capped, and every text is clipped, so what reaches
Slack, the API and the report page has a size a reader can take in. Each cut is one warning.
"""

from __future__ import annotations

from doctor.models import DiagnosedIssue, Diagnosis

MAX_ISSUES = 12
MAX_ACTIONS = 8
MAX_PATTERN_IDS = 50  # per issue
MAX_SUMMARY_CHARS = 1_000
MAX_TITLE_CHARS = 120
MAX_TEXT_CHARS = 1_500  # description, root cause, solution
MAX_ACTION_CHARS = 300


def bounded(diagnosis: Diagnosis) -> tuple[Diagnosis, list[str]]:
    """`diagnosis` within the limits above, and what had to change to get there."""
    warnings: list[str] = []
    issues, merged = _merged(diagnosis.issues)
    if merged:
        warnings.append(f"Merged {merged} duplicate issue(s) in the engine's answer.")
    if len(issues) > MAX_ISSUES:
        warnings.append(
            f"The engine reported {len(issues)} issues; the first {MAX_ISSUES} are shown."
        )
        issues = issues[:MAX_ISSUES]
    actions = [
        a
        for a in dict.fromkeys(_clip(a, MAX_ACTION_CHARS) for a in diagnosis.priority_actions)
        if a
    ]
    if len(actions) > MAX_ACTIONS:
        warnings.append(
            f"The engine listed {len(actions)} priority actions; the first {MAX_ACTIONS} are shown."
        )
        actions = actions[:MAX_ACTIONS]
    clipped = [_clipped(issue) for issue in issues]
    summary = _clip(diagnosis.summary, MAX_SUMMARY_CHARS)
    texts = [(i.type, i.description, i.root_cause, i.solution) for i in issues]
    if len(summary) < len(diagnosis.summary.strip()) or texts != [
        (i.type, i.description, i.root_cause, i.solution) for i in clipped
    ]:
        warnings.append("Over-long text in the engine's answer was shortened.")
    return (
        Diagnosis(
            summary=summary, severity=diagnosis.severity, issues=clipped, priority_actions=actions
        ),
        warnings,
    )


def _merged(issues: list[DiagnosedIssue]) -> tuple[list[DiagnosedIssue], int]:
    """Issues saying the same (category, title and description), or citing the same patterns,
    become the first of them, citing the union of their patterns. Two issues that only share a
    title (two databases down) stay apart."""
    kept: list[DiagnosedIssue] = []
    by_key: dict[tuple[str, str], int] = {}
    merged = 0
    for issue in issues:
        ids = tuple(sorted({pid.strip() for pid in issue.pattern_ids if pid.strip()}))
        said = f"{issue.category.value}:{_normal(issue.type)}:{_normal(issue.description)}"
        keys = [("said", said)]
        if ids:
            keys.append(("patterns", " ".join(ids)))
        at = next((by_key[k] for k in keys if k in by_key), None)
        if at is None:
            for key in keys:
                by_key[key] = len(kept)
            kept.append(issue)
            continue
        merged += 1
        first = kept[at]
        union = list(dict.fromkeys([*first.pattern_ids, *issue.pattern_ids]))
        kept[at] = first.model_copy(update={"pattern_ids": union})
        merged_ids = " ".join(sorted({pid.strip() for pid in union if pid.strip()}))
        for key in [*keys, ("patterns", merged_ids)]:
            by_key.setdefault(key, at)
    return kept, merged


def _clipped(issue: DiagnosedIssue) -> DiagnosedIssue:
    return issue.model_copy(
        update={
            "type": _cut(issue.type, MAX_TITLE_CHARS),
            "description": _cut(issue.description, MAX_TEXT_CHARS),
            "root_cause": _cut(issue.root_cause, MAX_TEXT_CHARS),
            "solution": _cut(issue.solution, MAX_TEXT_CHARS),
            "pattern_ids": list(dict.fromkeys(issue.pattern_ids))[:MAX_PATTERN_IDS],
        }
    )


def _normal(title: str) -> str:
    return " ".join(title.lower().split())


def _cut(text: str, limit: int) -> str:
    """`text` as it is when it fits; else clipped (issue texts are kept verbatim otherwise)."""
    return text if len(text) <= limit else _clip(text, limit)


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
