"""The JSON log line Cloud Logging reads."""

from __future__ import annotations

import json
import logging

from doctor.telemetry import CloudRunFormatter


def test_extra_fields_become_queryable_keys_but_never_replace_the_basics() -> None:
    record = logging.LogRecord("doctor", logging.INFO, __file__, 1, "analysis done", None, None)
    record.fields = {"prompt_tokens": 1234, "cost_usd": 0.0021, "severity": "spoofed"}
    entry = json.loads(CloudRunFormatter(project_id=None).format(record))
    assert (entry["prompt_tokens"], entry["cost_usd"]) == (1234, 0.0021)
    assert (entry["severity"], entry["message"]) == ("INFO", "analysis done")
