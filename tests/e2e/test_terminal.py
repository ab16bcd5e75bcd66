"""The CLI in a real terminal: tmux runs it in an 80x24 pane, the test reads the pane. The
report of a 100,000-event file leads with the answer; the demo ends with its thread; Ctrl-C
during an analysis ends it cleanly."""

from __future__ import annotations

import os
import re
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
OWN_TRACEBACK = re.compile(r"^Traceback \(most recent call last\)", re.MULTILINE)


class Pane:
    """One command in its own tmux server (a private socket), 80x24, with a deep scrollback."""

    def __init__(self, tmp: Path, command: str) -> None:
        tmux = shutil.which("tmux")
        if tmux is None:
            if os.environ.get("CI"):
                pytest.fail("tmux is missing: .ci/system-deps installs it")
            pytest.skip("tmux is not installed (apt-get install tmux)")
        self.tmux = [tmux, "-L", f"doctor-{uuid.uuid4().hex[:8]}", "-f", str(tmp / "tmux.conf")]
        # remain-on-exit: the pane, and its exit status, outlive the command (Ctrl-C included).
        (tmp / "tmux.conf").write_text("set -g history-limit 100000\nset -g remain-on-exit on\n")
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
        """The command's exit status and everything it wrote, once it has ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = subprocess.run(
                [*self.tmux, "display-message", "-p",
                 "#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}"],
                capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
            dead, status, signal = [*shown.split("|"), "", ""][:3]
            if dead == "1" and (status or signal):  # tmux fills these a moment after
                # Killed by a signal: no status; reported as 1000 + 128 + the signal.
                return int(status) if status else 1128 + int(signal), self.text()
            time.sleep(0.2)
        raise AssertionError(f"still running after {timeout} s:\n{self.text()[-2000:]}")

    def wait_status(self, status_file: Path, timeout: float) -> tuple[int, str]:
        """The exit status a shell wrapper wrote to `status_file`, and the pane's text. Under
        load tmux was seen to leave an ended command a zombie, its pane never marked dead
        (`wait_exit` then waits in vain, though the command printed all it had to)."""
        deadline = time.monotonic() + timeout
        while not (status_file.exists() and status_file.read_text().strip()):
            if time.monotonic() > deadline:
                raise AssertionError(f"still running after {timeout} s:\n{self.text()[-2000:]}")
            time.sleep(0.2)
        return int(status_file.read_text().strip()), self.text()

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], check=False, capture_output=True)


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Callable[[str], Pane]]:
    opened: list[Pane] = []

    def open_(command: str) -> Pane:
        opened.append(Pane(tmp_path, command))
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
    pane: Callable[[str], Pane], big_file: Path, tmp_path: Path
) -> None:
    done = tmp_path / "status"
    command = f"{sys.executable} -m doctor.cli analyze --file {big_file} --engine rules"
    shown = pane(f"sh -c '{command}; echo $? > {done}'")
    status, text = shown.wait_status(done, timeout=180)
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
    pane: Callable[[str], Pane], big_file: Path
) -> None:
    shown = pane(f"{sys.executable} -m doctor.cli analyze --file {big_file} --engine rules")
    shown.wait_for("Reading the logs", timeout=60)  # the spinner: the analysis is under way
    shown.keys("C-c")
    status, text = shown.wait_exit(timeout=30)
    assert not OWN_TRACEBACK.search(text), text[-3000:]
    # A clean exit (1 or 130), not death by the signal (reported here as 1000 + 128 + 2).
    assert status in (1, 130), (status, text[-500:])


def test_the_demo_in_a_terminal_shows_the_answer_and_the_thread(
    pane: Callable[[str], Pane], tmp_path: Path
) -> None:
    done = tmp_path / "status"  # the demo's own status, written by a shell (see wait_status)
    shown = pane(f"sh -c '{sys.executable} -m doctor.cli demo; echo $? > {done}'")
    status, text = shown.wait_status(done, timeout=180)
    assert status == 0, text[-2000:]
    assert not OWN_TRACEBACK.search(text)
    lines = text.splitlines()
    top = next(n for n, line in enumerate(lines) if "Cloud Doctor" in line)
    first = "\n".join(lines[top : top + SCREEN])
    assert "Root cause:" in first, first
    assert "Priority actions" in first, first
    assert "Resolved after" in text  # the alarm's thread, as plain text
    assert "<!date^" not in text  # no Slack markup in the terminal
