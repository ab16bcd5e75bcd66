"""What stands between an exception and the user's terminal.

Every error a user or their environment causes ends as one line on stderr, a hint, and an exit
code: 1 for a runtime or environment failure, 2 for a usage error. A library traceback (boto3's
long chains, the full stack of an unexpected bug) is printed only with `--verbose`.

- `GuardedGroup.invoke` maps what the commands raise: a `DoctorError` (message + hint), an AWS
  SDK error the pipeline did not translate (an unknown `AWS_PROFILE`, no credentials, no
  network), a closed output pipe (`analyze | head`), and — last resort — anything else, as one
  "unexpected error" line.
- `main()` (the console script) wraps the whole app, for what happens outside a command.
- `CliLogHandler` keeps library warnings to one line each; a warning about an exception (which
  the command reports itself) and any traceback need `--verbose`.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from typing import Any, NoReturn, TextIO

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from doctor.errors import DoctorError

EXIT_CODES_EPILOG = (
    "\b\nExit codes:\n"
    "  0  done (also when the reader of a pipe, e.g. `| head`, stops early)\n"
    "  1  runtime or environment error: one line on stderr and a hint\n"
    "  2  usage error: a bad or missing option, named\n"
    "Add --verbose (before the command) to see library tracebacks."
)

_state = {"verbose": False}


def set_verbose(verbose: bool) -> None:
    _state["verbose"] = verbose
    _install_logging()


def verbose() -> bool:
    return _state["verbose"]


def _stderr() -> Console:
    # Made on each use: sys.stderr may have been swapped (tests, redirections) since import.
    return Console(file=sys.stderr, highlight=False, soft_wrap=True)


def report(message: str, hint: str | None = None, *, cause: BaseException | None = None) -> None:
    """One error line and its hint on stderr; the traceback of `cause` only with --verbose."""
    if verbose() and cause is not None:
        sys.stderr.write("".join(traceback.format_exception(cause)))
    console = _stderr()
    console.print(Text.assemble(("Error: ", "bold red"), message))
    if hint:
        console.print(Text.assemble(("Hint: ", "bold"), hint))


def fail(err: DoctorError) -> NoReturn:
    report(err.message, err.hint, cause=err)
    raise typer.Exit(1)


def quiet_closed_pipe() -> None:
    """The reader of our stdout went away (`| head`): what it wanted is delivered. Point stdout
    at /dev/null so that the interpreter's final flush cannot raise again (Python's recipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (a test runner): nothing left to protect
        pass


# botocore exception class names (checked in order, subclasses first), what we say, the hint.
_AWS_ERRORS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("ProfileNotFound",),
        "AWS profile {profile!r} is not configured.",
        "Fix AWS_PROFILE (see `aws configure list-profiles`), or unset it.",
    ),
    (
        ("NoCredentialsError", "PartialCredentialsError"),
        "No AWS credentials were found.",
        "Set AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (or AWS_PROFILE), or read a file "
        "with --file.",
    ),
    (("NoRegionError",), "No AWS region is configured.", "Set AWS_REGION."),
    (
        ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError"),
        "AWS could not be reached.",
        "Check the network, and AWS_ENDPOINT_URL if it is set.",
    ),
    (
        ("ClientError",),
        "AWS refused the request ({code}).",
        "Check the role's permissions and the names given; --verbose shows the details.",
    ),
    (
        ("BotoCoreError",),
        "The AWS SDK failed ({kind}).",
        "Check the AWS configuration; --verbose shows the details.",
    ),
)


def aws_sdk_error(exc: Exception) -> tuple[str, str] | None:
    """Message and hint for an AWS SDK error a command let through, or None if `exc` is none.
    Written by us: `str()` of an SDK error can carry request details."""
    from botocore import exceptions

    response = getattr(exc, "response", None)
    facts = {
        "profile": os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE") or "?",
        "code": (response or {}).get("Error", {}).get("Code", "unknown")
        if isinstance(response, dict)
        else "unknown",
        "kind": type(exc).__name__,
    }
    for names, message, hint in _AWS_ERRORS:
        if isinstance(exc, tuple(getattr(exceptions, name) for name in names)):
            return message.format(**facts), hint
    return None


_PYDANTIC_PREFIX = "Value error, "


def handle(exc: Exception) -> NoReturn:
    """Turn what a command raised into one line + hint + exit code; never a traceback unless
    --verbose. typer's own exits and usage errors pass through untouched."""
    if isinstance(exc, typer.BadParameter) and exc.message.startswith(_PYDANTIC_PREFIX):
        # typer coerces choices through pydantic, whose wording leaks into the message:
        # "Value error, 'foo' is not one of ..." reads as the other usage errors without it.
        exc.message = exc.message.removeprefix(_PYDANTIC_PREFIX).removesuffix(".")
    if isinstance(exc, typer.Exit | typer.Abort | typer.TyperException):
        raise exc
    if isinstance(exc, BrokenPipeError):
        quiet_closed_pipe()
        raise typer.Exit(0) from None
    if isinstance(exc, DoctorError):
        fail(exc)
    mapped = aws_sdk_error(exc)
    if mapped is not None:
        report(*mapped, cause=exc)
        raise typer.Exit(1) from None
    report(
        f"unexpected error ({type(exc).__name__}); this is a bug in cloud-doctor.",
        "Run again with --verbose for the traceback, and report it with that output.",
        cause=exc,
    )
    raise typer.Exit(1) from None


class GuardedGroup(TyperGroup):
    """The app's group: every command runs inside `handle`."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            handle(exc)


def run(app: typer.Typer) -> NoReturn:
    """The console script: the app, with a last-resort handler around it."""
    _install_logging()
    try:
        app()
    except Exception as exc:
        try:
            handle(exc)
        except typer.Exit as done:
            sys.exit(done.exit_code)
    sys.exit(0)  # pragma: no cover - app() always exits


class CliLogHandler(logging.StreamHandler[TextIO]):
    """Library warnings as one line on the current stderr. A warning carrying an exception
    (log.warning(..., exc_info=...)), and any traceback, only with --verbose."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr  # not setStream: it flushes the old one, maybe closed
        if verbose():
            super().emit(record)
            return
        if record.exc_info and record.levelno < logging.ERROR:
            # "AWS call failed" + its exception: the same failure is the command's own Error
            # line (or a warning in the answer); the duplicate and its chain need --verbose.
            return
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            super().emit(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def _install_logging() -> None:
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, CliLogHandler)]:
        root.removeHandler(handler)
    root.addHandler(CliLogHandler())
    root.setLevel(logging.INFO if verbose() else logging.WARNING)
