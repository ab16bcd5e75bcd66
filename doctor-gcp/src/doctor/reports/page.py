"""The report page: one diagnosis as a server-rendered HTML page (Jinja2, autoescaped).

Everything on it comes from the stored diagnosis; log lines and model text are data, escaped by
the template engine. The page carries no script and loads nothing from elsewhere: its headers
forbid both (`Content-Security-Policy`), and the link's signature stays out of referrers.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from doctor.incident.story import ROLE_LABEL, told
from doctor.models import AnalysisResponse
from doctor.reports.chart import timeline

TEMPLATES = Path(__file__).parent / "templates"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",  # the link's signature must not leak to other sites
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
}


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(response: AnalysisResponse, digest: dict[str, Any]) -> str:
    template = _environment().get_template("report.html.j2")
    return template.render(
        r=response,
        chain=told(response),
        chart=timeline(response, digest),
        role_label=ROLE_LABEL,
        events_total=digest.get("events_total"),
    )
