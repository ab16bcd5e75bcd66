"""The `cloud-doctor` typer app: every command is registered here, explicitly, in help order."""

from __future__ import annotations

import logging
import sys

import typer

from doctor.cli.analyze import analyze
from doctor.cli.check import check
from doctor.cli.demo import demo
from doctor.cli.history import history
from doctor.cli.patterns import patterns
from doctor.cli.serve import serve
from doctor.cli.slack_manifest import slack_manifest

app = typer.Typer(
    name="cloud-doctor",
    help="Diagnose an AWS workload from its logs: digest, Gemini (or offline rules), grounded.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # tracebacks would show locals: settings, secrets
)
app.command("analyze")(analyze)
app.command("patterns")(patterns)
app.command("history")(history)
app.command("check")(check)
app.command("serve")(serve)
app.command("demo")(demo)
app.command("slack-manifest")(slack_manifest)


def main() -> None:
    # Library warnings (e.g. why Gemini failed) go to stderr; stdout stays clean for --json.
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    app()
