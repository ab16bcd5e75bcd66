"""The anatomy of multi-line events, concept by concept: what is one, and what only looks like one.

Sections follow `doctor.digest.anatomy`: Python, JVM, Node and .NET, Go, crash markers, stack
modes, the closing exception line, then `strip_frames` over whole stacks.
"""

from __future__ import annotations

import random
import re

import pytest

from doctor.digest import anatomy as a


def _matches(regex: re.Pattern[str], line: str) -> bool:
    return regex.match(line) is not None


# ---- Python ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "is_frame"),
    [
        ('  File "/app/orders/api.py", line 88, in create_order', True),
        ('  File "<stdin>", line 1, in <module>', True),
        ('Apr 04 17:46:18 host app[12]:   File "/srv/app.py", line 3, in <module>', True),
        ('File "/app/api.py", line 88, in f', False),  # a frame is indented
        ('  File "/app/api.py", in f', False),  # no line number
        ("  File /app/api.py, line 88", False),  # the path is quoted
        ('ERROR open File "report.csv" failed', False),
    ],
)
def test_python_frame(line: str, is_frame: bool) -> None:
    assert _matches(a.PY_FRAME, line) is is_frame


def test_python_frame_prefix_is_what_the_source_line_repeats() -> None:
    frame = a.PY_FRAME.match('host app:   File "/srv/app.py", line 3, in <module>')
    assert frame is not None
    assert frame.group("prefix") == "host app:"  # the source line: this, then 4+ spaces


@pytest.mark.parametrize(
    ("line", "opens"),
    [
        ("Traceback (most recent call last):", True),
        ("Traceback (most recent call last)", True),
        ("traceback (most recent call last):", False),
        ("  Traceback (most recent call last):", False),  # indented: a frame's source line
        ("Traceback follows", False),
    ],
)
def test_python_traceback_header(line: str, opens: bool) -> None:
    assert (a.next_stack_mode(a.NO_STACK, line) == a.PY_STACK) is opens


@pytest.mark.parametrize(
    ("line", "is_chain"),
    [
        ("During handling of the above exception, another exception occurred:", True),
        ("The above exception was the direct cause of the following exception:", True),
        ("During handling of the above request, the worker stopped", False),
        ("during handling of the above exception, another exception occurred:", False),
    ],
)
def test_python_chain_headers_continue_a_stack(line: str, is_chain: bool) -> None:
    assert line.startswith(a.PY_CHAIN_HEADERS) is is_chain
    assert a.continues_stack(a.NO_STACK, line) is is_chain


def test_python_traceback_closes_with_its_exception_line() -> None:
    mode = a.next_stack_mode(a.NO_STACK, "Traceback (most recent call last):")
    mode = a.next_stack_mode(mode, '  File "/app/a.py", line 1, in f')
    mode = a.next_stack_mode(mode, "    f()")
    assert mode == a.PY_STACK
    assert a.continues_stack(mode, "KeyError: 'user_id'")  # any unindented line closes it
    mode = a.next_stack_mode(mode, "KeyError: 'user_id'")
    assert mode == a.PY_EXCEPTION
    assert not a.continues_stack(mode, "next request served")


# ---- JVM ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "is_frame"),
    [
        ("\tat com.example.orders.OrderService.place(OrderService.java:42)", True),
        ("\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)", True),
        ("\tat sun.misc.Unsafe.park(Unknown Source)", True),
        ("\tat scala.Option.map(Option.scala:230)", True),
        ("\t\tat com.example.Io.close(Io.java:9)", True),  # a suppressed exception's frame
        ("at com.foo.Bar.baz(Baz.java:1)", True),  # tab lost by a shipper
        ("Apr 04 17:46:18 host app: at com.foo.Bar.baz(Baz.java:1)", True),
        ("\tat com.foo.Bar.baz", False),  # no location
        ("\tat com.foo.Bar.baz(somewhere)", False),  # not a file:line
        ("14:02:11.123 [main] ERROR c.e.App - boom at something (not a frame)", False),
        ("retrying at com.foo.Bar.baz(Baz.java:1) in a minute", False),
    ],
)
def test_jvm_frame(line: str, is_frame: bool) -> None:
    assert _matches(a.JVM_FRAME, line) is is_frame


