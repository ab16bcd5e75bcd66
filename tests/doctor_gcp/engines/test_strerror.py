"""The C library's error texts in other languages (`rules/strerror.toml`, named by a rule's
`errno`) are read like the English ones: a line of the knowledge base that holds an error's
English text is won by the same rule with that text in any language the table has.

Where the English words belong to a program's own message instead ("permission denied for
table", PostgreSQL's; ssh's "Permission denied (publickey)"), that message is not translated
by the C library, and the line is left out: the rule that wins it is not one that names the
error, and loses the line once the words are gone."""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files

import pytest

from doctor.digest.types import Pattern
from doctor.engines.rules import RulesEngine
from doctor.engines.rules.knowledge import knowledge
from doctor.engines.rules.schema import STRERROR_FILE, Example, errno_regex, strerror
from tests.doctor_gcp.engines.patterns import make_pattern

KB = knowledge()
LINES: list[Example] = [
    line
    for source in KB.sources
    for spec in source.spec.rule
    for line in [*spec.examples, *spec.counter_examples]
]
ERRORS = sorted(strerror())


def english(name: str) -> str:
    return strerror()[name][0]


def winner(engine: RulesEngine, text: str, example: Example) -> str | None:
    pattern: Pattern = make_pattern("p1", text, example.log_level)
    rule = engine.classify(pattern)
    return rule.id if rule is not None else None


@pytest.fixture(scope="module")
def engine() -> RulesEngine:
    return RulesEngine()


@pytest.mark.parametrize("name", ERRORS)
def test_every_text_of_an_error_is_won_like_its_english_text(
    name: str, engine: RulesEngine
) -> None:
    found = re.compile(re.escape(english(name)), re.IGNORECASE)
    lines = [line for line in LINES if found.search(line.text)]
    assert lines, f"no line of the knowledge base shows {name} ({english(name)!r})"
    naming = {spec.id for source in KB.sources for spec in source.spec.rule if name in spec.errno}
    wrong = []
    for line in lines:
        expected = winner(engine, line.text, line)
        if expected not in naming and winner(engine, found.sub("", line.text), line) != expected:
            continue  # the words are a program's own message, not the C library's text
        for text in strerror()[name][1:]:
            translated = found.sub(text, line.text)
            got = winner(engine, translated, line)
            if got != expected:
                wrong.append(f"{got} instead of {expected}: {translated.splitlines()[0][:100]!r}")
    assert not wrong, "\n".join(wrong)


def test_every_error_has_its_text_in_every_language_of_the_table() -> None:
    raw = tomllib.loads((files("doctor.engines.rules") / STRERROR_FILE).read_text("utf-8"))
    languages = {name: set(texts) for name, texts in raw.items()}
    assert all("C" in found for found in languages.values())
    assert len({frozenset(found) for found in languages.values()}) == 1, languages


def test_every_error_is_named_by_a_rule() -> None:
    named = {name for source in KB.sources for spec in source.spec.rule for name in spec.errno}
    assert named == set(ERRORS)


@pytest.mark.parametrize(
    "text",
    [
        "Connexion terminée par expiration du délai d'attente",
        "Connexion terminée par expiration du délai d\u2019attente",  # a typographic apostrophe
        "CONNECTION TIMED OUT",
        "connect ETIMEDOUT 10.0.0.1:443",
    ],
)
def test_an_error_is_found_by_name_and_any_text(text: str) -> None:
    assert re.search(errno_regex("ETIMEDOUT"), text, re.IGNORECASE)


def test_a_symbolic_name_is_a_word() -> None:
    assert not re.search(errno_regex("EPERM"), "EPERMISSION", re.IGNORECASE)
