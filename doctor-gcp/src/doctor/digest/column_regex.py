"""The one regex that reads a source's head: its columns (`columns`) in order, each as the
text its kind allows, the first time, level and host and the last service as named groups."""

from __future__ import annotations

import re

from . import stamps
from .columns import Column
from .head_words import BRACKET, COMPONENT, DATE, LETTER, LEVEL, LOGGER, NUM, PAREN, SEP, TIME

# The text of a column, by kind; {g} is its group ("?P<name>" or "?:").
_TEXT = {
    # padded inside its bracket only: "[info     ]"
    LEVEL: r"[\[<]?({g}[A-Za-z]+)(?:/[\w.-]+(?=\]))?(?: +(?=\]))?[\]>]?:?",
    LETTER: r"({g}[VDIWEFA]),?",
    # one lazy run, its letter found by a lookahead: "\S*?[A-Za-z]\S*?" took quadratic time on
    # a long word that never ends in ":"
    COMPONENT: r"({g}(?=\S*?[A-Za-z])\S*?)(?::|(?<=\d)\])(?=\s|$)",
    BRACKET: r"({g}\[(?:[^\[\]]|\[[^\[\]]*\])*\]):?",  # Kafka's "[GroupCoordinator 1]: …"
    NUM: r"({g}-?\d+(?:#\d+)?:?)",
    PAREN: r"({g}\([^()\n]{1,120}\))",
    LOGGER: r"({g}[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)+(?:\[\d+\])?)",  # .NET: "…[14]"
}


def _keyed(column: Column, group: str) -> str:
    """logfmt's key=value, the value perhaps quoted."""
    value = rf"({group}[A-Za-z]+)"
    if column.kind == TIME:
        value = f"({group}{stamps.unnamed(stamps.BY_NAME[column.family].regex.pattern)})"
    quote = '"' if column.key.endswith('"') else ""
    return re.escape(column.key) + value + quote


def _columnpattern(column: Column, name: str) -> str:
    group = f"?P<{name}>" if name else "?:"
    if column.key:
        return _keyed(column, group)
    if column.kind in (TIME, DATE):
        core = f"({group}{stamps.unnamed(stamps.BY_NAME[column.family].regex.pattern)})"
        if column.opens:
            return rf"\[{core}:"
        return rf"\[{core}(?: #\d+)?\]" if column.bracketed else core  # Ruby: "[time #pid]"
    if column.kind == SEP:
        return re.escape(column.sep)
    if column.glued:  # "ERROR:app.db:message": the name ends at its colon
        text = rf"({group}[\w.$-]+):"
    elif column.flexible:  # a name that may run over a few tokens before its separator
        text = rf"({group}\S+(?:[ \t]+\S+){{0,2}}?)"
    else:
        text = _TEXT.get(column.kind, r"({g}\S+)").replace("{g}", group)
    if column.sep:
        return rf"{text}[ \t]+{re.escape(column.sep)}(?=\s|$)"
    return text


def _bracketed(column: Column) -> bool:
    """Whether the column may be written in brackets: then it opens and ends itself. A level
    may be ("[info]"); the column does not say, its regex allows both."""
    if column.kind in (BRACKET, LEVEL, PAREN):
        return True
    return column.kind in (TIME, DATE) and column.bracketed


def _names(columns: list[Column]) -> list[str]:
    """The group each column is read into: the first time, level and host; the last service
    (the field closest to the message: "RAS KERNEL INFO" is the kernel's)."""
    names = [""] * len(columns)
    for role in ("time", "level", "host"):
        first = next((i for i, c in enumerate(columns) if c.role == role), None)
        if first is not None:
            names[first] = role
    last = next((i for i in reversed(range(len(columns))) if columns[i].role == "service"), None)
    if last is None:  # "ERROR [db] ...": the bracket names who wrote it ("[1234]" does not)
        named = [i for i, c in enumerate(columns) if c.role == "context" and not c.numbered]
        last = named[-1] if named else None
    if last is not None:
        names[last] = "service"
    return names


def pattern(columns: list[Column]) -> str:
    parts: list[str] = []
    for index, (column, name) in enumerate(zip(columns, _names(columns), strict=True)):
        if index:
            before = columns[index - 1]
            close = (
                (column.kind == SEP and column.sep in "|,:")  # hubble's "Nov 18 11:02:06.248: "
                or before.sep == "|"
                # brackets end themselves: the JVM's "[2026-…][info][gc] …" has no blank
                or (_bracketed(before) and _bracketed(column) and column.kind != DATE)
            )
            # glued: right after the colon that ends the level ("ERROR:app.db:"), which leaves
            # one way to split the letters between the two (else quadratic on a long word)
            parts.append("(?<=:)" if column.glued else r"[ \t]*" if close else r"[ \t]+")
        parts.append(_columnpattern(column, name))
    return r"[ \t]*" + "".join(parts)
