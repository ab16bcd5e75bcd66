"""What stands between an exception and the user's terminal, for `chaos-app`.

Every error a user or their environment causes ends as one line on stderr, a hint, and an exit
code: 1 for a runtime or environment failure (no AWS credentials, no network), 2 for a usage
error (typer's own). A traceback is printed only with `chaos-app --verbose`. A reader that stops
early (`chaos-app run | head`) ends the run quietly with exit 0.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from typing import Any, NoReturn, TextIO

import typer
from typer.core import TyperGroup

EXIT_CODES_EPILOG = (
    "\b\nExit codes:\n"
    "  0    done (also when the reader of a pipe, e.g. `| head`, stops early)\n"
    "  1    runtime or environment error (e.g. no AWS credentials): one line and a hint\n"
    "  2    usage error: a bad or missing option, named\n"
    "  130  stopped by Ctrl-C\n"
    "Add --verbose (before the command) to see library tracebacks."
)

_state = {"verbose": False}


def set_verbose(verbose: bool) -> None:
    _state["verbose"] = verbose
    _install_logging()


def verbose() -> bool:
    return _state["verbose"]


def report(message: str, hint: str | None = None, *, cause: BaseException | None = None) -> None:
    """One error line and its hint on stderr (plain text: nothing in it is markup); the
    traceback of `cause` only with --verbose."""
    if verbose() and cause is not None:
        sys.stderr.write("".join(traceback.format_exception(cause)))
    sys.stderr.write(f"Error: {message}\n")
    if hint:
        sys.stderr.write(f"Hint: {hint}\n")
    sys.stderr.flush()


def quiet_closed_pipe() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot raise again."""
    with contextlib.suppress(OSError, ValueError):  # no real stdout (a test runner): nothing
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


# botocore exception class names (checked in order), what we say, the hint.
_AWS_ERRORS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("ProfileNotFound",),
        "AWS profile {profile!r} is not configured.",
        "Fix AWS_PROFILE (see `aws configure list-profiles`), or unset it.",
    ),
    (
        ("NoCredentialsError", "PartialCredentialsError"),
        "No AWS credentials were found for the cloudwatch sink.",
        "Give the process AWS credentials (an instance role, AWS_PROFILE or the AWS_* "
        "variables), or use --sink stdout.",
    ),
    (("NoRegionError",), "No AWS region is configured.", "Set AWS_REGION or pass --region."),
    (
        ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError"),
        "CloudWatch Logs could not be reached.",
        "Check the network, and AWS_ENDPOINT_URL if it is set.",
    ),
    (
        ("ClientError",),
        "CloudWatch Logs refused the request ({code}).",
        "Check the credentials, the role's logs:* permissions and --log-group; --verbose shows "
        "the details.",
    ),
    (
        ("BotoCoreError",),
        "The AWS SDK failed ({kind}).",
        "Check the AWS configuration; --verbose shows the details.",
    ),
)


def aws_sdk_error(exc: Exception) -> tuple[str, str] | None:
    """Message and hint for an AWS SDK error, or None if `exc` is none. Written by us: `str()`
    of an SDK error can carry request details."""
    try:
        from botocore import exceptions
    except ImportError:  # pragma: no cover - boto3 is a dependency
        return None
    response = getattr(exc, "response", None)
    code = "unknown"
    if isinstance(response, dict):
        code = str(response.get("Error", {}).get("Code", "unknown"))
    facts = {
        "profile": os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE") or "?",
        "code": code,
        "kind": type(exc).__name__,
    }
    for names, message, hint in _AWS_ERRORS:
        if isinstance(exc, tuple(getattr(exceptions, name) for name in names)):
            return message.format(**facts), hint
    return None


_PYDANTIC_PREFIX = "Value error, "


def handle(exc: Exception) -> NoReturn:
    """One line + hint + exit code for what a command raised; typer's own exits and usage
    errors pass through untouched."""
    if isinstance(exc, typer.BadParameter) and exc.message.startswith(_PYDANTIC_PREFIX):
        # typer coerces choices through pydantic, whose wording leaks into the message:
        # "Value error, 'foo' is not one of ..." reads as the other usage errors without it.
        exc.message = exc.message.removeprefix(_PYDANTIC_PREFIX).removesuffix(".")
    if isinstance(exc, typer.Exit | typer.Abort | typer.TyperException):
        raise exc
    if isinstance(exc, BrokenPipeError):
        quiet_closed_pipe()
        raise typer.Exit(0) from None
    mapped = aws_sdk_error(exc)
    if mapped is not None:
        report(*mapped, cause=exc)
        raise typer.Exit(1) from None
    if isinstance(exc, OSError):  # the environment: a full disk, a closed descriptor
        report(
            f"{exc.strerror or type(exc).__name__}.",
            "Check where the output goes; --verbose shows the details.",
            cause=exc,
        )
        raise typer.Exit(1) from None
    report(
        f"unexpected error ({type(exc).__name__}); this is a bug in chaos-app.",
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
    """Library warnings as one line on the current stderr. A warning carrying an exception,
    and any traceback, only with --verbose."""

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
