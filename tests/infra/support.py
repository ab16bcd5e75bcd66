"""Helpers for the static infrastructure checks: Terraform roots and modules parsed with
python-hcl2, the bootstrap module, Terraform's own template rendering when available, and
`terraform validate` / `terraform test` when the aws provider is available offline."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
from hcl2 import SerializationOptions

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
AWS_ROOT = INFRA / "terraform" / "aws"
GCP_ROOT = INFRA / "terraform" / "gcp"
ACCESS_MODULE = INFRA / "terraform" / "modules" / "doctor-access"
TWO_ACCOUNTS_EXAMPLE = INFRA / "terraform" / "examples" / "two-accounts"
POLICIES = INFRA / "policies"

# python-hcl2 v8 keeps string quotes and marks blocks by default; ask for plain values instead.
_HCL_OPTIONS = SerializationOptions(
    strip_string_quotes=True, explicit_blocks=False, with_comments=False
)
_TEMPLATEFILE = re.compile(
    r'templatefile\("\$\{(?P<base>[^}]+)\}/(?P<file>[^"]+)", \{(?P<vars>.*)\}\)', re.DOTALL
)
_TEMPLATE_VAR = re.compile(r"(?:^|, )([a-z_][a-z0-9_]*) = ")


def hcl_file(path: Path) -> dict[str, list[Any]]:
    """One .tf file parsed with the same options as Module."""
    with path.open(encoding="utf-8") as handle:
        parsed: dict[str, list[Any]] = hcl2.load(handle, serialization_options=_HCL_OPTIONS)
    return parsed


class Module:
    """One Terraform root or module: every .tf file of a directory, merged."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.blocks: dict[str, list[Any]] = {}
        for path in sorted(directory.glob("*.tf")):
            for kind, entries in hcl_file(path).items():
                self.blocks.setdefault(kind, []).extend(entries)

    def _labelled(self, kind: str) -> dict[str, dict[str, Any]]:
        """`resource`/`data`: {type: {name: body}}."""
        merged: dict[str, dict[str, Any]] = {}
        for entry in self.blocks.get(kind, []):
            for type_, named in entry.items():
                merged.setdefault(type_, {}).update(named)
        return merged

    def resources(self, type_: str) -> dict[str, dict[str, Any]]:
        return self._labelled("resource").get(type_, {})

    def resource(self, type_: str, name: str) -> dict[str, Any]:
        return self.resources(type_)[name]

    def resource_types(self) -> set[str]:
        return set(self._labelled("resource")) | set(self._labelled("data"))

    def data(self, type_: str) -> dict[str, dict[str, Any]]:
        return self._labelled("data").get(type_, {})

    def variables(self) -> dict[str, dict[str, Any]]:
        merged: dict[str, dict[str, Any]] = {}
        for entry in self.blocks.get("variable", []):
            merged.update(entry)
        return merged

    def default(self, variable: str) -> Any:
        return self.variables()[variable]["default"]

    def outputs(self) -> dict[str, dict[str, Any]]:
        merged: dict[str, dict[str, Any]] = {}
        for entry in self.blocks.get("output", []):
            merged.update(entry)
        return merged

    def module_calls(self) -> dict[str, dict[str, Any]]:
        """`module "name" { ... }` blocks: {name: arguments}."""
        merged: dict[str, dict[str, Any]] = {}
        for entry in self.blocks.get("module", []):
            merged.update(entry)
        return merged

    def providers(self, name: str) -> list[dict[str, Any]]:
        """Every `provider "name"` block (one per alias)."""
        return [entry[name] for entry in self.blocks.get("provider", []) if name in entry]

    def moved(self) -> dict[str, str]:
        """`moved` blocks: {from: to}."""
        return {entry["from"]: entry["to"] for entry in self.blocks.get("moved", [])}

    def locals(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for entry in self.blocks.get("locals", []):
            merged.update(entry)
        return merged


@cache
def aws_module() -> Module:
    return Module(AWS_ROOT)


@cache
def gcp_module() -> Module:
    return Module(GCP_ROOT)


@cache
def access_module() -> Module:
    """infra/terraform/modules/doctor-access: the doctor's role in one patient account."""
    return Module(ACCESS_MODULE)


@cache
def two_accounts_example() -> Module:
    return Module(TWO_ACCOUNTS_EXAMPLE)


def single(block: Any) -> dict[str, Any]:
    """A nested block that must appear exactly once (hcl2 returns blocks as lists)."""
    assert isinstance(block, list), block
    assert len(block) == 1, block
    result: dict[str, Any] = block[0]
    return result


def templatefile_call(expression: str) -> tuple[str, set[str]]:
    """(template file name, variable names) of a `templatefile(...)` attribute."""
    match = _TEMPLATEFILE.search(expression)
    assert match is not None, f"not a templatefile() call: {expression}"
    assert match["base"] == "local.policies_dir" or match["file"].startswith("user_data")
    return match["file"], set(_TEMPLATE_VAR.findall(match["vars"].strip()))


def env_names(expression: str) -> set[str]:
    """Upper-case keys of an HCL object expression (environment variable maps)."""
    return set(re.findall(r"\b([A-Z][A-Z0-9_]+) = ", expression))


def terraform() -> str | None:
    return shutil.which("terraform")


def terraform_env() -> dict[str, str]:
    # No version check against checkpoint.hashicorp.com: tests stay off the network.
    return {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}


def terraform_eval(expressions: Sequence[str], workdir: Path) -> list[str]:
    """Evaluate string expressions with `terraform console` (no providers, no network) in an
    empty directory. One expression in, one line out (piped, the console prints only the last
    result): the strings travel as a base64-encoded JSON list, so no HCL quoting to undo."""
    binary = terraform()
    assert binary is not None
    script = f"base64encode(jsonencode([{', '.join(expressions)}]))\n"
    completed = subprocess.run(
        [binary, "console"],
        input=script,
        capture_output=True,
        text=True,
        cwd=workdir,
        env=terraform_env(),
        timeout=60,
        check=True,
    )
    [line] = [line.strip() for line in completed.stdout.splitlines() if line.strip()]
    results: list[str] = json.loads(base64.b64decode(json.loads(line)))
    assert len(results) == len(expressions)
    return results


def hcl_literal(value: object) -> str:
    """A Python str / int / list as an HCL expression (JSON is valid HCL for these)."""
    text = json.dumps(value)
    assert "${" not in text
    assert "%{" not in text
    return text


# Filesystem mirrors that may hold the aws provider (terraform init -plugin-dir): the
# TF_PLUGIN_DIR environment variable first, then Terraform's implied local mirror directories,
# then /opt/tf-plugins (where the development machines keep it). Nothing is ever downloaded.
_PLUGIN_DIRS = (
    os.environ.get("TF_PLUGIN_DIR", ""),
    str(Path.home() / ".terraform.d" / "plugins"),
    str(
        Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
        / "terraform/plugins"
    ),
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "/opt/tf-plugins",
)


def aws_provider_mirror() -> Path | None:
    """A plugin directory holding hashicorp/aws 5.x for this platform, or None."""
    for candidate in filter(None, _PLUGIN_DIRS):
        versions = Path(candidate) / "registry.terraform.io" / "hashicorp" / "aws"
        if any(versions.glob("5.*/*/terraform-provider-aws_*")):
            return Path(candidate)
    return None


def terraform_copy(destination: Path) -> Path:
    """infra/terraform and infra/policies copied under `destination`/infra (the relative paths
    between them kept), so init writes nothing into the repository. Returns the new infra/."""
    infra = destination / "infra"
    ignore = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*")
    shutil.copytree(INFRA / "terraform", infra / "terraform", ignore=ignore)
    shutil.copytree(POLICIES, infra / "policies")
    return infra


def terraform_run(args: Sequence[str], workdir: Path, timeout: int = 180) -> str:
    """Run terraform in `workdir`; fail with its output when it fails."""
    binary = terraform()
    assert binary is not None
    completed = subprocess.run(
        [binary, *args, "-no-color"],
        capture_output=True,
        text=True,
        cwd=workdir,
        env=terraform_env(),
        timeout=timeout,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"terraform {' '.join(args)} in {workdir}:\n{output}"
    return output


def terraform_init(workdir: Path, mirror: Path) -> None:
    """Offline init: providers from the mirror only, no backend."""
    terraform_run(
        ["init", "-backend=false", "-input=false", f"-plugin-dir={mirror}"], workdir, timeout=120
    )