def test_jvm_frame_indent_marks_a_java_stack() -> None:
    frame = "\tat com.example.Main.run(Main.java:10)"
    assert frame.startswith(a.JVM_FRAME_INDENT)
    assert _matches(a.JVM_FRAME, frame)
    assert a.next_stack_mode(a.NO_STACK, frame) == a.JVM_STACK
    # The cheap prefix, not the whole frame: the parser only needs the stack's language.
    assert a.next_stack_mode(a.NO_STACK, "\tat something") == a.JVM_STACK
    assert a.next_stack_mode(a.NO_STACK, "    at fn (/app/x.js:1:2)") == a.NO_STACK


@pytest.mark.parametrize(
    ("line", "continues"),
    [
        ("Caused by: java.net.ConnectException: Connection refused", True),
        ("Suppressed: java.lang.RuntimeException: close failed", True),
        ("caused by: a typo", False),
        ("Caused by a typo", False),
        ("Suppressed warnings: 3", False),
    ],
)
def test_jvm_chained_exception_headers(line: str, continues: bool) -> None:
    assert a.continues_stack(a.NO_STACK, line) is continues


def test_caused_by_marks_a_java_stack() -> None:
    assert a.next_stack_mode(a.NO_STACK, "Caused by: x") == a.JVM_STACK
    assert a.next_stack_mode(a.NO_STACK, "Suppressed: x") == a.NO_STACK  # indented in practice


@pytest.mark.parametrize(
    ("line", "is_omitted"),
    [
        ("... 12 more", True),
        ("... 3 common frames omitted", True),
        ("... 42 common frames omitted and more", True),
        ("...12 more", False),
        ("... and then it was done", False),
        ("... 5 lines more", False),
        ("... [3 more lines truncated]", False),  # the parser's own marker, not a JVM elision
    ],
)
def test_omitted_frames(line: str, is_omitted: bool) -> None:
    assert _matches(a.OMITTED_FRAMES, line) is is_omitted
    assert a.continues_stack(a.NO_STACK, line) is is_omitted


@pytest.mark.parametrize("indent", [" ", "\t", "\t\t", "\x0b", "\x0c", "\x1c", "\xa0", "\u3000"])
def test_omitted_frames_under_any_indent(indent: str) -> None:
    # The parser sees them unindented (an indented line continues any event); strip_frames
    # strips the indent first, exactly what a leading regex `\s*` would take.
    assert a.strip_frames(f"x\n{indent}... 3 more") == "x"
    assert indent.isspace()
    assert re.fullmatch(r"\s+", indent) is not None


@pytest.mark.parametrize(
    ("line", "is_class"),
    [
        ("java.net.ConnectException: Connection refused", True),
        ("org.springframework.dao.DataAccessResourceFailureException: Unable to acquire", True),
        ("java.lang.OutOfMemoryError: Java heap space", True),
        ("com.example.MyError", True),
        ("x.Y.ZThrowable", True),
        ("psycopg2.OperationalError: connection refused", True),
        ("ConnectException: refused", False),  # not qualified
        ("java.net.connectexception: refused", False),  # not a class name
        ("com.example.Thing", False),  # not an exception
        ("java.lang.IllegalStateException boom", False),  # neither ":" nor the end
    ],
)
def test_exception_class_line(line: str, is_class: bool) -> None:
    assert _matches(a.EXCEPTION_CLASS, line) is is_class
    assert a.continues_stack(a.NO_STACK, line) is is_class


# ---- Node and .NET -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "is_frame"),
    [
        ("    at getUser (/app/src/users.js:42:17)", True),  # Node
        ("    at /app/src/index.js:10:5", True),
        ("    at async Promise.all (index 0)", True),
        ("   at Orders.Service.Place(Int32 id) in C:\\src\\Orders\\Service.cs:line 42", True),
        ("   at System.Linq.ThrowHelper.ThrowNoElementsException()", True),  # .NET
        ("\tat com.example.Main.run(Main.java:10)", True),  # an indented JVM frame too
        ("at noon the job restarted", False),  # not indented
        ("    at", False),
        ("    attempt 3 of 5", False),
        ("    at  two spaces", False),
    ],
)
def test_node_and_dotnet_frames(line: str, is_frame: bool) -> None:
    assert _matches(a.AT_FRAME, line) is is_frame


