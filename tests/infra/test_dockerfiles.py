"""Both Dockerfiles, checked by construction: no Docker engine here to build them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.infra.support import ROOT

# Dockerfile -> the workspace package it installs.
IMAGES = {
    "patient-aws/Dockerfile": "chaos-app",
    "doctor-gcp/Dockerfile": "cloud-doctor",
}


class Dockerfile:
    def __init__(self, relative: str) -> None:
        self.path = ROOT / relative
        # Join continuation lines so that each instruction is one line.
        self.text = re.sub(r"\\\n\s*", " ", self.path.read_text(encoding="utf-8"))

    def instructions(self, name: str) -> list[str]:
        return re.findall(rf"^{name}\s+(.+)$", self.text, flags=re.MULTILINE)

    def stages(self) -> list[str]:
        """The text of each stage, FROM line included."""
        return re.split(r"^(?=FROM\s)", self.text, flags=re.MULTILINE)[1:]


@pytest.fixture(params=sorted(IMAGES))
def dockerfile(request: pytest.FixtureRequest) -> Dockerfile:
    return Dockerfile(request.param)


def requires_python_minor(pyproject: Path) -> str:
    requires = tomllib.loads(pyproject.read_text())["project"]["requires-python"]
    minor = re.search(r"3\.(\d+)", requires)
    assert minor is not None
    return minor.group(1)


def test_is_multi_stage_on_a_slim_python_matching_the_workspace(dockerfile: Dockerfile) -> None:
    bases = dockerfile.instructions("FROM")
    assert len(bases) >= 3
    pythons = [b for b in bases if b.startswith("python")]
    assert pythons
    assert all("slim" in b for b in pythons)
    member = dockerfile.path.parent / "pyproject.toml"
    for pyproject in (ROOT / "pyproject.toml", member):
        minor = requires_python_minor(pyproject)
        assert all(b.startswith(f"python:3.{minor}-slim") for b in pythons), pyproject


def test_uv_is_pinned_and_the_same_everywhere() -> None:
    versions = set()
    for relative in IMAGES:
        [uv] = [b for b in Dockerfile(relative).instructions("FROM") if "astral-sh/uv" in b]
        match = re.fullmatch(r"ghcr\.io/astral-sh/uv:(\d+\.\d+\.\d+) AS uv", uv)
        assert match is not None, uv
        versions.add(match.group(1))
    assert len(versions) == 1


def test_installs_its_package_from_the_lock_without_dev_tools_or_extras(
    dockerfile: Dockerfile,
) -> None:
    package = IMAGES[str(dockerfile.path.relative_to(ROOT))]
    syncs = [line for line in dockerfile.text.splitlines() if "uv sync" in line]
    assert syncs
    for sync in syncs:
        assert "--locked" in sync, sync
        assert "--no-dev" in sync, sync
        assert f"--package {package}" in sync, sync
        # The doctor's `demo` extra (moto) is for laptops, never for the deployed image.
        assert "--extra" not in sync, sync
        assert "--all-extras" not in sync, sync
        assert "--all-packages" not in sync, sync


def test_the_runtime_stage_is_non_root_and_carries_only_the_venv(dockerfile: Dockerfile) -> None:
    users = dockerfile.instructions("USER")
    assert users
    assert users[-1] not in {"root", "0"}
    runtime = dockerfile.stages()[-1]
    assert "uv" not in re.findall(r"--from=(\S+)", runtime)
    copies = re.findall(r"^COPY\s+(.+)$", runtime, flags=re.MULTILINE)
    assert copies == ["--from=build /app/.venv /app/.venv"]
    # Console scripts hold the venv's absolute path: build and runtime must agree on it.
    assert "WORKDIR /app" in dockerfile.stages()[1]


def test_copies_only_paths_that_exist(dockerfile: Dockerfile) -> None:
    for source in re.findall(r"^COPY\s+(?!--from)(.+)\s+\S+$", dockerfile.text, flags=re.M):
        for path in source.split():
            assert (ROOT / path).exists(), path


def test_patient_starts_chaos_app() -> None:
    assert Dockerfile("patient-aws/Dockerfile").instructions("ENTRYPOINT") == ['["chaos-app"]']


def test_doctor_serves_on_port_8080_as_cloud_run_expects() -> None:
    doctor = Dockerfile("doctor-gcp/Dockerfile")
    assert doctor.instructions("CMD")[-1] == '["cloud-doctor", "serve"]'
    assert doctor.instructions("EXPOSE") == ["8080"]
    assert any("PORT=8080" in line for line in doctor.instructions("ENV"))
    assert not doctor.instructions("ENTRYPOINT")  # compose's bootstrap overrides the command
    [healthcheck] = doctor.instructions("HEALTHCHECK")
    assert "/healthz" in healthcheck
    assert "PORT" in healthcheck


def test_the_doctor_image_runs_the_compiled_digest() -> None:
    build, runtime = Dockerfile("doctor-gcp/Dockerfile").stages()[1:]
    assert re.search(r"apt-get install .*\bgcc\b", build)
    [sync] = [line for line in build.splitlines() if "--no-editable" in line]
    assert "HATCH_BUILD_HOOK_ENABLE_MYPYC=true" in sync
    # The hook's switch must name a hook the package really declares.
    hooks = tomllib.loads((ROOT / "doctor-gcp" / "pyproject.toml").read_text())["tool"]["hatch"]
    assert "mypyc" in hooks["build"]["targets"]["wheel"]["hooks"]
    assert "--reinstall-package cloud-doctor" in sync
    assert "gcc" not in runtime


def test_the_build_context_leaves_out_local_builds_and_caches() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for pattern in ("**/*.so", "**/.venv", "**/__pycache__"):
        assert pattern in ignored, pattern


def _locked() -> dict[str, dict[str, Any]]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {package["name"]: package for package in lock["package"]}


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        name, _, version = requirement.partition("==")
        assert version, f"{requirement}: pin it with =="
        pins[name] = version
    return pins


def test_the_compiled_digest_builds_with_the_locked_tools() -> None:
    # The image's isolated build and the tests' build (bench/compiled.py, from the venv) must
    # use the same hatchling, mypy and friends, or the tests check another compiler's output.
    constraints = _pins(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"][
            "build-constraint-dependencies"
        ]
    )
    member = tomllib.loads((ROOT / "doctor-gcp" / "pyproject.toml").read_text())
    hook = _pins(
        member["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]["dependencies"]
    )
    locked = _locked()
    for name, version in {**constraints, **hook}.items():
        assert locked[name]["version"] == version, (
            f"{name}: {version} here, locked {locked[name]['version']}"
        )
    backend = [re.split(r"[<>=!~ ]", r, maxsplit=1)[0] for r in member["build-system"]["requires"]]
    needed, todo = set(), [*backend, *hook]
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo += [d["name"] for d in locked[name].get("dependencies", [])]
    assert needed <= set(constraints), f"not constrained: {sorted(needed - set(constraints))}"
