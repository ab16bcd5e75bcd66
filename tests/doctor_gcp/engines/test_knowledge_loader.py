"""The knowledge-base loader: a broken file is refused with a message that names the file, the
rule and what is wrong, so that its author can fix it without reading the loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from doctor.digest.types import Level
from doctor.engines.rules.knowledge import load
from doctor.engines.rules.schema import Causal, KnowledgeError, Strength
from doctor.taxonomy import Category, Severity

RULE = """
[[rule]]
id = "{rule_id}"
title = "Disk Full"
strength = "exact"
severity = "CRITICAL"
match = ['No space left on device', 'ENOSPC']
root_cause = "The filesystem is full."
solution = "Free or grow it."
action = "Free or grow the filesystem."
examples = [
    "write /data/out.bin: no space left on device",
    {{ text = "ENOSPC: no space left on device, write", level = "INFO" }},
]
counter_examples = ["Disk usage at 71% on /var/lib/data"]
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def rule_file(rule_id: str = "disk-full", extra: str = "", **changes: str) -> str:
    """A valid category file with one rule; `changes` replace whole lines by their key, `extra`
    adds lines to the rule."""
    lines = ('causal = "root"\n' + RULE.format(rule_id=rule_id)).splitlines()
    for key, line in changes.items():
        index = next(i for i, text in enumerate(lines) if text.startswith(f"{key} ="))
        lines[index] = line
    if extra:
        lines.insert(lines.index("[[rule]]") + 1, extra)
    return "\n".join(lines) + "\n"


def refused(directory: Path) -> str:
    with pytest.raises(KnowledgeError) as caught:
        load(directory)
    return str(caught.value)


def test_a_valid_file_becomes_rules_of_its_category(tmp_path: Path) -> None:
    write(tmp_path, "disk_full.toml", rule_file())
    knowledge = load(tmp_path)
    (rule,) = knowledge.rules
    assert rule.category is Category.DISK_FULL
    assert rule.strength is Strength.EXACT
    assert rule.causal is Causal.ROOT
    assert rule.severity is Severity.CRITICAL
    assert rule.match.search("no SPACE left on device")  # case-insensitive
    (source,) = knowledge.sources
    levels = [e.log_level for e in source.spec.rule[0].examples]
    assert levels == [Level.ERROR, Level.INFO]  # a plain string is an ERROR line


def test_a_bad_regex_is_named_with_its_position(tmp_path: Path) -> None:
    path = write(
        tmp_path, "disk_full.toml", rule_file(match="match = ['No space left', '(unclosed']")
    )
    message = refused(tmp_path)
    assert str(path) in message
    assert "rule 'disk-full': match[1]: not a valid regex '(unclosed'" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (rule_file(match="match = ['a?']"), "match[0]: regex 'a?' matches the empty string"),
        (rule_file(match="match = ['x', '(?i)abc']"), "match[1]: cannot be combined '(?i)abc'"),
        (rule_file(extra="context = ['[z-a]']"), "context[0]: not a valid regex '[z-a]'"),
        (rule_file(extra="unless = ['x', '+']"), "unless[1]: not a valid regex '+'"),
    ],
)
def test_regexes_that_would_misbehave_are_refused(tmp_path: Path, text: str, expected: str) -> None:
    write(tmp_path, "disk_full.toml", text)
    assert f"rule 'disk-full': {expected}" in refused(tmp_path)


def test_an_errno_stands_for_its_name_and_its_text_in_every_language(tmp_path: Path) -> None:
    write(tmp_path, "disk_full.toml", rule_file(match='errno = ["ENOSPC"]'))
    (rule,) = load(tmp_path).rules
    assert rule.match.search("write /data/out.bin: ENOSPC")
    assert rule.match.search("java.io.IOException: NO SPACE LEFT ON DEVICE")
    assert rule.match.search("IOException: Auf dem Gerät ist kein Speicherplatz mehr verfügbar")
    assert rule.match.search("write error: デバイスに空き領域がありません")
    assert not rule.match.search("Disk quota exceeded")


