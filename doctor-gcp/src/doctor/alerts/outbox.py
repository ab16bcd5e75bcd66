"""The Slack outbox: an incident's messages are stored with the change that caused them and
sent afterwards by one thread, in order per incident.

Slack down, failing or rate-limiting costs nothing: the message stays pending and is retried
with exponential backoff, never sooner than a 429's Retry-After (from the store, so a restart
resumes it), until it is sent or older than `give_up_after`. A refusal of the message itself
(invalid blocks, too long, a message to edit that is gone) is given up at once: the same
payload would fail for a day; a refused parent takes its thread's messages with it.

A message is marked sent right after Slack answers with its ts; replies and the parent's edit
wait for the parent, whose ts is the thread. Shutdown stops between two messages, never inside
one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, insert, select, update

from doctor.alerts.incidents import Incident, get_incident, set_thread
from doctor.errors import DoctorError, NotifyError
from doctor.notify import Message, SlackPoster
from doctor.store import Store
from doctor.store.schema import SlackPostRow, utc

log = logging.getLogger(__name__)

PARENT, REPLY, UPDATE = "parent", "reply", "update"
BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 300.0
GIVE_UP_AFTER = timedelta(hours=24)  # a thread about yesterday's alarm helps nobody
# A message being sent is another instance's for this long; if that instance dies mid-send,
# the message goes out again afterwards (the one case of a possible duplicate).
SEND_LEASE = timedelta(seconds=60)


def queue_post(connection: Connection, incident_id: str, kind: str, message: Message) -> None:
    """Store a message to send, inside the caller's transaction."""
    now = datetime.now(UTC)
    row = {
        "incident_id": incident_id,
        "kind": kind,
        "payload": message.payload(),
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "next_at": now,
    }
    connection.execute(insert(SlackPostRow), [row])


def parent_payload(connection: Connection, incident_id: str) -> dict[str, Any] | None:
    """The parent message as it was queued (its edit keeps everything but the status)."""
    query = select(SlackPostRow.payload).where(
        SlackPostRow.incident_id == incident_id, SlackPostRow.kind == PARENT
    )
    found = connection.execute(query).scalar_one_or_none()
    return None if found is None else dict(found)


@dataclass(frozen=True, slots=True)
class _Post:
    id: int
    incident_id: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    next_at: datetime


