"""The multi-line anatomy of log events: stack frames, chained exceptions, crash dumps.

How Python, the JVM, Node, .NET and Go print a failure over several lines is named here once,
for every stage that needs it: the parser (which lines continue an event, `continues_stack` and
`next_stack_mode`), the miner (which line says how a stack ended, `closing_exception`), the level
guess (what marks a crash, `CRASH_MARKERS`) and the rules (the text without frames,
`strip_frames`).

Where two stages read one concept at different strictness, both forms stand side by side with
the reason; tests tie each pair together.
"""

from __future__ import annotations

import re

from . import beam, kernel

# ---- Python ------------------------------------------------------------------------------------

# Opens a traceback: indented frames follow, then the exception line that closes it.
PY_TRACEBACK = "Traceback (most recent call last)"
# SQLAlchemy appends these lines to the message of the exceptions it wraps.
SQLALCHEMY_TRAILERS = ("[SQL: ", "[parameters: ", "(Background on this error at: ")
# Python's sentences between the tracebacks of one chained exception (__context__, __cause__).
PY_CHAIN_HEADERS = (
    "During handling of the above exception",
    "The above exception was the direct cause",
)
# A warning from Python's `warnings` module, "/app/config.py:48: DeprecationWarning: ...": the
# source line it points at follows, indented.
PY_WARNING = re.compile(r"\S+\.py:\d+: \w*Warning: ")
# A frame, after any shipper prefix ("Apr 04 17:46:18 host app: "); the source line under it
# repeats that prefix and is indented four more spaces (see `strip_frames`).
# (The prefix ends in a non-blank, so a long run of blanks is tried once, not once per start:
# linear on a 256 KiB line of spaces.)
PY_FRAME = re.compile(r'^(?P<prefix>(?:.*\S)?)\s+File "[^"]*", line \d+')

# ---- JVM (Java, Kotlin, Scala) -----------------------------------------------------------------

# How the JVM prints a frame, "\tat pkg.Class.method(File.java:42)": enough for the parser to
# tell a Java stack from a Python one.
JVM_FRAME_INDENT = "\tat "
# A whole frame line, also behind a shipper prefix or without its tab: `strip_frames` deletes
# what this matches, so it wants the location in parentheses too.
JVM_FRAME = re.compile(
    r"^(?:.*[\]:|>]\s)?\s*at [\w$.<>/\[\]-]+"
    r"\((?:[^()]*:\d+(?::\d+)?|Native Method|Unknown Source)\)\s*$"
)
# Headers of the chained exceptions below a stack: its cause, and exceptions raised on cleanup.
JVM_CAUSED_BY = "Caused by:"
JVM_SUPPRESSED = "Suppressed:"
# "... 12 more" / "... 3 common frames omitted": frames elided because the enclosing stack
# shows them (logback prints the second form). The parser only asks about unindented lines,
# `strip_frames` about any: it strips the indent first (`str.lstrip` is exactly regex `\s*`).
OMITTED_FRAMES = re.compile(r"\.\.\. \d+ (?:more|common frames omitted)")
# An exception class line, "java.net.ConnectException: refused" or "org.x.FooError" (a
# qualified Python one too): a dotted name ending in Exception / Error / Throwable, then ":" or
# the end. An unqualified "KeyError: x" alone could be the first words of any record.
EXCEPTION_CLASS = re.compile(
    r"(?:[A-Za-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)(?::|$)"
)

# ---- Node and .NET -----------------------------------------------------------------------------

# An indented "at ": Node's "    at fn (/app/x.js:1:2)" and .NET's
# "   at Ns.Type.Method() in F.cs:line 42" (and a tab-indented JVM frame too).
AT_FRAME = re.compile(r"^\s+at \S")
# A line of carets / tildes under the failing expression (Python 3.11+, Node): no words.
CARET_LINE = re.compile(r"^\s*[~^]+\s*$")

# ---- Go ----------------------------------------------------------------------------------------

