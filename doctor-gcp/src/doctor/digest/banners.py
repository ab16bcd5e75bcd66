"""A paste's section headers: `tail`'s "==> /var/log/nginx/error.log <==", and the banner people
put before each file or host they paste ("==== web01:/var/log/nginx/error.log ====", "-----
db01: journalctl -u postgresql -----"). A banner counts only where its title names a log: a
path, or a host and the command that printed the lines. A title ("=== CPU/Memory usage ===",
"---- src/lib.rs - add (line 3) stdout ----") or a time does not.
"""

from __future__ import annotations

import re

from .service_names import file_service

_TAIL_FILE = re.compile(r"==> (.+) <==[ \t]*")
_BANNER = re.compile(r"([=#*-])\1{2,} (\S.*?) \1{3,}[ \t]*")
SECTION_OPENS = frozenset({"==>", "===", "---", "###", "***"})  # a header's first 3 characters
# a log's path: rooted, home, relative or a drive's; or any path to a file named as logs are
_PATH = re.compile(
    r"(?:/|~/|\./|[A-Za-z]:\\)\S*|\S*[\w-]\.(?:log|out|err|txt|json|jsonl|ndjson|csv)(?:\.\d+)?"
)
_COMMANDS = frozenset(
    {"journalctl", "docker", "podman", "kubectl", "oc", "crictl", "nerdctl", "tail", "cat"}
    | {"less", "zcat", "heroku", "cf", "fly", "flyctl", "stern", "az", "aws", "gcloud"}
)
_NOT_A_NAME = re.compile(r"[\d.]+[smhd]?|.*[>|&].*|logs?")  # a count, a time, a redirection
_UNIT_FLAGS = frozenset({"-u", "--unit"})
_CONTAINER_FLAGS = frozenset({"-c", "--container"})


def tailed_file(line: str) -> str | None:
    """The file, or host and command, that a section header names; None for any other line."""
    line = line.rstrip("\r\n")
    if (found := _TAIL_FILE.fullmatch(line)) is not None:
        return found[1]
    if (found := _BANNER.fullmatch(line)) is None:
        return None
    return found[2] if _names_a_log(found[2]) else None


def _split_host(title: str) -> tuple[str | None, list[str]]:
    """("web01", the rest's words) for "web01:/var/log/x.log" or "web01: docker logs api"."""
    words = title.split()
    first = words[0]
    host, colon, rest = first.partition(":")
    if not colon or _PATH.fullmatch(first) or not any(c in host for c in "0123456789-."):
        return None, words  # no host: a host's name holds a digit, dash or dot ("Note:" not)
    return host, ([rest] if rest else []) + words[1:]


def _names_a_log(title: str) -> bool:
    host, words = _split_host(title)
    if not words:
        return False
    if _PATH.fullmatch(words[0]):
        return True
    return words[0] in _COMMANDS and (host is not None or len(words) > 1)


def section_service(title: str) -> str:
    """Who writes a section's lines: its file's service (`file_service`), the unit, container
    or workload its command reads, else its host."""
    host, words = _split_host(title)
    if host is None and (_PATH.match(title) or len(words) == 1):
        return file_service(title)  # a tailed file's path, spaces and all
    if not words:
        return host or title
    if _PATH.fullmatch(words[0]):
        return file_service(words[0])
    return _command_service(words[0], words[1:]) or host or words[0]


def _command_service(command: str, args: list[str]) -> str | None:
    """The unit ("-u nginx"), container ("-c api"), file or workload ("deploy/api") that a
    command's arguments name."""
    for flags in (_UNIT_FLAGS, _CONTAINER_FLAGS):
        for at, arg in enumerate(args):
            name, equals, value = arg.partition("=")
            if name in flags and (equals or at + 1 < len(args)):
                return (value if equals else args[at + 1]).removesuffix(".service")
    names = [a for a in args if not a.startswith("-") and not _NOT_A_NAME.fullmatch(a)]
    if not names or command == "journalctl":
        return None
    if command in ("tail", "cat", "less", "zcat"):
        return file_service(names[-1])
    return names[-1].rsplit("/", 1)[-1]  # "deploy/api": api
