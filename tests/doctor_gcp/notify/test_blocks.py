"""The Block Kit report: content, escaping of untrusted text, and Slack's limits."""

from __future__ import annotations

import json
from typing import Literal

import pytest

from doctor.notify.blocks import SEVERITY_EMOJI, clip, escape, report_message, window_label
from doctor.taxonomy import Severity
from tests.doctor_gcp.notify.reports import (
    assert_within_slack_limits,
    make_issue,
    make_response,
    texts,
)


def all_text(message_blocks: list[dict[str, object]]) -> str:
    return "\n".join(text for _, text in texts(message_blocks))


def test_the_report_has_header_summary_issues_actions_and_context() -> None:
    message = report_message(make_response(), requested_by="U0ALICE")
    blocks = message.blocks
    assert_within_slack_limits(blocks)
    assert blocks[0]["type"] == "header"
    assert blocks[0]["text"]["text"] == ":large_orange_circle: HIGH · /aws/ec2/chaos-app"
    assert blocks[1]["text"]["text"].startswith("The database refuses connections")
    issue_text = blocks[2]["text"]["text"]
    for fact in ("*1. Problem 1*", "`", "*11 events*", "*Root cause:* Why 1.", "*Fix:* Fix 1."):
        assert fact in issue_text
    # First/last seen render in each reader's time zone, with a UTC fallback.
    assert "<!date^1777888800^{date_short_pretty} {time_secs}|2026-05-04 10:00:00 UTC>" in (
        issue_text
    )
    assert blocks[3]["text"]["text"] == "```\nERROR line 1 of the log\n```"
    assert "*Priority actions*\n1. Restart the pool\n2. Free disk" in all_text(blocks)
    footer = blocks[-1]
    assert footer["type"] == "context"
    line = footer["elements"][0]["text"]
    for fact in ("`/aws/ec2/chaos-app`", "last 30 min", "230 events", "7 patterns"):
        assert fact in line
    for fact in ("engine rules", "812 ms", "status success", "id a1b2c3", "<@U0ALICE>"):
        assert fact in line
    assert message.text.startswith(":large_orange_circle: Cloud Doctor HIGH: The database")


@pytest.mark.parametrize("severity", list(Severity))
def test_the_header_shows_the_severity_with_its_emoji(severity: Severity) -> None:
    header = report_message(make_response(severity=severity)).blocks[0]["text"]["text"]
    assert header.startswith(f"{SEVERITY_EMOJI[severity]} {severity.value} ")
    assert len(set(SEVERITY_EMOJI.values())) == len(Severity)


def test_no_logs_says_so_in_the_header() -> None:
    blocks = report_message(make_response([], status="no_logs")).blocks
    assert blocks[0]["text"]["text"] == ":white_circle: No matching logs · /aws/ec2/chaos-app"
    assert_within_slack_limits(blocks)


def test_a_huge_analysis_is_cut_to_slacks_limits() -> None:
    big = "x" * 5000
    issues = [make_issue(n, text=big, evidence=[f"E{n} " + "y&<>" * 1250] * 5) for n in range(80)]
    response = make_response(
        issues,
        summary="s&<" * 4000,
        warnings=["w" * 2000] * 20,
        actions=["a" * 1000] * 30,
        log_group="/g" * 256,
    )
    message = report_message(response, requested_by="U0ALICE")
    assert_within_slack_limits(message.blocks)
    assert len(message.text) <= 3000
    joined = all_text(message.blocks)
    assert "issues not shown" in joined
    shown = sum(
        1 for b in message.blocks if b["type"] == "section" and "*Fix:*" in b["text"]["text"]
    )
    assert f"{80 - shown} more issues not shown" in joined
    assert len(message.blocks[0]["text"]["text"]) == 150
    assert message.blocks[0]["text"]["text"].endswith("…")
    assert "<@U0ALICE>" in joined  # the footer survived the cuts
    # Even when asked for every issue, the 50-block cap holds.
    uncapped = report_message(response, max_issues=1000).blocks
    assert_within_slack_limits(uncapped)
    assert len(uncapped) == 50


def test_the_issue_count_shown_can_be_lowered() -> None:
    response = make_response([make_issue(n) for n in range(5)])
    joined = all_text(report_message(response, max_issues=2).blocks)
    assert "*2. Problem 1*" in joined
    assert "*3. Problem 2*" not in joined
    assert "3 more issues not shown" in joined


def test_log_text_cannot_mention_link_or_break_out_of_code_blocks() -> None:
    hostile = "<!channel> <https://evil.example|click> & a>b ``` <@U999> ```"
    issue = make_issue(1, text=hostile, evidence=[hostile, "```", "end"])
    response = make_response([issue], summary=hostile, warnings=[hostile], actions=[hostile])
    message = report_message(response, requested_by="U0ALICE")
    assert_within_slack_limits(message.blocks)
    payload = json.dumps(message.payload(), ensure_ascii=False)
    for raw in ("<!channel>", "<https://evil", "<@U999>", "a>b"):
        assert raw not in payload
    assert "&lt;!channel&gt;" in payload
    assert "&amp;" in payload
    assert "a&gt;b" in payload
    evidence = next(t for _, t in texts(message.blocks) if t.startswith("```"))
    assert evidence.count("```") == 2  # the hostile fences were broken up


