"""The policy documents of infra/policies, rendered as Terraform's templatefile() renders them.

Terraform and this bootstrap read the very same files, so the emulated account cannot drift
from a deployed one; tests/infra renders every template both ways and compares. Also the log
group ARNs those documents grant, built as the Terraform modules build them.

Standard library only, like the rest of infra/local.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

POLICY_DIR = Path(__file__).resolve().parents[1] / "policies"

_TEMPLATE_MARK = re.compile(r"[$%]\{")
_PLACEHOLDER = re.compile(
    r"\$\{(?:jsonencode\((?P<json>[A-Za-z_][A-Za-z0-9_]*)\)|(?P<raw>[A-Za-z_][A-Za-z0-9_]*))\}"
)
# A raw `${name}` sits inside a JSON string: these characters would change the document.
_UNSAFE_RAW = re.compile(r'["\\\x00-\x1f]')


class TemplateError(ValueError):
    """A template uses syntax outside the shared subset, or a variable is missing or unsafe."""


def template_variables(name: str) -> set[str]:
    """The variables a template references (tests compare them with Terraform's call)."""
    text = (POLICY_DIR / name).read_text(encoding="utf-8")
    return {m["json"] or m["raw"] for m in _PLACEHOLDER.finditer(text)}


def render_template(name: str, variables: Mapping[str, object]) -> str:
    """Render infra/policies/`name` with the subset of Terraform's template syntax it may use:
    `${name}` (a string or number, inserted as is) and `${jsonencode(name)}`. Anything else
    (directives, other functions, `$${` escapes) is an error rather than a silent difference."""
    text = (POLICY_DIR / name).read_text(encoding="utf-8")
    parts: list[str] = []
    position = 0
    for mark in _TEMPLATE_MARK.finditer(text):
        if mark.start() < position:
            continue
        match = _PLACEHOLDER.match(text, mark.start())
        escaped = mark.start() > 0 and text[mark.start() - 1] == "$"
        if match is None or escaped:
            snippet = text[mark.start() : mark.start() + 40].splitlines()[0]
            raise TemplateError(f"{name}: unsupported template syntax: {snippet!r}")
        key = match["json"] or match["raw"]
        if key not in variables:
            raise TemplateError(f"{name}: no value for template variable {key!r}")
        value = variables[key]
        parts.append(text[position : match.start()])
        parts.append(json.dumps(value) if match["json"] else _raw_value(name, key, value))
        position = match.end()
    parts.append(text[position:])
    return "".join(parts)


def _raw_value(template: str, key: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TemplateError(f"{template}: {key!r} must be a string or an integer")
    text = str(value)
    if _UNSAFE_RAW.search(text):
        raise TemplateError(f"{template}: {key!r} contains a quote, backslash or control char")
    return text


def policy_document(name: str, **variables: object) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render_template(name, variables))
    return document


def log_group_arn(*, partition: str, region: str, account_id: str, name: str) -> str:
    return f"arn:{partition}:logs:{region}:{account_id}:log-group:{name}"


def log_group_resources(
    names: Sequence[str], *, partition: str, region: str, account_id: str
) -> list[str]:
    """Each group as `<arn>` and `<arn>:*`, like local.log_group_resources of the Terraform
    module infra/terraform/modules/doctor-access: CloudWatch Logs authorizes some actions
    against the bare group ARN and others against the `:*` form, which also covers the group's
    streams (GetLogEvents) and nothing else."""
    resources: list[str] = []
    for name in names:
        arn = log_group_arn(partition=partition, region=region, account_id=account_id, name=name)
        resources += [arn, f"{arn}:*"]
    return resources
