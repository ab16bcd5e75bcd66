"""A cheap substring gate in front of each rule's regex.

Case-insensitive regex alternations cost ~100 ns per character in Python's `re`; a lowercase
substring test costs almost nothing. For every alternative of a rule we find plain text that any
match of that alternative must contain (a literal run, or one run per alternative of a group it
cannot skip); if none of that text occurs in the lowercased input, the regex cannot match and is
not run. An alternative without such text leaves the rule ungated, so the gate never hides a
match; it only saves time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

_BREAK_ESCAPES = set("dDsSwWbBAZ0123456789nrtfv")  # classes, anchors, backrefs, control chars
_OPTIONAL_AFTER = set("?*{")  # quantifiers that allow zero of what precedes them
_NOT_LITERAL = set(".^$?*+}|")
_GOOD = 3  # a literal this long (spaces aside) is selective enough: no need to look in groups
_GROUP_PREFIXES = ("?:", "?-i:", "?i:", "?s:", "?m:")


def required_literals(regexes: Sequence[str]) -> tuple[str, ...] | None:
    """Lowercase substrings, one of which any match of any of `regexes` contains, or None."""
    gate: list[str] = []
    for regex in regexes:
        for branch in _split(regex):
            words = _branch_literals(branch)
            if words is None:
                return None
            gate.extend(w for w in words if w not in gate)
    return tuple(gate) or None


def _branch_literals(branch: str) -> list[str] | None:
    """Literals (lowercase) one of which every match of `branch` contains, or None."""
    runs, groups = _scan(branch)
    best = max(runs, key=lambda run: len(run.strip()), default="")
    if len(best.strip()) >= _GOOD:
        return [best.lower()]
    options: list[list[str]] = []
    for group in groups:
        alternatives = [_branch_literals(alt) for alt in _split(group)]
        if all(a is not None for a in alternatives):
            options.append([w for a in alternatives if a is not None for w in a])
    if options:
        chosen = max(options, key=lambda words: min(len(w) for w in words))
        if min(len(w.strip()) for w in chosen) > len(best.strip()):
            return chosen
    return [best.lower()] if best else None


def _structure(regex: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, depth) of each `(`, `)` and `|` that is regex syntax, not escaped
    or inside a character class; depth counts the parentheses open after the character."""
    depth, i, in_class = 0, start, False
    while i < len(regex):
        c = regex[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c in "()|":
            depth += {"(": 1, ")": -1, "|": 0}[c]
            yield i, c, depth
        i += 1


def _split(regex: str) -> list[str]:
    """Top-level alternatives of a regex."""
    cuts = [i for i, c, depth in _structure(regex) if c == "|" and depth == 0]
    bounds = [-1, *cuts, len(regex)]
    return [regex[a + 1 : b] for a, b in itertools.pairwise(bounds)]


def _scan(branch: str) -> tuple[list[str], list[str]]:
    """Literal runs at top level, and the bodies of top-level groups that cannot be skipped."""
    runs: list[str] = []
    groups: list[str] = []
    run: list[str] = []
    i, in_class = 0, False
    while i < len(branch):
        c = branch[i]
        literal: str | None = None
        if c == "\\":
            i += 1
            nxt = branch[i] if i < len(branch) else ""
            literal = None if in_class or nxt in _BREAK_ESCAPES else nxt
        elif in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            end = _close(branch, i)
            body = branch[i + 1 : end]
            prefix = next((p for p in _GROUP_PREFIXES if body.startswith(p)), "")
            # lookarounds, flag groups and the like are not text we can rely on: skipped
            if not _optional(branch, end + 1) and (prefix or not body.startswith("?")):
                groups.append(body[len(prefix) :])
            i = end
        elif c == "{":  # a counted quantifier: its digits are not text
            i = max(branch.find("}", i), i)
        elif c not in _NOT_LITERAL:
            literal = c
        if literal is not None and not _optional(branch, i + 1):
            run.append(literal)
            if branch[i + 1 : i + 2] == "+":  # required once; what follows need not be adjacent
                runs.append("".join(run))
                run = []
        elif run:
            runs.append("".join(run))
            run = []
        i += 1
    if run:
        runs.append("".join(run))
    return runs, groups


def _close(regex: str, start: int) -> int:
    """Index of the parenthesis closing the one at `start`."""
    return next(
        (i for i, c, depth in _structure(regex, start) if c == ")" and depth == 0),
        len(regex) - 1,
    )


def _optional(regex: str, at: int) -> bool:
    """Whether a quantifier at `at` lets the preceding atom occur zero times."""
    if regex[at : at + 1] not in _OPTIONAL_AFTER:
        return False
    if regex[at] == "{":
        return regex[at + 1 : at + 2] in ("0", ",")
    return True
