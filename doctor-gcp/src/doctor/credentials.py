"""Keyless AWS access: a boto3 session whose credentials come from STS AssumeRoleWithWebIdentity.

The identity token is Google-signed: on Cloud Run it comes from the metadata server
(`fetch_id_token`), elsewhere from the file named by AWS_WEB_IDENTITY_TOKEN_FILE. botocore's own
refreshable credentials call STS on first use and again only when fewer than 15 minutes are left,
so with one-hour sessions there is one STS call per ~45 minutes, never one per request.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import (
    AssumeRoleWithWebIdentityCredentialFetcher,
    CredentialProvider,
    CredentialResolver,
    DeferredRefreshableCredentials,
)
from botocore.exceptions import BotoCoreError, ClientError, CredentialRetrievalError

from doctor.errors import ConfigurationError
from doctor.settings import Settings

log = logging.getLogger(__name__)

TokenLoader = Callable[[], str]

ROLE_SESSION_NAME = "cloud-doctor"
# Two tries of at most ~10 s: an STS that hangs costs a request ~10 s, not 101 s.
# `total_max_attempts` counts tries; botocore reads `max_attempts` as retries.
STS_CONFIG = Config(
    connect_timeout=5, read_timeout=5, retries={"mode": "standard", "total_max_attempts": 2}
)
FAILURE_TTL_SECONDS = 30.0


class SharedRefresh:
    """The credential refresh, one at a time, with a failure remembered briefly.

    botocore already lets one thread refresh while the others wait, but when STS fails each
    waiter then asks STS again: 2-10 STS calls per request (its time slices and baseline each
    try). Here the waiters get the same failure at once, and so does every request in the
    next FAILURE_TTL_SECONDS; then STS is asked again.
    """

    def __init__(
        self,
        fetch: Callable[[], dict[str, Any]],
        *,
        ttl_seconds: float = FAILURE_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._failure: Exception | None = None
        self._failed_at = 0.0
        self.calls = 0  # STS exchanges attempted (tests and logs read it)

    def __call__(self) -> dict[str, Any]:
        with self._lock:
            if self._failure is not None and self._clock() - self._failed_at < self._ttl:
                raise copy.copy(self._failure)  # a copy: its traceback is this caller's
            self.calls += 1
            try:
                credentials = self._fetch()
            except (ClientError, BotoCoreError) as exc:
                self._failure, self._failed_at = exc, self._clock()
                raise
            except Exception as exc:
                # An STS answer botocore parsed into nothing it expected (a proxy's HTML page,
                # a stub): KeyError and the like. In AWS's terms: no credentials came back.
                log.warning("STS answered something unreadable", exc_info=exc)
                failure = CredentialRetrievalError(
                    provider="cloud-doctor-web-identity", error_msg="unreadable STS answer"
                )
                self._failure, self._failed_at = failure, self._clock()
                raise failure from None
            self._failure = None
            return credentials


def file_token_loader(path: Path) -> TokenLoader:
    """Read the token on every refresh: whoever writes the file may rotate it."""

    def load() -> str:
        try:
            token = path.read_text(encoding="utf-8").strip()
        except OSError:
            raise ConfigurationError(
                f"Cannot read the web identity token file {str(path)!r}.",
                hint="Point AWS_WEB_IDENTITY_TOKEN_FILE at a readable file holding the token.",
            ) from None
        if not token:
            raise ConfigurationError(
                f"The web identity token file {str(path)!r} is empty.",
                hint="Write a Google-signed ID token into it, or unset the variable on Cloud Run.",
            )
        return token

    return load


def gcp_token_loader(audience: str) -> TokenLoader:
    """An ID token for `audience` from the GCP metadata server (Cloud Run, GCE, GKE)."""

    def load() -> str:
        import google.auth.exceptions
        import google.auth.transport.requests
        import google.oauth2.id_token

        try:
            token: str = google.oauth2.id_token.fetch_id_token(  # type: ignore[no-untyped-call]
                google.auth.transport.requests.Request(), audience
            )
        except google.auth.exceptions.GoogleAuthError:
            log.warning("fetching a Google ID token failed", exc_info=True)
            raise ConfigurationError(
                "Could not get a Google ID token to exchange for AWS credentials.",
                hint="On Cloud Run the metadata server provides it; elsewhere set "
                "AWS_WEB_IDENTITY_TOKEN_FILE.",
            ) from None
        return token

    return load


def token_loader_for(settings: Settings) -> TokenLoader:
    if settings.aws_web_identity_token_file is not None:
        return file_token_loader(settings.aws_web_identity_token_file)
    if settings.doctor_token_audience:
        return gcp_token_loader(settings.doctor_token_audience)
    raise ConfigurationError(
        "No source for a web identity token.",
        hint="Set DOCTOR_TOKEN_AUDIENCE (Cloud Run) or AWS_WEB_IDENTITY_TOKEN_FILE.",
    )


class WebIdentityProvider(CredentialProvider):
    """The only credential provider of the doctor's session: no env keys, no profiles."""

    METHOD = "cloud-doctor-web-identity"
    CANONICAL_NAME = "custom-cloud-doctor-web-identity"

    def __init__(
        self,
        fetcher: AssumeRoleWithWebIdentityCredentialFetcher,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self._fetcher = fetcher
        self._clock = clock
        self.refresh = SharedRefresh(fetcher.fetch_credentials)

    def load(self) -> DeferredRefreshableCredentials:
        if self._clock is None:
            return DeferredRefreshableCredentials(refresh_using=self.refresh, method=self.METHOD)
        return DeferredRefreshableCredentials(
            refresh_using=self.refresh, method=self.METHOD, time_fetcher=self._clock
        )


def web_identity_session(
    settings: Settings,
    token_loader: TokenLoader | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    role_arn: str | None = None,
    region: str | None = None,
) -> boto3.Session:
    """A boto3 session that assumes `role_arn` (default AWS_ROLE_ARN) in `region` (default
    AWS_REGION) with a web identity token, lazily: nothing is fetched here, the first AWS call
    triggers the first STS call, and the credentials refresh themselves before they expire.
    """
    role_arn = role_arn or settings.aws_role_arn
    region = region or settings.aws_region
    if not role_arn:
        raise ConfigurationError(
            "AWS_ROLE_ARN is not set.",
            hint="Set it to the ARN of the role the doctor assumes (terraform output), or "
            "give the target a role_arn in DOCTOR_TARGETS_FILE.",
        )
    if not region:
        raise ConfigurationError(
            "AWS_REGION is not set.",
            hint="Set it to the patient's region, or give the target a region.",
        )
    loader = token_loader if token_loader is not None else token_loader_for(settings)
    core = botocore.session.Session()
    core.set_config_variable("region", region)

    def create_client(service_name: str, **kwargs: Any) -> Any:
        # The fetcher passes its own Config (unsigned requests); add timeouts and retries.
        config = STS_CONFIG.merge(kwargs.pop("config")) if "config" in kwargs else STS_CONFIG
        return core.create_client(
            service_name,
            region_name=region,
            endpoint_url=settings.aws_endpoint_url,
            config=config,
            **kwargs,
        )

    fetcher = AssumeRoleWithWebIdentityCredentialFetcher(
        client_creator=create_client,
        web_identity_token_loader=loader,
        role_arn=role_arn,
        extra_args={
            "RoleSessionName": ROLE_SESSION_NAME,
            "DurationSeconds": settings.doctor_aws_session_seconds,
        },
    )
    provider = WebIdentityProvider(fetcher, clock)
    core.register_component("credential_provider", CredentialResolver([provider]))
    return boto3.Session(botocore_session=core)
