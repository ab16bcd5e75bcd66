"""The order in which test modules reach xdist's workers: the longest first.

`--dist loadfile` hands out one module at a time, in the collection's order once
`--no-loadscope-reorder` is set. xdist's own order (the modules with the most tests first) put a
three-minute module of one test near the end, and one core sat idle while it ran. Longest first
keeps both cores busy to the end.

The lengths are `tests/durations.json`: seconds per module, rewritten for the modules that ran by
`pytest --record-durations`. A module it does not name counts as `UNKNOWN_SLOW` seconds when it
holds a slow test, else as none. A stale file costs time, never a result: within a module the
order stays the file's (the README runner's blocks depend on it).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

DURATIONS = Path(__file__).resolve().parent / "durations.json"
UNKNOWN_SLOW = 20.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-durations",
        action="store_true",
        help=f"rewrite {DURATIONS.name}'s seconds for the modules that ran (their order in CI)",
    )


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _recorded() -> dict[str, float]:
    try:
        loaded = json.loads(DURATIONS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {str(k): float(v) for k, v in loaded.items() if isinstance(v, int | float)}


_WORKER_KEY = "ordering_durations"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    # xdist's controller reads the file once for every worker: were it edited between two
    # workers' collections, their orders would differ and xdist would stop the run.
    node.workerinput[_WORKER_KEY] = _recorded()


def _durations(config: pytest.Config) -> dict[str, float]:
    given = getattr(config, "workerinput", {}).get(_WORKER_KEY)
    return dict(given) if isinstance(given, dict) else _recorded()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    recorded = _durations(config)
    weight: dict[str, float] = {}
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        module = _module(item.nodeid)
        first.setdefault(module, index)
        guess = UNKNOWN_SLOW if item.get_closest_marker("slow") is not None else 0.0
        weight[module] = recorded.get(module, max(guess, weight.get(module, 0.0)))
    # Stable: a module's own tests keep their order; equal weights keep the collection's.
    items.sort(key=lambda item: (-weight[_module(item.nodeid)], first[_module(item.nodeid)]))


class _Recorder:
    """Sums each module's seconds (setup, call and teardown) from the reports: in xdist's
    controller, every worker's."""

    def __init__(self) -> None:
        self.spent: defaultdict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.spent[_module(report.nodeid)] += report.duration

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        # A run cut short (Ctrl-C, -x, --maxfail) timed only part of its modules: not recorded
        if exitstatus not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            return
        if session.shouldstop or session.shouldfail:
            return
        ran = {module: round(seconds, 1) for module, seconds in self.spent.items()}
        root = session.config.rootpath
        merged = {m: s for m, s in {**_recorded(), **ran}.items() if (root / m).is_file()}
        ordered = dict(sorted(merged.items(), key=lambda kv: (-kv[1], kv[0])))
        DURATIONS.write_text(json.dumps(ordered, indent=1) + "\n", encoding="utf-8")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("record_durations") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_Recorder(), "record-durations")
