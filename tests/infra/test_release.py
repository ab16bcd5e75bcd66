"""The release workflow and the install lines of the README agree: the image the README tells
people to `docker run` is the one the workflow pushes for a tag, built from the doctor's
Dockerfile after the suite passed, with no more rights than pushing that package needs."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
PROJECT = tomllib.loads((ROOT / "doctor-gcp" / "pyproject.toml").read_text())["project"]


def _workflow() -> dict[Any, Any]:
    loaded = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _owner_repo() -> str:
    url = PROJECT["urls"]["Repository"]
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+)", url)
    assert match, f"[project.urls] Repository is not a GitHub repository URL: {url}"
    return match[1].lower()


def test_the_readme_installs_from_the_repository_and_runs_the_released_image() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    url = PROJECT["urls"]["Repository"]
    assert f"uvx --from 'git+{url}#subdirectory=doctor-gcp' cloud-doctor" in readme
    images = set(re.findall(r"ghcr\.io/[\w.-]+/[\w.-]+:[\w.-]+", readme))
    assert images == {f"ghcr.io/{_owner_repo()}:{PROJECT['version']}"}


def test_a_version_tag_publishes_the_doctor_image_after_the_suite() -> None:
    workflow = _workflow()
    # PyYAML reads the key `on` as True (YAML 1.1).
    trigger = workflow.get("on", workflow.get(True))
    assert trigger == {"push": {"tags": ["v*.*.*"]}}
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    test_steps = jobs["test"]["steps"]
    assert any(step.get("run") == "bash .ci/run" for step in test_steps)
    image = jobs["image"]
    assert image["needs"] == "test"
    assert image["permissions"] == {"contents": "read", "packages": "write"}
    build = next(
        s for s in image["steps"] if str(s.get("uses", "")).startswith("docker/build-push")
    )
    assert build["with"]["file"] == "doctor-gcp/Dockerfile"
    assert (ROOT / build["with"]["file"]).is_file()
    assert build["with"]["context"] == "."  # the Dockerfile copies the workspace's lock
    assert build["with"]["push"] is True
    assert build["with"]["tags"] == "${{ env.IMAGE }}"


def _run_version_step(tmp_path: Path, tag: str) -> tuple[int, str]:
    steps = _workflow()["jobs"]["image"]["steps"]
    script = next(s["run"] for s in steps if "IMAGE=" in str(s.get("run", "")))
    github_env = tmp_path / "github_env"
    github_env.touch()
    env = {
        "PATH": os.environ["PATH"],
        "GITHUB_REF_NAME": tag,
        "GITHUB_REPOSITORY": "Cloud-Doctor/Cloud-Doctor",
        "GITHUB_ENV": str(github_env),
    }
    done = subprocess.run(
        ["bash", "-e", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    return done.returncode, github_env.read_text() + done.stdout


def test_the_image_is_the_repository_in_lower_case_tagged_with_the_version(tmp_path: Path) -> None:
    code, out = _run_version_step(tmp_path, f"v{PROJECT['version']}")
    assert code == 0, out
    assert out.strip() == f"IMAGE=ghcr.io/cloud-doctor/cloud-doctor:{PROJECT['version']}"


def test_a_tag_that_is_not_the_version_publishes_nothing(tmp_path: Path) -> None:
    code, out = _run_version_step(tmp_path, "v9.9.9")
    assert code == 1
    assert "IMAGE=" not in out
    assert f"tag v9.9.9 is not v{PROJECT['version']}" in out
