"""Who wrote a line, from the service field of its head: the name without its noise.

A head's service field carries more than a name: syslog's pid (`sshd(pam_unix)[19939]:`), a
bracket (`[db]`), klog's line (`controller.go:42]`), or, in PostgreSQL's prefix as RDS sets it,
the client, user, database and pid with the level glued on by a colon.
"""

from __future__ import annotations

import re

from .levels import level_from_name
from .types import Level

_PID_BRACKETS = re.compile(r"\[\d*\]")
_PID_TAG = re.compile(r"\[\d+\]:?$")  # syslog's TAG[PID]
_GLUED_LEVEL = re.compile(r":([A-Z]+)$")
_BRACKETED_LEVEL = re.compile(r"\[([\w.-]+):([a-z]+)\]")  # Apache's "[proxy:error]"
_LINE_NUMBER = re.compile(r"(\.\w+):\d+$")  # a file's line: "controller.go:42"
_LETTER = re.compile(r"[A-Za-z]")
_ZONE_LEFT = re.compile(r"[A-Z]{3,5}")  # "UTC" of "… 23:58:00 UTC:…", which the time left


def service_name(raw: str) -> tuple[str, Level | None]:
    """ "sshd(pam_unix)[19939]:" -> "sshd"; "[db]" -> "db"; "dfs.DataNode$PacketResponder:"
    keeps its name; klog's "controller.go:42" -> "controller.go" (a line number names no
    one); and the level a name ends with, glued on by a colon: PostgreSQL's prefix as RDS sets
    it ("%t:%r:%u@%d:[%p]:") -> "UTC:10.0.1.5(53012):app@orders:[4711]:ERROR" -> "app@orders",
    ERROR; Apache's "[proxy:error]" -> "proxy", ERROR."""
    bare = raw.rstrip(":")
    module = _BRACKETED_LEVEL.fullmatch(bare)
    if module is not None and (level := level_from_name(module.group(2))) is not None:
        return module.group(1), level
    glued = _GLUED_LEVEL.search(bare, max(0, len(bare) - 16))  # a level name is short
    if glued is not None and (level := level_from_name(glued.group(1))) is not None:
        # The last part with a letter ("user@db"): not the client's address, the pid, nor the
        # zone the time left behind ("UTC:"). A background process has none.
        parts = bare[: glued.start()].split(":")
        zone = _ZONE_LEFT.fullmatch(parts[0]) is not None
        named = [part for part in parts[zone:] if _LETTER.search(part)]
        return (named[-1] if named else ""), level
    return _LINE_NUMBER.sub(r"\1", _plain_name(raw)), None


def _plain_name(raw: str) -> str:
    name = raw.strip()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    name = name.split(" ")[0]
    previous = None
    while previous != name:  # "x(y)[1]:" -> "x": each kind of noise may hide another
        previous, name = name, _PID_BRACKETS.sub("", name).rstrip(":")
        if name.endswith(")") and "(" in name:
            name = name[: name.index("(")]  # "sshd(pam_unix)"; a string op: no regex scan
    if name.startswith("/") and _PID_TAG.search(raw.strip()) is not None:
        # syslog's tag of a program logged by its path: "/usr/sbin/cron[412]:" is cron's
        name = name.rstrip("/").rsplit("/", 1)[-1]
    return name or raw.strip()


_GENERIC_FOLDERS = frozenset({"", ".", "log", "logs", "var", "tmp"})
# The kubelet's link to a container's log: /var/log/containers/<pod>_<namespace>_<container>-
# <container id>.log
_CONTAINER_LOG = re.compile(r"[^_/]+_[^_/]+_(?P<container>[^/]+?)-[0-9a-f]{64}\.log")


def file_service(path: str) -> str:
    """Who writes a file, by its path: its folder ("/var/log/nginx/error.log": nginx), its
    name where the folder is a generic one ("/var/log/syslog": syslog), or the container a
    kubelet's link names."""
    parts = path.replace("\\", "/").rstrip("/").split("/")
    if (container := _CONTAINER_LOG.fullmatch(parts[-1])) is not None:
        return container["container"]
    folder = parts[-2] if len(parts) > 1 else ""
    return folder if folder not in _GENERIC_FOLDERS else parts[-1].split(".", 1)[0] or path


def unit_service(unit: str) -> str:
    """Who a systemd unit is: "orders.service" -> "orders"; "init.scope" is systemd itself."""
    return "systemd" if unit == "init.scope" else unit.removesuffix(".service")
