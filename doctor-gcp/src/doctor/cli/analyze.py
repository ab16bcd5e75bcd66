"""`cloud-doctor analyze`: diagnose a file, stdin or a CloudWatch window."""

from __future__ import annotations

import json
from contextlib import closing
from typing import Annotated, Any

import typer

from doctor.cli.options import (
    EngineOption,
    FileOpt,
    LogGroupOpt,
    MinutesOpt,
    StdoutConsole,
    TargetOpt,
    fail,
    make_query,
    number,
    print_notes,
    write,
)
from doctor.cli.progress import stdin_hint, working
from doctor.cli.render import render_analysis
from doctor.digest.prompt import Prompt
from doctor.errors import DoctorError
from doctor.respond import Digested
from doctor.settings import load_settings


def analyze(
    file: FileOpt = None,
    target: TargetOpt = None,
    log_group: LogGroupOpt = None,
    minutes: MinutesOpt = None,
    max_logs: Annotated[
        int | None,
        typer.Option("--max-logs", parser=number(1), help="Analyse the newest N log events."),
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
        bool,
        typer.Option(
            "--dry-run",
            help="Call no engine: print the exact prompt (with --json: the prompt, its token "
            "estimate and what was cut, as one JSON object).",
        ),
    ] = False,
    slack: Annotated[
        bool, typer.Option("--slack", help="Also post the result to $SLACK_CHANNEL.")
    ] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Every issue in detail, with all its evidence.")
    ] = False,
) -> None:
    """Diagnose the logs: what is wrong, why, and what to do, grounded in the log lines."""
    query = make_query(
        file=file,
        target=target,
        log_group=log_group,
        minutes=minutes,
        max_logs=max_logs,
        filter_pattern=filter_pattern,
        engine=engine,
    )
    try:
        settings = load_settings()
        from doctor.orchestrator import Doctor  # lazily: `-h` need not load every stage

        with closing(Doctor.from_settings(settings, ambient_aws=True)) as doctor:
            if dry_run:
                if slack:
                    print_notes(["--slack posts nothing with --dry-run."])
                stdin_hint(file)
                with working("Reading and digesting the logs…"):
                    digested, prompt = doctor.prompt(query)
                if json_output:
                    write(json.dumps(dry_run_json(digested, prompt), indent=2))
                    return
                print_notes(digested.warnings)
                write(prompt.render())
                return
            if slack:
                doctor.slack_channel()  # checked before the analysis, not after it
            stdin_hint(file)
            with working("Reading the logs and diagnosing…"):
                response = doctor.analyze(query)
            if json_output:
                write(response.model_dump_json(indent=2))
            else:
                render_analysis(response, StdoutConsole(), full=full)
            if slack:
                # The report is printed; exit 1 says it did not reach Slack.
                doctor.post_report(response)
                print_notes([f"Posted to Slack ({settings.slack_channel})."])
    except DoctorError as err:
        fail(err)


def dry_run_json(digested: Digested, prompt: Prompt) -> dict[str, Any]:
    """`--dry-run --json`: the exact prompt, its token estimate and what shaped it."""
    return {
        "prompt": prompt.render(),
        "system": prompt.system,
        "user": prompt.user,
        "prompt_tokens": prompt.tokens,
        "prompt_truncated": prompt.truncated,
        "input_truncated": digested.input_truncated,
        "total_logs_analyzed": digested.digest.events_total,
        "distinct_patterns": len(digested.digest.patterns),
        "log_group": digested.label,
        "warnings": list(digested.warnings),
    }
