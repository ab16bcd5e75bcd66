"""Processes for integration tests and benchmarks: `cloud-doctor serve` as its own process,
started and stopped the way `cloud-doctor demo` does (doctor.cli.processes)."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from subprocess import Popen

from doctor.cli.processes import free_port, running, stop, wait_http
from doctor.errors import ConfigurationError

__all__ = ["doctor_server", "free_port", "stop"]


@contextmanager
def doctor_server(
    env: dict[str, str],
    log: Path,
    *,
    port: int | None = None,
    command: Sequence[str] = (sys.executable, "-m", "doctor.cli"),
    timeout: float = 30.0,
) -> Iterator[tuple[str, Popen[bytes]]]:
    """Start `serve` on 127.0.0.1 with exactly `env`, output to `log`; yield (base URL, process)
    once /healthz answers; always stop it."""
    port = port or free_port()
    args = [*command, "serve", "--host", "127.0.0.1", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    with running(args, env, log) as process:
        try:
            wait_http(f"{base}/healthz", process, "cloud-doctor serve", timeout=timeout)
        except ConfigurationError as err:
            raise RuntimeError(f"{err.message}\n{log.read_text()[-3000:]}") from None
        yield base, process
