"""The file / stdin log source: streaming lines, and clear errors for unusable input."""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path
from typing import Any

import pytest

from doctor.digest.reading import CUT_MARK
from doctor.errors import InputError
from doctor.logs import read_lines
from doctor.logs.file import MAX_LINE_BYTES, FileSource


def test_lines_come_back_without_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    path.write_bytes(b"one\r\ntwo\nthree")
    assert list(read_lines(path)) == ["one", "two", "three"]


def test_bad_utf8_is_replaced_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    path.write_bytes(b"caf\xe9 error\n")
    assert list(read_lines(str(path))) == ["caf\ufffd error"]


def test_gzip_is_read_transparently(tmp_path: Path) -> None:
    path = tmp_path / "rotated.log.1"  # no .gz suffix: detection is by content
    path.write_bytes(gzip.compress(b"first\nsecond\n"))
    assert list(read_lines(path)) == ["first", "second"]


def test_a_missing_file_fails_before_any_line_is_read(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_lines(tmp_path / "nope.log")  # at the call, not at the first next()


class _FailsAfterFirstRead(io.RawIOBase):
    """A stream whose first read gives one line and whose next read fails."""

    def __init__(self) -> None:
        self.reads = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self.reads += 1
        if self.reads > 1:
            raise OSError(5, "Input/output error")
        buffer[:4] = b"one\n"
        return 4


def test_lines_are_read_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BufferedReader(_FailsAfterFirstRead()))
    monkeypatch.setattr(sys, "stdin", stdin)
    lines = read_lines("-")
    assert next(lines) == "one"  # the rest has not been read yet: reading it would fail
    with pytest.raises(InputError, match="after line 1"):
        next(lines)


def test_a_missing_file_says_what_and_how(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        list(read_lines(tmp_path / "nope.log"))
    assert "not found" in caught.value.message
    assert "nope.log" in caught.value.message
    assert "--file -" in caught.value.hint


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        list(read_lines(tmp_path))


def test_binary_lines_are_passed_on_for_the_parser_to_skip(tmp_path: Path) -> None:
    path = tmp_path / "core"
    path.write_bytes(b"ok line\n\x7fELF\x00\x00\x01\nlast\n")
    assert list(read_lines(path)) == ["ok line", "\x7fELF\x00\x00\x01", "last"]


def test_a_huge_line_is_cut_and_marked_without_being_held(tmp_path: Path) -> None:
    path = tmp_path / "huge.log"
    with path.open("wb") as out:
        out.write(b"before\n")
        out.write(b"y" * (5 * MAX_LINE_BYTES) + b"\n")  # 1.25 MiB on one line
        out.write(b"after\n")
    lines = list(read_lines(path))
    assert lines[0] == "before"
    assert lines[1] == "y" * MAX_LINE_BYTES + CUT_MARK
    assert lines[2] == "after"


def test_corrupt_gzip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.gz"
    path.write_bytes(gzip.compress(b"x" * 1000)[:20])
    with pytest.raises(InputError, match="gzip"):
        list(read_lines(path))


def test_an_unreadable_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated: the suite may run as root, which can read a chmod 0 file.
    def denied(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(InputError) as caught:
        list(read_lines(tmp_path / "secret.log"))
    assert "Permission denied" in caught.value.message
    assert "readable" in caught.value.hint


def test_dash_reads_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(b"from\nstdin\n")))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert list(read_lines("-")) == ["from", "stdin"]


def test_a_file_is_at_hand_and_stdin_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a file may be read ahead before the first event; a pipe may still be being written
    path = tmp_path / "a.log"
    path.write_bytes(b"one\n")
    assert FileSource(str(path)).read().at_hand
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(b"from\nstdin\n")))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert not FileSource("-").read().at_hand