@pytest.mark.parametrize(
    ("line", "is_caret"),
    [
        ("         ^^^^^^^^^^^^^^^^^^^^^^^", True),  # Python 3.11+
        ("    ~~~~^^^^", True),
        ("              ^", True),  # Node
        ("^C pressed, stopping", False),
        ("x ^^^", False),
        ("", False),
    ],
)
def test_caret_lines(line: str, is_caret: bool) -> None:
    assert _matches(a.CARET_LINE, line) is is_caret


# ---- Go ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "panic: runtime error: invalid memory address or nil pointer dereference",
        "fatal error: concurrent map writes",
    ],
)
def test_go_crash_starts_its_own_event_unless_inside_a_dump(line: str) -> None:
    assert line.startswith(a.GO_CRASH_STARTS)
    assert not a.continues_stack(a.NO_STACK, line)
    assert not a.continues_stack(a.JVM_STACK, line)
    assert a.continues_stack(a.GO_DUMP, line)  # a nested panic
    assert a.next_stack_mode(a.NO_STACK, line) == a.GO_DUMP


@pytest.mark.parametrize(
    "line", ["http: panic serving 10.0.0.1: boom", "panicked: x", "fatal: error", "Panic: x"]
)
def test_lines_that_only_mention_a_crash_do_not_start_a_dump(line: str) -> None:
    assert not line.startswith(a.GO_CRASH_STARTS)
    assert a.next_stack_mode(a.NO_STACK, line) == a.NO_STACK


@pytest.mark.parametrize(
    ("line", "strict", "loose"),
    [
        ("goroutine 17 [running]:", True, True),
        ("goroutine 1 [IO wait, 5 minutes]:", True, True),
        ("goroutine 1 gp=0xc0000061c0 m=0 mp=0x5a5e20 [running]:", True, True),  # GOTRACEBACK=crash
        ("goroutine 7 gp=0xc000102a80 m=nil [IO wait]:", True, True),  # ... not running
        ("goroutine pool stopped:", False, True),
        ("goroutine pool size 4", False, False),
        ("goroutine 17 [running]", True, False),
        ("  goroutine 17 [running]:", False, False),
    ],
)
def test_goroutine_headers_strict_and_loose(line: str, strict: bool, loose: bool) -> None:
    # The parser joins lines on the strict form (a false match glues two events); the miner
    # cuts a dump on the loose one (a false cut only drops a detail from the mining text).
    assert _matches(a.GOROUTINE_HEADER, line) is strict
    assert a.looks_like_goroutine_header(line) is loose


@pytest.mark.parametrize(
    ("line", "in_dump", "as_frame_function"),
    [
        ("main.main()", True, True),
        ("main.(*Server).handle(0xc000120000, {0x7c1e40, 0xc00011c000})", True, True),
        ("net/http.HandlerFunc.ServeHTTP(0xc000014120, {0x7c1e40}, 0xc000132000)", True, True),
        ("main.Map[...].Get(0x1)", True, False),  # generics: only the dump's wider form
        ("main.main() ", True, False),  # trailing blank
        ("created by net/http.(*Server).Serve in goroutine 1", True, False),
        ("exit status 2", True, False),
        ("[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2b3c]", True, False),
        ("main.main", False, False),
        ("run() failed: bad input", False, False),
        ("exit status", False, False),
        ("signal SIGSEGV received", False, False),
    ],
)
def test_go_dump_lines(line: str, in_dump: bool, as_frame_function: bool) -> None:
    assert _matches(a.GO_DUMP_LINE, line) is in_dump
    assert a.continues_stack(a.GO_DUMP, line) is in_dump
    assert _matches(a.GO_FRAME_FUNCTION, line) is as_frame_function
    # strip_frames' function form is a narrowing of the dump's: never wider.
    assert not as_frame_function or in_dump


@pytest.mark.parametrize(
    "line", ["main.main()", "exit status 2", "created by main.main in goroutine 1"]
)
def test_go_dump_lines_continue_only_a_dump(line: str) -> None:
    assert not a.continues_stack(a.NO_STACK, line)
    assert not a.continues_stack(a.JVM_STACK, line)


