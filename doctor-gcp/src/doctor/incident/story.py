"""The causal chain in one sentence, the same in the summary, the terminal, Slack and the prompt:

Root cause at 17:49 UTC in db: Disk Full (3) → symptoms in api, worker: Database Connection
Failure (1,234), Upstream Unavailable (456). Chronic, before the incident: TLS (2,000).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from doctor.digest.prompt import Notes
from doctor.incident.causes import Lags, Links
from doctor.incident.model import Incident, Role
from doctor.models import AnalysisResponse
from doctor.taxonomy import Category

MAX_NAMED = 3  # issues named per part; the rest are counted
MAX_SERVICES = 3
MAX_WORDING_CHARS = 200  # a new wording's sample, as the model is told it


@dataclass(frozen=True, slots=True)
class Item:
    """One issue as the chain tells it."""

    title: str
    role: Role | str | None
    count: int
    services: Sequence[str] = ()
    first_seen: datetime | None = None


def chain(items: Sequence[Item], onset: datetime | None) -> str | None:
    """The sentence, or None when there is no root cause to tell (no issue, or all chronic)."""
    roots = [i for i in items if i.role == Role.ROOT_CAUSE]
    if not roots:
        return None
    symptoms = [i for i in items if i.role == Role.SYMPTOM]
    chronic = [i for i in items if i.role == Role.CHRONIC]
    lead = roots[0]
    when = lead.first_seen
    if onset is not None and (when is None or when < onset):
        when = onset  # a cause that was there before only became one at the onset
    text = "Root cause" if len(roots) == 1 else "Root causes"
    if when is not None:
        text += f" at {when:%H:%M} UTC"
    text += _where(roots) + ": " + _named(roots)
    if symptoms:
        text += " → symptoms" + _where(symptoms) + ": " + _named(symptoms)
    text += "."
    if chronic:
        text += " Chronic, before the incident: " + _named(chronic) + "."
    return text


def _where(items: Sequence[Item]) -> str:
    services: list[str] = []
    for item in items:
        services += [s for s in item.services if s not in services]
    if not services:
        return ""
    shown = ", ".join(services[:MAX_SERVICES])
    more = f" and {len(services) - MAX_SERVICES} more" if len(services) > MAX_SERVICES else ""
    return f" in {shown}{more}"


def _named(items: Sequence[Item]) -> str:
    named = ", ".join(f"{i.title} ({i.count:,})" for i in items[:MAX_NAMED])
    rest = items[MAX_NAMED:]
    if rest:
        named += f" and {len(rest)} more ({sum(i.count for i in rest):,})"
    return named


def told(response: AnalysisResponse) -> str | None:
    """The chain of a grounded answer, unless its summary already tells it (the rules engine's
    does): what the terminal and Slack show under the summary."""
    items = [
        Item(i.type, i.role, i.count, i.services, i.first_seen) for i in response.analysis.issues
    ]
    sentence = chain(items, response.summary.onset)
    # The rules engine's summary opens with the same chain, counted before grounding dropped an
    # issue or two ("and 17 more" against "and 16 more"): its opening clause is the test.
    if sentence is None or response.analysis.summary.startswith(sentence.split(" in ", 1)[0]):
        return None
    return sentence


LATER = "only once it has gone on a while"  # a `later` link of kb/links.toml, told the model
ROLE_LABEL = {"root_cause": "root cause", "symptom": "symptom", "chronic": "chronic"}


def notes(incident: Incident, links: Links, lags: Lags) -> Notes:
    """The incident as facts for the model's prompt (doctor.digest.prompt.Notes); a link that
    holds only once its cause has gone on a while says so, as the incident stage reads it."""
    onset = incident.onset
    header = [
        "Incident onset (problems new or spiking together): "
        + (f"{onset:%Y-%m-%dT%H:%M:%S}Z." if onset is not None else "none found.")
    ]
    if incident.baseline_minutes:
        header.append(
            f"Baseline: the {incident.baseline_minutes} minutes before this window were read "
            "and counted per pattern (baseline_events)."
        )
    present = {f.category for f in incident.facts.values()}

    def symptom(cause: Category, effect: Category) -> str:
        return effect.value + (f" ({LATER})" if (cause, effect) in lags else "")

    known = [
        f"{cause.value} -> {', '.join(sorted(symptom(cause, s) for s in symptoms & present))}"
        for cause, symptoms in sorted(links.items())
        if cause in present and symptoms & present
    ]
    if known:
        header.append("Known cause -> symptom links among these categories: " + "; ".join(known))
    lines: dict[str, str] = {}
    for pid, facts in incident.facts.items():
        line = f"role={facts.role.value} category_guess={facts.category.value} {facts.state.value}"
        if facts.onset is not None:
            line += f" onset={facts.onset:%Y-%m-%dT%H:%M}Z"
        if facts.services:
            line += " services=" + ",".join(facts.services[:MAX_SERVICES])
        if facts.baseline is not None:
            line += f" baseline_events={facts.baseline}"
        if facts.explains:
            line += " explains=" + ",".join(facts.explains[:5])
        if facts.face is not None:  # chronic, but this wording is new at the incident
            line += " new_wording=" + json.dumps(_clip(facts.face), ensure_ascii=False)
        lines[pid] = line
    return Notes(header, lines, list(incident.order))


def _clip(text: str) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= MAX_WORDING_CHARS else line[: MAX_WORDING_CHARS - 1] + "…"
