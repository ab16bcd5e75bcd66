"""The one harness for redact_rules.toml: every rule's examples and counterexamples, and the
loader's refusal of a malformed rule file."""

from __future__ import annotations

import re

import pytest

from doctor.digest import Redactor
from doctor.digest.redact_rules import Rule, RuleFileError, load_rules, parse_rules, shape

RULES = load_rules()
EXAMPLES = [
    pytest.param(rule, example.line, example.secret, id=f"{rule.id}-{n}")
    for rule in RULES
    for n, example in enumerate(rule.examples)
]
COUNTEREXAMPLES = [
    pytest.param(rule, line, id=f"{rule.id}-{n}")
    for rule in RULES
    for n, line in enumerate(rule.counterexamples)
]


def test_every_rule_has_an_example() -> None:
    assert [rule.id for rule in RULES if not rule.examples] == []


def test_the_rule_file_is_read_once_per_process() -> None:
    assert load_rules() is RULES


@pytest.mark.parametrize(("rule", "line", "secret"), EXAMPLES)
def test_each_example_loses_its_secret_to_its_rule(rule: Rule, line: str, secret: str) -> None:
    redactor = Redactor()
    redacted = redactor.redact(line)
    assert secret not in redacted
    assert rule.kind in redactor.counts  # this rule's kind, not some other rule by chance
    placeholder = re.compile(rf"<{rule.kind}(?:-\d+)?>")
    assert placeholder.search(redacted), redacted


@pytest.mark.parametrize(("rule", "line", "secret"), EXAMPLES)
def test_each_example_is_caught_by_the_cheap_prefilters(rule: Rule, line: str, secret: str) -> None:
    """Anchors and prefilters are necessary conditions: if one missed, the rule never ran."""
    if rule.anchors or rule.exact:
        assert any(a in line.lower() for a in rule.anchors) or any(a in line for a in rule.exact)
    if rule.shapes:
        assert any(s in shape(line) for s in rule.shapes), f"{rule.id}: no shape in {line!r}"
    if rule.prefilter is not None:
        assert rule.prefilter.search(line), f"{rule.id}: prefilter misses {line!r}"


@pytest.mark.parametrize(("rule", "line"), COUNTEREXAMPLES)
def test_each_counterexample_comes_out_unchanged(rule: Rule, line: str) -> None:
    redactor = Redactor()
    assert redactor.redact(line) == line
    assert redactor.counts == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule]]\nkind = 'X'\n", "id is missing"),
        ("[[rule]]\nid = 'a'\nkind = 'lower'\nregex = 'x'\nanchors = []\n", "UPPER_SNAKE"),
        ("[[rule]]\nid = 'a'\nkind = 'X'\nregex = '(unclosed'\nanchors = []\n", "compile"),
        ("[[rule]]\nid = 'a'\nkind = 'X'\nregex = 'x'\nanchors = []\ncheck = 'nope'\n", "check"),
        ("[[rule]]\nid = 'a'\nkind = 'X'\nregex = 'x'\nanchors = []\nextra = 1\n", "unknown"),
        (
            "[[rule]]\nid = 'a'\nkind = 'X'\nregex = 'x'\nanchors = []\n"
            "examples = [{ line = 'abc', secret = 'zzz' }]\n",
            "not in its line",
        ),
        (
            "[[rule]]\nid = 'a'\nkind = 'X'\nregex = 'x'\nanchors = []\n"
            "[[rule]]\nid = 'a'\nkind = 'X'\nregex = 'y'\nanchors = []\n",
            "defined twice",
        ),
        (
            "[[rule]]\nid = 'a'\nkind = 'IP'\nregex = 'x'\nanchors = []\npseudonym = true\n",
            "secret",
        ),
        ("[[rule]]\nid = 'a'\nkind = 'X'\nregex = 'x'\nanchors = []\nshapes = ['12']\n", "shape"),
        ("[[rule]\n", "not valid TOML"),
    ],
)
def test_a_malformed_rule_file_is_refused_with_the_rule_named(text: str, message: str) -> None:
    with pytest.raises(RuleFileError, match=message):
        parse_rules(text)
