"""`any_of`: one regex that finds whether a text holds any of some words."""

from __future__ import annotations

import random

from doctor.digest.literals import any_of

WORDS = ("err", "error", "fail", "fatal", "key", "keystore", "://", "a.b")


def test_it_finds_exactly_the_texts_that_hold_a_word() -> None:
    regex = any_of(WORDS)
    rnd = random.Random(3)
    alphabet = "aberfiklorstyz:/._ "
    for _ in range(20_000):
        text = "".join(rnd.choices(alphabet, k=rnd.randint(0, 30)))
        assert (regex.search(text) is not None) == any(w in text for w in WORDS), text


def test_special_characters_are_literal_and_no_words_match_nothing() -> None:
    assert any_of(["a.b"]).search("axb") is None
    assert any_of(["a.b"]).search("xa.by") is not None
    assert any_of([]).search("anything") is None
