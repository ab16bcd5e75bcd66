"""The Drain instances' keys: the HTTP statuses a message states."""

from __future__ import annotations

import random
import re

from doctor.digest.miners import _HAS_CODE, stated_statuses

# The plain form of the pre-check, which the code writes first-character-first for speed.
PLAIN = re.compile(r"(?<!\d)[45]\d\d(?!\d)")


def test_the_fast_pre_check_finds_what_the_plain_form_finds() -> None:
    rnd = random.Random(5)
    for _ in range(50_000):
        text = "".join(rnd.choices("0123456789 4x5:", k=rnd.randint(0, 16)))
        assert (_HAS_CODE.search(text) is None) == (PLAIN.search(text) is None), text


def test_statuses_are_the_stated_ones_only() -> None:
    assert stated_statuses("upstream returned 503 after 4500 ms") == "503"
    assert stated_statuses('GET /a HTTP/1.1" 503 12') == "503"
    assert stated_statuses("status 404") == ""  # not a status that splits a miner
    assert stated_statuses("copied 4040 files, 5003 bytes") == ""
    assert stated_statuses("no digits at all") == ""
