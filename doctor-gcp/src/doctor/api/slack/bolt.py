"""`/doctor` on Slack: a slack-bolt AsyncApp that verifies each request's signature, acks
within Slack's 3 s, and hands the analysis to `analyses.Analyses`, which runs it after the ack.

Choices, checked against slack-bolt 1.30's source:
- `process_before_response=True`: our ack function runs inline and the HTTP answer goes out as
  soon as it returns (no 10 ms polling for ack()). The analysis is not a Bolt lazy listener but
  a task we track, so shutdown can wait for it and nothing is garbage-collected mid-flight
  (Bolt's own tasks are fire-and-forget `asyncio.ensure_future`).
- `authorize=` instead of `token=`: with a token, AsyncApp runs auth.test inside the *first*
  request (AsyncSingleTeamAuthorization); a slow or unreachable Slack API then delays that ack
  or turns it into a 500. Our authorize answers from memory; the token is checked once at
  start-up in the background instead, and a bad token is logged, never fatal: replies go to
  response_url, which needs no token.
- A logger at WARNING: Bolt logs a rejected request's body (with its response_url) at INFO.
- The analysis and the post to response_url run on their own bounded thread pool, the quick
  reads before an ack on another (see `analyses`): when it is full, the command is answered at
  once "busy, try again in a minute" and nothing is queued.
- A response_url outside `ResponseUrlPolicy` (https://hooks.slack.com, or SLACK_API_URL's
  origin) is refused in the ack, before anything is queued, and never logged.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from doctor.api.slack.analyses import ANALYSIS_WORKERS, SHUTDOWN_GRACE_SECONDS, Analyses
from doctor.api.slack.commands import COMMAND, Analyze, Help, History, UsageError, parse, usage
from doctor.api.slack.replies import (
    RESTARTING,
    analyzing,
    busy,
    crashed,
    failure,
    foreign_response_url,
)
from doctor.errors import DoctorError
from doctor.models import AnalysisResponse, AnalyzeRequest, Query
from doctor.notify import Message, history_message, report_message, summary_line
from doctor.notify.slack import TIMEOUT_SECONDS
from doctor.notify.slack_errors import RedactSlackSecrets, sdk_logger
from doctor.notify.slack_urls import ResponseUrlPolicy, api_base_url
from doctor.orchestrator import Doctor
from doctor.settings import Settings

log = logging.getLogger(__name__)
BOLT_LOGGER = f"{__name__}.sdk"  # slack-bolt's own logger


class SlackCommands:
    """The Bolt app and the analyses it started. Built once per process (app lifespan)."""

    def __init__(
        self,
        settings: Settings,
        doctor: Doctor,
        *,
        workers: int = ANALYSIS_WORKERS,
        max_pending: int | None = None,
        analyze: Callable[[Query], AnalysisResponse] | None = None,
    ) -> None:
        if settings.slack_signing_secret is None or settings.slack_bot_token is None:
            raise ValueError("SlackCommands needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN")
        self._doctor = doctor
        # The server's worker processes (DOCTOR_ANALYSIS_PROCESSES) or this Doctor in a thread.
        self._diagnose = analyze or doctor.analyze
        self._response_urls = ResponseUrlPolicy(settings)
        self._token = settings.slack_bot_token.get_secret_value()
        self._identity: dict[str, Any] = {}

        # A plain function: Bolt injects authorize's arguments by name and, unlike for
        # listeners, does not skip a bound method's `self`.
        async def authorize(
            enterprise_id: str | None, team_id: str | None, user_id: str | None
        ) -> AuthorizeResult:
            return AuthorizeResult(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                bot_token=self._token,
                bot_id=self._identity.get("bot_id"),
                bot_user_id=self._identity.get("user_id"),
            )

        # Bolt's own chatter (every request at DEBUG/INFO) on a child logger held at WARNING;
        # this module's INFO lines (the token check, each analysis) stay visible. Both redact.
        bolt_logger = logging.getLogger(BOLT_LOGGER)
        bolt_logger.setLevel(logging.WARNING)
        for logger in (bolt_logger, log):
            if not any(isinstance(f, RedactSlackSecrets) for f in logger.filters):
                logger.addFilter(RedactSlackSecrets())
        self.bolt = AsyncApp(
            name="cloud-doctor",
            logger=bolt_logger,
            signing_secret=settings.slack_signing_secret.get_secret_value(),
            # Bolt builds each request's client from this one: any Web API call it makes goes
            # to SLACK_API_URL (a fake in tests), with a timeout.
            client=AsyncWebClient(
                base_url=api_base_url(settings), timeout=TIMEOUT_SECONDS, logger=sdk_logger()
            ),
            authorize=authorize,
            process_before_response=True,
        )
        self.bolt.command(COMMAND)(self._on_doctor)
        self._analyses = Analyses(workers=workers, max_pending=max_pending)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        doctor: Doctor,
        *,
        analyze: Callable[[Query], AnalysisResponse] | None = None,
    ) -> SlackCommands | None:
        """None when Slack is not configured: /slack/events then answers 503."""
        if settings.slack_signing_secret is None or settings.slack_bot_token is None:
            return None
        return cls(settings, doctor, analyze=analyze)

    # --- lifecycle

    def start(self) -> None:
        """Check the bot token in the background (auth.test), so start-up never waits on
        Slack and the outcome is in the logs."""
        self._analyses.track(asyncio.get_running_loop().create_task(self._verify_token()))

    async def _verify_token(self) -> None:
        try:
            self._identity = await self._analyses.quickly(self._doctor.verify_slack_token)
        except DoctorError as err:
            log.error(
                "Slack token check failed (%s): %s. /doctor still answers; posting to "
                "SLACK_CHANNEL will fail until the token is fixed.",
                err.code,
                err,
            )
            return
        log.info(
            "Slack token verified: team %s, bot user %s",
            self._identity.get("team_id"),
            self._identity.get("user_id"),
        )

    async def aclose(self, grace_seconds: float = SHUTDOWN_GRACE_SECONDS) -> None:
        """Give running analyses a bounded grace period, then stop; whoever is still waiting
        is told on their response_url to run the command again (never left at
        "Analyzing…")."""
        tell = functools.partial(self._reply, message=RESTARTING, ephemeral=True)
        await self._analyses.aclose(grace_seconds, tell)

    async def wait_idle(self, timeout: float) -> bool:
        """True once no analysis is running (for tests and benchmarks)."""
        return await self._analyses.wait_idle(timeout)

    # --- Bolt listeners

    async def _on_doctor(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        """Runs inside the request: instant work only, then ack. Never raises."""
        try:
            parsed = parse(str(command.get("text") or ""), self._doctor.targets.names())
        except UsageError as err:
            await _ack(ack, usage(str(err)))
            return
        if isinstance(parsed, Help):
            await _ack(ack, usage())
            return
        if isinstance(parsed, History):
            await _ack(ack, await self._history(parsed.target))
            return
        await self._analyze(ack, parsed, command)

    async def _analyze(self, ack: AsyncAck, parsed: Analyze, command: dict[str, Any]) -> None:
        """`/doctor analyze`: refused in the ack (response_url, policy, busy), or acked and
        queued."""
        response_url = str(command.get("response_url") or "")
        if not self._response_urls.allows(response_url):
            log.warning(
                "/doctor analyze refused: its response_url is not Slack's (team %s, user %s)",
                command.get("team_id"),
                command.get("user_id"),
            )
            await _ack(ack, foreign_response_url())
            return
        try:
            # Policy first (no I/O): a refused group is answered now, not after the ack.
            query = AnalyzeRequest(
                target=parsed.target, log_group=parsed.log_group, time_range_minutes=parsed.minutes
            ).query()
            plan = self._doctor.plan(query)
        except DoctorError as err:
            await _ack(ack, failure(err))
            return
        except ValidationError:
            await _ack(ack, usage("The log group or window is not valid."))
            return
        if not self._analyses.reserve():  # before any await: concurrent commands see it
            log.warning(
                "/doctor analyze refused: %d analyses running or queued (limit %d)",
                self._analyses.pending,
                self._analyses.max_pending,
            )
            await _ack(ack, busy())
            return
        started = False
        try:
            await _ack(ack, analyzing(parsed.minutes, plan.target.name, plan.groups))
            user = command.get("user_id")
            self._analyses.start(response_url, self._analyze_and_reply, query, response_url, user)
            started = True
        finally:
            if not started:
                self._analyses.release()

    @property
    def pending(self) -> int:
        """Analyses running or queued (for tests and metrics)."""
        return self._analyses.pending

    async def _history(self, target: str | None) -> Message:
        """The latest diagnoses: a quick indexed read, done in a worker before the ack."""
        try:
            page = await self._analyses.quickly(
                functools.partial(self._doctor.history, target=target, limit=10)
            )
        except DoctorError as err:
            return failure(err)
        return history_message(page.items, target)

    # --- after the ack (worker threads)

    def _analyze_and_reply(self, query: Query, response_url: str, user: str | None) -> None:
        try:
            response = self._diagnose(query)
        except DoctorError as err:
            log.warning("/doctor analysis failed: %s (%s)", err.code, err.message)
            self._reply(response_url, failure(err), ephemeral=True)
            return
        except Exception:
            log.exception("/doctor analysis crashed")
            self._reply(response_url, crashed(), ephemeral=True)
            return
        log.info("/doctor %s", summary_line(response))
        message = report_message(
            response,
            requested_by=str(user) if user else None,
            link=self._doctor.report_link(response.id),
        )
        if not self._reply(response_url, message, ephemeral=False):
            # Slack cannot show it: keep the whole analysis in the logs instead.
            log.warning("undelivered /doctor analysis: %s", response.model_dump_json())

    def _reply(self, response_url: str, message: Message, *, ephemeral: bool) -> bool:
        if self._analyses.abandoned(response_url) and message is not RESTARTING:
            return False  # the user was told to run it again: no late second answer
        try:
            self._doctor.reply(
                response_url, message, response_type="ephemeral" if ephemeral else "in_channel"
            )
        except DoctorError as err:
            log.warning("could not reply on Slack: %s (%s)", err.code, err.message)
            return False
        return True


async def _ack(ack: AsyncAck, message: Message) -> None:
    await ack(text=message.text, blocks=message.blocks, response_type="ephemeral")