def test_a_requester_that_is_not_a_user_id_is_left_out() -> None:
    joined = all_text(report_message(make_response(), requested_by="U1><!channel").blocks)
    assert "requested by" not in joined
    assert "<!channel" not in joined


def test_escape_covers_the_three_characters_slack_reserves() -> None:
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"


@pytest.mark.parametrize("limit", range(1, 40))
def test_clip_never_cuts_inside_an_entity(limit: int) -> None:
    clipped = clip(escape("&<>ab" * 20), limit)
    assert len(clipped) <= limit
    assert clipped.endswith("…")
    body = clipped.removesuffix("…")
    for entity in ("&amp;", "&lt;", "&gt;"):
        body = body.replace(entity, "")
    assert "&" not in body


def test_clip_leaves_short_text_alone() -> None:
    assert clip("short", 5) == "short"


@pytest.mark.parametrize(
    ("minutes", "label"), [(30, "30 min"), (90, "90 min"), (120, "2 hours"), (60, "1 hour")]
)
def test_window_labels(minutes: int, label: str) -> None:
    assert window_label(minutes) == label
    assert window_label(1440) == "1 day"
    assert window_label(7 * 1440) == "7 days"


@pytest.mark.parametrize(
    ("input_cut", "prompt_cut", "engine", "said", "unsaid"),
    [
        (True, False, "gemini", "input truncated (newest 230 events read)", "prompt truncated"),
        (False, True, "gemini", "prompt truncated (token budget)", "input truncated"),
        # The rules engine answered: no model read the prompt, so its cut changed nothing.
        (False, True, "rules", None, "truncated"),
        (False, False, "gemini", None, "truncated"),
    ],
)
def test_the_footer_says_which_part_was_cut(
    input_cut: bool,
    prompt_cut: bool,
    engine: Literal["gemini", "rules"],
    said: str | None,
    unsaid: str,
) -> None:
    response = make_response(input_truncated=input_cut, prompt_truncated=prompt_cut, engine=engine)
    footer = report_message(response).blocks[-1]["elements"][0]["text"]
    if said is not None:
        assert said in footer
    assert unsaid not in footer


def test_what_the_model_cost_is_in_the_footer_and_nothing_for_the_rules_engine() -> None:
    rules = report_message(make_response()).blocks[-1]["elements"][0]["text"]
    assert "tokens" not in rules
    response = make_response()
    response.summary = response.summary.model_copy(
        update={
            "engine": "gemini",
            "prompt_tokens": 7412,
            "output_tokens": 630,
            "cost_usd": 0.00792,
        }
    )
    line = report_message(response).blocks[-1]["elements"][0]["text"]
    assert "7,412 in / 630 out tokens, $0.0079" in line
    response.summary = response.summary.model_copy(update={"cost_usd": None})
    assert "price unknown" in report_message(response).blocks[-1]["elements"][0]["text"]


def test_a_report_link_becomes_a_full_report_button() -> None:
    link = "https://doctor.example.com/reports/a1b2c3?exp=1&sig=ff"
    blocks = report_message(make_response(), link=link).blocks
    assert_within_slack_limits(blocks)
    [actions] = [b for b in blocks if b["type"] == "actions"]
    [button] = actions["elements"]
    assert (button["text"]["text"], button["url"]) == ("Full report", link)
    assert not [b for b in report_message(make_response()).blocks if b["type"] == "actions"]


def test_incident_messages_escape_alarm_names_and_keep_the_report_footer() -> None:
    from datetime import UTC, datetime

    from doctor.notify.blocks import MAX_BLOCKS
    from doctor.notify.incident import failed_parent, parent_message, repeat_message

    hostile = "<!channel> p99>2s & 5xx"
    failed = failed_parent(
        alarms=[hostile], opened_at=datetime.now(UTC), target="t", reason="<@U1> gone", hint=""
    )
    assert "<!channel>" not in failed.text
    assert "<@U1>" not in failed.text
    assert "<!channel>" not in str(failed.blocks)
    assert "<!channel>" not in repeat_message(None, joined=[hostile], still=[]).text

    many = make_response([make_issue(n) for n in range(1, 41)], warnings=["w"] * 3)
    parent = parent_message(many, alarms=["a"], opened_at=datetime.now(UTC), target="t")
    assert len(parent.blocks) <= MAX_BLOCKS
    assert many.id in parent.blocks[-1]["elements"][0]["text"]  # the footer survived
