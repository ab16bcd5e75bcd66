"""`cloud-doctor demo`: the whole system on one machine (the steps: `demo_run`, loaded only
when the demo runs, so other commands do not pay for httpx and the process helpers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from doctor.errors import DoctorError


def demo(
    repo: Annotated[
        Path,
        typer.Option(help="The repository checkout (for infra/local). Default: this directory."),
    ] = Path(),
) -> None:
    """The whole system on this machine: moto, chaos-app, the doctor; no Docker, no cloud."""
    from doctor.cli.demo_run import run_demo

    console = Console(highlight=False)
    try:
        result = run_demo(console, repo=repo.resolve())
    except DoctorError as err:
        # The message may quote logs or paths: rich Text, never markup.
        console.print(Text.assemble(("Demo failed: ", "bold red"), err.message))
        if err.hint:
            console.print(Text.assemble(("Hint: ", "bold"), err.hint))
        raise typer.Exit(1) from None
    facts = json.dumps({"status": result.status, "issues": len(result.analysis.issues)})
    console.print(Text(f"\n{facts} — everything the demo started has been stopped.", style="dim"))
