"""`cloud-doctor analyze` and `cloud-doctor patterns`: a file, stdin or CloudWatch."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console

from doctor.cli._common import (
    EngineOption,
    app,
    fail,
    number,
    print_notes,
    usage_error,
    write,
)
from doctor.digest.types import Digest
from doctor.engines import build_engine, choose_engine
from doctor.errors import DoctorError
from doctor.logs import read_lines
from doctor.models import AnalysisResponse, AnalyzeRequest
from doctor.notify.slack import SlackPoster
from doctor.pipeline import RunOptions, Source, analyze, digest_of, prepare
from doctor.report import render_analysis, render_patterns
from doctor.service import Doctor
from doctor.settings import Settings, load_settings

FileOpt = Annotated[
    str | None,
    typer.Option("--file", "-f", metavar="PATH|-", help="Log file to read; '-' reads stdin."),
]
LogGroupOpt = Annotated[
    str | None, typer.Option("--log-group", help="CloudWatch log group (a label with --file).")
]
MinutesOpt = Annotated[
    int | None,
    typer.Option("--minutes", parser=number(1), help="Time window in minutes (CloudWatch)."),
]


@app.command("analyze")
def analyze_command(
    file: FileOpt = None,
    log_group: LogGroupOpt = None,
    minutes: MinutesOpt = None,
    max_logs: Annotated[
        int | None,
        typer.Option("--max-logs", parser=number(1), help="Analyse at most N log events."),
    ] = None,
    filter_pattern: Annotated[
        str | None, typer.Option("--filter-pattern", help="CloudWatch filter pattern.")
    ] = None,
    engine: Annotated[
        EngineOption | None,
        typer.Option("--engine", help="Diagnosis engine (default: $DOCTOR_ENGINE, else auto)."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print only the AnalysisResponse JSON.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Call no engine: print the exact prompt.")
    ] = False,
    slack: Annotated[
        bool, typer.Option("--slack", help="Also post the result to $SLACK_CHANNEL.")
    ] = False,
) -> None:
    """Diagnose the logs: what is wrong, why, and what to do, grounded in the log lines."""
    try:
        settings = load_settings()
        poster = SlackPoster(settings) if slack and not dry_run else None
        if poster is not None:
            poster.check_channel_configured()  # before the analysis, not after it
        elif slack:
            print_notes(["--slack posts nothing with --dry-run."])
        if file is None:
            request = _cloudwatch_request(log_group, minutes, max_logs, filter_pattern, engine)
            response = _analyze_cloudwatch(settings, request, dry_run)
        else:
            response = _analyze_file(
                file, settings, log_group, minutes, max_logs, filter_pattern, engine, dry_run
            )
    except DoctorError as err:
        fail(err)
    if response is None:
        return  # --dry-run printed the prompt (and --slack had nothing to post)
    if json_output:
        write(response.model_dump_json(indent=2))
    else:
        render_analysis(response, Console(highlight=False))
    if poster is not None:
        try:
            poster.post_report(response)
        except DoctorError as err:
            fail(err)  # the report is printed; exit 1 says it did not reach Slack
        print_notes([f"Posted to Slack ({settings.slack_channel})."])


def _analyze_cloudwatch(
    settings: Settings, request: AnalyzeRequest, dry_run: bool
) -> AnalysisResponse | None:
    doctor = Doctor.from_settings(settings, ambient_aws=True)
    try:
        if not dry_run:
            return doctor.analyze(request)
        collected = doctor.collect(request)
        _, prompt = prepare(collected.records, collected.options, collected.warnings)
        print_notes(collected.warnings)
        write(prompt.render())
        return None
    finally:
        doctor.close()


def _analyze_file(
    file: str,
    settings: Settings,
    log_group: str | None,
    minutes: int | None,
    max_logs: int | None,
    filter_pattern: str | None,
    engine: EngineOption | None,
    dry_run: bool,
) -> AnalysisResponse | None:
    notes = _file_notes(minutes=minutes, filter_pattern=filter_pattern)
    options = RunOptions(
        log_group=log_group,
        minutes=None,  # a file is analysed whole: there is no window to report
        max_events=max_logs,
        budget_tokens=settings.doctor_prompt_token_budget,
    )
    lines = read_lines(file)
    if dry_run:
        _, prompt = prepare(lines, options, notes)
        print_notes(notes)
        write(prompt.render())
        return None
    chosen = build_engine(choose_engine(engine.value if engine else None, settings), settings)
    try:
        return analyze(lines, engine=chosen, options=options, warnings=notes)
    finally:
        chosen.close()


def _cloudwatch_request(
    log_group: str | None,
    minutes: int | None,
    max_logs: int | None,
    filter_pattern: str | None,
    engine: EngineOption | None,
) -> AnalyzeRequest:
    """The same request the API takes, so the same limits apply; bad values are usage errors."""
    fields: dict[str, Any] = {
        "log_group": log_group,
        "max_logs": max_logs,
        "filter_pattern": filter_pattern,
        "engine": engine.value if engine else None,
    }
    if minutes is not None:
        fields["time_range_minutes"] = minutes
    try:
        return AnalyzeRequest(**fields)
    except ValidationError as exc:
        flags = {"time_range_minutes": "--minutes"}
        problems = "; ".join(
            f"{flags.get(str(err['loc'][0]), '--' + str(err['loc'][0]).replace('_', '-'))}: "
            f"{err['msg']}"
            for err in exc.errors(include_url=False)
        )
        usage_error(problems)


@app.command("patterns")
def patterns_command(
    file: FileOpt = None,
    log_group: LogGroupOpt = None,
    minutes: MinutesOpt = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the patterns as JSON.")] = (
        False
    ),
    per_line: Annotated[
        bool,
        typer.Option("--per-line", help="Print one pattern id per input event, in input order."),
    ] = False,
) -> None:
    """Show the digest's templates with counts. Calls no engine."""
    try:
        if file is None:
            request = _cloudwatch_request(log_group, minutes, None, None, None)
            doctor = Doctor.from_settings(load_settings(), ambient_aws=True)
            try:
                collected = doctor.collect(request)
            finally:
                doctor.close()
            print_notes(collected.warnings)
            source: Source = collected.records
        else:
            print_notes(_file_notes(minutes=minutes, filter_pattern=None))
            source = read_lines(file)
        digest = digest_of(source)
    except DoctorError as err:
        fail(err)
    if per_line:
        if json_output:
            write(json.dumps(digest.assignments))
        else:
            write("\n".join(digest.assignments))
    elif json_output:
        write(json.dumps(_patterns_json(digest), indent=2))
    else:
        render_patterns(digest, Console(highlight=False))


def _patterns_json(digest: Digest) -> dict[str, Any]:
    return {
        "events_total": digest.events_total,
        "redactions": digest.redactions,
        "patterns": [
            {
                "id": p.id,
                "template": p.template,
                "count": p.count,
                "level": p.level.name,
                "first_seen": p.first_seen.isoformat() if p.first_seen else None,
                "last_seen": p.last_seen.isoformat() if p.last_seen else None,
                "samples": p.samples,
            }
            for p in digest.patterns
        ],
    }


def _file_notes(*, minutes: int | None, filter_pattern: str | None) -> list[str]:
    """Options that only mean something for CloudWatch, said out loud rather than ignored."""
    notes = []
    if minutes is not None:
        notes.append("--minutes applies to CloudWatch; the file was analysed whole.")
    if filter_pattern is not None:
        notes.append("--filter-pattern applies to CloudWatch; the file was not filtered.")
    return notes
