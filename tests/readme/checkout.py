"""A fresh clone of this repository, the place every README command is written for.

It holds exactly what a clone holds (git's tracked files, plus new files not yet added and not
ignored, so that uncommitted work is what gets tested): no .venv, no caches, no build output.
It is a git repository with one commit, so `uvx --from git+file://…` can install from it.

`shell_env` is the environment a newcomer's shell has: the host's, minus every cloud and doctor
setting (a developer's own AWS login must never be used) and minus this repository's own
virtualenv on PATH (`make test` runs inside it: a README command naming a bare `cloud-doctor`
would find it here and not on a newcomer's machine), with the history under the test's own
folder and uv on PATH.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_STRIPPED_PREFIXES = ("AWS_", "GCP_", "GEMINI_", "SLACK_", "DOCTOR_", "GOOGLE_", "CLOUDSDK_")
_STRIPPED = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PORT", "UV_PROJECT_ENVIRONMENT"}
# A developer's git settings (signing, hooks) must not get in the way of this one commit.
_GIT = (
    "git", "-c", "user.name=readme-test", "-c", "user.email=readme-test@localhost",
    "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null",
)  # fmt: skip


def fresh_checkout(dest: Path) -> Path:
    """Copy the repository's files (as a clone would have them) into `dest` and commit them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if not source.is_file():  # deleted in the working tree, not yet committed
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    subprocess.run([*_GIT, "init", "-q"], cwd=dest, check=True)
    subprocess.run([*_GIT, "add", "-A"], cwd=dest, check=True)
    subprocess.run([*_GIT, "commit", "-q", "-m", "snapshot"], cwd=dest, check=True)
    return dest


@functools.cache
def uv_binary() -> Path:
    """The uv that `make` uses: on PATH, or the one pip installed as a module."""
    found = shutil.which("uv")
    if found:
        return Path(found)
    for python in ("python3", sys.executable):
        located = subprocess.run(
            [python, "-c", "import uv; print(uv.find_uv_bin())"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if located.returncode == 0:
            return Path(located.stdout.strip())
    raise RuntimeError("uv is neither on PATH nor installed as a Python module: run `make sync`")


def shell_env(work: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(_STRIPPED_PREFIXES) and name not in _STRIPPED
    }
    (work / "data").mkdir(parents=True, exist_ok=True)
    uv_dir = str(uv_binary().parent)
    ours = (ROOT.resolve(), Path(sys.prefix).resolve())
    path = [
        entry
        for entry in env.get("PATH", "/usr/bin:/bin").split(os.pathsep)
        if entry and not any(Path(entry).resolve().is_relative_to(p) for p in ours)
    ]
    env.update(
        PATH=os.pathsep.join([uv_dir, *path]),
        XDG_DATA_HOME=str(work / "data"),  # the history file: the test's, never ~'s
        # No developer's AWS account: needs=aws gives the shell moto's keys instead.
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        # The clone's packages come from the lock through uv's cache, as after `make sync`.
        UV_OFFLINE="1",
        UV_PYTHON_DOWNLOADS="never",
        UV_TOOL_DIR=str(work / "uv-tools"),
        UV_TOOL_BIN_DIR=str(work / "uv-bin"),
        COLUMNS="100",
        TERM="dumb",
    )
    return env
