"""`cloud-doctor`: the terminal front end (typer + rich). One module per group of commands."""

from __future__ import annotations

import logging
import sys

from doctor.cli import analyze, serve
from doctor.cli._common import app

__all__ = ["app", "main"]
del analyze, serve  # imported for their @app.command registrations


def main() -> None:
    # Library warnings (e.g. why Gemini failed) go to stderr; stdout stays clean for --json.
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    app()
