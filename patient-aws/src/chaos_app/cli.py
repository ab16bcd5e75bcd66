"""The `chaos-app` command line: global options, the `scenarios` and `incidents` listings, and
`run`, which turns its options into an event stream (options.py parses them, runner.py writes it).
"""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Annotated

import typer

from chaos_app import guard, incidents, render, runner
from chaos_app.generator import generate
from chaos_app.incidents import INCIDENTS, Shape
from chaos_app.options import (
    Format,
    SinkName,
    incident_options,
    number_parser,
    parse_scenarios,
    parse_start,
)
from chaos_app.scenarios import CATALOG
from chaos_app.sinks import Renderer

# A seeded run starts its clock here, so two runs with the same seed print the same bytes.
SEEDED_EPOCH = incidents.SEEDED_EPOCH
DEFAULT_RATE = 5.0
DEFAULT_ERROR_RATIO = 0.2
DEFAULT_LOG_GROUP = "/aws/ec2/chaos-app"

app = typer.Typer(
    cls=guard.GuardedGroup,  # one line + hint + exit code for every error; no tracebacks
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain, unwrapped usage errors: the bad value stays greppable
    help="A workload that fails on purpose, logging the way real software logs failures.",
    epilog=guard.EXIT_CODES_EPILOG,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def version() -> str:
    try:
        return package_version("chaos-app")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree, not installed
        return "unknown"


def _show_version(show: bool) -> None:
    if show:
        typer.echo(f"chaos-app {version()}")
        raise typer.Exit(0)


@app.callback()
def _global(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show library tracebacks on stderr.")
    ] = False,
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """A workload that fails on purpose, logging the way real software logs failures."""
    guard.set_verbose(verbose)


@app.command("scenarios")
def scenarios_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable list.")] = False,
) -> None:
    """List the failure scenarios and the category each one exhibits."""
    if as_json:
        rows = [
            {"name": s.name, "category": s.category, "description": s.description} for s in CATALOG
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    width = max(len(s.name) for s in CATALOG)
    cat_width = max(len(s.category) for s in CATALOG)
    typer.echo(f"{'SCENARIO':<{width}}  {'CATEGORY':<{cat_width}}  DESCRIPTION")
    for s in CATALOG:
        typer.echo(f"{s.name:<{width}}  {s.category:<{cat_width}}  {s.description}")


@app.command("incidents")
def incidents_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable list.")] = False,
) -> None:
    """List the incidents: where each starts (root cause) and what follows (symptoms)."""
    rows = [
        {
            "name": i.name,
            "category": i.category,
            "service": i.service,
            "symptoms": [
                {"category": s.category, "services": list(s.services)} for s in i.symptoms
            ],
            "description": i.description,
        }
        for i in INCIDENTS
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    width = max(len(i.name) for i in INCIDENTS)
    cat_width = max(len(i.category) for i in INCIDENTS)
    typer.echo(f"{'INCIDENT':<{width}}  {'ROOT CAUSE':<{cat_width}}  {'IN':<8}  DESCRIPTION")
    for i in INCIDENTS:
        typer.echo(f"{i.name:<{width}}  {i.category:<{cat_width}}  {i.service:<8}  {i.description}")
        symptoms = "; ".join(f"{s.category} in {', '.join(s.services)}" for s in i.symptoms)
        typer.echo(f"{'':<{width}}  then: {symptoms}")


@app.command("run")
def run_command(
    scenario: Annotated[
        str | None,
        typer.Option(
            help="A scenario name, a comma list, or 'all' (they take turns). Default: all."
        ),
    ] = None,
    incident: Annotated[
        str | None,
        typer.Option(
            help="Instead of scenarios: an incident's whole log stream (name, comma list or "
            "'all'; see `chaos-app incidents`)."
        ),
    ] = None,
    shape: Annotated[
        Shape | None,
        typer.Option(help="With --incident: compose, kubectl, json or text. Default: --format's."),
    ] = None,
    duration: Annotated[
        float,
        typer.Option(
            parser=number_parser(float, 0),
            help="Seconds of traffic to produce; 0 runs until stopped (an incident: its "
            "stream's simulated length; 0 = 30-60 min, by the seed).",
        ),
    ] = 0,
    rate: Annotated[
        float | None,
        typer.Option(
            parser=number_parser(float, 0.01, 100_000),
            help="Events per second (default 5; an incident: healthy lines per second, by the "
            "seed).",
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(parser=number_parser(int), help="Make the output reproducible.")
    ] = None,
    sink: Annotated[SinkName, typer.Option(help="Where events go.")] = SinkName.stdout,
    fmt: Annotated[
        Format, typer.Option("--format", help="JSON lines, or each software's own text format.")
    ] = Format.json,
    count: Annotated[
        int | None,
        typer.Option(
            parser=number_parser(int, 1), help="Stop after this many events (overrides --duration)."
        ),
    ] = None,
    fast: Annotated[
        bool, typer.Option("--fast", help="Write at once instead of pacing at --rate.")
    ] = False,
    error_ratio: Annotated[
        float | None,
        typer.Option(
            parser=number_parser(float, 0, 1),
            help="Chance that a tick starts a failure burst (scenarios only; default 0.2).",
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            help="Time of the first event (ISO-8601). Default: now; with --seed and the stdout "
            "sink, 2026-01-01T00:00:00Z so that runs are identical."
        ),
    ] = None,
    log_group: Annotated[
        str, typer.Option(envvar="AWS_LOG_GROUP_NAME", help="CloudWatch log group.")
    ] = DEFAULT_LOG_GROUP,
    log_stream: Annotated[
        str | None, typer.Option(help="CloudWatch log stream. Default: chaos-app/HOST/TIME.")
    ] = None,
    region: Annotated[
        str | None, typer.Option(envvar="AWS_REGION", help="AWS region for the cloudwatch sink.")
    ] = None,
) -> None:
    """Produce healthy traffic with failure bursts, or an incident's whole log stream, to stdout
    or straight into CloudWatch."""
    chosen_incidents = incident_options(incident, scenario, shape, error_ratio)
    chosen = parse_scenarios(scenario or "all") if chosen_incidents is None else []
    first = parse_start(start)
    if first is None:
        seeded_stdout = seed is not None and sink is SinkName.stdout
        first = SEEDED_EPOCH if seeded_stdout else datetime.now(UTC)
    renderer: Renderer
    if chosen_incidents is not None:
        picked = shape or (Shape.text if fmt is Format.text else Shape.json)
        events = incidents.records(
            chosen_incidents,
            picked,
            start=first,
            seed=seed,
            seconds=duration,
            rate=rate,
            count=count,
        )
        renderer = incidents.record_text
    else:
        per_second = rate if rate is not None else DEFAULT_RATE
        total = count
        if total is None and duration > 0:
            total = max(1, round(duration * per_second))
        renderer = render.to_json if fmt is Format.json else render.to_text
        ratio = error_ratio if error_ratio is not None else DEFAULT_ERROR_RATIO
        events = generate(
            chosen, start=first, rate=per_second, seed=seed, count=total, error_ratio=ratio
        )
    out = runner.open_sink(sink, renderer, fast, log_group, log_stream, region, first)
    announce = (
        f"chaos-app: sending to CloudWatch {log_group}" if sink is SinkName.cloudwatch else None
    )
    interrupted = runner.run(events, out, paced=not fast, announce=announce)
    if interrupted == signal.SIGINT:
        raise typer.Exit(130)


def main() -> None:
    guard.run(app)
