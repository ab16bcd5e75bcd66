"""The offline rules engine's behaviour: how it picks a rule for a pattern (tiers, tie-breaks,
levels), groups patterns into issues, ranks root causes before symptoms, and stays
deterministic.

What each rule recognises is checked where the rule lives, by its examples and counter-examples
(doctor/engines/rules/kb/*.toml, tests/doctor_gcp/engines/test_knowledge.py).
"""

from __future__ import annotations

import copy
import dataclasses
import random
import re

import pytest

from doctor.digest.types import Digest, Level, Pattern
from doctor.engines.rules import RulesEngine
from doctor.engines.rules.base import Rule
from doctor.engines.rules.knowledge import knowledge
from doctor.engines.rules.prefilter import required_literals
from doctor.engines.rules.schema import Causal, Example, RuleSpec, Strength
from doctor.engines.rules.text import MatchText
from doctor.taxonomy import Category, Severity
from tests.doctor_gcp.engines.patterns import make_pattern as _pattern

C = Category
RULES = knowledge().rules
# Every line of the knowledge base, with its level: examples, counter-examples, unclaimed.
LINES: list[Example] = [
    line
    for source in knowledge().sources
    for line in [
        *source.spec.unclaimed,
        *(e for spec in source.spec.rule for e in [*spec.examples, *spec.counter_examples]),
    ]
]


def _digest(*patterns: Pattern) -> Digest:
    assignments = [p.id for p in patterns for _ in range(p.count)]
    return Digest(
        events_total=len(assignments),
        patterns=list(patterns),
        assignments=assignments,
        timeline=[],
        spike_start=None,
        redactions={},
    )


def _rule(rule_id: str, match: list[str], **fields: object) -> Rule:
    """A rule built the way the loader builds one, for tie-break tests."""
    spec = RuleSpec.model_validate(
        {
            "id": rule_id,
            "title": rule_id,
            "strength": "exact",
            "severity": "HIGH",
            "match": match,
            "root_cause": "r",
            "solution": "s",
            "action": "a",
            "examples": ["x"],
            "counter_examples": ["y"],
            **fields,
        }
    )
    return Rule.of(spec, Category.APPLICATION_EXCEPTION, Causal.ROOT)


def test_root_cause_is_listed_before_the_500s_it_causes() -> None:
    digest = _digest(
        _pattern(
            "p1",
            '10.0.0.7 - - [01/May/2024:10:00:00 +0000] "GET /api/orders HTTP/1.1" 500 612',
            count=240,
        ),
        _pattern(
            "p2",
            "Traceback (most recent call last):\n"
            '  File "/app/views.py", line 9, in orders\n'
            "    rows = db.fetch_all(q)\n"
            "ValueError: unexpected result",
            count=120,
        ),
        _pattern(
            "p3",
            "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "
            '"db" (10.0.0.3), port 5432 failed: Connection refused',
            count=12,
        ),
    )
    diagnosis = RulesEngine().diagnosis(digest)
    assert [i.category for i in diagnosis.issues] == [
        C.DATABASE_CONNECTION,
        C.APPLICATION_EXCEPTION,
    ]
    assert diagnosis.issues[1].pattern_ids == ["p1", "p2"]
    assert diagnosis.severity is Severity.CRITICAL
    assert "Database Unreachable" in diagnosis.summary
    assert diagnosis.priority_actions[0].startswith("Verify the database is running")


def test_oom_kill_comes_before_the_crash_loop_and_the_502s() -> None:
    digest = _digest(
        _pattern(
            "p1", '10.0.0.9 - - [01/May/2024:10:00:01 +0000] "GET / HTTP/1.1" 502 150', count=300
        ),
        _pattern(
            "p2",
            "Warning  BackOff  kubelet  Back-off restarting failed container api in pod api-1",
            level=Level.WARNING,
            count=9,
        ),
        _pattern(
            "p3",
            "Memory cgroup out of memory: Killed process 4211 (python3) total-vm:2381232kB",
            level=Level.WARNING,
        ),
    )
    categories = [i.category for i in RulesEngine().diagnosis(digest).issues]
    assert categories == [C.OUT_OF_MEMORY, C.CRASH_LOOP, C.UPSTREAM_UNAVAILABLE]


