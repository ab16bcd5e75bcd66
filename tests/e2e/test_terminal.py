"""The CLI in a real terminal: tmux runs it in an 80x24 pane, the test reads the pane. The
report of a 100,000-event file leads with the answer; the demo ends with its thread; Ctrl-C
during an analysis ends it cleanly."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chaos_app.generator import generate
from chaos_app.render import to_json
from chaos_app.scenarios import CATALOG

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
SCREEN = 24
CLI = (sys.executable, "-m", "doctor.cli")
OWN_TRACEBACK = re.compile(r"^Traceback \(most recent call last\)", re.MULTILINE)


# Runs the command as its child in the pane and writes the child's exit status to a file
# (negative: killed by that signal). tmux's own account of an ended command cannot be relied
# on: under load it was seen to leave the command a zombie, its pane never marked dead, for
# every kind of ending (a report printed in full, the demo, Ctrl-C). The wrapper lets Ctrl-C
# through to its child: a handler of its own, which the child does not inherit (SIG_IGN it
# would), keeps it alive to write the status.
_EXIT_STATUS = (
    "import signal, subprocess, sys\n"
    "signal.signal(signal.SIGINT, lambda *_: None)\n"
    "code = subprocess.run(sys.argv[2:]).returncode\n"
    "open(sys.argv[1], 'w').write(str(code))\n"
)


class Pane:
    """One command in its own tmux server (a private socket), 80x24, with a deep scrollback."""

    def __init__(self, tmp: Path, args: list[str]) -> None:
        tmux = shutil.which("tmux")
        if tmux is None:
            if os.environ.get("CI"):
                pytest.fail("tmux is missing: .ci/system-deps installs it")
            pytest.skip("tmux is not installed (apt-get install tmux)")
        self.tmux = [tmux, "-L", f"doctor-{uuid.uuid4().hex[:8]}", "-f", str(tmp / "tmux.conf")]
        # remain-on-exit: the pane, and what the command wrote, outlive the command.
        (tmp / "tmux.conf").write_text("set -g history-limit 100000\nset -g remain-on-exit on\n")
        self.status_file = tmp / f"status-{uuid.uuid4().hex[:8]}"
        command = shlex.join([sys.executable, "-c", _EXIT_STATUS, str(self.status_file), *args])
        subprocess.run(
            [*self.tmux, "new-session", "-d", "-x", "80", "-y", str(SCREEN), command],
            check=True, cwd=REPO, env={**os.environ, "TERM": "xterm-256color"},
        )  # fmt: skip

    def text(self) -> str:
        done = subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-J", "-S", "-", "-E", "-"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return done.stdout

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", *keys], check=True)

    def wait_for(self, needle: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} not shown in {timeout} s:\n{self.text()}")
            time.sleep(0.1)

    def wait_exit(self, timeout: float) -> tuple[int, str]:
        """The command's exit status and everything it wrote, once it has ended. Killed by a
        signal, it is reported as 1000 + 128 + the signal."""
        deadline = time.monotonic() + timeout
        while not (self.status_file.exists() and self.status_file.read_text().strip()):
            if time.monotonic() > deadline:
                raise AssertionError(f"still running after {timeout} s:\n{self.text()[-2000:]}")
            time.sleep(0.2)
        code = int(self.status_file.read_text().strip())
        return (code if code >= 0 else 1128 - code), self.text()

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], check=False, capture_output=True)


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Callable[..., Pane]]:
    opened: list[Pane] = []

    def open_(*args: str) -> Pane:
        opened.append(Pane(tmp_path, list(args)))
        return opened[-1]

    yield open_
    for each in opened:
        each.close()


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("logs") / "big.log"
    start = datetime.now(UTC) - timedelta(hours=6)
    scenarios = list(CATALOG)
    with path.open("w") as out:
        for item in generate(
            scenarios, start=start, rate=5, seed=9, count=100_000, error_ratio=0.2
        ):
            out.write(to_json(item) + "\n")
    return path


def test_the_report_of_a_100k_event_file_leads_with_the_answer(
    pane: Callable[..., Pane], big_file: Path
) -> None:
    shown = pane(*CLI, "analyze", "--file", str(big_file), "--engine", "rules")
    status, text = shown.wait_exit(timeout=180)
    assert status == 0, text[-2000:]
    assert not OWN_TRACEBACK.search(text)  # the logs' own tracebacks are evidence, indented
    lines = text.splitlines()
    top = next(n for n, line in enumerate(lines) if "Cloud Doctor" in line)
    first = "\n".join(lines[top : top + SCREEN])
    assert "Root cause:" in first, first
    assert "Priority actions" in first, first
    assert " 1. " in first.split("Priority actions", 1)[1]
    assert "status success" in text  # the footer, whole, at the end


def test_ctrl_c_during_an_analysis_ends_it_cleanly(
    pane: Callable[..., Pane], big_file: Path
) -> None:
    shown = pane(*CLI, "analyze", "--file", str(big_file), "--engine", "rules")
    shown.wait_for("Reading the logs", timeout=60)  # the spinner: the analysis is under way
    shown.keys("C-c")
    status, text = shown.wait_exit(timeout=30)
    assert not OWN_TRACEBACK.search(text), text[-3000:]
    # A clean exit (1 or 130), not death by the signal (reported here as 1000 + 128 + 2).
    assert status in (1, 130), (status, text[-500:])


def test_the_demo_in_a_terminal_shows_the_answer_and_the_thread(
    pane: Callable[..., Pane],
) -> None:
    shown = pane(*CLI, "demo")
    status, text = shown.wait_exit(timeout=180)
    assert status == 0, text[-2000:]
    assert not OWN_TRACEBACK.search(text)
    lines = text.splitlines()
    top = next(n for n, line in enumerate(lines) if "Cloud Doctor" in line)
    first = "\n".join(lines[top : top + SCREEN])
    assert "Root cause:" in first, first
    assert "Priority actions" in first, first
    assert "Resolved after" in text  # the alarm's thread, as plain text
    assert "<!date^" not in text  # no Slack markup in the terminal