def test_an_unknown_errno_is_refused_with_the_ones_it_knows(tmp_path: Path) -> None:
    write(tmp_path, "disk_full.toml", rule_file(extra='errno = ["ENOSPC", "ENOSPACE"]'))
    message = refused(tmp_path)
    assert "rule 'disk-full': errno[1]: 'ENOSPACE' is not in strerror.toml" in message
    assert "ECONNREFUSED" in message  # the names it would accept


def test_an_unknown_field_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "disk_full.toml", rule_file(extra="weight = 100"))
    assert "rule 'disk-full': weight: unknown field" in refused(tmp_path)


def test_an_unknown_tier_is_refused_with_the_tiers_it_knows(tmp_path: Path) -> None:
    write(tmp_path, "disk_full.toml", rule_file(strength='strength = "strong"'))
    message = refused(tmp_path)
    assert "rule 'disk-full': strength:" in message
    assert all(tier.value in message for tier in Strength)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("examples = []", "examples: List should have at least 1 item"),
        ('counter_examples = [{ text = "x", level = "LOUD" }]', "counter_examples[0].level:"),
    ],
)
def test_examples_must_be_there_and_well_formed(tmp_path: Path, line: str, expected: str) -> None:
    key = line.split(" ", maxsplit=1)[0]
    text = rule_file()
    start = text.index(f"{key} = [")
    end = text.index("]\n", start) + 2
    write(tmp_path, "disk_full.toml", text[:start] + line + "\n" + text[end:])
    assert f"rule 'disk-full': {expected}" in refused(tmp_path)


def test_missing_examples_are_named(tmp_path: Path) -> None:
    text = rule_file()
    text = text[: text.index("examples = [")] + 'counter_examples = ["x"]\n'
    write(tmp_path, "disk_full.toml", text)
    assert "rule 'disk-full': examples: Field required" in refused(tmp_path)


def test_a_duplicate_id_across_files_names_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, "disk_full.toml", rule_file("same-id"))
    second = write(tmp_path, "timeout.toml", rule_file("same-id"))
    message = refused(tmp_path)
    assert f"{second}: rule 'same-id': duplicate id, already defined in {first}" in message


def test_a_file_whose_name_is_not_a_category_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "disk.toml", rule_file())
    message = refused(tmp_path)
    assert f"{path}: the file name is not a category" in message
    assert "disk_full.toml" in message  # the names it would accept


def test_unknown_holds_no_rules_and_other_files_need_one(tmp_path: Path) -> None:
    write(tmp_path, "unknown.toml", rule_file())
    assert "unknown is what no rule claims" in refused(tmp_path)
    (tmp_path / "unknown.toml").unlink()
    write(tmp_path, "timeout.toml", 'causal = "symptom"\n')
    assert "a category file needs at least one rule" in refused(tmp_path)


def test_unclaimed_lines_belong_to_unknown_only(tmp_path: Path) -> None:
    write(tmp_path, "unknown.toml", 'unclaimed = ["Starting server on port 8080"]\n')
    assert load(tmp_path).rules == ()
    write(tmp_path, "disk_full.toml", 'unclaimed = ["x"]\n' + rule_file())
    assert "only unknown.toml lists unclaimed lines" in refused(tmp_path)


def test_a_category_file_names_its_causal_role(tmp_path: Path) -> None:
    write(tmp_path, "disk_full.toml", rule_file().replace('causal = "root"\n', ""))
    assert "causal: missing" in refused(tmp_path)


def test_broken_toml_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "disk_full.toml", 'causal = "root\n')
    message = refused(tmp_path)
    assert f"{path}: not valid TOML" in message
    assert "line 1" in message