def test_missing_setting_comes_before_the_restarts_it_causes() -> None:
    digest = _digest(
        _pattern(
            "p1",
            "systemd[1]: api.service: Main process exited, code=exited, status=1/FAILURE",
            count=20,
        ),
        _pattern("p2", "systemd[1]: api.service: Start request repeated too quickly.", count=4),
        _pattern("p3", "RuntimeError: environment variable DATABASE_URL is not set", count=20),
    )
    issues = RulesEngine().diagnosis(digest).issues
    assert [i.category for i in issues] == [C.CONFIGURATION_ERROR, C.CRASH_LOOP]
    assert issues[1].pattern_ids == ["p1", "p2"]


def test_expired_credentials_come_before_the_403s_they_cause() -> None:
    # Presigned URLs signed with a session whose token expired: S3 answers 403, the app logs
    # the status many times and the expired token a few
    digest = _digest(
        _pattern(
            "p1",
            "requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: "
            "https://invoices.s3.amazonaws.com/inv_91.pdf",
            count=380,
        ),
        _pattern(
            "p2",
            "parameter refresh failed, keeping cached values: ExpiredToken: The security token "
            "included in the request is expired",
            level=Level.WARNING,
            count=7,
        ),
    )
    issues = RulesEngine().diagnosis(digest).issues
    assert [i.category for i in issues] == [C.AUTHENTICATION_FAILURE, C.PERMISSION_DENIED]


def test_patterns_of_one_category_form_one_issue_led_by_the_most_specific_rule() -> None:
    digest = _digest(
        _pattern("p1", "Error: connect ECONNREFUSED 10.0.0.3:5432", count=50),
        _pattern("p2", "FATAL:  sorry, too many clients already", count=3),
    )
    (issue,) = RulesEngine().diagnosis(digest).issues
    assert issue.type == "Database Connection Limit Reached"
    assert issue.pattern_ids == ["p1", "p2"]
    assert "Also matched: Database Connection Failure" in issue.description


def test_unrecognised_errors_are_unknown_and_ranked_last() -> None:
    digest = _digest(
        _pattern("p1", "reconciler: object state diverged for shard 7 (epoch 12)", count=40),
        _pattern("p2", "HTTP 429 Too Many Requests from api.partner.io", level=Level.WARNING),
    )
    issues = RulesEngine().diagnosis(digest).issues
    assert [i.category for i in issues] == [C.RATE_LIMITED, C.UNKNOWN]
    assert issues[1].pattern_ids == ["p1"]


def test_warnings_and_info_never_become_generic_issues() -> None:
    digest = _digest(
        _pattern("p1", "ValueError: optional field skipped", level=Level.WARNING),
        _pattern("p2", "cache miss ratio above 20%", level=Level.WARNING),
        # A generic signature on an INFO line stays noise (concrete ones do not: see below).
        _pattern("p3", "GET /api/orders 500 12ms", level=Level.INFO),
    )
    diagnosis = RulesEngine().diagnosis(digest)
    assert diagnosis.issues == []
    assert diagnosis.severity is Severity.LOW
    assert "No known failure" in diagnosis.summary


def test_a_job_its_runner_retries_failed_though_logged_as_a_warning() -> None:
    job = (
        'pid=12 tid=07hwj class=RenewJob jid=80bc WARN: {"context":"Job raised exception",'
        '"job":{"retry":true,"class":"RenewJob","error_message":"%s","error_class":"%s"}}'
    )
    digest = _digest(
        _pattern(
            "p1", job % ("undefined method 'price' for nil", "NoMethodError"), level=Level.WARNING
        ),
        _pattern("p2", job % ("Net::ReadTimeout", "Net::ReadTimeout"), level=Level.WARNING),
        _pattern("p3", "ValueError: optional field skipped", level=Level.WARNING),
    )
    issues = RulesEngine().diagnosis(digest).issues
    # the job's own error names the category where it says more than that the job raised
    assert sorted((i.category.value, i.pattern_ids) for i in issues) == [
        ("application_exception", ["p1"]),
        ("timeout", ["p2"]),
    ]


