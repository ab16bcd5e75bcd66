"""bench/blind.py and its corpora: every manifest says what its logs hold, and the script
scores a file end to end."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from doctor.taxonomy import Category

ROOT = Path(__file__).resolve().parents[2]
BLIND = ROOT / "bench" / "blind"
CORPORA = sorted(p for p in BLIND.iterdir() if (p / "manifest.json").is_file())


def _stamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda p: p.name)
def test_each_manifest_entry_names_a_file_that_holds_its_root_cause(corpus: Path) -> None:
    entries = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    assert len(entries) >= 10
    logs = {p.name for p in corpus.glob("*.log.gz")}
    assert logs == {entry["file"] + ".gz" for entry in entries}  # no file unaccounted for
    for entry in entries:
        categories = [entry["root_cause_category"], *entry["symptom_categories"]]
        assert all(Category(c) != Category.UNKNOWN for c in categories), entry["file"]
        text = gzip.decompress((corpus / (entry["file"] + ".gz")).read_bytes()).decode()
        assert entry["root_cause_example"] in text.splitlines(), entry["file"]
        assert _stamp(entry["onset"]).tzinfo is not None


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "blind.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_bench_scores_a_file_and_sums_up(tmp_path: Path) -> None:
    corpus = CORPORA[0]
    first = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))[0]
    done = _run(str(corpus), "--file", first["file"])
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith(first["file"])]
    assert len(rows) == 1
    # the row ends with the categories of the doctor's first issues, most important first
    diagnosed = rows[0].rsplit("  ", 1)[-1].split(", ")
    assert diagnosed
    assert all(category in set(Category) for category in diagnosed)
    assert any(line.startswith("all ") and "top-1 " in line for line in done.stdout.splitlines())

    # a corpus it cannot read: a clear reason and exit 2, not a traceback
    (tmp_path / "manifest.json").write_text('[{"file": "gone.log"}]', encoding="utf-8")
    broken = _run(str(tmp_path))
    assert broken.returncode == 2
    assert "manifest.json" in broken.stderr
    assert "Traceback" not in broken.stderr