@pytest.mark.parametrize(
    ("line", "is_location"),
    [
        ("\t/app/server.go:88 +0x1d", True),
        ("\t/usr/local/go/src/net/http/server.go:3086 +0x4db", True),
        ("/app/server.go:88 +0x1d", False),  # not indented
        ("    /app/server.go:88", False),  # spaces: not how Go prints it
        ("\t/app/server.py:88", False),
        ("\tapp/server.go:88", False),  # not an absolute path
    ],
)
def test_go_location(line: str, is_location: bool) -> None:
    assert _matches(a.GO_LOCATION, line) is is_location


# ---- crash markers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "crash"),
    [
        ("Traceback (most recent call last):", True),
        ("worker: Traceback (most recent call last):", True),
        ("runtime panic: boom", True),
        ("panic: boom", True),
        ("fatal error: all goroutines are asleep - deadlock!", True),
        ("nopanic: x", False),  # "panic" must be a word
        ("no panic here", False),
        ("a fatal error occurred", False),  # Go's form has the colon
        ("Traceback follows", False),
    ],
)
def test_crash_markers(text: str, crash: bool) -> None:
    assert (re.search(a.CRASH_MARKERS, text) is not None) is crash


# ---- stack modes -------------------------------------------------------------------------------


def _walk(lines: list[str]) -> list[int]:
    modes, mode = [], a.NO_STACK
    for line in lines:
        mode = a.next_stack_mode(mode, line)
        modes.append(mode)
    return modes


def test_modes_that_hold_blank_lines() -> None:
    # Python's chain sentences sit between blank lines, Go separates goroutines with them, V8
    # its report's parts; a JVM stack has none, and a blank line after a plain line ends it.
    assert {a.PY_STACK, a.PY_EXCEPTION, a.GO_DUMP, a.V8_REPORT} == a.BLANK_LINE_MODES


def test_a_go_dump_stays_a_dump_until_a_traceback() -> None:
    assert _walk(["panic: boom", "main.main()", "Caused by: x", a.PY_TRACEBACK]) == [
        a.GO_DUMP,
        a.GO_DUMP,
        a.GO_DUMP,
        a.PY_STACK,
    ]


def test_a_java_exception_after_a_python_one_leaves_the_blank_holding_modes() -> None:
    modes = _walk(["Traceback (most recent call last):", "ValueError: x", "Caused by: y"])
    assert modes == [a.PY_STACK, a.PY_EXCEPTION, a.JVM_STACK]


def test_lines_that_continue_no_stack() -> None:
    for line in ["next request served", "ERROR db down", "TypeError: bad", "{"]:
        assert not a.continues_stack(a.NO_STACK, line)


# ---- the line a stack ends with ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "closing"),
    [
        (
            'Traceback (most recent call last):\n  File "a.py", line 1, in f\n    f()\n'
            "KeyError: 'x'",
            "KeyError: 'x'",
        ),
        (
            "java.lang.IllegalStateException: a\n\tat A.b(A.java:1)\n"
            "Caused by: java.net.ConnectException: refused\n\t... 3 more",
            "Caused by: java.net.ConnectException: refused",
        ),
        (
            "ValueError: a\n\nDuring handling of the above exception, another exception:",
            "ValueError: a",
        ),
        ("ValueError: a\n... 12 more", "ValueError: a"),
        ("ValueError: a\n... [5 more lines truncated]", "ValueError: a"),
        ("Error: boom\n    at f (/a.js:1:1)\n    at g (/a.js:2:2)", "Error: boom"),
        ("panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1", "panic: boom"),
        ("#\n# A fatal error\n#\n----", "# A fatal error"),
        ("    only indented lines\n\tstill", None),
        ("#\n----\n", None),
    ],
)
def test_closing_exception(body: str, closing: str | None) -> None:
    assert a.closing_exception(body.split("\n")) == closing


def test_every_python_chain_sentence_is_never_the_exception() -> None:
    # NOT_AN_EXCEPTION names them by their first words, more loosely than PY_CHAIN_HEADERS.
    for header in a.PY_CHAIN_HEADERS:
        assert header.startswith(a.NOT_AN_EXCEPTION)
    assert a.closing_exception(["ValueError: a", "During handling of the above request"]) == (
        "ValueError: a"
    )


# ---- strip_frames ------------------------------------------------------------------------------

