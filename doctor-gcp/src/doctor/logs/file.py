"""Log lines from a file or stdin ("-"), streamed: a large file is never held in memory.

Gzip input (by magic bytes, not by name) is decompressed on the fly, since rotated logs usually
come as .gz. Lines are decoded as UTF-8 with replacement: a stray bad byte in a log must not stop
the diagnosis. Lines with NUL bytes are left to the parser, which skips and counts them; a line
longer than 256 KiB is cut, and says so.
"""

from __future__ import annotations

import gzip
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from doctor.digest.reading import CUT_MARK, MAX_LINE_CHARS
from doctor.errors import InputError
from doctor.logs.source import Batch

STDIN = "-"  # the path that names standard input
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class FileSource:
    """A log file, or stdin ("-"), read whole and streamed line by line. Lines carry no time of
    their own here: the digest finds it in their text."""

    path: str
    label: str | None = None  # a log group named by the user, shown in the answer
    minutes: int | None = None  # a file has no window

    def read(self) -> Batch:
        # Opened now: a missing file fails before any work; its lines are read lazily.
        lines = read_lines(self.path)
        return Batch(((line, None) for line in lines), at_hand=Path(self.path).is_file())


def read_lines(source: str | os.PathLike[str]) -> Iterator[str]:
    """The lines of `source` (a path, or "-" for stdin) without their line endings.

    The file is opened now, so a missing or unreadable file fails here, before any work;
    the lines themselves are read lazily, and the file is closed when they are exhausted.
    """
    if str(source) == STDIN:
        if _stdin_closed():
            raise InputError(
                "Standard input is closed (or /dev/null): '--file -' has nothing to read.",
                hint="Pipe the logs in (e.g. `cat app.log | cloud-doctor analyze --file -`), "
                "or pass --file PATH.",
            )
        return _decode(_maybe_gunzip(sys.stdin.buffer), "stdin")
    path = Path(source)
    raw = _open(path)
    try:
        stream = _maybe_gunzip(raw)
    except OSError:
        raw.close()
        raise
    return _closing(_decode(stream, str(path)), raw)


def _stdin_closed() -> bool:
    """Started with stdin closed (`<&-`: Python sets sys.stdin to None), or with it on
    /dev/null, which is what `uv run` and many launchers give a child whose stdin was closed."""
    if sys.stdin is None or sys.stdin.closed:
        return True
    try:
        here, null = os.fstat(sys.stdin.fileno()), os.stat(os.devnull)
    except (OSError, ValueError):  # no real descriptor (a test runner's stand-in): readable
        return False
    return (here.st_rdev, here.st_ino, here.st_dev) == (null.st_rdev, null.st_ino, null.st_dev)


def _closing(lines: Iterator[str], raw: BinaryIO) -> Iterator[str]:
    with raw:
        yield from lines


def _open(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise InputError(
            f"Log file not found: {path}",
            hint="Check the path, or pass '--file -' to read the logs from stdin.",
        ) from None
    except IsADirectoryError:
        raise InputError(
            f"{path} is a directory, not a log file",
            hint="Pass one file, e.g. 'cat dir/*.log | cloud-doctor analyze --file -'.",
        ) from None
    except PermissionError:
        raise InputError(
            f"Permission denied reading {path}",
            hint="Make the file readable by this user (or pipe it in with '--file -').",
        ) from None
    except OSError as exc:
        raise InputError(
            f"Cannot open {path}: {exc.strerror or type(exc).__name__}",
            hint="Check that the path names a readable regular file.",
        ) from None


def _maybe_gunzip(raw: BinaryIO) -> Iterable[bytes]:
    # peek() does not consume, so non-gzip input is read from its first byte. stdin that is not a
    # BufferedReader (rare: tests, embedding) has no peek and is read as plain text.
    peek = getattr(raw, "peek", None)
    if peek is not None and peek(2)[:2] == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw, mode="rb")
    return raw


# A longer line is cut (memory stays bounded whatever the input) and marked the way the parser
# marks the lines it cuts, so it counts both.
MAX_LINE_BYTES = MAX_LINE_CHARS


def _lines(raw: Iterable[bytes] | BinaryIO) -> Iterator[bytes]:
    """The raw lines, none longer than MAX_LINE_BYTES (the rest of a longer one is skipped)."""
    readline = getattr(raw, "readline", None)
    if readline is None:  # an iterable of lines (tests, embedding)
        for line in raw:
            yield line[:MAX_LINE_BYTES] + CUT_MARK.encode() if len(line) > MAX_LINE_BYTES else line
        return
    while chunk := readline(MAX_LINE_BYTES + 1):
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while (rest := readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass  # the rest of an oversized line
            chunk = chunk[:MAX_LINE_BYTES] + CUT_MARK.encode()
        yield chunk


def _decode(raw: Iterable[bytes] | BinaryIO, name: str) -> Iterator[str]:
    """Text lines. Bytes that are not UTF-8 are replaced; a line holding NUL bytes is passed on
    as it is, and the parser skips and counts it (a binary blob in a log stops nothing)."""
    lineno = 0
    try:
        for chunk in _lines(raw):
            lineno += 1
            yield chunk.decode("utf-8", errors="replace").rstrip("\r\n")
    except (gzip.BadGzipFile, EOFError):
        raise InputError(
            f"{name} looks gzip-compressed but is corrupt or truncated (after line {lineno})",
            hint="Check the archive with 'gzip -t'.",
        ) from None
    except OSError as exc:
        raise InputError(
            f"Reading {name} failed after line {lineno}: {exc.strerror or type(exc).__name__}",
            hint="Check that the file is still there and readable.",
        ) from None
