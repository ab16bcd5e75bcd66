"""The `/doctor` grammar: what parses, and what each refusal says."""

from __future__ import annotations

import pytest

from doctor.api.slack.commands import Analyze, Help, UsageError, parse, usage


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Help()),
        ("   ", Help()),
        ("help", Help()),
        ("HELP", Help()),
        ("analyze", Analyze(30, None)),
        ("analyze 45m", Analyze(45, None)),
        ("Analyze 2H", Analyze(120, None)),
        ("analyze 1d", Analyze(1440, None)),
        ("analyze 7d", Analyze(10080, None)),
        ("analyze 1d /aws/ec2/chaos-app", Analyze(1440, "/aws/ec2/chaos-app")),
        ("analyze /aws/ec2/chaos-app 15m", Analyze(15, "/aws/ec2/chaos-app")),
        ("analyze /aws/ec2/chaos-app", Analyze(30, "/aws/ec2/chaos-app")),
        ("analyze\u00a030m", Analyze(30, None)),  # a non-breaking space from a phone
    ],
)
def test_valid_commands(text: str, expected: Help | Analyze) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("analyze 7x", "'7x' is not a time window"),
        ("analyze 30", "'30' is not a time window"),
        ("analyze 8d", "'8d' is longer than the doctor's maximum window of 7 days"),
        ("analyze 10081m", "maximum window"),
        ("analyze 0m", "'0m' is an empty window"),
        ("analyze 30m /a /b", "Two log groups given"),
        ("analyze t 30m /a /b", "Too many arguments (4)"),
        ("analyze 30m 2h", "Two windows"),
        ("analyze /a /b", "Two log groups"),
        ("analyze bad!group", "'bad!group' is not a valid CloudWatch log group name"),
        ("analyse 30m", "Unknown subcommand 'analyse'"),
        ("help me", "`help` takes no arguments"),
    ],
)
def test_bad_commands_name_the_problem(text: str, named: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse(text)
    assert named in str(caught.value)


def test_usage_lists_the_forms() -> None:
    text = usage().text
    for form in ("/doctor analyze`", "/doctor analyze 2h`", "/doctor help`", "at most 7 days"):
        assert form in text


def test_a_quoted_argument_is_escaped_in_the_reply() -> None:
    with pytest.raises(UsageError) as caught:
        parse("frobnicate<!channel>")
    message = usage(str(caught.value))
    assert "<!channel>" not in message.text
    assert "&lt;!channel&gt;" in message.text
    assert message.blocks[0]["text"]["text"] == message.text