# The Go runtime's own diagnostics, "runtime: failed to create new OS thread ...", which come
# just before the "fatal error:" they explain.
GO_RUNTIME = "runtime: "
# The first line of a Go crash: a panic, or a fatal runtime error (not recoverable).
GO_PANIC = "panic: "
GO_FATAL_ERROR = "fatal error: "
GO_CRASH_STARTS = (GO_PANIC, GO_FATAL_ERROR)
# A goroutine's header in a dump, "goroutine 17 [running]:".
# (with GOTRACEBACK=system or crash, Go names the g and its m: "goroutine 1 gp=0xc0 m=nil [")
GOROUTINE_HEADER = re.compile(
    r"goroutine \d+ (?:gp=0x[0-9a-f]+ m=(?:\d+|nil) (?:mp=0x[0-9a-f]+ )?)?\["
)
# A frame's function line, "main.(*Server).handle(0xc000120000, {0x7c1e40, ...})", unindented.
GO_FUNCTION_CALL = re.compile(r"[\w./*()\[\]{}-]+\(.*\)\s*$")
# A frame's location line under its function, "\t/app/server.go:88 +0x1d".
GO_LOCATION = re.compile(r"^\t/\S+\.go:\d+")
# The other unindented lines of a dump: who started the goroutine, how the process ended, and
# the signal behind a runtime panic ("[signal SIGSEGV: segmentation violation ...]").
GO_CREATED_BY = "created by "
GO_EXIT_STATUS = re.compile(r"exit status \d")
GO_SIGNAL = "[signal "
# Any unindented line that continues a Go dump.
GO_DUMP_LINE = re.compile(
    f"(?:{GO_FUNCTION_CALL.pattern}|{GO_CREATED_BY}|{GO_EXIT_STATUS.pattern}"
    f"|{re.escape(GO_SIGNAL)})"
)

# ---- V8 (Node) -------------------------------------------------------------------------------

# Node's report when V8 dies (heap limit, fatal error): "<--- Last few GCs --->" and
# "<--- JS stacktrace --->" banners, GC trace lines "[1:0x55d0c8] 1325045 ms: Mark-Compact ...",
# then native frames. The lines under a banner have no shape of their own.
V8_BANNER = re.compile(r"<--- [\w ]+ --->\s*$")

# ---- crash markers -----------------------------------------------------------------------------

# Anywhere in an event without a level, these say it is a crash (a regex source, for levels.py
# to join with its words): a traceback, a Go panic (as a word), a Go fatal error.
CRASH_MARKERS = f"{re.escape(PY_TRACEBACK)}|\\b{re.escape(GO_PANIC)}|{re.escape(GO_FATAL_ERROR)}"

# ---- stack modes: which lines continue an event ------------------------------------------------

# What kind of stack an event is in the middle of, for the parser's next-line decision.
(
    NO_STACK,
    PY_STACK,
    PY_EXCEPTION,
    JVM_STACK,
    GO_DUMP,
    V8_REPORT,
    PY_WARNED,
    GO_RUNTIME_SAID,
    KERNEL_MEMORY,  # the OOM killer's memory and task tables
    BEAM_REPORT,  # an Elixir process's crash report
) = range(10)
# Modes in which a blank line may be inside the event: Python puts blank lines around its chain
# sentences, Go between goroutines.
BLANK_LINE_MODES = frozenset({PY_STACK, PY_EXCEPTION, GO_DUMP, V8_REPORT})
# Modes whose last part has no shape of its own: a Python exception's message may run over
# several lines (SQLAlchemy's "[SQL: ...]", libpq's "DETAIL:"), a V8 report's GC lines. In a
# source whose lines carry heads, the lines without one that follow are still this event's.
OPEN_ENDED_MODES = frozenset({PY_EXCEPTION, V8_REPORT})
# Line starts that continue whatever stack came before: a new traceback, a chained exception.
STACK_CONTINUATIONS = (
    PY_TRACEBACK,
    JVM_CAUSED_BY,
    JVM_SUPPRESSED,
    *PY_CHAIN_HEADERS,
    *SQLALCHEMY_TRAILERS,
    kernel.CALL_TRACE,
)


