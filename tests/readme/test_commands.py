"""Every command block of the README, run as written in a fresh clone, in the README's order.

A newcomer follows the README top to bottom, so the blocks share one clone and one shell's
worth of state (the `app.log` step 2 writes is the one later blocks read). Each block runs in
`bash -e -o pipefail`, in its own process group that is stopped afterwards (a `serve &` does not
outlive its block), and must exit 0, print no traceback and print what its marker expects.

What a block needs from the world is named in its marker (`tests/readme/markdown.py`) and given
here by faithful local peers, never by editing the command:
- `aws`: an AWS login (keys in the environment and AWS_REGION) for moto_server on 127.0.0.1;
- `role`: the doctor's own settings (AWS_ROLE_ARN, AWS_REGION, AWS_LOG_GROUP_NAME and a web
  identity token file) for a role that infra/local/bootstrap created in that moto, as Terraform;
- `slack`: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_CHANNEL for a fake Slack, reached
  through SLACK_API_URL; the block must post at least one message;
- `registry`: the package registry (CI is offline but for it), with the resolution held to
  uv.lock's versions (UV_CONSTRAINT) so that the wheels come from uv's cache.
Two textual substitutions only: the repository's public URL becomes this clone's file:// URL
(there is no internet here), and port 8080 a free loopback port (tests may run side by side).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakes.moto_server import FAKE_AWS_ENV, moto_server
from tests.fakes.processes import free_port
from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, fake_slack
from tests.readme.checkout import ROOT, shell_env
from tests.readme.markdown import Block, MarkerError, blocks

pytestmark = pytest.mark.slow

README = ROOT / "README.md"
PROJECT = tomllib.loads((ROOT / "doctor-gcp" / "pyproject.toml").read_text())["project"]
REPOSITORY = PROJECT["urls"]["Repository"]
BLOCK_TIMEOUT = 180.0
LOG_GROUP = "/aws/ec2/chaos-app"
SLACK_CHANNEL = "C0README01"
_PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy")
# Read at collection, before the session's dead proxy (tests/conftest.py) replaces them: the
# registry's blocks use the host's own way out, as `make sync` did.
_HOST_PROXIES = {name: os.environ.get(name) for name in _PROXIES}


def _readme_blocks() -> list[Block]:
    try:
        return blocks(README.read_text(encoding="utf-8"))
    except MarkerError:
        return []  # test_every_command_block_is_marked names the fault


BLOCKS = _readme_blocks()


@dataclass
class Peers:
    clone: Path
    work: Path
    moto_url: str
    role_arn: str
    token_file: Path
    slack: FakeSlack
    constraints: Path


@pytest.fixture(scope="module")
def peers(fresh_clone: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peers]:
    work = tmp_path_factory.mktemp("readme")
    token_file = work / "web-identity-token"
    with moto_server() as moto_url, fake_slack() as slack:
        # What Terraform would have applied; the clone itself stays untouched until its blocks.
        created = subprocess.run(
            [sys.executable, "-m", "infra.local.bootstrap", "--endpoint-url", moto_url,
             "--region", FAKE_AWS_ENV["AWS_REGION"], "--log-group", LOG_GROUP,
             "--token-file", str(token_file)],
            cwd=ROOT, env={**os.environ, **FAKE_AWS_ENV},
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        role_arn = re.search(r'"role_arn":\s*"([^"]+)"', created.stdout)
        assert role_arn is not None, created.stdout + created.stderr
        constraints = work / "constraints.txt"
        subprocess.run(
            ["uv", "export", "--frozen", "--no-hashes", "--no-header", "--no-emit-workspace",
             "--package", "cloud-doctor", "-q", "-o", str(constraints)],
            cwd=ROOT, env=shell_env(work), check=True, timeout=60,
        )  # fmt: skip
        yield Peers(fresh_clone, work, moto_url, role_arn[1], token_file, slack, constraints)


def _env(peers: Peers, needs: frozenset[str]) -> dict[str, str]:
    env = shell_env(peers.work)
    if "aws" in needs:
        env.update(FAKE_AWS_ENV, AWS_ENDPOINT_URL=peers.moto_url)
    if "role" in needs:  # the doctor's own settings: a role and its token, no keys
        env.update(
            AWS_ENDPOINT_URL=peers.moto_url,
            AWS_REGION=FAKE_AWS_ENV["AWS_REGION"],
            AWS_ROLE_ARN=peers.role_arn,
            AWS_LOG_GROUP_NAME=LOG_GROUP,
            AWS_WEB_IDENTITY_TOKEN_FILE=str(peers.token_file),
        )
    if "slack" in needs:
        env.update(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_CHANNEL=SLACK_CHANNEL,
            SLACK_API_URL=peers.slack.api_url,
        )
    if "registry" in needs:
        env.pop("UV_OFFLINE")
        for name, value in _HOST_PROXIES.items():
            env.pop(name, None)
            if value is not None:
                env[name] = value
        env["UV_CONSTRAINT"] = str(peers.constraints)
    return env


def _script(block: Block, clone: Path) -> str:
    text = block.text.replace(REPOSITORY, f"file://{clone}")
    return re.sub(r"\b8080\b", str(free_port()), text)


def _run(script: str, env: dict[str, str], cwd: Path, log: Path) -> tuple[int, str, str]:
    """Run `script` in its own process group; stop whatever it left running; return (code,
    stdout, stderr). Output goes to files: a background server would hold a pipe open forever."""
    out_path, err_path = log.with_suffix(".out"), log.with_suffix(".err")
    with out_path.open("wb") as out, err_path.open("wb") as err:
        shell = subprocess.Popen(
            ["bash", "-e", "-o", "pipefail", "-c", script],
            cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True,
        )  # fmt: skip
        try:
            code = shell.wait(timeout=BLOCK_TIMEOUT)
        except subprocess.TimeoutExpired:
            code = -1
        finally:
            _stop_group(shell.pid)
    read = {"encoding": "utf-8", "errors": "replace"}
    return code, out_path.read_text(**read), err_path.read_text(**read)


def _stop_group(pgid: int) -> None:
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and _group_alive(pgid):
            time.sleep(0.05)
        if not _group_alive(pgid):
            return


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs. Zombies do not count: where PID 1 does not
    reap orphans, a stopped server stays a zombie, and killpg(pgid, 0) would still succeed."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[2]) == pgid and fields[0] != "Z":  # state, ppid, pgrp
            return True
    return False


def _commands(block: Block) -> list[str]:
    lines = [line.split(" #", 1)[0].strip() for line in block.text.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_every_command_block_is_marked() -> None:
    """A new bash block without a marker fails here, naming its line."""
    found = blocks(README.read_text(encoding="utf-8"))
    runnable = [b for b in found if b.runnable]
    assert runnable, "no bash blocks found in the README"
    ran = [b for b in runnable if b.marker is not None and b.marker.action == "run"]
    assert len(ran) >= len(runnable) // 2, "most of the README's commands should run here"


@pytest.mark.parametrize("block", BLOCKS, ids=[b.title for b in BLOCKS])
def test_readme_block(block: Block, peers: Peers) -> None:
    marker = block.marker
    if marker is None:
        return  # a data block (toml, json, …) nobody saves
    if marker.action == "save":
        (peers.clone / marker.reason).write_text(block.text, encoding="utf-8")
        return
    if marker.action == "skip":
        pytest.skip(f"README {block.title}: {marker.reason}")
    if marker.action == "elsewhere":
        runner = ROOT / marker.reason
        assert runner.is_file(), f"README line {block.line}: {marker.reason} does not exist"
        source = runner.read_text(encoding="utf-8")
        for command in _commands(block):  # as a string literal, not merely mentioned
            literal = f'"{command}"' in source or f"'{command}'" in source
            assert literal, f"{marker.reason} does not run `{command}` as written"
        return
    posted_before = len(peers.slack.calls_to("chat.postMessage"))
    log = peers.work / f"block-{block.line}"
    script, env = _script(block, peers.clone), _env(peers, marker.needs)
    code, out, err = _run(script, env, peers.clone, log)
    shown = (
        f"README {block.title}\n--- stdout (end) ---\n{out[-3000:]}\n--- stderr ---\n{err[-3000:]}"
    )
    assert code == 0, f"exit {code}\n{shown}"
    # Log text may quote a traceback (evidence); the tools' own stderr never holds one.
    assert "Traceback (most recent call last)" not in err, shown
    for expected in marker.expect:
        assert expected in out + err, f"expected {expected!r}\n{shown}"
    if "slack" in marker.needs:
        posted = len(peers.slack.calls_to("chat.postMessage"))
        assert posted > posted_before, f"nothing was posted to Slack\n{shown}"
