"""The Slack outbox: messages stored first, sent in order, retried with backoff from the store
when Slack fails, is down or rate-limits; nothing lost, nothing posted twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update

from doctor.alerts.incidents import Incident, Touched, save_incident
from doctor.alerts.outbox import PARENT, REPLY, UPDATE, SlackOutbox, queue_post
from doctor.notify import Message, SlackPoster
from doctor.settings import Settings
from doctor.store import Store
from doctor.store.schema import SlackPostRow, utc
from tests.fakes.slack import (
    BOT_TOKEN,
    FakeSlack,
    Reply,
    fake_slack,
    rate_limited,
    server_error,
    slack_error,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    store.migrate()
    yield store
    store.close()


def poster(slack: FakeSlack) -> SlackPoster:
    settings = Settings(
        slack_bot_token=SecretStr(BOT_TOKEN), slack_channel="#oncall", slack_api_url=slack.api_url
    )
    return SlackPoster(settings)


def outbox(store: Store, slack: FakeSlack, **options: object) -> SlackOutbox:
    return SlackOutbox(store, poster(slack), backoff_seconds=0.05, **options)  # type: ignore[arg-type]


def incident_with_messages(store: Store) -> str:
    incident = Incident(
        "inc1", "default", datetime.now(UTC), {"arn": {"name": "a", "state": "ALARM"}}
    )
    with store.engine.begin() as connection:
        save_incident(connection, Touched(incident, opened=True))
        queue_post(connection, "inc1", PARENT, Message("parent"))
        queue_post(connection, "inc1", REPLY, Message("still alarming"))
        queue_post(connection, "inc1", UPDATE, Message("parent, resolved"))
    return incident.id


def statuses(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(SlackPostRow.kind, SlackPostRow.status).order_by(SlackPostRow.id)
        )
        return [(kind, status) for kind, status in rows]


def next_at(store: Store, kind: str) -> datetime:
    with store.engine.connect() as connection:
        found = connection.execute(
            select(SlackPostRow.next_at).where(SlackPostRow.kind == kind)
        ).scalar_one()
    return utc(found)


def make_due(store: Store) -> None:
    with store.engine.begin() as connection:
        connection.execute(update(SlackPostRow).values(next_at=datetime.now(UTC)))


def deliver_until_done(box: SlackOutbox, store: Store, seconds: float = 10) -> None:
    import time

    deadline = time.monotonic() + seconds
    while any(s == "pending" for _, s in statuses(store)) and time.monotonic() < deadline:
        time.sleep(min(box.deliver(), 0.05))


def test_messages_go_out_in_order_in_the_parents_thread(store: Store, slack: FakeSlack) -> None:
    incident_with_messages(store)
    box = outbox(store, slack)
    box.deliver()
    parent, reply = slack.calls_to("chat.postMessage")
    [edit] = slack.calls_to("chat.update")
    assert "thread_ts" not in parent.json
    assert parent.json["channel"] == "#oncall"
    assert reply.json["thread_ts"] == edit.json["ts"]
    assert edit.json["channel"] == "C0FAKE0001"  # the id Slack answered, not the #name
    assert statuses(store) == [(PARENT, "sent"), (REPLY, "sent"), (UPDATE, "sent")]


def test_slack_failing_then_recovering_posts_each_message_once(
    store: Store, slack: FakeSlack
) -> None:
    incident_with_messages(store)
    # Two failed deliveries (the client retries a 5xx once itself), then Slack is back.
    slack.script("chat.postMessage", *[server_error(503)] * 4)
    box = outbox(store, slack)
    assert box.deliver() <= 0.2  # the backoff wakes the outbox, not the 60 s idle tick
    assert statuses(store)[0] == (PARENT, "pending")
    assert slack.calls_to("chat.update") == []  # nothing after the parent while it fails
    deliver_until_done(box, store)
    assert statuses(store) == [(PARENT, "sent"), (REPLY, "sent"), (UPDATE, "sent")]
    posted = slack.calls_to("chat.postMessage")
    assert len(posted) == 4 + 2  # four refused attempts, then the parent and the reply, once
    assert posted[-1].json["thread_ts"] == slack.calls_to("chat.update")[0].json["ts"]


def test_rate_limits_longer_than_a_caller_can_wait_are_retried_after_retry_after(
    store: Store, slack: FakeSlack
) -> None:
    incident_with_messages(store)
    slack.script("chat.postMessage", rate_limited(retry_after=120))
    box = outbox(store, slack)
    began = datetime.now(UTC)
    box.deliver()  # no sleeping through two minutes: the message is put back
    assert statuses(store)[0] == (PARENT, "pending")
    due = next_at(store, PARENT)
    assert due - began >= timedelta(seconds=119)  # Slack's wait, not the 0.05 s backoff
    assert box.deliver() == 60.0  # nothing due: the idle tick
    assert len(slack.calls_to("chat.postMessage")) == 1  # not asked again before its time
    make_due(store)  # two minutes later
    deliver_until_done(box, store)
    assert [s for _, s in statuses(store)] == ["sent"] * 3


def test_a_refused_parent_is_given_up_at_once_with_its_thread(
    store: Store, slack: FakeSlack
) -> None:
    incident_with_messages(store)
    slack.script("chat.postMessage", slack_error("invalid_blocks"))
    box = outbox(store, slack)
    box.deliver()
    box.deliver()
    assert [s for _, s in statuses(store)] == ["failed"] * 3  # no day of retries
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert slack.calls_to("chat.update") == []


def test_a_refused_reply_is_given_up_and_the_thread_goes_on(store: Store, slack: FakeSlack) -> None:
    incident_with_messages(store)
    parent_ok = Reply(200, {"ok": True, "channel": "C0FAKE0001", "ts": "1700000000.000001"})
    slack.script("chat.postMessage", parent_ok, slack_error("msg_too_long"))
    box = outbox(store, slack)
    deliver_until_done(box, store)
    assert statuses(store) == [(PARENT, "sent"), (REPLY, "failed"), (UPDATE, "sent")]
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_a_refusal_a_setting_can_fix_is_retried(store: Store, slack: FakeSlack) -> None:
    incident_with_messages(store)
    slack.script("chat.postMessage", slack_error("not_in_channel"))  # until someone invites it
    box = outbox(store, slack)
    deliver_until_done(box, store)
    assert [s for _, s in statuses(store)] == ["sent"] * 3
    assert len(slack.calls_to("chat.postMessage")) == 3


def test_slack_down_loses_nothing_and_a_restart_sends_it(store: Store, slack: FakeSlack) -> None:
    incident_with_messages(store)
    url = slack.api_url
    slack.stop()  # connection refused
    settings = Settings(
        slack_bot_token=SecretStr(BOT_TOKEN), slack_channel="#oncall", slack_api_url=url
    )
    down = SlackOutbox(store, SlackPoster(settings), backoff_seconds=0.05)
    down.deliver()
    assert statuses(store) == [(PARENT, "pending"), (REPLY, "pending"), (UPDATE, "pending")]
    with fake_slack() as back:
        restarted = outbox(store, back)  # the next process, Slack reachable again
        restarted.start()
        back.wait_for_calls("chat.update", 1)
        restarted.close()
        assert len(back.calls_to("chat.postMessage")) == 2
    assert [s for _, s in statuses(store)] == ["sent"] * 3


def test_a_message_older_than_the_limit_is_given_up_with_its_thread(
    store: Store, slack: FakeSlack
) -> None:
    incident_with_messages(store)
    slack.script("chat.postMessage", *[server_error(500)] * 2)
    box = outbox(store, slack, give_up_after=timedelta(0))
    box.deliver()
    box.deliver()
    assert [s for _, s in statuses(store)] == ["failed"] * 3  # nothing waits forever
    assert slack.calls_to("chat.update") == []


def test_two_instances_sending_at_once_post_each_message_once(
    store: Store, slack: FakeSlack, tmp_path: Path
) -> None:
    import threading

    incident_with_messages(store)
    other = Store(f"sqlite:///{tmp_path / 'h.sqlite3'}")  # the other instance's own Store
    boxes = [outbox(store, slack), outbox(other, slack)]
    for _ in range(3):  # each pass: both instances read the same pending rows, then send
        start = threading.Barrier(2)

        def run(box: SlackOutbox, start: threading.Barrier = start) -> None:
            start.wait(5)
            box.deliver()

        threads = [threading.Thread(target=run, args=(box,)) for box in boxes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert len(slack.calls_to("chat.postMessage")) == 2  # the parent and the reply, once
    assert len(slack.calls_to("chat.update")) == 1
    assert [s for _, s in statuses(store)] == ["sent"] * 3
    other.close()
