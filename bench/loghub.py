"""Grouping accuracy of the doctor's digest on Loghub-2k, against drain3. A script, not a test.

    uv run python bench/loghub.py [--datasets HDFS,BGL] [--data DIR] [--json PATH] [--repeat 3]

Labelled Loghub-2k datasets (2,000 lines each; see the data's README). The script knows all
sixteen (`TUNED`) and runs, by default, every one of them that the data folder holds: the train
folder has eight (HDFS, Spark, BGL, Windows, Linux, HealthApp, OpenStack, Proxifier), a held-out
folder laid out the same way may have the other eight (Hadoop, Zookeeper, HPC, Thunderbird,
Android, Apache, OpenSSH, Mac). Three parsers, each on two inputs:
- `digest`: the doctor, through its public contract `cloud-doctor patterns --file PATH --json
  --per-line` (in-process, typer's CliRunner), which prints one pattern id per input LINE. When
  the list it prints is not one id per line, GA is not computed and the table says so.
- `drain3 default`: drain3 `TemplateMiner` with a default `TemplateMinerConfig()` (no masking,
  sim_th 0.4, depth 4), fed each line, grouped by cluster id.
- `drain3 tuned`: drain3 with Drain's per-dataset settings from the LogPAI benchmark (`TUNED`
  below): its regexes replaced by `<*>` before Drain, its `st` and `depth`.
Inputs: `Content` (the message column of the structured csv, one line per row) and `raw` (the
`.log` file's lines, headers included). On raw lines the digest learns the headers itself;
drain3 default and tuned get the whole line as is (tuned: its regexes and st/depth, but no
header split with its `log_format`, which would be per-dataset knowledge of the header).

GA (the field's grouping accuracy, as the data's README defines it): a line is correct when the
set of lines the parser grouped with it equals the set of lines that share its `EventId`;
GA = correct lines / all lines. It also prints the seconds each parser took per dataset, and the
redactions the digest made (placeholder kind -> count), flagging the kinds that mean a password,
token, key or secret: these datasets hold none, so every such redaction is a false positive.

The data is found at `--data`, else `$LOGHUB_DIR`, else `<repo>/../shared/loghub-train`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from drain3 import TemplateMiner  # type: ignore[import-untyped]
from drain3.masking import MaskingInstruction  # type: ignore[import-untyped]
from drain3.template_miner_config import TemplateMinerConfig  # type: ignore[import-untyped]
from typer.testing import CliRunner

from doctor.cli.app import app

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "loghub-train"
INPUTS = ("content", "raw")
INPUT_TITLES = {
    "content": "input: Content (the message column of the structured csv, one line per row)",
    "raw": "input: raw lines, headers included (drain3 tuned = its regexes + st/depth on the "
    "whole line, no header split)",
}
PARSERS = ("digest", "drain3 default", "drain3 tuned")
# Redaction kinds that name a credential. These datasets hold none: any count is a false positive.
SECRET_WORDS = ("PASSWORD", "PASSWD", "TOKEN", "SECRET", "KEY", "JWT", "CREDENTIAL")
# Personal data (DOCTOR_REDACT_PII): client addresses and e-mails are expected in these logs,
# so they are counted apart from the secrets; phone, card and IBAN counts would be false
# positives too (the datasets hold none), but of the personal-data rules.
PII_KINDS = ("IP", "EMAIL", "PHONE", "CARD_NUMBER", "IBAN")


@dataclass(frozen=True)
class Tuned:
    log_format: str  # how the benchmark splits a raw line; its <Content> is the csv's Content
    regex: tuple[str, ...]  # each match becomes `<*>`, in order, before Drain sees the message
    st: float  # similarity threshold
    depth: int  # depth of all leaf nodes


# Drain's `benchmark_settings`, quoted from logpai/logparser, logparser/Drain/benchmark.py at
# commit c82e5481b5a30c56d1bb6a6c332343645178c688 (all sixteen Loghub-2k datasets; Apache-2.0).
# Applied the way that benchmark does (Drain.py, same commit): `preprocess` runs `re.sub(rx,
# "<*>", line)` for each regex in order, which is what drain3's masking does with
# `MaskingInstruction(rx, "*")` and its default mask prefix "<" and suffix ">"; then Drain with
# `st` and `depth`. The depths need no shift: logparser's Drain keeps `self.depth = depth - 2`
# and drain3 `max_node_depth = depth - 2`, and both walk the prefix tree from depth 1 until that
# bound, so the same number gives the same tree: root, token count, depth - 3 token layers, leaf
# clusters. Only messages of fewer than depth - 2 tokens fare differently: drain3 stops before
# their last token and matches them; logparser's Drain walks every token and never attaches
# their cluster to a leaf, so each starts a cluster of its own, which its benchmark merges back
# when it scores by template text (EventId = md5 of the template). Other knobs match: max
# children 100, numeric tokens take the wildcard branch, wildcards do not count as similar.
# With this mapping the Content figures reproduce Drain's published GA on the eight train sets.
# `log_format` is quoted for reference: on the train sets the csv's Content is what it yields
# (15,999 of 16,000 lines identical; one HealthApp line was corrected in the labels).
TUNED: dict[str, Tuned] = {
    "HDFS": Tuned(
        "<Date> <Time> <Pid> <Level> <Component>: <Content>",
        (r"blk_-?\d+", r"(\d+\.){3}\d+(:\d+)?"),
        0.5,
        4,
    ),
    "Spark": Tuned(
        "<Date> <Time> <Level> <Component>: <Content>",
        (r"(\d+\.){3}\d+", r"\b[KGTM]?B\b", r"([\w-]+\.){2,}[\w-]+"),
        0.5,
        4,
    ),
    "BGL": Tuned(
        "<Label> <Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type> <Component> <Level> "
        "<Content>",
        (r"core\.\d+",),
        0.5,
        4,
    ),
    "Windows": Tuned(
        "<Date> <Time>, <Level>                  <Component>    <Content>",
        (r"0x.*?\s",),
        0.7,
        5,
    ),
    "Linux": Tuned(
        r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>",
        (r"(\d+\.){3}\d+", r"\d{2}:\d{2}:\d{2}"),
        0.39,
        6,
    ),
    "HealthApp": Tuned(r"<Time>\|<Component>\|<Pid>\|<Content>", (), 0.2, 4),
    "OpenStack": Tuned(
        r"<Logrecord> <Date> <Time> <Pid> <Level> <Component> \[<ADDR>\] <Content>",
        (r"((\d+\.){3}\d+,?)+", r"/.+?\s", r"\d+"),
        0.5,
        5,
    ),
    "Proxifier": Tuned(
        r"\[<Time>\] <Program> - <Content>",
        (r"<\d+\ssec", r"([\w-]+\.)+[\w-]+(:\d+)?", r"\d{2}:\d{2}(:\d{2})*", r"[KGTM]B"),
        0.6,
        3,
    ),
    # The other eight (held out: not in the train folder).
    "Hadoop": Tuned(
        r"<Date> <Time> <Level> \[<Process>\] <Component>: <Content>",
        (r"(\d+\.){3}\d+",),
        0.5,
        4,
    ),
    "Zookeeper": Tuned(
        r"<Date> <Time> - <Level>  \[<Node>:<Component>@<Id>\] - <Content>",
        (r"(/|)(\d+\.){3}\d+(:\d+)?",),
        0.5,
        4,
    ),
    "HPC": Tuned(
        "<LogId> <Node> <Component> <State> <Time> <Flag> <Content>",
        (r"=\d+",),
        0.5,
        4,
    ),
    "Thunderbird": Tuned(
        r"<Label> <Timestamp> <Date> <User> <Month> <Day> <Time> <Location> "
        r"<Component>(\[<PID>\])?: <Content>",
        (r"(\d+\.){3}\d+",),
        0.5,
        4,
    ),
    "Android": Tuned(
        "<Date> <Time>  <Pid>  <Tid> <Level> <Component>: <Content>",
        (
            r"(/[\w-]+)+",
            r"([\w-]+\.){2,}[\w-]+",
            r"\b(\-?\+?\d+)\b|\b0[Xx][a-fA-F\d]+\b|\b[a-fA-F\d]{4,}\b",
        ),
        0.2,
        6,
    ),
    "Apache": Tuned(
        r"\[<Time>\] \[<Level>\] <Content>",
        (r"(\d+\.){3}\d+",),
        0.5,
        4,
    ),
    "OpenSSH": Tuned(
        r"<Date> <Day> <Time> <Component> sshd\[<Pid>\]: <Content>",
        (r"(\d+\.){3}\d+", r"([\w-]+\.){2,}[\w-]+"),
        0.6,
        5,
    ),
    "Mac": Tuned(
        r"<Month>  <Date> <Time> <User> <Component>\[<PID>\]( \(<Address>\))?: <Content>",
        (r"([\w-]+\.){2,}[\w-]+",),
        0.7,
        6,
    ),
}
TUNED_SOURCE = (
    "logpai/logparser logparser/Drain/benchmark.py @ c82e5481b5a30c56d1bb6a6c332343645178c688"
)
DATASETS = tuple(TUNED)  # all sixteen, in the order above: the eight train sets first


# ---- grouping accuracy -------------------------------------------------------------------------


def grouping_accuracy(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> float:
    """GA: the share of lines whose predicted group is exactly their true group, as a set.

    Each group's canonical key is the tuple of its line numbers (ascending, since lines are
    visited in order). A predicted group is either entirely right (its key is the key of its
    first line's true group: then every one of its lines has that same true group) or entirely
    wrong, so one comparison per predicted group does: O(lines) in all.
    """
    if len(predicted) != len(truth):
        raise ValueError(f"{len(predicted)} predicted ids for {len(truth)} lines")
    if not truth:
        raise ValueError("no lines")
    predicted_groups: dict[Hashable, list[int]] = defaultdict(list)
    true_groups: dict[Hashable, list[int]] = defaultdict(list)
    for line, (guess, label) in enumerate(zip(predicted, truth, strict=True)):
        predicted_groups[guess].append(line)
        true_groups[label].append(line)
    correct = sum(
        len(members)
        for members in predicted_groups.values()
        if true_groups[truth[members[0]]] == members
    )
    return correct / len(truth)


def check_grouping_accuracy() -> None:
    """A six-line self-check of `grouping_accuracy`, run before every measurement."""
    truth = ["E1", "E1", "E2", "E2", "E3", "E3"]
    cases: list[tuple[list[Hashable], float]] = [
        ([7, 7, 8, 8, 9, 9], 1.0),  # ids are names only: any relabelling is perfect
        (["a", "a", "b", "c", "d", "d"], 4 / 6),  # E2 split in two: both its lines wrong
        (["a", "a", "a", "a", "d", "d"], 2 / 6),  # E1 and E2 merged: four lines wrong
        (["a", "b", "c", "d", "e", "f"], 0.0),  # every line alone: every group too small
        (["a", "a", "b", "c", "c", "b"], 2 / 6),  # E2 and E3 crossed: only E1 is right
    ]
    for predicted, expected in cases:
        got = grouping_accuracy(predicted, truth)
        if abs(got - expected) > 1e-12:
            raise SystemExit(f"GA self-check failed: {predicted} gave {got}, not {expected}")
    try:
        grouping_accuracy(["a"] * 5, truth)
    except ValueError:
        return
    raise SystemExit("GA self-check failed: a length mismatch was not refused")


# ---- data ---------------------------------------------------------------------------------------


@dataclass
class Dataset:
    name: str
    raw_path: Path
    raw: list[str]  # the .log file's lines
    content: list[str]  # the csv's Content column, row by row
    truth: list[str]  # the csv's EventId column, row by row


def find_data(option: str | None) -> Path:
    where = option or os.environ.get("LOGHUB_DIR") or str(DEFAULT_DATA)
    path = Path(where).expanduser()
    if not path.is_dir():
        source = "--data" if option else "LOGHUB_DIR" if os.environ.get("LOGHUB_DIR") else "default"
        raise SystemExit(
            f"loghub bench: no Loghub-2k data at {path} ({source}); "
            "pass --data DIR or set LOGHUB_DIR to the folder holding HDFS/, BGL/, ..."
        )
    return path


def present(data: Path) -> list[str]:
    """The known datasets that `data` holds (a `<DS>/` folder), in `TUNED` order."""
    return [name for name in DATASETS if (data / name).is_dir()]


def load(data: Path, name: str) -> Dataset:
    raw_path = data / name / f"{name}_2k.log"
    csv_path = data / name / f"{name}_2k.log_structured.csv"
    corrected = data / name / f"{name}_2k.log_structured_corrected.csv"
    if not csv_path.is_file() and corrected.is_file():
        csv_path = corrected  # how logparser's data/loghub_2k_corrected names its labels
    for path in (raw_path, csv_path):
        if not path.is_file():
            raise SystemExit(f"loghub bench: {path} is missing (is {data} the Loghub-2k folder?)")
    # Split on "\n" only: str.splitlines would also split on \x1c, \x0b... inside a line.
    text = raw_path.read_text(encoding="utf-8", errors="replace")
    raw = [line.removesuffix("\r") for line in text.removesuffix("\n").split("\n")]
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if len(rows) != len(raw):
        raise SystemExit(f"loghub bench: {name}: {len(raw)} raw lines but {len(rows)} csv rows")
    return Dataset(
        name,
        raw_path,
        raw,
        [row["Content"] for row in rows],
        [row["EventId"] for row in rows],
    )


# ---- parsers ------------------------------------------------------------------------------------


@dataclass
class Run:
    dataset: str
    input: str  # "content" | "raw"
    parser: str  # one of PARSERS
    lines: int
    ids: int  # how many ids the parser gave (one per line, when it keeps its contract)
    groups: int  # distinct ids
    true_groups: int  # distinct EventIds
    seconds: float  # the fastest of --repeat runs
    ga: float | None  # None when the ids do not line up with the lines
    note: str = ""  # why GA is n/a


@dataclass
class DigestOutput:
    ids: list[str] | None
    seconds: float
    note: str
    redactions: dict[str, int] = field(default_factory=dict)
    events: int | None = None
    examples: dict[str, str] = field(default_factory=dict)  # kind -> a template that holds it


_RUNNER = CliRunner()


def _cli(args: list[str]) -> tuple[Any, str]:
    """Run `cloud-doctor ARGS` in-process; (parsed JSON stdout, "") or (None, why it failed)."""
    result = _RUNNER.invoke(app, args)
    if result.exit_code != 0:
        lines = (result.stderr or "").strip().splitlines()
        why = lines[-1] if lines else type(result.exception).__name__
        return None, f"patterns failed (exit {result.exit_code}): {why[:80]}"
    try:
        return json.loads(result.stdout), ""
    except json.JSONDecodeError:
        return None, "patterns printed no JSON"


def run_digest(path: Path, repeat: int) -> DigestOutput:
    """The per-line ids (the contract), timed; then the redactions from `patterns --json`."""
    args = ["patterns", "--file", str(path), "--json"]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        ids, note = _cli([*args, "--per-line"])
        times.append(time.perf_counter() - started)
    if not isinstance(ids, list):
        return DigestOutput(None, min(times), note or "patterns --per-line printed no list")
    out = DigestOutput([str(i) for i in ids], min(times), "")
    summary, _ = _cli(args)
    if isinstance(summary, dict):
        out.redactions = {str(k): int(v) for k, v in (summary.get("redactions") or {}).items()}
        out.events = summary.get("events_total")
        for pattern in summary.get("patterns") or []:
            for kind in out.redactions:
                if f"<{kind}>" in str(pattern.get("template", "")):
                    out.examples.setdefault(kind, str(pattern["template"]))
    return out


def drain3_config(tuned: Tuned | None) -> Any:
    config = TemplateMinerConfig()  # drain3 0.9.11 defaults: sim_th 0.4, depth 4, no masking
    if tuned is not None:
        config.drain_sim_th = tuned.st
        config.drain_depth = tuned.depth
        config.masking_instructions = [MaskingInstruction(rx, "*") for rx in tuned.regex]
    return config


def run_drain3(lines: list[str], tuned: Tuned | None, repeat: int) -> tuple[list[int], float]:
    times = []
    ids: list[int] = []
    for _ in range(repeat):
        miner = TemplateMiner(config=drain3_config(tuned))
        started = time.perf_counter()
        ids = [miner.add_log_message(line)["cluster_id"] for line in lines]
        times.append(time.perf_counter() - started)
    return ids, min(times)


def score(
    dataset: Dataset, input_name: str, parser: str, ids: Sequence[Hashable] | None, seconds: float
) -> Run:
    lines = len(dataset.truth)
    true_groups = len(set(dataset.truth))
    if ids is None:
        return Run(dataset.name, input_name, parser, lines, 0, 0, true_groups, seconds, None)
    ga = grouping_accuracy(ids, dataset.truth) if len(ids) == lines else None
    note = "" if ga is not None else f"ids {len(ids)} for {lines} lines"
    return Run(
        dataset.name, input_name, parser, lines, len(ids), len(set(ids)), true_groups, seconds,
        ga, note,
    )  # fmt: skip


def measure(dataset: Dataset, repeat: int, scratch: Path) -> tuple[list[Run], dict[str, Any]]:
    runs: list[Run] = []
    redactions: dict[str, Any] = {}
    content_path = scratch / f"{dataset.name}_content.log"
    content_path.write_text("\n".join(dataset.content) + "\n", encoding="utf-8")
    for input_name, path, lines in (
        ("content", content_path, dataset.content),
        ("raw", dataset.raw_path, dataset.raw),
    ):
        digest = run_digest(path, repeat)
        run = score(dataset, input_name, "digest", digest.ids, digest.seconds)
        run.note = digest.note or run.note
        runs.append(run)
        redactions[input_name] = {
            "counts": digest.redactions,
            "events": digest.events,
            "examples": digest.examples,
        }
        for parser, tuned in (("drain3 default", None), ("drain3 tuned", TUNED[dataset.name])):
            ids, seconds = run_drain3(lines, tuned, repeat)
            runs.append(score(dataset, input_name, parser, ids, seconds))
    return runs, redactions


# ---- report -------------------------------------------------------------------------------------


def is_secret_kind(kind: str) -> bool:
    return any(word in kind.upper() for word in SECRET_WORDS)


def ga_cell(run: Run) -> str:
    if run.ga is not None:
        return f"{run.ga:.3f}"
    return f"GA n/a ({run.note})" if run.note else "GA n/a"


def table(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]


def means(runs: list[Run]) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for input_name in INPUTS:
        out[input_name] = {}
        for parser in PARSERS:
            chosen = [r for r in runs if r.input == input_name and r.parser == parser]
            scored = [r.ga for r in chosen if r.ga is not None]
            out[input_name][parser] = {
                "ga": statistics.fmean(scored) if scored else None,
                "datasets": len(scored),
                "of": len(chosen),
                "seconds": sum(r.seconds for r in chosen),
            }
    return out


def find_run(runs: list[Run], name: str, input_name: str, parser: str) -> Run:
    return next(
        r for r in runs if r.dataset == name and r.input == input_name and r.parser == parser
    )


def print_ga(runs: list[Run], names: list[str], input_name: str) -> None:
    """One input's table: per dataset, each parser's GA, groups and seconds; then the means."""
    print(INPUT_TITLES[input_name])
    header = ["dataset", "lines", "templates"]
    for parser in PARSERS:
        header += [f"{parser} GA", "groups", "s"]
    rows = [header]
    for name in names:
        first = find_run(runs, name, input_name, PARSERS[0])
        row = [name, f"{first.lines:,}", str(first.true_groups)]
        for parser in PARSERS:
            run = find_run(runs, name, input_name, parser)
            row += [ga_cell(run), str(run.groups), f"{run.seconds:.2f}"]
        rows.append(row)
    lines = sum(find_run(runs, name, input_name, PARSERS[0]).lines for name in names)
    footer = ["mean", f"{lines:,}", ""]
    for m in means(runs)[input_name].values():
        ga = "n/a" if m["ga"] is None else f"{m['ga']:.3f}"
        if m["datasets"] not in (0, m["of"]):
            ga += f" (of {m['datasets']}/{m['of']})"
        footer += [ga, "", f"{m['seconds']:.2f}"]
    rows.append(footer)
    for line in table(rows, right=set(range(1, len(header)))):
        print("  " + line)


def print_redactions(redactions: dict[str, dict[str, Any]], names: list[str]) -> None:
    print("digest redactions (kind=count; ! = a password/token/key/secret kind: these datasets")
    print("hold no secrets, so each is a false positive; personal data (IP pseudonyms, e-mails,")
    print("phones, cards, IBANs: DOCTOR_REDACT_PII) in its own columns)")
    flagged: list[str] = []
    rows = [["dataset", "Content secrets", "Content personal", "raw secrets", "raw personal"]]
    for name in names:
        cells = [name]
        for input_name in INPUTS:
            figures = redactions[name][input_name]
            counts: dict[str, int] = figures["counts"]
            for personal in (False, True):
                cells.append(
                    ", ".join(
                        f"{kind}={n}{'!' if is_secret_kind(kind) else ''}"
                        for kind, n in sorted(counts.items())
                        if (kind in PII_KINDS) == personal
                    )
                    or "none"
                )
            for kind, n in sorted(counts.items()):
                if n and is_secret_kind(kind):
                    example = figures["examples"].get(kind, "")
                    flagged.append(
                        f"{name} ({input_name}): {kind} {n}"
                        + (f", e.g. template {example[:90]!r}" if example else "")
                    )
        rows.append(cells)
    for line in table(rows, right=set()):
        print("  " + line)
    print("  flagged:" + ("" if flagged else " none"))
    for line in flagged:
        print("    " + line)


def print_report(
    runs: list[Run], redactions: dict[str, dict[str, Any]], data: Path, names: list[str]
) -> None:
    total = sum(find_run(runs, name, "raw", PARSERS[0]).lines for name in names)
    print(f"Loghub-2k grouping accuracy (GA); data {data}; {total:,} lines per input")
    print(f"drain3 tuned: Drain's benchmark_settings from {TUNED_SOURCE}")
    for input_name in INPUTS:
        print()
        print_ga(runs, names, input_name)
    print()
    print("  columns: templates = true templates (distinct EventIds); GA = grouping accuracy;")
    print("  groups = distinct ids the parser gave; s = seconds, best of --repeat; the digest's")
    print("  include its in-process CLI call. mean row: GA mean over the datasets that have one")
    print("  ('of 7/8' when some are n/a), total lines and total seconds.")
    print()
    print_redactions(redactions, names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="Loghub-2k folder (default: $LOGHUB_DIR, else "
                        "<repo>/../shared/loghub-train)")  # fmt: skip
    parser.add_argument(
        "--datasets", help="comma-separated subset (default: every known dataset the data holds)"
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write all figures here")
    parser.add_argument(
        "--repeat", type=int, default=3, help="time each parser N times, keep the best (3)"
    )
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    check_grouping_accuracy()
    if args.data is None and not os.environ.get("LOGHUB_DIR") and not DEFAULT_DATA.is_dir():
        # The data lives beside the checkout, not in it: `make bench` goes on without it.
        print(f"loghub bench: skipped, no Loghub-2k data at {DEFAULT_DATA} (--data or LOGHUB_DIR)")
        return
    data = find_data(args.data)
    if args.datasets is None:
        names = present(data)
        if not names:
            raise SystemExit(
                f"loghub bench: {data} holds none of the known datasets ({','.join(DATASETS)})"
            )
    else:
        names = [n.strip() for n in args.datasets.split(",") if n.strip()]
        unknown = [n for n in names if n not in TUNED]
        if unknown or not names:
            parser.error(f"unknown dataset(s) {unknown}; choose from {','.join(DATASETS)}")
    datasets = [load(data, name) for name in names]
    runs: list[Run] = []
    redactions: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="loghub-bench-") as scratch:
        for dataset in datasets:
            found, redactions[dataset.name] = measure(dataset, args.repeat, Path(scratch))
            runs += found
    print_report(runs, redactions, data, names)
    print(f"\n(whole run {time.perf_counter() - started:.1f}s)")
    if args.json:
        report = {
            "data": str(data),
            "tuned_settings_source": TUNED_SOURCE,
            "tuned_settings": {name: asdict(TUNED[name]) for name in names},
            "runs": [asdict(run) for run in runs],
            "means": means(runs),
            "redactions": redactions,
            "personal_data_counts": {
                kind: sum(
                    figures["counts"].get(kind, 0)
                    for by_input in redactions.values()
                    for figures in by_input.values()
                )
                for kind in PII_KINDS
            },
            "secret_kinds_flagged": sorted(
                {
                    kind
                    for by_input in redactions.values()
                    for figures in by_input.values()
                    for kind, n in figures["counts"].items()
                    if n and is_secret_kind(kind)
                }
            ),
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
