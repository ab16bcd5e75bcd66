"""`cloud-doctor slack-manifest`: the Slack app manifest for this doctor."""

from __future__ import annotations

from typing import Annotated

import typer

from doctor.cli.options import usage_error, write


def slack_manifest(
    url: Annotated[
        str,
        typer.Option(
            "--url", metavar="https://HOST", help="The doctor's public base URL (no path)."
        ),
    ],
) -> None:
    """Print the Slack app manifest (JSON) for this doctor: paste it into api.slack.com/apps."""
    from doctor.api.slack.manifest import render

    try:
        write(render(url))
    except ValueError as err:
        usage_error(str(err), "--url")