class SlackOutbox:
    def __init__(
        self,
        store: Store,
        poster: SlackPoster,
        *,
        on_error: Callable[[Literal["post"]], None] = lambda _: None,
        backoff_seconds: float = BACKOFF_SECONDS,
        max_backoff_seconds: float = MAX_BACKOFF_SECONDS,
        give_up_after: timedelta = GIVE_UP_AFTER,
    ) -> None:
        self._store = store
        self._poster = poster
        self._on_error = on_error
        self._backoff = backoff_seconds
        self._max_backoff = max_backoff_seconds
        self._give_up_after = give_up_after
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._retries: list[float] = []  # this pass's backoffs: the loop wakes for the first

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="slack-outbox", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def close(self, timeout: float = 15.0) -> None:
        """Stop after the message being sent, if any; the rest stays pending."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.deliver()
            except Exception:  # a store outage: try again later, the thread must live on
                log.exception("the Slack outbox could not be read")
                wait = self._max_backoff / 10
            self._wake.wait(wait)
            self._wake.clear()

    def deliver(self) -> float:
        """Send what is due, in order per incident; seconds until the next is due (max 60)."""
        self._store.migrate()
        now = datetime.now(UTC)
        query = select(SlackPostRow).where(SlackPostRow.status == "pending")
        with self._store.engine.connect() as connection:
            rows = connection.execute(query.order_by(SlackPostRow.id)).mappings().all()
        posts = [
            _Post(r["id"], r["incident_id"], r["kind"], r["payload"], r["attempts"],
                  utc(r["created_at"]), utc(r["next_at"]))
            for r in rows
        ]  # fmt: skip
        self._retries = []
        blocked: set[str] = set()  # incidents whose earlier message is not sent yet
        for post in posts:
            if self._stop.is_set():
                break
            if post.incident_id in blocked:
                continue
            if post.next_at > now or not self._send(post):
                blocked.add(post.incident_id)
        upcoming = [(p.next_at - now).total_seconds() for p in posts if p.next_at > now]
        return min([60.0, *upcoming, *self._retries])

    def _send(self, post: _Post) -> bool:
        """Send one message; whether it is done (sent, or given up)."""
        gate = self._gate(post)
        if isinstance(gate, bool):
            return gate
        message = Message(text=str(post.payload.get("text", "")),
                          blocks=list(post.payload.get("blocks") or []))  # fmt: skip
        try:
            channel, ts = self._post(post.kind, message, gate)
        except DoctorError as err:
            self._on_error("post")
            if isinstance(err, NotifyError) and err.permanent:
                log.warning("incident %s: Slack refused the %s for good (%s); not retried",
                            post.incident_id, post.kind, err.message)  # fmt: skip
                return self._finish(post, "failed")
            return self._retry_later(post, err)
        except Exception:  # a bug or the store: retried later like a Slack failure
            log.exception("incident %s: Slack %s failed", post.incident_id, post.kind)
            return self._retry_later(post, None)
        return self._record(post, gate, channel, ts)

    def _gate(self, post: _Post) -> Incident | bool:
        """The incident when the message may go now; else whether it is done with."""
        with self._store.engine.connect() as connection:
            incident = get_incident(connection, post.incident_id)
        if incident is None:
            return self._finish(post, "failed")
        if post.kind != PARENT and (incident.channel is None or incident.thread_ts is None):
            if datetime.now(UTC) - post.created_at >= self._give_up_after:
                return self._finish(post, "failed")  # its parent was given up
            if self._parent_failed(post.incident_id):
                return self._finish(post, "failed")  # no thread will ever hold it
            return False  # the parent is not out yet
        return incident if self._claim(post) else False  # else another instance sends it

    def _parent_failed(self, incident_id: str) -> bool:
        query = select(SlackPostRow.status).where(
            SlackPostRow.incident_id == incident_id, SlackPostRow.kind == PARENT
        )
        with self._store.engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none() == "failed"

    def _record(self, post: _Post, incident: Incident, channel: str, ts: str) -> bool:
        """The ts (and a parent's thread) in one transaction, right after Slack answered."""
        try:
            with self._store.begin() as connection:
                if post.kind == PARENT:
                    set_thread(connection, incident.id, channel, ts)
                _mark(connection, post, "sent", ts)
        except Exception:
            # Sent but not recorded: when the lease ends it is sent again. Say so loudly.
            log.exception("incident %s: Slack %s sent (ts %s) but not recorded",
                          post.incident_id, post.kind, ts)  # fmt: skip
            return False
        return True

    def _claim(self, post: _Post) -> bool:
        """Take the message for SEND_LEASE: the instance whose update moved its next_at from
        the value everyone read sends it, the others see it not due."""
        lease = datetime.now(UTC) + SEND_LEASE
        with self._store.begin() as connection:
            claimed = connection.execute(
                update(SlackPostRow)
                .where(
                    SlackPostRow.id == post.id,
                    SlackPostRow.status == "pending",
                    SlackPostRow.next_at == post.next_at,
                )
                .values(next_at=lease)
            ).rowcount
        return bool(claimed == 1)

    def _post(self, kind: str, message: Message, incident: Incident) -> tuple[str, str]:
        """(channel id, ts) of the message; a parent's ts becomes the incident's thread."""
        if kind == PARENT:
            return self._poster.post_message(message)
        channel, thread = str(incident.channel), str(incident.thread_ts)
        if kind == REPLY:
            return self._poster.post_message(message, channel=channel, thread_ts=thread)
        self._poster.update(message, channel=channel, ts=thread)
        return channel, thread

    def _retry_later(self, post: _Post, err: DoctorError | None) -> bool:
        now = datetime.now(UTC)
        code = err.code if err is not None else "internal_error"
        if now - post.created_at >= self._give_up_after:
            log.warning("incident %s: Slack %s given up after %d attempts (%s)",
                        post.incident_id, post.kind, post.attempts + 1, code)  # fmt: skip
            return self._finish(post, "failed")
        delay = min(self._max_backoff, self._backoff * 2**post.attempts)
        if isinstance(err, NotifyError) and err.retry_after is not None:
            delay = max(delay, err.retry_after)  # sooner would only be refused again
        said = err.message if err is not None else "see the error above"
        log.warning("incident %s: Slack %s failed (%s: %s); retrying in %.0f s",
                    post.incident_id, post.kind, code, said, delay)  # fmt: skip
        with self._store.begin() as connection:
            connection.execute(
                update(SlackPostRow)
                .where(SlackPostRow.id == post.id)
                .values(attempts=post.attempts + 1, next_at=now + timedelta(seconds=delay))
            )
        self._retries.append(delay)
        return False

    def _finish(self, post: _Post, status: str, ts: str | None = None) -> bool:
        with self._store.begin() as connection:
            _mark(connection, post, status, ts)
        return True


def _mark(connection: Connection, post: _Post, status: str, ts: str | None) -> None:
    connection.execute(
        update(SlackPostRow)
        .where(SlackPostRow.id == post.id)
        .values(status=status, ts=ts, attempts=post.attempts + 1)
    )
