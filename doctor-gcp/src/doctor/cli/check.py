"""`cloud-doctor check`: the active configuration and whether each path is ready.

Secrets are shown as set/unset only. Nothing goes over the network unless `--live` asks (STS
and Slack's auth.test, short timeouts); the history database is opened and migrated. Exit 0
when every configured path is ready, 1 otherwise (a path that is off is not a failure).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from doctor.cli.options import fail, write
from doctor.errors import DoctorError
from doctor.settings import load_settings

if TYPE_CHECKING:
    from doctor.readiness.verdict import PathCheck, Readiness

_LABELS = {"aws": "AWS", "gemini": "Gemini", "slack": "Slack", "store": "Store", "api": "API"}
_STYLES = {"ready": "green", "off": "dim", "not_ready": "bold red", "unchecked": "yellow"}
_SHOWN = {"ready": "ready", "off": "off", "not_ready": "NOT READY", "unchecked": "unchecked"}


def check(
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the readiness as JSON (for scripts).")
    ] = False,
    live: Annotated[
        bool,
        typer.Option("--live", help="Also call STS and Slack's auth.test (network, 5 s timeouts)."),
    ] = False,
) -> None:
    """Is each path ready (AWS, Gemini, Slack, store, API)? The fix for each that is not.

    Secrets show as set/unset only. Exit 0 when every configured path is ready, 1 otherwise."""
    try:
        settings = load_settings()
    except DoctorError as err:
        if json_output:
            write(json.dumps({"ready": False, "serving": False, "error": err.to_body()["error"]}))
            raise typer.Exit(1) from None
        fail(err)
    from doctor.readiness.assessment import assess  # lazily: `-h` need not load SQLAlchemy

    readiness = assess(settings, probe_store=True, live=live)
    if json_output:
        write(json.dumps(readiness.to_dict(), indent=2))
    else:
        _print(readiness)
    if not readiness.ready:
        raise typer.Exit(1)


def _print(readiness: Readiness) -> None:
    console = Console(highlight=False, soft_wrap=True)
    for path in readiness.paths:
        console.print(_headline(path))
        for line in _details(path):
            console.print(Text("           " + line, style="dim"))
        for problem in path.problems if path.status == "not_ready" else []:
            console.print(Text.assemble("           ", ("problem: ", "red"), problem))
        if path.fix and path.status != "ready":
            console.print(Text.assemble("           ", ("fix: ", "bold"), path.fix))
    if readiness.ready:
        verdict = Text("Ready: every configured path works.", style="bold green")
    else:
        broken = [_LABELS[p.name] for p in readiness.paths if p.status == "not_ready"]
        verdict = Text(f"Not ready: {', '.join(broken)} need(s) a fix.", style="bold red")
    console.print(verdict)
    if not readiness.serving:
        missing = ", ".join(_LABELS[p.name] for p in readiness.serving_blockers())
        console.print(
            Text(f"`serve` would answer POST /analyze with 503 (needs: {missing}).", style="yellow")
        )


def _headline(path: PathCheck) -> Text:
    return Text.assemble(
        (f"{_LABELS[path.name]:<8} ", "bold"),
        (f"{_SHOWN[path.status]:<10} ", _STYLES[path.status]),
        path.summary,  # plain text: values from the environment are never markup
    )


def _details(path: PathCheck) -> list[str]:
    """The configured values (no secrets: those are 'set'/'unset') worth a line each."""
    lines: list[str] = []
    for key, value in path.facts.items():
        if key == "targets":
            lines.extend(_target_line(target) for target in value)
        elif value not in (None, [], ""):
            lines.append(f"{key}: {_plain(value)}")
    return lines


def _target_line(target: dict[str, Any]) -> str:
    groups = ", ".join(target["log_groups"]) or "(none)"
    return (
        f"target {target['name']}: role {target['role_arn'] or '(none)'}, "
        f"region {target['region'] or '(none)'}, log groups {groups}"
    )


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)