@pytest.mark.parametrize(
    ("refines", "expected"),
    [
        ('["no-such-rule"]', "refines: no rule has the id 'no-such-rule'"),
        ('["other"]', "refines: 'other' is specific, this rule exact"),
        ('["disk-full"]', "refines: a cycle leads back to 'disk-full'"),
    ],
)
def test_refinements_must_name_a_rule_of_the_same_tier_without_cycles(
    tmp_path: Path, refines: str, expected: str
) -> None:
    other = rule_file("other", strength='strength = "specific"')
    text = rule_file(extra=f"refines = {refines}")
    write(tmp_path, "disk_full.toml", text + other.replace('causal = "root"\n', ""))
    assert f"rule 'disk-full': {expected}" in refused(tmp_path)


@pytest.mark.parametrize(
    ("after", "other_after", "expected"),
    [
        ('["no-such-rule"]', "", "after: no rule has the id 'no-such-rule'"),
        ('["other"]', 'after = ["disk-full"]', "after: 'other' has an `after` of its own"),
        ('["disk-full"]', "", "after: 'disk-full' has an `after` of its own"),
    ],
)
def test_a_rule_comes_after_existing_rules_that_need_nothing_before_them(
    tmp_path: Path, after: str, other_after: str, expected: str
) -> None:
    other = rule_file("other", extra=other_after).replace('causal = "root"\n', "")
    write(tmp_path, "disk_full.toml", rule_file(extra=f"after = {after}") + other)
    assert f"rule 'disk-full': {expected}" in refused(tmp_path)


LINK = """
[[link]]
cause = "disk_full"
symptoms = ["database_connection", "timeout"]
why = "a database that cannot write stops answering"
"""


def test_links_are_read_beside_the_rules(tmp_path: Path) -> None:
    write(tmp_path, "disk_full.toml", rule_file())
    write(tmp_path, "links.toml", LINK)
    links = load(tmp_path).links
    assert links == {
        Category.DISK_FULL: frozenset({Category.DATABASE_CONNECTION, Category.TIMEOUT})
    }
    assert load(tmp_path).lagging == frozenset()


def test_a_links_later_symptoms_are_linked_and_told_apart(tmp_path: Path) -> None:
    write(tmp_path, "disk_full.toml", rule_file())
    later = LINK.replace("why = ", 'later = ["crash_loop"]\nwhy = ')
    write(tmp_path, "links.toml", later)
    read = load(tmp_path)
    assert read.links[Category.DISK_FULL] == {
        Category.DATABASE_CONNECTION,
        Category.TIMEOUT,
        Category.CRASH_LOOP,
    }
    assert read.lagging == {(Category.DISK_FULL, Category.CRASH_LOOP)}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (LINK.replace('"timeout"', '"timeouts"'), "links.toml: link[0]: symptoms[1]: Input"),
        (LINK.replace('"timeout"', '"disk_full"'), "disk_full lists itself"),
        (LINK.replace("why = ", 'later = ["disk_full"]\nwhy = '), "disk_full lists itself"),
        (LINK.replace("why = ", 'later = ["timeout"]\nwhy = '), "timeout is in both"),
        (LINK.replace('"timeout"', '"unknown"'), "unknown cannot be linked"),
        (LINK + LINK, "link[1]: disk_full is listed twice"),
        (LINK.replace("why = ", "because = "), "link[0]: because: unknown field"),
        ("[[link]\n", "links.toml: not valid TOML"),
    ],
)
def test_a_broken_link_is_refused_naming_the_entry(tmp_path: Path, text: str, said: str) -> None:
    write(tmp_path, "disk_full.toml", rule_file())
    write(tmp_path, "links.toml", text)
    assert said in refused(tmp_path)


def test_the_packaged_links_name_only_causes_and_symptoms_of_real_rules() -> None:
    from doctor.engines.rules.knowledge import knowledge

    packaged = knowledge()
    categories = {rule.category for rule in packaged.rules}
    assert packaged.links, "kb/links.toml is packaged and read"
    for cause, symptoms in packaged.links.items():
        assert cause in categories
        assert symptoms <= categories