def test_a_digest_without_warnings_has_no_issues() -> None:
    digest = _digest(
        _pattern("p1", "GET /healthz 200 1ms", level=Level.INFO, count=500),
        _pattern("p2", "retrying connection refused check (debug)", level=Level.DEBUG),
    )
    diagnosis = RulesEngine().diagnosis(digest)
    assert diagnosis.issues == []
    assert diagnosis.priority_actions == []
    assert diagnosis.severity is Severity.LOW
    assert "No errors found" in diagnosis.summary


def test_a_failure_printed_with_no_level_is_still_diagnosed() -> None:
    # Go's log package, the kernel and systemd name no level: the digest infers INFO. Every
    # level-less example of the knowledge base becomes an issue of its rule's category.
    by_id = {r.id: r for r in RULES}
    levelless = [
        (e, by_id[spec.id].category)
        for source in knowledge().sources
        for spec in source.spec.rule
        for e in spec.examples
        if e.log_level < Level.WARNING
    ]
    assert levelless
    for example, category in levelless:
        diagnosis = RulesEngine().diagnosis(_digest(_pattern("p1", example.text, Level.INFO)))
        assert [issue.category for issue in diagnosis.issues] == [category], example.text


def test_below_warning_only_tiers_that_count_there_claim_a_line() -> None:
    assert [s.counts_below_warning for s in Strength] == [
        True,  # exact
        True,  # specific
        True,  # broad
        True,  # generic
        False,  # weak
        False,  # vague
        False,  # fallback
    ]
    weak = _rule("weak-refused", ["connection refused"], strength="weak")
    engine = RulesEngine([weak])
    text = "dial tcp 10.0.0.5:8080: connect: connection refused"
    assert engine.classify(_pattern("p1", text, Level.WARNING)) is weak
    assert engine.classify(_pattern("p1", text, Level.INFO)) is None


def test_the_strongest_tier_that_fires_wins() -> None:
    exact = _rule("z-exact", ["refused"], strength="exact")
    generic = _rule("a-generic", ["connect: connection refused by peer"], strength="generic")
    text = "dial tcp 10.0.0.5:5432: connect: connection refused by peer"
    assert RulesEngine([generic, exact]).classify(_pattern("p1", text)) is exact


def test_within_a_tier_a_refinement_wins_over_what_it_refines() -> None:
    wrapper = _rule("a-wrapper", ["certificate verify failed"])
    reason = _rule("z-reason", ["has expired"], refines=["a-wrapper"], causal="symptom")
    text = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired"
    engine = RulesEngine([wrapper, reason])
    assert engine.classify(_pattern("p1", text)) is reason
    assert engine.contenders(_pattern("p1", text)) == (reason, wrapper)
    # the refinement takes the place of what it refines against a third rule
    other = _rule("m-other", ["certificate"])
    assert RulesEngine([other, wrapper, reason]).classify(_pattern("p1", text)) is reason
    assert RulesEngine([other, wrapper]).classify(_pattern("p1", text)) is wrapper


def test_within_a_tier_a_cause_wins_over_a_consequence_then_the_smallest_id() -> None:
    symptom = _rule("a-symptom", ["goroutine \\d+ \\[running\\]"], causal="symptom")
    cause = _rule("z-cause", ["out of memory"], causal="root")
    text = "fatal error: runtime: out of memory\n\ngoroutine 1 [running]:\nmain.main()"
    assert RulesEngine([symptom, cause]).classify(_pattern("p1", text)) is cause
    twin = _rule("b-twin", ["out of memory"], causal="root")
    assert RulesEngine([twin, cause, symptom]).classify(_pattern("p1", text)) is twin


def test_the_order_of_rules_never_changes_a_choice() -> None:
    """Tie-breaks depend on the rules and the text, never on file or list order."""
    shuffled = list(RULES)
    random.Random(7).shuffle(shuffled)
    forward, backward, mixed = RulesEngine(RULES), RulesEngine(RULES[::-1]), RulesEngine(shuffled)
    for line in LINES:
        pattern = _pattern("p1", line.text, line.log_level)
        best = forward.classify(pattern)
        assert best is backward.classify(pattern) is mixed.classify(pattern), line.text


