"""The `/doctor` slash command's grammar: `analyze [target] [30m|2h|1d] [log-group]`,
`history [target]`, `help`.

Parsing is pure and instant (it runs before the ack, inside Slack's 3 s). Every refusal names
what was wrong, quoting the argument, so the ephemeral usage reply is actionable.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from doctor.models import DEFAULT_MINUTES, LOG_GROUP_PATTERN, MAX_WINDOW_MINUTES
from doctor.notify import Message, mrkdwn, notice, window_label
from doctor.since import duration_minutes

COMMAND = "/doctor"
_LOOKS_LIKE_WINDOW = re.compile(r"\d\S*")  # a log group never starts with a digit here
_LOG_GROUP = re.compile(LOG_GROUP_PATTERN)

USAGE = (
    "*Cloud Doctor* diagnoses the recent errors of the AWS workload from its CloudWatch logs.\n"
    f"• `{COMMAND} analyze`: the last {DEFAULT_MINUTES} minutes of the default log group\n"
    f"• `{COMMAND} analyze 2h`: another window, in minutes, hours or days "
    f"(`30m`, `2h`, `1d`; at most {window_label(MAX_WINDOW_MINUTES)})\n"
    f"• `{COMMAND} analyze 1d /aws/ec2/chaos-app`: a window and a log group "
    "(the group must be on the doctor's allow list)\n"
    f"• `{COMMAND} analyze payments-prod 2h`: another target (AWS account), by its name\n"
    f"• `{COMMAND} history [target]`: the latest diagnoses\n"
    f"• `{COMMAND} help`: this message\n"
    "The report is posted to this channel when the analysis is done."
)


class UsageError(ValueError):
    """The command text cannot be run; the message says why (it may quote user input)."""


@dataclass(frozen=True, slots=True)
class Help:
    pass


@dataclass(frozen=True, slots=True)
class History:
    target: str | None = None


@dataclass(frozen=True, slots=True)
class Analyze:
    minutes: int = DEFAULT_MINUTES
    log_group: str | None = None
    target: str | None = None


def _quote(arg: str) -> str:
    return repr(arg if len(arg) <= 60 else arg[:57] + "...")


def _window(arg: str) -> int:
    minutes = duration_minutes(arg)
    if minutes is None:
        raise UsageError(
            f"{_quote(arg)} is not a time window: use a number and a unit, like 30m, 2h or 1d."
        )
    if minutes < 1:
        raise UsageError(f"{_quote(arg)} is an empty window: ask for at least 1m.")
    if minutes > MAX_WINDOW_MINUTES:
        raise UsageError(
            f"{_quote(arg)} is longer than the doctor's maximum window of "
            f"{window_label(MAX_WINDOW_MINUTES)}."
        )
    return minutes


def parse(text: str, targets: Collection[str] = ()) -> Help | Analyze | History:
    """`text` is what follows `/doctor`; `targets` are the configured targets' names (a word
    that is one of them names a target, not a log group). Raises UsageError naming the
    problem."""
    words = text.split()
    if not words or (words[0].lower() == "help" and len(words) == 1):
        return Help()
    verb, args = words[0].lower(), words[1:]
    if verb == "help":
        raise UsageError("`help` takes no arguments.")
    if verb == "history":
        return _history(args, targets)
    if verb != "analyze":
        raise UsageError(
            f"Unknown subcommand {_quote(words[0])}: try `analyze`, `history` or `help`."
        )
    if len(args) > 3:
        raise UsageError(
            f"Too many arguments ({len(args)}): `analyze` takes at most a target, a window and "
            "a log group."
        )
    minutes: int | None = None
    group: str | None = None
    target: str | None = None
    for arg in args:
        if _LOOKS_LIKE_WINDOW.fullmatch(arg):
            if minutes is not None:
                raise UsageError(f"Two windows given ({_quote(arg)} is the second): give one.")
            minutes = _window(arg)
        elif arg.lower() in targets and target is None and group is None:
            target = arg.lower()
        elif group is not None:
            raise UsageError(f"Two log groups given ({_quote(arg)} is the second): give one.")
        elif not _LOG_GROUP.fullmatch(arg):
            raise UsageError(f"{_quote(arg)} is not a valid CloudWatch log group name.")
        else:
            group = arg
    return Analyze(minutes=minutes or DEFAULT_MINUTES, log_group=group, target=target)


def _history(args: list[str], targets: Collection[str]) -> History:
    if len(args) > 1:
        raise UsageError(f"Too many arguments ({len(args)}): `history` takes at most a target.")
    if not args:
        return History()
    if args[0].lower() not in targets:
        known = ", ".join(sorted(targets)) or "none"
        raise UsageError(f"{_quote(args[0])} is not a target. Known targets: {known}.")
    return History(args[0].lower())


def usage(problem: str | None = None) -> Message:
    """The help text; with `problem` (which may quote user input, so it is escaped) first."""
    if problem is None:
        return notice(USAGE)
    return notice(f":warning: {mrkdwn(problem, 600)}\n\n{USAGE}")
