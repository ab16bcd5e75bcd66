"""How the BEAM (Elixir, Erlang) prints a crashed process over several lines, for the
parser's stack modes (anatomy.py)."""

from __future__ import annotations

import re

# Elixir's Logger reports a crashed process on the lines below its head: "GenServer X
# terminating", "Task #PID<0.98.0> started from Y terminating", "#PID<0.99.0> running
# Endpoint (...) terminated" (Phoenix), then the exception, "** (KeyError) key :a not found" or
# "** (exit) an exception was raised:", its frames (indented) and the process's context.
# The head: GenServer and Agent name a module (or a registered atom), Task and Process a pid,
# anywhere before the last word (no `.*`: linear on a 256 KiB line).
CRASH_HEAD = re.compile(
    r"\b(?:GenServer|Agent) (?:[A-Z]\w*(?:\.\w+)*|:\w+) |\b(?:Task|Process) #PID<|"
    r":gen_\w+ |#PID<[\d.]+> running "
)
_HEAD_ENDS = (" terminating", " terminated")
EXCEPTION = re.compile(r"\*\* \((?:[A-Z]\w*(?:\.\w+)*|exit|stop|throw|EXIT)\) ")
# The lines of such a report ("Last message: {:refresh, :scheduled}", "State: %{...}";
# Phoenix's "Server: …" and "Request: POST /x" come between its head and the exception).
REPORT_LINES = (
    "** (", "Last message", "State: ", "Client ", "Function: ", "Args: ", "Server: ",
    "Request: ", "Parent: ", "Queue: ", "Reason: ",
)  # fmt: skip
# Of those, the ones no program's own record opens with: never learned as a head.
HEADLESS = ("** (", "Last message", "State: ", "Function: #Function<")


def opens_report(line: str) -> bool:
    """Whether a line (its message) heads such a report: one test of its last word first."""
    return line.endswith(_HEAD_ENDS) and CRASH_HEAD.search(line) is not None
