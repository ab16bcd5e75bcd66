"""How often the doctor names an incident's root cause. A script, not a test: it prints figures.

    uv run python bench/diagnosis.py [--seeds 3] [--incident NAME]

For every incident of `chaos-app incidents`, in every shape (compose, kubectl, json, text),
for seeds 1..--seeds, the stream is generated in-process (`chaos_app.incidents`), written to a
temporary file and diagnosed in-process by the rules engine, exactly as `cloud-doctor analyze
--file PATH --engine rules` would (`Doctor.analyze`). A run scores:
- top-1 when the first issue's category is the incident's root-cause category;
- top-3 when that category is among the first three issues' categories.
The incident's root cause is a handful of lines among thousands, under chronic noise that is
often louder and symptoms that are many, so counting wins is not enough: the doctor has to
find the onset and what came first.

It prints one row per incident (with the categories the doctor put first when it missed), one
row per shape, and the overall rates. When the answer carries `role` on its issues and `onset`
in its summary (a later change adds them), it also scores the first issue whose role is
`root_cause`, and how far the doctor's onset is from the true one. It exits 0 whatever the
figures: it measures, it does not judge.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from chaos_app.incidents import INCIDENTS, Shape, Stream, build, by_name, render_text
from doctor.models import AnalysisResponse, Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings


@dataclass(frozen=True)
class Run:
    incident: str
    shape: str
    seed: int
    expected: str
    categories: tuple[str, ...]  # the issues' categories, most important first
    roles: tuple[str | None, ...]  # the issues' roles, None where the answer has none
    onset_error_s: float | None  # |doctor's onset - true onset|, when the answer has one
    seconds: float

    @property
    def top1(self) -> bool:
        return self.categories[:1] == (self.expected,)

    @property
    def top3(self) -> bool:
        return self.expected in self.categories[:3]

    @property
    def has_roles(self) -> bool:
        return any(role is not None for role in self.roles)

    @property
    def role_top1(self) -> bool:
        """The first issue the doctor calls the root cause has the root cause's category."""
        for category, role in zip(self.categories, self.roles, strict=True):
            if role == "root_cause":
                return category == self.expected
        return False


def _onset(response: AnalysisResponse) -> datetime | None:
    value: Any = response.summary.model_dump().get("onset")
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return None


def diagnose(doctor: Doctor, stream: Stream, shape: Shape, seed: int, folder: Path) -> Run:
    incident = stream.incident
    path = folder / f"{incident.name}-{shape}-{seed}.log"
    path.write_text(render_text(stream, shape), encoding="utf-8")
    began = time.perf_counter()
    response = doctor.analyze(Query(file=str(path), engine="rules"))
    took = time.perf_counter() - began
    path.unlink()
    issues = [issue.model_dump() for issue in response.analysis.issues]
    onset = _onset(response)
    error = abs((onset - stream.onset).total_seconds()) if onset is not None else None
    return Run(
        incident.name,
        shape.value,
        seed,
        incident.category,
        tuple(str(issue["category"]) for issue in issues),
        tuple(issue.get("role") for issue in issues),
        error,
        took,
    )


def pct(hits: int, total: int) -> str:
    return f"{100 * hits / total:5.1f}%" if total else "    -"


def _misses(runs: Sequence[Run]) -> str:
    firsts = Counter(run.categories[0] if run.categories else "(none)" for run in runs)
    return ", ".join(f"{category} x{n}" for category, n in firsts.most_common()) or "-"


def report(runs: Sequence[Run], elapsed: float) -> None:
    by_incident: dict[str, list[Run]] = defaultdict(list)
    by_shape: dict[str, list[Run]] = defaultdict(list)
    for run in runs:
        by_incident[run.incident].append(run)
        by_shape[run.shape].append(run)
    roles = any(run.has_roles for run in runs)
    onsets = [run.onset_error_s for run in runs if run.onset_error_s is not None]
    width = max(len(name) for name in by_incident)
    head = f"{'incident':<{width}}  {'root cause':<22}  runs  top-1   top-3   role"
    head += "  role-top-1" if roles else ""
    print(head + "  first issue when top-1 missed")
    for name, group in by_incident.items():
        n = len(group)
        row = (
            f"{name:<{width}}  {group[0].expected:<22}  {n:>4}  "
            f"{pct(sum(r.top1 for r in group), n)}  {pct(sum(r.top3 for r in group), n)}  "
            f"{'yes' if any(r.has_roles for r in group) else 'no ':<4}"
        )
        if roles:
            row += f"  {pct(sum(r.role_top1 for r in group), n):>10}"
        print(row + "  " + _misses([r for r in group if not r.top1]))
    print()
    print(f"{'shape':<8}  runs  top-1   top-3" + ("   role-top-1" if roles else ""))
    for shape, group in by_shape.items():
        n = len(group)
        row = (
            f"{shape:<8}  {n:>4}  {pct(sum(r.top1 for r in group), n)}  "
            f"{pct(sum(r.top3 for r in group), n)}"
        )
        if roles:
            row += f"  {pct(sum(r.role_top1 for r in group), n):>10}"
        print(row)
    print()
    total = len(runs)
    print(
        f"overall: {total} runs, top-1 {pct(sum(r.top1 for r in runs), total).strip()}, "
        f"top-3 {pct(sum(r.top3 for r in runs), total).strip()}"
        + (f", role top-1 {pct(sum(r.role_top1 for r in runs), total).strip()}" if roles else "")
    )
    if onsets:
        onsets.sort()
        print(
            f"onset: the doctor's is {onsets[len(onsets) // 2]:.0f} s from the true one "
            f"(median over {len(onsets)} runs), within 60 s in "
            f"{pct(sum(e <= 60 for e in onsets), len(onsets)).strip()}"
        )
    else:
        print("onset: the answers carry no summary.onset")
    analysed = sum(run.seconds for run in runs)
    print(f"time: {elapsed:.1f} s in total, {analysed:.1f} s of it in Doctor.analyze")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds 1..N per incident and shape")
    parser.add_argument("--incident", help="only this incident (see `chaos-app incidents`)")
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    if args.incident:
        try:
            chosen = [by_name(args.incident)]
        except KeyError:
            known = ", ".join(incident.name for incident in INCIDENTS)
            parser.error(f"unknown incident {args.incident!r}; known: {known}")
    else:
        chosen = list(INCIDENTS)
    began = time.perf_counter()
    runs: list[Run] = []
    print(
        f"{len(chosen)} incident(s) x {len(Shape)} shapes x {args.seeds} seed(s), rules engine\n",
        flush=True,
    )
    with (
        tempfile.TemporaryDirectory() as folder,
        closing(Doctor(Settings(doctor_engine="rules"))) as doctor,
    ):
        for incident in chosen:
            # A seed's stream is the same in every shape: build it once, write it four ways.
            streams = [build(incident, seed=seed) for seed in range(1, args.seeds + 1)]
            for shape in Shape:
                for seed, stream in enumerate(streams, start=1):
                    runs.append(diagnose(doctor, stream, shape, seed, Path(folder)))
    report(runs, time.perf_counter() - began)


if __name__ == "__main__":
    main()
