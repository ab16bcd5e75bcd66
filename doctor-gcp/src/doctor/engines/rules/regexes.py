"""The rules' regexes compiled: one alternation per list, checked when a file is loaded."""

from __future__ import annotations

import functools
import re

FLAGS = re.IGNORECASE | re.MULTILINE  # every rule regex: case-insensitive, ^ / $ per line


def check_regexes(name: str, regexes: list[str], prefix: tuple[str, ...] = ()) -> None:
    """Raise ValueError naming the first regex (by its position in the list) that does not
    compile, alone or inside the rule's alternation (after `prefix`), or that matches the
    empty string (the rule would fire on everything)."""
    try:
        combined = any_of((*prefix, *regexes))
    except re.error as exc:
        error: re.error | None = exc
    else:
        if combined is None or not combined.fullmatch(""):
            return
        error = None
    for i, regex in enumerate(regexes):  # the slow path: find the culprit
        for shape, problem in (("{}", "not a valid regex"), ("(?:{})|x", "cannot be combined")):
            try:
                compiled = re.compile(shape.format(regex), FLAGS)
            except re.error as exc:
                raise ValueError(f"{name}[{i}]: {problem} {regex!r}: {exc}") from None
        if compiled.fullmatch(""):
            raise ValueError(f"{name}[{i}]: regex {regex!r} matches the empty string")
    raise ValueError(f"{name}: the regexes cannot be combined into one: {error}")


@functools.cache
def any_of(regexes: tuple[str, ...]) -> re.Pattern[str] | None:
    """One compiled alternation per list: a single scan of the text instead of one per regex.
    Cached, so validating a rule and building it compile each list once."""
    if not regexes:
        return None
    return re.compile("|".join(f"(?:{rx})" for rx in regexes), FLAGS)
