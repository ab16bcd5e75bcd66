"""The per-path checks (AWS, Gemini, Slack, store, API): each path's verdict from the settings
and local files (the targets file, the web identity token file) alone.

No network here, and secrets are reported as set/unset only; the one exception must be asked
for: `probe_store` opens and migrates the history database (possibly over the network).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from doctor.engines.select import choose_engine
from doctor.errors import DoctorError
from doctor.readiness.verdict import PathCheck
from doctor.settings import Settings
from doctor.targets import Target, Targets, load_targets


def check_paths(settings: Settings, *, probe_store: bool = False) -> list[PathCheck]:
    """Every path's verdict, in `PATHS` order. `probe_store` opens and migrates the history
    database; otherwise the store is `unchecked`."""
    return [
        _aws(settings),
        _gemini(settings),
        _slack(settings),
        _store(settings, probe=probe_store),
        _api(settings),
    ]


def secret_state(value: SecretStr | None) -> str:
    return "set" if value is not None else "unset"


# --- AWS


def _token_source(settings: Settings) -> tuple[dict[str, Any], str | None]:
    """Where the web identity token comes from, and what is wrong with it (None: nothing)."""
    path = settings.aws_web_identity_token_file
    if path is not None:
        facts: dict[str, Any] = {"token_source": "file", "token_file": str(path)}
        return facts, _token_file_problem(path)
    if settings.doctor_token_audience:
        # Only the metadata server (Cloud Run) can say whether it works: `--live` asks.
        return {"token_source": "metadata", "token_audience": settings.doctor_token_audience}, None
    return {"token_source": None}, (
        "no web identity token source (DOCTOR_TOKEN_AUDIENCE or AWS_WEB_IDENTITY_TOKEN_FILE)"
    )


def _token_file_problem(path: Path) -> str | None:
    try:
        empty = not path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return f"the web identity token file {str(path)!r} cannot be read"
    return f"the web identity token file {str(path)!r} is empty" if empty else None


def _target_facts(target: Target, settings: Settings) -> dict[str, Any]:
    return {
        "name": target.name,
        "role_arn": target.role_arn or settings.aws_role_arn,
        "region": target.region or settings.aws_region,
        "log_groups": list(target.log_groups),
        "default_log_groups": target.default_groups(),
    }


def _aws(settings: Settings) -> PathCheck:
    token_facts, token_problem = _token_source(settings)
    facts: dict[str, Any] = {
        **token_facts,
        "targets_file": str(settings.doctor_targets_file) if settings.doctor_targets_file else None,
        "endpoint_url": settings.aws_endpoint_url,
    }
    try:
        targets: Targets = load_targets(settings)
    except DoctorError as err:
        return PathCheck(
            "aws", "not_ready", "DOCTOR_TARGETS_FILE cannot be used", facts, [err.message], err.hint
        )
    described = [_target_facts(target, settings) for target in targets.by_name.values()]
    facts |= {"default_target": targets.default, "targets": described}
    anything = settings.doctor_targets_file is not None or any(
        (
            settings.aws_role_arn,
            settings.aws_region,
            settings.allowed_log_groups,
            settings.aws_web_identity_token_file,
            settings.doctor_token_audience,
        )
    )
    if not anything:
        return PathCheck(
            "aws",
            "off",
            "not configured: no role to assume (the CLI can still use your own AWS login)",
            facts,
            ["no AWS role, region or log group is configured"],
            "Set AWS_ROLE_ARN, AWS_REGION, AWS_LOG_GROUP_NAME and DOCTOR_TOKEN_AUDIENCE (Cloud "
            "Run) or AWS_WEB_IDENTITY_TOKEN_FILE; or name targets in DOCTOR_TARGETS_FILE.",
        )
    problems, fixes = [], []
    if token_problem is not None:
        problems.append(token_problem)
        fixes.append(
            "set DOCTOR_TOKEN_AUDIENCE (Cloud Run's metadata server) or point "
            "AWS_WEB_IDENTITY_TOKEN_FILE at a readable file holding a Google-signed ID token"
        )
    for target in described:
        where = (
            ""
            if target["name"] == targets.default and len(described) == 1
            else (f" of target {target['name']!r}")
        )
        if not target["role_arn"]:
            problems.append(f"no role ARN{where}")
            fixes.append("set AWS_ROLE_ARN (terraform output doctor_role_arn)")
        if not target["region"]:
            problems.append(f"no region{where}")
            fixes.append("set AWS_REGION to the patient's region")
        if not target["log_groups"]:
            problems.append(f"no log group allowed{where}")
            fixes.append("set AWS_LOG_GROUP_NAME (or DOCTOR_ALLOWED_LOG_GROUPS)")
    if problems:
        fix = "; ".join(dict.fromkeys(fixes))
        return PathCheck(
            "aws", "not_ready", "incomplete", facts, problems, fix[0].upper() + fix[1:]
        )
    names = ", ".join(target["name"] for target in described)
    return PathCheck(
        "aws", "ready", f"target(s) {names}; token from {facts['token_source']}", facts
    )


# --- Gemini


def _gemini(settings: Settings) -> PathCheck:
    backend = settings.gemini_backend
    facts: dict[str, Any] = {
        "engine": settings.doctor_engine,
        "answers": choose_engine(None, settings),
        "backend": backend,
        "model": settings.gemini_model,
        "gcp_project_id": settings.gcp_project_id,
        "gcp_location": settings.gcp_location,
        "gemini_api_key": secret_state(settings.gemini_api_key),
        "base_url": settings.gemini_base_url,
    }
    how = "Set GCP_PROJECT_ID (Vertex AI with the service account) or GEMINI_API_KEY (trial)."
    if settings.doctor_engine == "rules":
        return PathCheck(
            "gemini", "off", "DOCTOR_ENGINE=rules: the offline rules engine answers", facts
        )
    if backend is None:
        if settings.doctor_engine == "gemini":
            return PathCheck(
                "gemini",
                "not_ready",
                "DOCTOR_ENGINE=gemini but no Gemini backend is configured",
                facts,
                ["no GCP_PROJECT_ID and no GEMINI_API_KEY"],
                how + " Until then every answer is the rules engine's.",
            )
        return PathCheck(
            "gemini", "off", "not configured: the offline rules engine answers", facts, [], how
        )
    where = (
        "Gemini Developer API (GEMINI_API_KEY set)"
        if backend == "developer"
        else f"Vertex AI, project {settings.gcp_project_id}, location {settings.gcp_location}"
    )
    return PathCheck("gemini", "ready", f"{settings.gemini_model} on {where}", facts)


# --- Slack


def _slack(settings: Settings) -> PathCheck:
    facts: dict[str, Any] = {
        "bot_token": secret_state(settings.slack_bot_token),
        "signing_secret": secret_state(settings.slack_signing_secret),
        "channel": settings.slack_channel,
        "api_url": settings.slack_api_url,
    }
    if not any((settings.slack_bot_token, settings.slack_signing_secret, settings.slack_channel)):
        return PathCheck(
            "slack",
            "off",
            "not configured: no Slack posts, no slash commands",
            facts,
            [],
            "Set SLACK_BOT_TOKEN, SLACK_CHANNEL and SLACK_SIGNING_SECRET "
            "(see the README's Slack section).",
        )
    missing = {
        "SLACK_BOT_TOKEN": (
            settings.slack_bot_token,
            "the bot's xoxb- token (OAuth & Permissions)",
        ),
        "SLACK_CHANNEL": (settings.slack_channel, "the channel ID (C0123456789) or #name"),
        "SLACK_SIGNING_SECRET": (
            settings.slack_signing_secret,
            "the app's Signing Secret (Basic Information), for /slack/events",
        ),
    }
    unset = {name: what for name, (value, what) in missing.items() if not value}
    if unset:
        return PathCheck(
            "slack",
            "not_ready",
            "incomplete",
            facts,
            [f"{name} is not set" for name in unset],
            "Set " + "; ".join(f"{name} to {what}" for name, what in unset.items()) + ".",
        )
    return PathCheck(
        "slack",
        "ready",
        f"posts to {settings.slack_channel}; slash commands verified by the signing secret",
        facts,
    )


# --- the history store


def shown_url(url: str) -> str:
    """The database URL with any password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable)"


