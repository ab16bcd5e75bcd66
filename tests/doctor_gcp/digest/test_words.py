"""Words in templates: a differing word keeps messages apart, unless many words stand there."""

from __future__ import annotations

import pytest

from doctor.digest import Level, LogEvent, build_digest
from doctor.digest.words import VALUE_WORDS, value_slots


def templates(messages: list[str]) -> dict[str, int]:
    """Template -> count, for messages mined in this order."""
    digest = build_digest(LogEvent(i, m, Level.INFO, None) for i, m in enumerate(messages))
    return {p.template: p.count for p in digest.patterns}


@pytest.mark.parametrize(
    "words",
    [
        ["Started", "Stopped", "Paused", "Resumed"],  # a VM's lifecycle: four meanings
        ["password", "none"],  # how a login failed
    ],
)
def test_a_closed_set_of_words_keeps_messages_apart(words: list[str]) -> None:
    messages = [f"VM {w} (Lifecycle Event) for instance {n}" for n in range(5) for w in words]
    found = templates(messages)
    assert len(found) == len(words)
    for word in words:
        assert f"VM {word} (Lifecycle Event) for instance <NUM>" in found


def test_a_flag_written_as_a_bare_word_is_a_value() -> None:
    # "pressed true" / "pressed false": a flag's state, like "ready=<BOOL>", not another message.
    flags = [("true", "false"), ("false", "false"), ("true", "true"), ("false", "true")]
    messages = [
        f"key event code={n} pressed {pressed} repeated {repeated}"
        for n in range(3)
        for pressed, repeated in flags
    ]
    assert templates(messages) == {"key event code=<NUM> pressed <*> repeated <*>": 12}


@pytest.mark.parametrize("word", ["EOF", "timeout", "empty"])
def test_a_flag_against_another_word_is_two_messages(word: str) -> None:
    messages = [f"conn {n} read returned err {value}" for n in range(3) for value in ("nil", word)]
    found = templates(messages)
    assert found == {
        "conn <NUM> read returned err nil": 3,
        f"conn <NUM> read returned err {word}": 3,
    }


def test_many_words_in_one_place_are_a_value() -> None:
    users = ["root", "admin", "git", "ftp", "mysql", "backup"]
    messages = [f"Failed password for {u} from 10.0.0.{n} port 22" for n in range(4) for u in users]
    found = templates(messages)
    assert found == {"Failed password for <*> from <HOST> port <NUM>": len(messages)}


def test_the_first_word_is_never_a_value() -> None:
    verbs = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]
    messages = [f"{v} /api/orders answered {n}" for n in range(3) for v in verbs]
    assert len(templates(messages)) == len(verbs)


def test_a_qualified_name_first_is_a_value_too() -> None:
    jobs = ["com.example.sync", "com.example.backup", "org.acme.heartbeat", "io.app.push", "a.b.c"]
    messages = [f"{job}: scheduler told me to run this job; deferring" for job in jobs] * 2
    assert templates(messages) == {"<*> scheduler told me to run this job; deferring": 10}


def test_value_slots_maps_only_templates_that_differ_in_one_word() -> None:
    level = Level.INFO
    keys = {(level, f"session opened for user {u} by uid=<NUM>") for u in "abcde"}
    keys |= {(level, "session closed for user a by uid=<NUM>")}  # differs in two places
    general = value_slots(keys)
    assert len({general[k] for k in general}) == 1
    assert general[(level, "session opened for user a by uid=<NUM>")] == (
        level,
        "session opened for user <*> by uid=<NUM>",
    )
    assert (level, "session closed for user a by uid=<NUM>") not in general
    fewer = {(level, f"job {w} done") for w in ["queued", "running", "failed", "retried"]}
    assert len(fewer) == VALUE_WORDS - 1
    assert value_slots(fewer) == {}
