"""`chaos-app run`'s option choices, parsers and cross-option checks.

A bad value is a usage error (exit 2) that names the value, the option and what it accepts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

import typer

from chaos_app import incidents
from chaos_app.incidents import INCIDENTS, Incident, Shape
from chaos_app.scenarios import CATALOG, Scenario, by_name


class SinkName(StrEnum):
    stdout = "stdout"
    cloudwatch = "cloudwatch"


class Format(StrEnum):
    json = "json"
    text = "text"


def number_parser(kind: type[float], low: float | None = None, high: float | None = None) -> Any:
    """A parser that names the bad value (typer's pydantic coercion does not) and its range."""
    noun = "a whole number" if kind is int else "a number"

    def parse(value: str | float) -> float:
        try:
            number = kind(value)
        except (TypeError, ValueError):
            raise typer.BadParameter(f"{value!r} is not {noun}") from None
        if not math.isfinite(number):
            raise typer.BadParameter(f"{value!r} is not a finite number")
        if (low is not None and number < low) or (high is not None and number > high):
            bounds = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
            raise typer.BadParameter(f"{value!r} is out of range: it must be {bounds}")
        return number

    return parse


_T = TypeVar("_T")


def _chosen(
    value: str, catalog: Sequence[_T], lookup: Callable[[str], _T], names: list[str], noun: str
) -> list[_T]:
    """`all`, or a comma-separated list of names from `catalog`; a bad name says the known."""
    if value.strip() == "all":
        return list(catalog)
    chosen: list[_T] = []
    for name in (part.strip() for part in value.split(",")):
        try:
            chosen.append(lookup(name))
        except KeyError:
            raise typer.BadParameter(
                f"unknown {noun} {name!r}; choose 'all' or one or more of: {', '.join(names)} "
                f"(see `chaos-app {noun}s`)",
                param_hint=f"'--{noun}'",
            ) from None
    return chosen


def parse_scenarios(value: str) -> list[Scenario]:
    return _chosen(value, CATALOG, by_name, [s.name for s in CATALOG], "scenario")


def _parse_incidents(value: str) -> list[Incident]:
    return _chosen(value, INCIDENTS, incidents.by_name, [i.name for i in INCIDENTS], "incident")


def parse_start(value: str | None) -> datetime | None:
    if value is None or value == "now":
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO-8601 time; use e.g. 2026-11-22T10:00:00Z or 'now'",
            param_hint="'--start'",
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def incident_options(
    incident: str | None, scenario: str | None, shape: Shape | None, error_ratio: float | None
) -> list[Incident] | None:
    """The incidents asked for, or None for a scenario run; options that do not fit are
    usage errors rather than silently ignored."""
    if incident is None:
        if shape is not None:
            raise typer.BadParameter("--shape applies to --incident runs", param_hint="'--shape'")
        return None
    if scenario is not None:
        raise typer.BadParameter(
            "--scenario and --incident cannot be combined", param_hint="'--incident'"
        )
    if error_ratio is not None:
        raise typer.BadParameter(
            "--error-ratio applies to scenarios; an incident's stream is fixed by its seed",
            param_hint="'--error-ratio'",
        )
    return _parse_incidents(incident)
