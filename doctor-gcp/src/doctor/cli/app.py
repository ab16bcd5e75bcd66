"""The `cloud-doctor` typer app: every command is registered here, explicitly, in help order."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Annotated

import typer

from doctor.cli import guard
from doctor.cli.analyze import analyze
from doctor.cli.check import check
from doctor.cli.demo import demo
from doctor.cli.history import history
from doctor.cli.patterns import patterns
from doctor.cli.serve import serve
from doctor.cli.slack_manifest import slack_manifest

app = typer.Typer(
    name="cloud-doctor",
    cls=guard.GuardedGroup,  # one line + hint + exit code for every error; no tracebacks
    help="Diagnose an AWS workload from its logs: digest, Gemini (or offline rules), grounded.",
    epilog=guard.EXIT_CODES_EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # tracebacks would show locals: settings, secrets
    # Plain click help: flags show as flags (typer's rich panels print `<bool>` after them),
    # and usage errors read the same in both CLIs.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("analyze")(analyze)
app.command("patterns")(patterns)
app.command("history")(history)
app.command("check")(check)
app.command("serve")(serve)
app.command("demo")(demo)
app.command("slack-manifest")(slack_manifest)


def version() -> str:
    try:
        return package_version("cloud-doctor")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree, not installed
        return "unknown"


def _show_version(show: bool) -> None:
    if show:
        typer.echo(f"cloud-doctor {version()}")
        raise typer.Exit(0)


@app.callback()
def _global(
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Show library tracebacks and info logs on stderr."),
    ] = False,
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Diagnose an AWS workload from its logs: digest, Gemini (or offline rules), grounded."""
    guard.set_verbose(verbose)


def main() -> None:
    # Library warnings (e.g. why Gemini failed) go to stderr, one line each; stdout stays clean.
    guard.run(app)
