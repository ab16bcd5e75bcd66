"""The failure-scenario catalog: one entry per way the workload fails, labelled by category.

Each scenario's `burst` returns one occurrence of its failure as the software involved logs it:
retries and warnings, then the error with its whole stack, sometimes a secondary symptom (a
5xx access line). Bursts pick one of several real flavours (Python, Java, Go, Node, nginx,
PostgreSQL, kernel/systemd) and draw every varying value from the `Fake`, so a seeded run is
reproducible and no two bursts are alike. `category` is exactly a DESIGN.md category value:
these bursts are the labelled data the doctor is tested against.

Each category's bursts live in the module named by it (`timeout.py`, `disk_full.py`, ...), as
the doctor's rule files are, or for the larger categories in the package named by it
(`database_connection/`, `resource_exhaustion/`: one module per scenario); `_kit` and `_stacks`
hold what several of them share. The catalog that lists them is `catalog`; this package only
re-exports it.
"""

from chaos_app.scenarios.catalog import CATALOG, Scenario, by_name

__all__ = ["CATALOG", "Scenario", "by_name"]