def continues_stack(mode: int, line: str) -> bool:
    """Whether an unindented, non-blank `line` continues an event in stack `mode`."""
    if mode == NO_STACK and _ANY_START.match(line) is None:
        return False  # the common case, in one regex match
    if line.startswith(GO_CRASH_STARTS):
        # A Go crash starts its own event (its message is the headline) unless it is a nested
        # panic inside a dump already under way, or the crash the runtime just explained.
        return mode in (GO_DUMP, GO_RUNTIME_SAID)
    if mode == GO_RUNTIME_SAID and line.startswith(GO_RUNTIME):
        return True
    if mode == KERNEL_MEMORY and kernel.MEMORY_LINE.match(line) is not None:
        return True
    if mode == BEAM_REPORT and line.startswith(beam.REPORT_LINES):
        return True
    return (
        line.startswith(STACK_CONTINUATIONS)
        or V8_BANNER.match(line) is not None
        or GOROUTINE_HEADER.match(line) is not None
        or OMITTED_FRAMES.match(line) is not None
        or mode == PY_STACK  # the exception line that closes a Python traceback
        or kernel.CONTEXT.match(line) is not None
        or kernel.MEMORY_TABLES.match(line) is not None
        or (GO_DUMP_LINE if mode == GO_DUMP else EXCEPTION_CLASS).match(line) is not None
    )


def is_frame(line: str) -> bool:
    """Whether `line` (indentation kept) is a stack frame in any language, or the source line,
    caret line or elision printed among frames: it continues whatever event came before."""
    if not line or line[0] not in " \t":
        return False
    return (
        line.startswith(JVM_FRAME_INDENT)
        or AT_FRAME.match(line) is not None
        or PY_FRAME.match(line) is not None
        or GO_LOCATION.match(line) is not None
        or CARET_LINE.match(line) is not None
        or OMITTED_FRAMES.match(line.lstrip()) is not None
        or kernel.FRAME.match(line) is not None
    )


def next_stack_mode(mode: int, line: str) -> int:  # noqa: PLR0911 - a decision list reads best flat
    """The stack mode after a non-blank `line` that starts or continues an event."""
    if mode == NO_STACK and _ANY_START.match(line) is None:
        # the common case, in one regex match (and a test of the line's last word)
        return BEAM_REPORT if beam.opens_report(line) else NO_STACK
    if line.startswith(PY_TRACEBACK):
        return PY_STACK
    if kernel.MEMORY_TABLES.match(line):
        return KERNEL_MEMORY
    if V8_BANNER.match(line):
        return V8_REPORT
    if PY_WARNING.match(line):
        return PY_WARNED  # its indented source line continues it
    if mode == V8_REPORT:
        return V8_REPORT
    if line.startswith(GO_CRASH_STARTS) or GOROUTINE_HEADER.match(line):
        return GO_DUMP
    if line.startswith(GO_RUNTIME) and mode in (NO_STACK, GO_RUNTIME_SAID):
        return GO_RUNTIME_SAID
    if mode == PY_STACK:
        return PY_EXCEPTION if line[0] not in " \t" else PY_STACK
    if mode == GO_DUMP:
        return GO_DUMP
    if beam.EXCEPTION.match(line):
        return BEAM_REPORT
    if line.startswith((JVM_CAUSED_BY, JVM_FRAME_INDENT)) or EXCEPTION_CLASS.match(line):
        return JVM_STACK
    return mode


# Every line that starts or continues a stack begins with one of these: one match rejects
# the ordinary lines (most of a log) before the tests above look closer.
_ANY_START = re.compile(
    "|".join(
        [
            *(re.escape(start) for start in (*STACK_CONTINUATIONS, *GO_CRASH_STARTS)),
            re.escape(GO_RUNTIME),
            re.escape(JVM_FRAME_INDENT),
            V8_BANNER.pattern,
            PY_WARNING.pattern,
            GOROUTINE_HEADER.pattern,
            OMITTED_FRAMES.pattern,
            EXCEPTION_CLASS.pattern,
            beam.EXCEPTION.pattern,
            kernel.CONTEXT.pattern,
            kernel.MEMORY_TABLES.pattern,
        ]
    )
)