STACKS = {
    "python": (
        "ERROR request failed\n"
        "Traceback (most recent call last):\n"
        '  File "/app/api.py", line 88, in create_order\n'
        "    order = repo.create(session, payload)\n"
        "            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "psycopg2.OperationalError: refused",
        "ERROR request failed\nTraceback (most recent call last):\n"
        "psycopg2.OperationalError: refused",
    ),
    "python behind a shipper prefix": (
        'host app:   File "/srv/app.py", line 3, in <module>\nhost app:     main()\n'
        "host app: KeyError: 'x'",
        "host app: KeyError: 'x'",
    ),
    "jvm": (
        "java.lang.IllegalStateException: boom\n"
        "\tat com.example.Main.run(Main.java:10)\n"
        "Caused by: java.io.IOException: disk\n"
        "\tat com.example.Io.write(Io.java:7)\n"
        "\t... 2 more\n"
        "... 42 common frames omitted",
        "java.lang.IllegalStateException: boom\nCaused by: java.io.IOException: disk",
    ),
    "node": (
        "TypeError: Cannot read properties of undefined (reading 'id')\n"
        "    at getUser (/app/src/users.js:42:17)\n"
        "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
        "TypeError: Cannot read properties of undefined (reading 'id')",
    ),
    "dotnet": (
        "System.InvalidOperationException: Sequence contains no elements\n"
        "   at System.Linq.ThrowHelper.ThrowNoElementsException()\n"
        "   at Orders.Service.Place(Int32 id) in C:\\src\\Service.cs:line 42",
        "System.InvalidOperationException: Sequence contains no elements",
    ),
    "go": (
        "panic: boom\n\ngoroutine 17 [running]:\n"
        "main.(*Server).handle(0xc000120000, {0x7c1e40, 0xc00011c000})\n"
        "\t/app/server.go:88 +0x1d\n"
        "created by net/http.(*Server).Serve in goroutine 1\n"
        "\t/usr/local/go/src/net/http/server.go:3086 +0x4db\nexit status 2",
        "panic: boom\n\ngoroutine 17 [running]:\n"
        "created by net/http.(*Server).Serve in goroutine 1\nexit status 2",
    ),
}


@pytest.mark.parametrize("name", list(STACKS))
def test_strip_frames(name: str) -> None:
    stack, stripped = STACKS[name]
    assert a.strip_frames(stack) == stripped


@pytest.mark.parametrize(
    "line",
    [
        "14:02:11.123 [main] ERROR c.e.App - boom at something (not a frame)",
        'ERROR open File "report.csv" failed',
        "main.main()",  # a Go function line without its location under it
        "... and then it was done",
        "^C pressed, stopping",
        "at noon the job restarted",
    ],
)
def test_strip_frames_keeps_lines_that_only_look_like_frames(line: str) -> None:
    assert a.strip_frames(line) == line


def test_a_line_that_touches_no_stack_needs_no_closer_look() -> None:
    # The parser decides most lines with `may_touch_stack` alone: when it says no, the tests it
    # stands for must all say no too.
    starts = [
        "", "panic: ", "fatal error: ", "runtime: ", "Caused by: ", "Suppressed: ", "\tat ",
        "Traceback (most recent call last)", "goroutine 7 [", "... 3 more", "<--- JS --->",
        "java.lang.", "a.b.FooError", "x.py:3: UserWarning: ", "During handling of the above",
        "[SQL: ", "ordinary ", "Error: ", "org.Thing: ",
    ]  # fmt: skip
    rnd = random.Random(13)
    for _ in range(20_000):
        line = rnd.choice(starts) + rnd.choice(starts) + rnd.choice(["x", "Exception: y", ""])
        if not line or line[0] in " \t" or a.may_touch_stack(line):
            continue
        assert not a.continues_stack(a.NO_STACK, line), line
        assert a.next_stack_mode(a.NO_STACK, line) == a.NO_STACK, line
        assert a.EXCEPTION_CLASS.match(line) is None, line
        assert not line.startswith((*a.STACK_CONTINUATIONS, *a.GO_CRASH_STARTS)), line
    assert a.may_touch_stack("java.lang.IllegalStateException: boom")
    assert not a.may_touch_stack("GET /health 200")
