"""Targets: the AWS accounts (role, region, log groups) one doctor may read.

`DOCTOR_TARGETS_FILE` names them in TOML:

    default_target = "payments-prod"          # optional; else the first one

    [targets.payments-prod]
    role_arn = "arn:aws:iam::111111111111:role/cloud-doctor-reader"
    region = "eu-west-1"
    log_groups = ["/aws/ecs/payments-api", "/aws/ecs/payments-worker"]   # the allow list
    [targets.payments-prod.defaults]          # optional, for requests that name none
    log_groups = ["/aws/ecs/payments-api"]    # read together; default: all of log_groups
    minutes = 60
    max_logs = 2000
    filter_pattern = "?ERROR ?Exception"

Without the file there is one target, `default`, built from AWS_ROLE_ARN, AWS_REGION,
AWS_LOG_GROUP_NAME and DOCTOR_ALLOWED_LOG_GROUPS, so a deployment without targets works as it
did. The file is read once, at start-up, and refused as a whole with every problem named.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from doctor.errors import ConfigurationError, TargetNotFound
from doctor.models import LOG_GROUP_PATTERN, MAX_WINDOW_MINUTES, TARGET_NAME_PATTERN
from doctor.settings import Settings
from doctor.settings_checks import REGION_PATTERN, ROLE_ARN_PATTERN

DEFAULT_TARGET = "default"
_ROLE_ARN = ROLE_ARN_PATTERN  # the same rules as AWS_ROLE_ARN and AWS_REGION
_REGION = REGION_PATTERN
LogGroup = Annotated[str, StringConstraints(pattern=LOG_GROUP_PATTERN)]


class Defaults(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    log_groups: list[LogGroup] | None = None
    minutes: int | None = Field(default=None, ge=1, le=MAX_WINDOW_MINUTES)
    max_logs: int | None = Field(default=None, ge=1)
    filter_pattern: str | None = Field(default=None, max_length=1024)


class Target(BaseModel):
    """One AWS account's logs as the doctor may read them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, StringConstraints(pattern=TARGET_NAME_PATTERN)]
    role_arn: Annotated[str, StringConstraints(pattern=_ROLE_ARN)] | None = None
    region: Annotated[str, StringConstraints(pattern=_REGION)] | None = None
    log_groups: list[LogGroup] = Field(default_factory=list)
    defaults: Defaults = Field(default_factory=Defaults)

    def allows(self, group: str) -> bool:
        return group in self.log_groups

    def default_groups(self) -> list[str]:
        """What a request that names no log group reads."""
        groups = self.defaults.log_groups
        return list(self.log_groups if groups is None else groups)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default_target: str | None = None
    targets: dict[str, dict[str, object]] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Targets:
    by_name: dict[str, Target]
    default: str

    def get(self, name: str | None) -> Target:
        """The target called `name` (None: the default), or TargetNotFound naming the known."""
        wanted = name or self.default
        target = self.by_name.get(wanted)
        if target is None:
            known = ", ".join(sorted(self.by_name))
            raise TargetNotFound(
                f"No target called {wanted[:80]!r}. Known targets: {known}.",
                hint="Pass one of the known targets, or add it to DOCTOR_TARGETS_FILE.",
            )
        return target

    def names(self) -> list[str]:
        return list(self.by_name)


def load_targets(settings: Settings) -> Targets:
    """The targets of DOCTOR_TARGETS_FILE, or the one `default` target of the variables."""
    path = settings.doctor_targets_file
    if path is None:
        return Targets({DEFAULT_TARGET: from_variables(settings)}, DEFAULT_TARGET)
    return read_targets(path)


def from_variables(settings: Settings) -> Target:
    group = settings.aws_log_group_name
    return Target.model_construct(  # the variables were validated by Settings already
        name=DEFAULT_TARGET,
        role_arn=settings.aws_role_arn,
        region=settings.aws_region,
        log_groups=settings.allowed_log_groups,
        # Only AWS_LOG_GROUP_NAME is read by default; none set, a request must name a group.
        defaults=Defaults(log_groups=[group] if group else []),
    )


def read_targets(path: Path) -> Targets:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot read DOCTOR_TARGETS_FILE {str(path)!r} ({exc.strerror or 'unreadable'}).",
            hint="Point DOCTOR_TARGETS_FILE at a readable TOML file, or unset it.",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(
            f"DOCTOR_TARGETS_FILE {str(path)!r} is not valid TOML: {exc}.",
            hint="Fix the line named above, or unset DOCTOR_TARGETS_FILE.",
        ) from None
    problems: list[str] = []
    by_name: dict[str, Target] = {}
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        raise ConfigurationError(
            f"DOCTOR_TARGETS_FILE {str(path)!r}: " + _said(exc), hint=_HINT
        ) from None
    for name, table in parsed.targets.items():
        try:
            by_name[name] = Target.model_validate({"name": name, **table})
        except ValidationError as exc:
            problems.append(f"target {name!r}: {_said(exc)}")
    default = parsed.default_target or next(iter(parsed.targets))
    if default not in parsed.targets:
        problems.append(f"default_target {default!r} is not one of the targets")
    for target in by_name.values():
        stray = set(target.defaults.log_groups or []) - set(target.log_groups)
        if stray:
            problems.append(
                f"target {target.name!r}: default log groups not in its log_groups: "
                + ", ".join(sorted(stray))
            )
        if not target.log_groups:
            problems.append(f"target {target.name!r}: log_groups is empty")
    if problems:
        raise ConfigurationError(
            f"DOCTOR_TARGETS_FILE {str(path)!r}: " + "; ".join(problems), hint=_HINT
        )
    return Targets(by_name, default)


_HINT = "Fix the file (see the README's targets example) or unset DOCTOR_TARGETS_FILE."


def _said(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(file)'}: {err['msg']}"
        for err in exc.errors(include_input=False, include_url=False)
    )
