"""No Docker engine here: the Dockerfile is checked by construction."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "patient-aws" / "Dockerfile").read_text()


def instructions(name: str) -> list[str]:
    return re.findall(rf"^{name}\s+(.+)$", DOCKERFILE, flags=re.MULTILINE)


def test_is_multi_stage_on_a_slim_python_matching_the_workspace() -> None:
    bases = instructions("FROM")
    assert len(bases) >= 3
    assert all("slim" in b for b in bases if b.startswith("python"))
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    minor = re.search(r"3\.(\d+)", requires)
    assert minor is not None
    assert any(b.startswith(f"python:3.{minor.group(1)}-slim") for b in bases)


def test_installs_from_the_lock_without_dev_tools() -> None:
    syncs = [line for line in DOCKERFILE.splitlines() if "uv sync" in line]
    assert syncs
    assert all("--locked" in s and "--no-dev" in s and "--package chaos-app" in s for s in syncs)


def test_runs_as_a_non_root_user_and_starts_chaos_app() -> None:
    users = instructions("USER")
    assert users
    assert users[-1] not in {"root", "0"}
    assert instructions("ENTRYPOINT") == ['["chaos-app"]']


def test_copies_only_paths_that_exist() -> None:
    for source in re.findall(r"^COPY\s+(?!--from)(.+)\s+\S+$", DOCKERFILE, flags=re.MULTILINE):
        for path in source.split():
            assert (ROOT / path).exists(), path