def _store(settings: Settings, *, probe: bool) -> PathCheck:
    if not settings.doctor_history:
        return PathCheck(
            "store", "off", "DOCTOR_HISTORY=false: diagnoses are not kept", {"history": False}
        )
    url = settings.database_url()
    facts: dict[str, Any] = {"history": True, "url": shown_url(url)}
    if not probe:
        return PathCheck("store", "unchecked", f"{facts['url']} (not opened here)", facts)
    from doctor.store.store import Store

    try:
        store = Store(url)  # creates a SQLite file's folder: StoreError when it cannot
    except DoctorError as err:
        return PathCheck("store", "not_ready", "cannot be opened", facts, [err.message], err.hint)
    try:
        store.migrate()
    except DoctorError as err:
        return PathCheck("store", "not_ready", "cannot be opened", facts, [err.message], err.hint)
    finally:
        store.close()
    return PathCheck("store", "ready", f"{facts['url']} (opened, schema current)", facts)


# --- the HTTP API's own locks


def _api(settings: Settings) -> PathCheck:
    facts: dict[str, Any] = {
        "api_token": secret_state(settings.doctor_api_token),
        "alert_token": secret_state(settings.doctor_alert_token),
        "public_url": settings.doctor_public_url,
        "allowed_log_groups": settings.allowed_log_groups,
    }
    if settings.doctor_api_token is None:
        return PathCheck(
            "api",
            "off",
            "DOCTOR_API_TOKEN unset: POST /analyze is closed",
            facts,
            ["DOCTOR_API_TOKEN is not set"],
            "Set DOCTOR_API_TOKEN (generate one with `openssl rand -hex 32`) to open "
            "POST /analyze and GET /diagnoses.",
        )
    return PathCheck("api", "ready", "POST /analyze open to DOCTOR_API_TOKEN", facts)