def may_touch_stack(line: str) -> bool:
    """False when an unindented `line` can neither start nor continue a stack: then
    `continues_stack` is False for NO_STACK, `next_stack_mode(NO_STACK, line)` is NO_STACK,
    `EXCEPTION_CLASS` does not match and the line starts with none of `STACK_CONTINUATIONS` or
    `GO_CRASH_STARTS`: one regex match answers them all for most lines of a log."""
    return _ANY_START.match(line) is not None


# ---- the line a stack ends with ----------------------------------------------------------------


def looks_like_goroutine_header(line: str) -> bool:
    """Any "goroutine ...:" line. Looser than `GOROUTINE_HEADER` (also "goroutine 1 gp=0xc0
    m=0 [running]:"): the miner only cuts a message's dump here, where the parser's stricter
    form decides whether a line joins the event before it."""
    return line.startswith("goroutine ") and line.endswith(":")


# Lines that never name the exception a stack ended with: elisions ("... 12 more", the parser's
# "... [N more lines truncated]") and Python's chain sentences, by their first words (each of
# PY_CHAIN_HEADERS starts with one).
NOT_AN_EXCEPTION = ("...", "During handling of the above", "The above exception was")
_WORD = re.compile(r"[A-Za-z]{2}")  # a "#" or "----" ruler of a crash report has none


def closing_exception(lines: list[str]) -> str | None:
    """The line that tells how a stack ended, from the lines below an event's headline.

    That is the last unindented line with words (Python's exception line, Java's last "Caused
    by:", a JavaScript "Error: ..."), above any goroutine dump (there, the panic line); never
    a kernel report's context or tables (its first line says what happened); in an Elixir
    report, its last "** (Error) ..." line (Phoenix nests the error under "** (exit)").
    """
    for i, line in enumerate(lines):
        if looks_like_goroutine_header(line):
            lines = lines[:i]
            break
    # an Elixir report: its (innermost) "** (KeyError) ..." line, not the context after it
    for line in reversed(lines):
        text = line.lstrip(" \t")
        if text.startswith("** (") and beam.EXCEPTION.match(text):
            return text
    for line in reversed(lines):
        if (
            line
            and line[0] not in " \t"
            and not line.startswith(NOT_AN_EXCEPTION)
            and _WORD.search(line)
            and not kernel.is_detail(line)
        ):
            return line
    return None


# ---- text without frames -----------------------------------------------------------------------

# Narrower than GO_FUNCTION_CALL (no "[...]" generics, no "{...}", no trailing blanks), and only
# taken as a frame above a GO_LOCATION line: the form the rules' text was stripped with so far.
GO_FRAME_FUNCTION = re.compile(r"^[\w./*()-]+\(.*\)$")


def strip_frames(text: str) -> str:
    """`text` without stack frames (and Python's source lines under them), elisions and
    caret lines: what is left names the failure, not whatever the code touched."""
    lines = text.split("\n")
    kept: list[str] = []
    source_prefix: str | None = None  # set right after a Python frame line
    for i, line in enumerate(lines):
        prefix, source_prefix = source_prefix, None
        if prefix is not None and line.startswith(prefix + "    "):
            continue  # the source line printed under a Python frame
        frame = PY_FRAME.match(line)
        if frame:
            source_prefix = frame.group("prefix")
            continue
        next_line = lines[i + 1] if i + 1 < len(lines) else ""
        if (
            JVM_FRAME.match(line)
            or AT_FRAME.match(line)
            or CARET_LINE.match(line)
            or OMITTED_FRAMES.match(line.lstrip())
            or GO_LOCATION.match(line)
            or kernel.FRAME.match(line)
            or (GO_FRAME_FUNCTION.match(line) and GO_LOCATION.match(next_line))
        ):
            continue
        kept.append(line)
    return "\n".join(kept)
