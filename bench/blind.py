"""How often the doctor names the root cause of incident logs it was not written against.
A script, not a test: it prints figures.

    uv run python bench/blind.py [CORPUS ...] [--file NAME]

Each corpus under bench/blind/ (or each folder given) holds incident logs (`*.log.gz`) and a
`manifest.json` that gives, per file, its root-cause category, the categories of its
symptoms, the onset (the time of the first root-cause line) and one root-cause line. They were
written by someone who had not read this repository: many formats, chronic noise (harmless
errors of other categories included), a small root cause and loud symptoms (see
bench/blind/README.md). Each file is diagnosed in-process by the rules engine, exactly as
`cloud-doctor analyze --file PATH --engine rules` would (`Doctor.analyze`), and scores:
- top-1 when the first issue's category is the root cause's;
- top-3 when it is among the first three issues' categories;
- role top-1 when the first issue called `root_cause` has it;
- its onset error: how far the answer's `summary.onset` is from the true one.
It exits 0 whatever the figures (2 for a corpus it cannot read): it measures, it does not
judge.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from doctor.models import AnalysisResponse, Query
from doctor.orchestrator import Doctor
from doctor.settings import Settings

CORPORA = Path(__file__).resolve().parent / "blind"
MANIFEST = "manifest.json"
CLOSE_S = 60  # an onset this near the true one counts as found


@dataclass(frozen=True)
class Case:
    corpus: str
    path: Path
    expected: str
    onset: datetime


@dataclass(frozen=True)
class Score:
    case: Case
    categories: tuple[str, ...]  # the issues' categories, most important first
    roles: tuple[str | None, ...]
    onset_error_s: float | None
    seconds: float

    @property
    def top1(self) -> bool:
        return self.categories[:1] == (self.case.expected,)

    @property
    def top3(self) -> bool:
        return self.case.expected in self.categories[:3]

    @property
    def role_top1(self) -> bool:
        for category, role in zip(self.categories, self.roles, strict=True):
            if role == "root_cause":
                return category == self.case.expected
        return False

    @property
    def onset_close(self) -> bool:
        return self.onset_error_s is not None and self.onset_error_s <= CLOSE_S


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def load(folder: Path) -> list[Case]:
    """The cases of one corpus; SystemExit(2) with the reason when it cannot be read."""
    manifest = folder / MANIFEST
    try:
        entries: list[dict[str, Any]] = json.loads(manifest.read_text(encoding="utf-8"))
        cases = [
            Case(
                folder.name,
                folder / (entry["file"] + ".gz"),
                entry["root_cause_category"],
                _time(entry["onset"]),
            )
            for entry in entries
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"cannot read {manifest}: {exc!r}", file=sys.stderr)
        raise SystemExit(2) from None
    missing = [case.path.name for case in cases if not case.path.is_file()]
    if missing:
        print(f"{folder}: the manifest names files that are not there: {missing}", file=sys.stderr)
        raise SystemExit(2)
    return cases


def _onset(response: AnalysisResponse) -> datetime | None:
    value: Any = response.summary.model_dump().get("onset")
    if isinstance(value, datetime):
        return value
    return _time(value) if isinstance(value, str) and value else None


def diagnose(doctor: Doctor, case: Case) -> Score:
    began = time.perf_counter()
    response = doctor.analyze(Query(file=str(case.path), engine="rules"))
    took = time.perf_counter() - began
    issues = [issue.model_dump() for issue in response.analysis.issues]
    onset = _onset(response)
    return Score(
        case,
        tuple(str(issue["category"]) for issue in issues),
        tuple(issue.get("role") for issue in issues),
        abs((onset - case.onset).total_seconds()) if onset is not None else None,
        took,
    )


def _pct(hits: int, total: int) -> str:
    return f"{hits}/{total} ({100 * hits / total:.0f}%)" if total else "-"


def report(scores: list[Score]) -> None:
    width = max(len(s.case.path.name) for s in scores)
    print(f"{'file':<{width}}  {'root cause':<22}  top-1 top-3 role  onset error  first issues")
    for corpus in dict.fromkeys(s.case.corpus for s in scores):
        print(f"[{corpus}]")
        for s in (s for s in scores if s.case.corpus == corpus):
            error = f"{s.onset_error_s:>9.0f} s" if s.onset_error_s is not None else "     none  "
            marks = " ".join(f"{'yes' if hit else ' - ':<5}" for hit in (s.top1, s.top3))
            print(
                f"{s.case.path.name:<{width}}  {s.case.expected:<22}  {marks} "
                f"{'yes' if s.role_top1 else ' - ':<4} {error}  {', '.join(s.categories[:3])}"
            )
    print()
    names: list[str | None] = [*dict.fromkeys(s.case.corpus for s in scores), None]
    for name in names:
        group = [s for s in scores if name is None or s.case.corpus == name]
        n = len(group)
        print(
            f"{name or 'all':<12} top-1 {_pct(sum(s.top1 for s in group), n)}, "
            f"top-3 {_pct(sum(s.top3 for s in group), n)}, "
            f"role top-1 {_pct(sum(s.role_top1 for s in group), n)}, "
            f"onset within {CLOSE_S} s {_pct(sum(s.onset_close for s in group), n)}, "
            f"{sum(s.seconds for s in group):.1f} s in Doctor.analyze"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", type=Path, help="corpus folders (default: all)")
    parser.add_argument("--file", help="only files whose name contains this")
    args = parser.parse_args()
    folders = args.corpora or sorted(p for p in CORPORA.iterdir() if (p / MANIFEST).is_file())
    cases = [case for folder in folders for case in load(folder)]
    if args.file:
        cases = [case for case in cases if args.file in case.path.name]
    if not cases:
        parser.error("no incident logs to diagnose")
    with closing(Doctor(Settings(doctor_engine="rules"))) as doctor:
        scores = [diagnose(doctor, case) for case in cases]
    report(scores)


if __name__ == "__main__":
    main()
