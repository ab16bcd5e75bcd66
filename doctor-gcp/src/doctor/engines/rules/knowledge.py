"""The knowledge base: `kb/<category>.toml` files, read with tomllib, checked by the schema
(schema.py) and compiled into rules once per process.

Every error names the file, the rule and what is wrong, so that an author can fix a rule
without reading this code.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from doctor.engines.rules.base import Rule
from doctor.engines.rules.schema import KbFile, KnowledgeError, LinksFile
from doctor.taxonomy import Category

KB_DIR = files("doctor.engines.rules") / "kb"
LINKS_FILE = "links.toml"  # the one file of kb/ that is not a category: cause -> symptoms
_CATEGORIES = {c.value: c for c in Category}


@dataclass(frozen=True, slots=True)
class Source:
    """One knowledge-base file, validated."""

    path: str
    category: Category
    spec: KbFile


@dataclass(frozen=True, slots=True)
class Knowledge:
    sources: tuple[Source, ...]  # in file-name order
    rules: tuple[Rule, ...]  # the same order; the engine's choice never depends on it
    # cause -> the categories it sets off (kb/links.toml), read by the incident stage
    links: dict[Category, frozenset[Category]] = field(default_factory=dict)
    # (cause, symptom) links that hold only once the cause has gone on a while (`later`)
    lagging: frozenset[tuple[Category, Category]] = frozenset()


@functools.cache
def knowledge() -> Knowledge:
    """The packaged knowledge base, loaded on first use."""
    return load(KB_DIR)


def rules() -> tuple[Rule, ...]:
    return knowledge().rules


def links() -> dict[Category, frozenset[Category]]:
    return knowledge().links


def lagging() -> frozenset[tuple[Category, Category]]:
    return knowledge().lagging


def load(directory: Traversable) -> Knowledge:
    """Read, check and compile every `*.toml` file of `directory`."""
    sources = [read(entry) for entry in sorted(_toml_files(directory), key=lambda e: e.name)]
    first_seen: dict[str, str] = {}
    built: list[Rule] = []
    for source in sources:
        for spec in source.spec.rule:
            if spec.id in first_seen:
                raise KnowledgeError(
                    f"{source.path}: rule {spec.id!r}: duplicate id, already defined in "
                    f"{first_seen[spec.id]}"
                )
            first_seen[spec.id] = source.path
            causal = source.spec.causal
            if causal is None:  # pragma: no cover - read() refuses a rule file without one
                raise KnowledgeError(f"{source.path}: causal: missing")
            built.append(Rule.of(spec, source.category, causal))
    _check_refinements(built, first_seen)
    _check_after(built, first_seen)
    links_entry = directory / LINKS_FILE
    links, lags = read_links(links_entry) if links_entry.is_file() else ({}, frozenset())
    return Knowledge(tuple(sources), tuple(built), links, lags)


def read_links(
    entry: Traversable,
) -> tuple[dict[Category, frozenset[Category]], frozenset[tuple[Category, Category]]]:
    """kb/links.toml: each cause once, with the categories it sets off (its `later` ones
    among them), and the (cause, symptom) pairs of those `later` ones."""
    path = str(entry)
    spec = _validated(entry, LinksFile, entries="link")
    links: dict[Category, frozenset[Category]] = {}
    lags: set[tuple[Category, Category]] = set()
    for i, link in enumerate(spec.link):
        if link.cause in links:
            raise KnowledgeError(f"{path}: link[{i}]: {link.cause} is listed twice; merge them")
        links[link.cause] = frozenset((*link.symptoms, *link.later))
        lags.update((link.cause, symptom) for symptom in link.later)
    return links, frozenset(lags)


def _named(by_id: dict[str, Rule], rule_id: str, where: str) -> Rule:
    """The rule a list of `where` names, or the error that no rule has that id."""
    target = by_id.get(rule_id)
    if target is None:
        raise KnowledgeError(f"{where}: no rule has the id {rule_id!r}")
    return target


def _check_refinements(built: list[Rule], path_of: dict[str, str]) -> None:
    """`refines` must name an existing rule of the same tier and never lead back to itself:
    the engine tries a refinement before what it refines (order.py), which a cycle forbids."""
    by_id = {r.id: r for r in built}
    for r in built:
        where = f"{path_of[r.id]}: rule {r.id!r}: refines"
        for other in sorted(r.refines):
            target = _named(by_id, other, where)
            if target.strength is not r.strength:
                raise KnowledgeError(
                    f"{where}: {other!r} is {target.strength}, this rule {r.strength}; "
                    "a refinement only breaks ties inside one tier"
                )
        seen: set[str] = set()
        stack = sorted(r.refines)
        while stack:
            current = stack.pop()
            if current == r.id:
                raise KnowledgeError(f"{where}: a cycle leads back to {r.id!r}")
            if current not in seen:
                seen.add(current)
                stack.extend(sorted(by_id[current].refines))


def _check_after(built: list[Rule], path_of: dict[str, str]) -> None:
    """`after` must name existing rules that need nothing before them themselves: the engine
    reads those first, without context, to decide where this one may fire."""
    by_id = {r.id: r for r in built}
    for r in built:
        where = f"{path_of[r.id]}: rule {r.id!r}: after"
        for other in sorted(r.after):
            if _named(by_id, other, where).after:
                raise KnowledgeError(
                    f"{where}: {other!r} has an `after` of its own; name the rules it follows"
                )


def read(entry: Traversable) -> Source:
    """One file: its name must be a category; its content must fit the schema."""
    path = str(entry)
    category = _CATEGORIES.get(entry.name.removesuffix(".toml"))
    if category is None:
        raise KnowledgeError(
            f"{path}: the file name is not a category; expected one of "
            f"{', '.join(f'{c}.toml' for c in _CATEGORIES)}"
        )
    spec = _validated(entry, KbFile, entries="rule")
    if category is Category.UNKNOWN:
        if spec.rule:
            raise KnowledgeError(
                f"{path}: rule {spec.rule[0].id!r}: unknown is what no rule claims; put the "
                "rule in the file of its category"
            )
    elif not spec.rule:
        raise KnowledgeError(f"{path}: rule: a category file needs at least one rule")
    elif spec.causal is None:
        raise KnowledgeError(f"{path}: causal: missing (root, middle or symptom)")
    elif spec.unclaimed:
        raise KnowledgeError(f"{path}: unclaimed: only unknown.toml lists unclaimed lines")
    return Source(path, category, spec)


_Model = TypeVar("_Model", bound=BaseModel)


def _validated(entry: Traversable, model: type[_Model], *, entries: str) -> _Model:
    """A TOML file read into `model`, or a KnowledgeError naming the file and what is wrong."""
    path = str(entry)
    try:
        raw = tomllib.loads(entry.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(f"{path}: not valid TOML: {exc}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise KnowledgeError("\n".join(_describe(path, raw, exc, entries=entries))) from None


def _toml_files(directory: Traversable) -> Iterable[Traversable]:
    return (
        entry
        for entry in directory.iterdir()
        if entry.name.endswith(".toml") and entry.name != LINKS_FILE
    )


def _describe(
    path: str, raw: dict[str, Any], exc: ValidationError, *, entries: str = "rule"
) -> list[str]:
    """Pydantic's errors as '<file>: rule '<id>': <field>[<n>]: <problem>' lines."""
    lines = []
    for error in exc.errors(include_url=False):
        loc = list(error["loc"])
        where = path
        if len(loc) >= 2 and loc[0] == entries and isinstance(loc[1], int):
            listed = raw.get(entries)
            entry = listed[loc[1]] if isinstance(listed, list) else None
            rule_id = entry.get("id") if isinstance(entry, dict) else None
            where += f": rule {rule_id!r}" if isinstance(rule_id, str) else f": {entries}[{loc[1]}]"
            loc = loc[2:]
        field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        lines.append(f"{where}: {field.lstrip('.')}: {message}" if field else f"{where}: {message}")
    return lines