def _mixed_digest() -> Digest:
    levels = [Level.ERROR, Level.WARNING, Level.CRITICAL, Level.INFO]
    return _digest(
        *(
            _pattern(f"p{i + 1}", text, level=levels[i % 4], count=1 + i % 7)
            for i, text in enumerate(line.text for line in LINES)
        )
    )


def test_issues_cite_only_real_patterns_each_once() -> None:
    digest = _mixed_digest()
    diagnosis = RulesEngine().diagnosis(digest)
    cited = [pid for issue in diagnosis.issues for pid in issue.pattern_ids]
    known = {p.id: p for p in digest.patterns}
    assert cited, "a digest full of failures must produce issues"
    assert len(cited) == len(set(cited))
    engine = RulesEngine()
    for pid in cited:
        assert pid in known
        if known[pid].level < Level.WARNING:  # only an unmistakable signature lifts an INFO line
            rule = engine.classify(known[pid])
            assert rule is not None
            assert rule.strength.counts_below_warning
    assert 0 < len(diagnosis.priority_actions) <= 5
    assert len(set(diagnosis.priority_actions)) == len(diagnosis.priority_actions)
    # the summary names the first issue first: as the root cause, or as the primary problem
    lead = re.escape(diagnosis.issues[0].type)
    assert re.match(
        rf"(Most likely primary problem|Root causes?( at \d\d:\d\d UTC)?( in [^:]+)?): {lead}\b",
        diagnosis.summary,
    )


def test_same_digest_gives_the_identical_diagnosis() -> None:
    digest = _mixed_digest()
    first = RulesEngine().diagnosis(digest).model_dump()
    again = RulesEngine().diagnosis(copy.deepcopy(digest)).model_dump()
    assert first == again
    assert RulesEngine.name == "rules"


def test_fatal_level_raises_issue_severity() -> None:
    text = "java.lang.IllegalStateException: cart already checked out"
    assert RulesEngine().diagnosis(_digest(_pattern("p1", text))).severity is Severity.MEDIUM
    fatal = RulesEngine().diagnosis(_digest(_pattern("p1", text, level=Level.CRITICAL)))
    assert fatal.severity is Severity.HIGH


def test_substring_gates_never_hide_a_match() -> None:
    """The gates are an optimisation only: with them off, every line classifies the same."""
    gated = RulesEngine(RULES)
    ungated = RulesEngine([dataclasses.replace(r, gate=None) for r in RULES])
    for line in LINES:
        pattern = _pattern("p1", line.text, line.log_level)
        best, reference = gated.classify(pattern), ungated.classify(pattern)
        assert (best and best.id) == (reference and reference.id), line.text
        matched = MatchText.of(pattern)
        for r in RULES:
            lowered = matched.full_lower if r.full_text else matched.head_lower
            if r.match.search(r.haystack(matched)) and r.gate is not None:
                assert any(word in lowered for word in r.gate), (r.id, line.text)


@pytest.mark.parametrize(
    ("regexes", "gate"),
    [
        ([r"Connection refused|ECONNREFUSED"], ("connection refused", "econnrefused")),
        ([r"colou?r code"], ("r code",)),  # the optional 'u' splits the run
        ([r"\bORA-\d{4,5}\b"], ("ora-",)),
        ([r"(?:exit code|status)[ =:]*137\b"], ("137",)),
        ([r"(?:could not|unable to) connect"], (" connect",)),
        ([r"(?:secrets?|configmaps?) \S+ not found"], (" not found",)),
        ([r"(?:foo|bar)\S+"], ("foo", "bar")),  # no run outside: one per alternative inside
        ([r"(?-i:\bThrottling\b)"], ("throttling",)),
        ([r"(?=abc)\w+"], None),  # a lookahead is not text we may rely on
        ([r"ab?"], None),  # 'a' is too short to prefer over nothing... but still a gate
    ],
)
def test_required_literals(regexes: list[str], gate: tuple[str, ...] | None) -> None:
    if regexes == [r"ab?"]:
        assert required_literals(regexes) == ("a",)
        return
    assert required_literals(regexes) == gate
