"""The README's fenced code blocks and the marker that says how each is checked.

Every ```bash block must be preceded (on the line before its fence) by one marker comment,
invisible on GitHub:

    <!-- readme-test: run [needs=aws,role,slack,registry] [expect="text"]... -->
    <!-- readme-test: skip "why it cannot run here" -->
    <!-- readme-test: elsewhere tests/path/test_x.py -->

and any other block may carry `<!-- readme-test: save NAME -->`, which writes its text to NAME
in the checkout before the blocks after it run (a payload the prose says to save). An unmarked
bash block, an unknown word or a skip without its reason is an error naming the line, so a new
command cannot slip into the README without being run or explicitly excused.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

MARKER = re.compile(r"^\s*<!--\s*readme-test:(?P<body>.*?)-->\s*$")
# Any indent: a fence inside a list item is indented like the item's text.
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
ACTIONS = ("run", "skip", "elsewhere", "save")
NEEDS = frozenset({"aws", "role", "slack", "registry"})
RUNNABLE = frozenset({"bash", "sh", "shell", "console", "zsh"})


class MarkerError(ValueError):
    """A block is unmarked, or its marker does not parse; the message names the line."""


@dataclass(frozen=True)
class Marker:
    action: str
    needs: frozenset[str] = frozenset()
    expect: tuple[str, ...] = ()
    reason: str = ""  # skip: why; elsewhere: the test file; save: the file name


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    marker: Marker | None = field(default=None)

    @property
    def runnable(self) -> bool:
        return self.lang in RUNNABLE

    @property
    def title(self) -> str:
        first = next((ln.strip() for ln in self.text.splitlines() if ln.strip()), "")
        return f"line {self.line}: {first[:60]}"


def parse_marker(body: str, line: int) -> Marker:
    try:
        words = shlex.split(body)
    except ValueError as exc:
        raise MarkerError(f"README line {line}: marker does not parse ({exc})") from None
    if not words or words[0] not in ACTIONS:
        raise MarkerError(f"README line {line}: marker must start with one of {ACTIONS}")
    action, rest = words[0], words[1:]
    if action == "run":
        return _run_marker(rest, line)
    if len(rest) != 1 or not rest[0].strip():
        what = {"skip": "its reason, quoted", "elsewhere": "the test file that runs it"}
        raise MarkerError(
            f"README line {line}: '{action}' takes one argument: {what.get(action, 'a file name')}"
        )
    return Marker(action, reason=rest[0])


def _run_marker(words: list[str], line: int) -> Marker:
    needs: set[str] = set()
    expect: list[str] = []
    for word in words:
        key, sep, value = word.partition("=")
        if sep and key == "needs":
            unknown = set(value.split(",")) - NEEDS
            if unknown:
                raise MarkerError(
                    f"README line {line}: unknown needs {sorted(unknown)}; known: {sorted(NEEDS)}"
                )
            needs |= set(value.split(","))
        elif sep and key == "expect" and value:
            expect.append(value)
        else:
            raise MarkerError(f"README line {line}: '{word}' is not needs=… or expect=…")
    return Marker("run", frozenset(needs), tuple(expect))


def blocks(markdown: str) -> list[Block]:
    """Every fenced block in order, with its marker; raises MarkerError for the first fault."""
    found: list[Block] = []
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        lang = opening["info"].strip().split(" ")[0].lower()
        # CommonMark: the closing fence is the same character, at least as many of it.
        closing = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            body.append(lines[end][indent:] if lines[end][:indent].isspace() else lines[end])
            end += 1
        if end == len(lines):
            raise MarkerError(f"README line {index + 1}: fence never closed")
        marker = _marker_before(lines, index)
        block = Block(index + 1, lang, "\n".join(body) + "\n", marker)
        if block.runnable and marker is None:
            raise MarkerError(
                f"README line {index + 1}: a {lang} block without a "
                "'<!-- readme-test: run|skip|elsewhere … -->' line before it"
            )
        if marker is not None and marker.action == "save" and block.runnable:
            raise MarkerError(f"README line {index + 1}: 'save' is for data blocks, not commands")
        if marker is not None and marker.action != "save" and not block.runnable:
            raise MarkerError(f"README line {index + 1}: '{marker.action}' on a {lang!r} block")
        found.append(block)
        index = end + 1
    return found


def _marker_before(lines: list[str], fence_index: int) -> Marker | None:
    if fence_index == 0:
        return None
    match = MARKER.match(lines[fence_index - 1])
    return None if match is None else parse_marker(match["body"], fence_index)
