"""Readiness: the active configuration and whether each path (AWS, Gemini, Slack, store, API)
can work, with the fix for each that cannot.

One function, `assess`, feeds `cloud-doctor check`, `GET /readyz` and the service's start-up
log line, so all three say the same thing. It reads only the settings and local files (the
targets file, the web identity token file): no network, and secrets are reported as
set/unset only. Opening the store (a database, possibly over the network) is asked for with
`probe_store`; `live` (the CLI's `--live`) adds real calls: STS and Slack's auth.test.

- `verdict`: the data types, one path's verdict and the overall one (`ready`, `serving`);
- `checks`: each path's check from the settings alone;
- `live`: the `--live` probes over the network (STS, Slack's auth.test);
- `assessment`: `assess`, the checks (and probes) in one `Readiness`;
- `startup`: the service's start-up log line.

Importing this package loads SQLAlchemy (the store's URL is parsed to hide its password): the
CLI imports it only inside the command that needs it.
"""

from doctor.readiness.assessment import assess
from doctor.readiness.startup import log_readiness
from doctor.readiness.verdict import PathCheck, Readiness

__all__ = ["PathCheck", "Readiness", "assess", "log_readiness"]
