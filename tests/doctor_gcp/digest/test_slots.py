"""A pattern's wordings (`Pattern.faces`): its events with the same words, numbers and ids
masked, each with its first event, counted as the digest mines them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from doctor.digest import Level, LogEvent, build_digest
from doctor.digest.mine import DigestBuilder
from doctor.digest.slots import MAX_FACES
from doctor.digest.types import Pattern

T0 = datetime(2026, 5, 14, 21, 0, tzinfo=UTC)


def _events(*tasks: tuple[str, float]) -> list[LogEvent]:
    """An OOM kill per (task, minute), each with its own pid and size."""
    return [
        LogEvent(
            n,
            f"Memory cgroup out of memory: Killed process {61000 + n} ({task}) "
            f"total-vm:{15000000 + 7 * n}kB",
            Level.ERROR,
            T0 + timedelta(minutes=minute),
        )
        for n, (task, minute) in enumerate(tasks)
    ]


def _only(events: list[LogEvent], baseline: list[LogEvent] | None = None) -> Pattern:
    digest = build_digest(events, baseline=baseline or [], baseline_minutes=30 if baseline else 0)
    assert len(digest.patterns) == 1, [p.template for p in digest.patterns]
    return digest.patterns[0]


def test_each_wording_counts_its_events_and_keeps_its_first() -> None:
    pattern = _only(_events(("python3", 2), ("python3", 12), ("triton", 43), ("python3", 22)))
    assert [(f.count, f.first_seen) for f in pattern.faces] == [
        (3, T0 + timedelta(minutes=2)),
        (1, T0 + timedelta(minutes=43)),
    ]
    assert "(triton)" in pattern.faces[1].sample
    assert "(triton)" in pattern.faces[1].text
    # numbers differ in every event: they are masked, no wording of their own
    assert "<NUM>" in pattern.faces[0].text


def test_a_wording_seen_late_first_keeps_its_earliest_event() -> None:
    # aggregated sources come out of order: the first event is the earliest, not the first read
    pattern = _only(_events(("python3", 30), ("triton", 9), ("python3", 5), ("triton", 43)))
    assert [f.first_seen for f in pattern.faces] == [
        T0 + timedelta(minutes=5),
        T0 + timedelta(minutes=9),
    ]
    assert pattern.faces[0].sample.startswith("Memory cgroup out of memory: Killed process 61002")


def test_one_wording_or_too_many_give_none() -> None:
    assert _only(_events(("python3", 1), ("python3", 2))).faces == []
    tasks = [(f"task{chr(97 + n)}", float(n)) for n in range(MAX_FACES + 1)]
    assert _only(_events(*tasks)).faces == []
    assert len(_only(_events(*tasks[:MAX_FACES])).faces) == MAX_FACES


def test_the_baseline_windows_wordings_come_first_as_old_ones() -> None:
    before = _events(("triton", -20), ("triton", -10))
    pattern = _only(_events(("python3", 1), ("python3", 2), ("triton", 3)), baseline=before)
    assert pattern.baseline == 2
    assert [(f.count, f.first_seen) for f in pattern.faces] == [
        (3, T0 - timedelta(minutes=20)),  # triton's, seen before the window
        (2, T0 + timedelta(minutes=1)),
    ]


def test_a_wording_that_differs_in_a_digit_the_masks_keep_is_its_own() -> None:
    # "python3" and "python2" have one shape key (digits as "0"), not one wording
    many = [("python3", float(minute)) for minute in range(20)]
    pattern = _only(_events(*many, ("python2", 42.5)))
    assert [(f.count, "(python2)" in f.text) for f in pattern.faces] == [(20, False), (1, True)]


def test_a_wordings_sample_is_cut_like_the_patterns() -> None:
    long = _events(("python3", 1), ("triton", 2))
    long[1].message += "\n\tat c.e.Worker.run(Worker.java:88)" * 300  # a stack below it
    pattern = _only(long)
    assert len(pattern.faces[1].sample) <= len(pattern.samples[1]) < 2_100


def test_informational_wordings_with_a_digit_the_masks_keep_are_not_kept() -> None:
    # below warnings the shape key is kept for speed: it cannot tell python3 from python2
    events = _events(("python3", 1), ("python2", 2), ("triton", 3), ("triton", 4))
    for event in events:
        event.level = Level.INFO
    assert _only(events).faces == []  # one wording left (triton's): none to compare
    events.append(LogEvent(9, events[2].message.replace("triton", "ray"), Level.INFO, T0))
    assert ["(triton)" in f.text for f in _only(events).faces] == [False, True]


def test_wording_codes_stay_a_few_per_pattern_however_many_texts_are_new() -> None:
    # every event names a new task: the pattern soon has too many wordings to keep, and its
    # texts then share one code (each had its own, 12 bytes an event on a low-repetition log)
    builder = DigestBuilder()
    for event in _events(
        *[(f"task-{chr(97 + n % 26)}{chr(97 + n // 26 % 26)}", n) for n in range(600)]
    ):
        builder.add(event)
    digest = builder.finish()
    assert [p.count for p in digest.patterns] == [600]
    assert len(builder._face_slot) <= 2 * (MAX_FACES + 1)
