"""The checks `Settings` runs on its values: secrets, AWS and GCP names, URLs, the database.

Each `require_*` check raises pydantic's `PydanticCustomError`, whose message says what is wrong
and how to fix it but never the value (a secret, or a URL holding a password): pydantic places
it under the variable's name and `load_settings` names that variable. The patterns are shared
with the targets file, so a target's role and region follow AWS_ROLE_ARN's and AWS_REGION's rules.

Only the standard library and pydantic-core are imported: `import doctor.settings` stays light.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic_core import PydanticCustomError

# Values people paste from templates; running with one would "work" and be wide open.
_PLACEHOLDERS = frozenset(
    {"changeme", "change-me", "change_me", "changethis", "change-this", "replaceme", "todo"}
    | {"secret", "password", "token", "placeholder", "dummy", "example", "none", "null"}
)
_PLACEHOLDER_SHAPES = (
    re.compile(r"(xox[a-z]-)?x{3,}"),  # "xxx", "xoxb-xxxx"
    re.compile(r"<[^>]*>"),  # "<your token here>"
    re.compile(r".*(changeme|changethis|change-me|replace-me|your[-_ ]?token).*"),
)


def is_placeholder(value: str) -> bool:
    normalized = value.strip().lower()
    return normalized in _PLACEHOLDERS or any(p.fullmatch(normalized) for p in _PLACEHOLDER_SHAPES)


def reject_placeholder(value: str) -> None:
    if is_placeholder(value):
        raise PydanticCustomError(
            "placeholder_secret",
            "looks like a template placeholder, not a real secret: set the real value or "
            "unset the variable",
        )


MIN_API_TOKEN_CHARS = 32
# Slack issues signing secrets of 32 hex characters: anything shorter is not Slack's.
MIN_SIGNING_SECRET_CHARS = 32
# A random secret of 32+ characters shows many distinct characters of at least two classes
# (`openssl rand -hex 32`: 16 symbols, digits and letters); "aaaa…", "abab…" or a word padded
# to length do not.
MIN_DISTINCT_SECRET_CHARS = 8
MIN_SECRET_CHARACTER_CLASSES = 2


def _character_classes(value: str) -> int:
    kinds = (str.islower, str.isupper, str.isdigit)
    classes = sum(any(kind(char) for char in value) for kind in kinds)
    return classes + any(not char.isalnum() for char in value)


def secret_weakness(value: str, minimum: int) -> str | None:
    """What is wrong with a secret (None: nothing). Never mentions the value itself."""
    stripped = value.strip()
    if len(stripped) < minimum:
        return f"is shorter than {minimum} characters (whitespace not counted)"
    if stripped != value or any(char.isspace() for char in stripped):
        return "contains whitespace (a newline from `echo`? store it with `printf %s`)"
    if len(set(stripped)) < MIN_DISTINCT_SECRET_CHARS:
        return f"has fewer than {MIN_DISTINCT_SECRET_CHARS} distinct characters"
    if _character_classes(stripped) < MIN_SECRET_CHARACTER_CLASSES:
        return "uses one character class only (e.g. only letters or only digits)"
    return None


def require_strong_secret(value: str, minimum: int, *, from_slack: bool) -> None:
    """`from_slack`: Slack issues the secret, so the fix is to copy it, not to generate one."""
    weakness = secret_weakness(value, minimum)
    if weakness is not None:
        fix = (
            "copy the Signing Secret from the Slack app's Basic Information page"
            if from_slack
            else "generate one with `openssl rand -hex 32`"
        )
        raise PydanticCustomError(
            "weak_secret", "{weakness}: {fix}", {"weakness": weakness, "fix": fix}
        )


# An IAM role ARN in any partition (aws, aws-cn, aws-us-gov, aws-iso…), role path allowed.
ROLE_ARN_PATTERN = r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$"
# An AWS region: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, eusc-de-east-1.
REGION_PATTERN = r"^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$"
# A GCP location: global, us, europe-west4, northamerica-northeast1.
_GCP_LOCATION = re.compile(r"[a-z]+(-[a-z]+[0-9]*)*")


def require_role_arn(value: str) -> None:
    if not re.fullmatch(ROLE_ARN_PATTERN, value):
        raise PydanticCustomError(
            "role_arn",
            "is not an IAM role ARN: write arn:aws:iam::<12-digit account>:role/<name> "
            "(terraform output doctor_role_arn)",
        )


def require_aws_region(value: str) -> None:
    if not re.fullmatch(REGION_PATTERN, value):
        raise PydanticCustomError(
            "region", "is not an AWS region: write e.g. us-east-1 or eu-west-1"
        )


def require_gcp_location(value: str) -> None:
    if not _GCP_LOCATION.fullmatch(value):
        raise PydanticCustomError(
            "location", "is not a GCP location: write e.g. global or europe-west4"
        )


def url_problem(value: str, *, base_only: bool = False) -> str | None:
    """What is wrong with a URL setting (None: nothing). Never mentions the value itself."""
    if value != value.strip() or any(char.isspace() for char in value):
        return "contains whitespace"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "has no host"
    if base_only and (parts.query or parts.fragment):
        return "must be a base URL, without ?query or #fragment"
    return None


def require_url(value: str, *, purpose: str, base_only: bool = False) -> None:
    """`purpose`: what the URL is for, said in the error so the fix is evident."""
    problem = url_problem(value, base_only=base_only)
    if problem is not None:
        raise PydanticCustomError(
            "url", "{problem}: it must be {purpose}", {"problem": problem, "purpose": purpose}
        )


# SQLite is built in; psycopg (3) is the PostgreSQL driver the project installs, so the
# common postgres:// and postgresql:// forms (SQLAlchemy would pick psycopg2) are read as it.
_DATABASES = frozenset({"sqlite", "sqlite+pysqlite", "postgresql+psycopg"})
_POSTGRES_ALIASES = frozenset({"postgres", "postgresql"})


def normalize_database_url(value: str) -> str:
    """The SQLAlchemy URL to open: a driver the image has; the URL itself (it may hold a
    password) is never echoed."""
    scheme, _, rest = value.partition("://")
    if rest and scheme in _POSTGRES_ALIASES:
        return f"postgresql+psycopg://{rest}"
    if not rest or scheme not in _DATABASES:
        raise PydanticCustomError(
            "database_url",
            "is not a database URL the doctor can open: write sqlite:///path/history.sqlite3 "
            "or postgresql+psycopg://user:password@host:5432/db",
        )
    return value
