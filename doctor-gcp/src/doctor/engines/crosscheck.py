"""A model's answer checked against the rules engine's reading of the same logs.

The logs are untrusted input: a line can tell the model to report "all fine", and a model can
answer about patterns that do not exist. The rules engine cannot be talked into anything, so
its answer is the yardstick for the two claims a reader acts on first, how bad it is and what
is wrong:
- an answer whose issues cite no pattern of the digest, or that reports no issue where the
  rules engine found some, is not believed: the rules engine's answer is given, degraded;
- a severity at least two steps below the rules engine's is raised to it;
- the rules engine's leading finding, when it is HIGH or worse and the answer cites none of its
  patterns, is added.
Each of these says so in the answer's warnings.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from doctor.taxonomy import Severity

if TYPE_CHECKING:
    from doctor.digest.types import Digest
    from doctor.engines.base import Answer

_SEVERITY_GAP = 2  # LOW against HIGH, MEDIUM against CRITICAL: a contradiction, not a nuance


def cross_checked(answer: Answer, rules: Answer, digest: Digest) -> Answer:
    """`answer` (from a model), corrected where the rules engine's evidence contradicts it."""
    known = {p.id for p in digest.patterns}
    stated = answer.diagnosis
    cites_logs = any(pid.strip() in known for i in stated.issues for pid in i.pattern_ids)
    found = len(rules.diagnosis.issues)
    if stated.issues and not cites_logs:
        why = (
            f"The {answer.engine} engine's {len(stated.issues)} issue(s) cited no pattern found "
            f"in the logs; the {rules.engine} engine answered instead."
        )
        return _instead(answer, rules, why)
    if not stated.issues and found:
        why = (
            f"The {answer.engine} engine reported no issue, but the {rules.engine} engine found "
            f"{found} (severity {rules.diagnosis.severity.value}); its answer is shown instead."
        )
        return _instead(answer, rules, why)
    warnings: list[str] = []
    diagnosis = stated
    theirs = rules.diagnosis.severity
    if theirs.rank - stated.severity.rank >= _SEVERITY_GAP:
        warnings.append(
            f"The {answer.engine} engine rated the severity {stated.severity.value}, but the "
            f"{rules.engine} engine's evidence says {theirs.value}: the higher one is kept."
        )
        diagnosis = diagnosis.model_copy(update={"severity": theirs})
    if rules.diagnosis.issues and theirs.rank >= Severity.HIGH.rank:
        leading = rules.diagnosis.issues[0]
        cited = {pid.strip() for issue in stated.issues for pid in issue.pattern_ids}
        if not cited & set(leading.pattern_ids):
            warnings.append(
                f"The {answer.engine} engine did not mention the {rules.engine} engine's leading "
                f"finding ({leading.category.value}: {leading.type}); it was added."
            )
            diagnosis = diagnosis.model_copy(update={"issues": [*diagnosis.issues, leading]})
    if not warnings:
        return answer
    return replace(answer, diagnosis=diagnosis, warnings=[*answer.warnings, *warnings])


def _instead(answer: Answer, rules: Answer, why: str) -> Answer:
    return replace(
        rules,
        degraded=True,
        warnings=[why, *rules.warnings],
        usage=answer.usage,  # the model was called and paid for, even if not believed
    )
