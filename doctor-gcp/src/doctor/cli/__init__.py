"""`cloud-doctor`: the terminal front end (typer + rich). One module per command."""

from doctor.cli.app import app, main

__all__ = ["app", "main"]
