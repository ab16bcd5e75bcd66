"""The README's markers: an unmarked command or a malformed marker is an error naming its line."""

from __future__ import annotations

import pytest

from tests.readme.markdown import MarkerError, blocks

FENCE = "```"


def doc(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def test_a_marked_block_carries_its_needs_and_expectations() -> None:
    found = blocks(
        doc(
            "Intro.",
            '<!-- readme-test: run needs=aws,slack expect="Root cause" expect="a \\"b\\"" -->',
            f"{FENCE}bash",
            "uv run cloud-doctor analyze --file app.log",
            FENCE,
        )
    )
    assert len(found) == 1
    block = found[0]
    assert block.line == 3
    assert block.text == "uv run cloud-doctor analyze --file app.log\n"
    assert block.marker is not None
    assert block.marker.action == "run"
    assert block.marker.needs == {"aws", "slack"}
    assert block.marker.expect == ("Root cause", 'a "b"')


def test_blocks_inside_list_items_lose_their_indent() -> None:
    found = blocks(
        doc(
            "1. **Step.**",
            '   <!-- readme-test: skip "needs GCP" -->',
            f"   {FENCE}bash",
            "   gcloud run deploy \\",
            "     --region x",
            f"   {FENCE}",
        )
    )
    assert found[0].text == "gcloud run deploy \\\n  --region x\n"
    assert found[0].marker is not None
    assert found[0].marker.reason == "needs GCP"


def test_data_blocks_need_no_marker_and_can_be_saved() -> None:
    found = blocks(
        doc(
            f"{FENCE}toml",
            "a = 1",
            FENCE,
            "<!-- readme-test: save alarm.json -->",
            f"{FENCE}json",
            "{}",
            FENCE,
        )
    )
    assert [b.lang for b in found] == ["toml", "json"]
    assert found[0].marker is None
    assert found[1].marker is not None
    assert (found[1].marker.action, found[1].marker.reason) == ("save", "alarm.json")


@pytest.mark.parametrize(
    ("marker", "fault"),
    [
        (None, "line 3: a bash block without"),  # the fence's line
        ("<!-- readme-test: skip -->", "line 2: 'skip' takes one argument: its reason"),
        ("<!-- readme-test: run needs=gcp -->", "line 2: unknown needs ['gcp']"),
        ("<!-- readme-test: run expect=x extra -->", "line 2: 'extra' is not needs="),
        ("<!-- readme-test: maybe -->", "line 2: marker must start with one of"),
        ('<!-- readme-test: run expect="open -->', "line 2: marker does not parse"),
        ("<!-- readme-test: save out.sh -->", "line 3: 'save' is for data blocks"),
    ],
)
def test_faults_name_the_line(marker: str | None, fault: str) -> None:
    text = doc("Intro.", "Text." if marker is None else marker, f"{FENCE}bash", "make", FENCE)
    with pytest.raises(MarkerError) as raised:
        blocks(text)
    assert f"README {fault}" in str(raised.value)


def test_tilde_fences_and_longer_closing_fences_count() -> None:
    found = blocks(
        doc(
            '<!-- readme-test: skip "y" -->',
            "~~~bash",
            "make demo",
            "~~~~",
            '<!-- readme-test: skip "x" -->',
            "````zsh",
            "```",
            "make test",
            "`````",
        )
    )
    assert [b.lang for b in found] == ["bash", "zsh"]
    assert found[1].text == "```\nmake test\n"  # a shorter fence inside is text


def test_an_unmarked_tilde_block_is_caught() -> None:
    with pytest.raises(MarkerError, match="README line 1: a bash block without"):
        blocks(doc("~~~bash", "make demo", "~~~"))


def test_an_unclosed_fence_is_an_error() -> None:
    with pytest.raises(MarkerError, match="never closed"):
        blocks(doc(f"{FENCE}toml", "a = 1"))
