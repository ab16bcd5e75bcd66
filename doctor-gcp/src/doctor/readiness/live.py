"""`--live` (the CLI's `cloud-doctor check --live`): real calls over the network, short timeouts.

A path the settings already call ready is put to the test: AWS by assuming each target's role
through STS, Slack by auth.test. Any other path, or one that is not ready, is left as it is.
"""

from __future__ import annotations

from dataclasses import replace

from doctor.errors import DoctorError
from doctor.readiness.verdict import PathCheck
from doctor.settings import Settings

LIVE_TIMEOUT_SECONDS = 5


def probe(check: PathCheck, settings: Settings) -> PathCheck:
    """The path's verdict after a real call, when it has one (AWS, Slack) and is ready."""
    if check.status != "ready":
        return check
    if check.name == "aws":
        return _live_aws(check, settings)
    if check.name == "slack":
        return _live_slack(check, settings)
    return check


def _live_aws(check: PathCheck, settings: Settings) -> PathCheck:
    """AssumeRoleWithWebIdentity for each target, seen through sts:GetCallerIdentity."""
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    from doctor.credentials import web_identity_session

    config = Config(
        connect_timeout=LIVE_TIMEOUT_SECONDS,
        read_timeout=LIVE_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": 1},  # one try: a check, not a job
    )
    problems, identities = [], {}
    for target in check.facts.get("targets", []):
        name, region = target["name"], target["region"]
        try:
            session = web_identity_session(settings, role_arn=target["role_arn"], region=region)
            sts = session.client(
                "sts", region_name=region, config=config, endpoint_url=settings.aws_endpoint_url
            )
            identities[name] = sts.get_caller_identity()["Arn"]
        except DoctorError as err:
            problems.append(f"target {name!r}: {err.message}")
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "error")
            problems.append(f"target {name!r}: STS refused the role ({code})")
        except BotoCoreError as exc:
            problems.append(f"target {name!r}: STS could not be reached ({type(exc).__name__})")
    facts = check.facts | {"live_identities": identities}
    if problems:
        return replace(
            check,
            status="not_ready",
            summary="the live STS exchange failed",
            facts=facts,
            problems=problems,
            fix="Check the role's trust policy (audience, subject) and that the "
            "token is a Google-signed ID token for it.",
        )
    return replace(check, summary=check.summary + " (STS answered)", facts=facts)


def _live_slack(check: PathCheck, settings: Settings) -> PathCheck:
    from doctor.notify.slack import SlackPoster

    try:
        who = SlackPoster(settings, timeout_seconds=LIVE_TIMEOUT_SECONDS).verify_token()
    except DoctorError as err:
        return replace(
            check,
            status="not_ready",
            summary="auth.test failed",
            problems=[err.message],
            fix=err.hint or None,
        )
    facts = check.facts | {"team": who.get("team"), "bot_user": who.get("user")}
    return replace(check, summary=check.summary + " (auth.test answered)", facts=facts)
