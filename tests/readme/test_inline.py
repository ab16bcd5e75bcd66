"""The commands the README quotes inline (`cloud-doctor history [--target T] …`) name commands and
flags that exist. They hold placeholders, so they are not run (the fenced blocks are, in
test_commands.py); a renamed flag would otherwise leave the prose quietly wrong."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer

from chaos_app.cli import app as chaos_app
from doctor.cli import app as doctor_app
from tests.readme.checkout import ROOT

# typer builds click groups (its own vendored click): read them by their attributes.
PROGRAMS: dict[str, Any] = {
    "cloud-doctor": typer.main.get_command(doctor_app),
    "chaos-app": typer.main.get_command(chaos_app),
}
SPAN = re.compile(r"`(?:uv run )?(cloud-doctor|chaos-app)( [^`]*)?`")


def _quoted() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return sorted({(m[1], (m[2] or "").strip()) for m in SPAN.finditer(text)})


def _options(command: Any) -> set[str]:
    return {name for param in command.params for name in (*param.opts, *param.secondary_opts)}


def check(program: str, rest: str) -> None:
    group = PROGRAMS[program]
    words = [w.strip("[]") for w in rest.split() if w not in {"…", "|", ">"}]
    command = group
    for word in words:
        if word.startswith("-"):
            flag = word.split("=", 1)[0]
            known = _options(command) | {"-h", "--help"}
            assert flag in known, f"`{program} {rest}`: {flag} is not an option of {command.name}"
        elif command is group and word in group.commands:
            command = group.commands[word]
        elif command is group and word.isidentifier():
            pytest.fail(
                f"`{program} {rest}`: no command {word!r} (known: {sorted(group.commands)})"
            )


@pytest.mark.parametrize(("program", "rest"), _quoted())
def test_quoted_commands_and_flags_exist(program: str, rest: str) -> None:
    check(program, rest)


def test_a_renamed_flag_or_command_is_caught() -> None:
    with pytest.raises(AssertionError, match="--since-when is not an option of history"):
        check("cloud-doctor", "history --since-when 24h")
    with pytest.raises(pytest.fail.Exception, match="no command 'diagnose'"):
        check("cloud-doctor", "diagnose --file x")
    assert len(_quoted()) >= 8  # the README quotes its commands; an empty scan proves nothing


PATH_SPAN = re.compile(r"`((?:[\w.-]+/)+[\w.-]+\.(?:py|tf|toml|yml|yaml|json|sh|md)|[\w.-]+\.py)`")


def _quoted_paths() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return sorted({m[1] for m in PATH_SPAN.finditer(text)})


def _exists(path: str) -> bool:
    """A path from the root, or (for a short one such as `ground.py` or `kb/links.toml`) the
    end of a file's path somewhere in the sources, tests, infra or bench."""
    if (ROOT / path).exists():
        return True
    roots = ("doctor-gcp/src", "patient-aws/src", "infra", "bench", "tests")
    return any(any((ROOT / r).rglob(path)) for r in roots)


def test_files_the_readme_names_exist() -> None:
    quoted = _quoted_paths()
    assert len(quoted) >= 20  # the README names its modules; an empty scan proves nothing
    missing = [path for path in quoted if not _exists(path)]
    assert missing == [], f"the README names files that are not there: {missing}"
