"""AnalysisResponse builders and a Slack-limits checker shared by the notify tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from slack_sdk.models.blocks import Block

from doctor.models import Analysis, AnalysisResponse, Issue, RunSummary
from doctor.taxonomy import Category, Severity

T0 = datetime(2026, 5, 4, 10, 0, 0, tzinfo=UTC)


def make_issue(n: int, *, text: str = "", evidence: list[str] | None = None) -> Issue:
    categories = list(Category)
    return Issue(
        type=f"Problem {n}{text}",
        category=categories[n % len(categories)],
        count=10 + n,
        description=f"What happens {n}.{text}",
        root_cause=f"Why {n}.{text}",
        solution=f"Fix {n}.{text}",
        evidence=evidence if evidence is not None else [f"ERROR line {n} of the log"],
        pattern_ids=[f"p{n}"],
        first_seen=T0,
        last_seen=T0 + timedelta(minutes=5),
    )


def make_response(
    issues: list[Issue] | None = None,
    *,
    summary: str = "The database refuses connections; the disk is full.",
    severity: Severity = Severity.HIGH,
    status: Literal["success", "degraded", "no_logs"] = "success",
    warnings: list[str] | None = None,
    actions: list[str] | None = None,
    log_group: str = "/aws/ec2/chaos-app",
    input_truncated: bool = False,
    prompt_truncated: bool = False,
    engine: Literal["gemini", "rules"] = "rules",
) -> AnalysisResponse:
    issues = [make_issue(1), make_issue(2)] if issues is None else issues
    return AnalysisResponse(
        id="a1b2c3",
        status=status,
        timestamp=T0,
        summary=RunSummary(
            total_logs_analyzed=230,
            log_group=log_group,
            time_range_minutes=30,
            distinct_patterns=7,
            engine=engine,
            duration_ms=812,
            prompt_tokens=1450,
            input_truncated=input_truncated,
            prompt_truncated=prompt_truncated,
        ),
        analysis=Analysis(
            summary=summary,
            severity=severity,
            issues=issues,
            priority_actions=actions if actions is not None else ["Restart the pool", "Free disk"],
        ),
        warnings=warnings or [],
    )


def texts(blocks: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """(block type, text) for every text object in the blocks."""
    for block in blocks:
        if "text" in block:
            yield block["type"], block["text"]["text"]
        for element in block.get("elements", []):
            text = element["text"]  # a button's is a text object
            yield block["type"], text["text"] if isinstance(text, dict) else text


_ENTITY_START = re.compile(r"&(?!amp;|lt;|gt;)")


def assert_within_slack_limits(blocks: list[dict[str, Any]]) -> None:
    assert 0 < len(blocks) <= 50
    for block in blocks:
        # slack_sdk's own model validation, independent of the doctor's code.
        Block.parse(block).validate_json()  # type: ignore[union-attr]
        assert len(block.get("elements", [])) <= 10
    for kind, text in texts(blocks):
        assert len(text) <= (150 if kind == "header" else 3000), (kind, len(text))
        if kind != "header":
            assert not _ENTITY_START.search(text), "an escape entity was cut"
            if "```" in text:  # a code block is whole: fenced at both ends, nothing else
                assert text.startswith("```\n"), text[:20]
                assert text.endswith("\n```"), text[-20:]
                assert text.count("```") == 2
