"""Benchmark of the doctor's digest stage. A script, not a test: it prints figures.

    uv run python bench/digest.py [--events 1000000] [--rss-events 1000000] [--drain-seconds 60]

Throughput is the full digest (parse + heads + redact + mine + timeline, `digest_lines`) on raw
lines, against drain3 with its DEFAULT configuration on the same raw lines (a stock
`TemplateMiner()`: no masking, no parsing), in the same run:
- (a) a chaos-app log of --events events (JSON lines, the patient's default), and its text
  format (each software's own lines, stacks over several lines);
- (b) a low-repetition log (mostly unique messages), from the generator below;
- (c) the Loghub-2k lines (Content and raw), when the data is there (see bench/loghub.py).
drain3 default slows down as unmasked values pile up clusters; it is given --drain-seconds per
input and, when it runs out, its rate over the lines it read (the fastest part) is what counts.
It also prints drain3 with the digest's own masking over the events' mining text (the mining
part alone), prompt against raw tokens, (d) the peak RSS of a 1,000,000-event digest in a
child process whose input is streamed, so the figure is the digest's own (see `peak_rss_kib`),
and (e) what the incident stage and a baseline window add to an analysis of 100,000 events.

The chaos-app log comes from `chaos-app run --scenario all --seed 1 --count N --fast` when that
command works; otherwise from the realistic generator below, and the output says which.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from drain3 import TemplateMiner  # type: ignore[import-untyped]
from drain3.template_miner_config import TemplateMinerConfig  # type: ignore[import-untyped]
from loghub import DEFAULT_DATA, load, present  # the sibling script: one reading of the data

from doctor.digest import (
    Digest,
    build_digest,
    digest_lines,
    estimate_tokens,
    mining_text,
    parse_lines,
    render_prompt,
)
from doctor.digest import parse as parse_module
from doctor.digest.masking import miner_config
from doctor.engines.rules import RulesEngine
from doctor.incident import Incident
from doctor.logs.cloudwatch_source import BASELINE_MAX_EVENTS

BUDGET = 8_000  # the pipeline's default DOCTOR_PROMPT_TOKEN_BUDGET
RSS_LIMIT_MIB = 256  # issue 10's bound for a 1,000,000-event digest
REPO = Path(__file__).resolve().parent.parent
START = datetime(2026, 1, 1, tzinfo=UTC)


# ---- (a) chaos-app-like traffic: healthy requests with failure bursts -------------------------

_PATHS = ["/api/orders", "/api/orders/{id}", "/api/cart", "/api/products", "/api/users/{id}"]
_PY_TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/usr/local/lib/python3.10/site-packages/sqlalchemy/engine/base.py", line 145, in '
    "__init__\n    self._dbapi_connection = engine.raw_connection()\n"
    '  File "/usr/local/lib/python3.10/site-packages/psycopg2/__init__.py", line 122, in connect\n'
    "    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)\n"
    'psycopg2.OperationalError: connection to server at "{host}", port 5432 failed: '
    "Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?"
)
_JAVA_OOM = (
    "java.lang.OutOfMemoryError: Java heap space\n"
    "\tat java.util.Arrays.copyOf(Arrays.java:3332)\n\tat c.e.orders.Worker.run(Worker.java:88)"
)
# (level, logger, message, exception): {host} {n} {path} {user} {token} vary per event.
_BURSTS = [
    ("ERROR", "app.db", "Exception on /api/orders [POST]", _PY_TRACEBACK),
    (
        "ERROR",
        "sqlalchemy.pool",
        "QueuePool limit of size {n} overflow 10 reached, timeout 30.00",
        "",
    ),
    ("CRITICAL", "c.e.orders.Worker", "Unhandled exception in worker thread", _JAVA_OOM),
    ("ERROR", "app.storage", "write {path} failed: [Errno 28] No space left on device", ""),
    ("WARNING", "app.http", "upstream {host}:8080 timed out after {n}s, returning 504", ""),
    ("WARNING", "app.aws", "ThrottlingException: Rate exceeded (Service: DynamoDB)", ""),
    ("ERROR", "app.tls", "certificate verify failed: certificate has expired ({host})", ""),
    ("ERROR", "app.auth", "invalid token for user {user}: signature expired, token={token}", ""),
]


def _healthy(rng: random.Random) -> tuple[str, str, str]:
    kind = rng.random()
    if kind < 0.6:
        path = rng.choice(_PATHS).replace("{id}", str(rng.randint(1, 99_999)))
        method = rng.choice(["GET", "GET", "GET", "POST"])
        return ("INFO", "app.access", f"{method} {path} 200 in {rng.uniform(2, 900):.1f}ms")
    if kind < 0.8:
        return ("INFO", "app.cache", f"cache hit ratio {rng.uniform(0.8, 1):.3f} over last 60s")
    if kind < 0.95:
        order = f"ord_{rng.getrandbits(48):012x}"
        return ("INFO", "app.orders", f"order {order} placed by user {rng.randint(1000, 999_999)}")
    return ("DEBUG", "app.worker", f"job {uuid.UUID(int=rng.getrandbits(128))} finished")


def chaos_like(count: int, seed: int = 1) -> Iterator[str]:
    """JSON lines shaped like chaos-app's default output (`scenario` included, as it labels)."""
    rng = random.Random(seed)
    burst: list[tuple[str, str, str, str]] = []
    for i in range(count):
        if not burst and rng.random() < 0.02:
            burst = [rng.choice(_BURSTS)] * rng.randint(5, 60)
        stamp = START + timedelta(seconds=i / 20)
        record: dict[str, object] = {"timestamp": stamp.isoformat(timespec="milliseconds")}
        if burst:
            level, logger, message, exception = burst.pop()
            values = {
                "host": f"10.0.{rng.randint(0, 3)}.{rng.randint(2, 254)}",
                "n": rng.randint(5, 30),
                "path": f"/var/lib/app/cache/{rng.getrandbits(32):08x}.tmp",
                "user": rng.randint(1000, 9999),
                "token": f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx{rng.getrandbits(32):x}.c2ln",
            }
            record |= {"level": level, "logger": logger, "message": message.format(**values)}
            if exception:
                record["exception"] = exception.format(**values)
            record["scenario"] = logger
        else:
            level, logger, message = _healthy(rng)
            record |= {"level": level, "logger": logger, "message": message, "scenario": None}
        record["request_id"] = f"{rng.getrandbits(64):016x}"
        yield json.dumps(record, separators=(",", ":"))


# ---- (b) low repetition: almost every message unique --------------------------------------

_SYLLABLES = ["ka", "lo", "mi", "nu", "per", "qua", "ris", "sto", "tan", "vel", "xo", "zen", "bri"]
_SLOTS = ["{num}", "{hex}", "{uuid}", "{ip}", "{user}", "{email}", "{path}", "{ms}", "{phrase}"]


def low_repetition(count: int, seed: int = 2) -> Iterator[str]:
    """Text lines that almost never repeat, even after masking.

    3,000 message shapes whose variable parts are ids, numbers and addresses (masked) but also
    user names and quoted free-text phrases (not masked: every masked text differs too), plus
    3% of pure free text that forms no pattern at all. The caches miss nearly every time, so
    this is the worst realistic case for speed and memory.
    """
    rng = random.Random(seed)
    words = ["".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(50_000)]
    users = [f"{rng.choice(words)}.{rng.choice(words)}" for _ in range(20_000)]
    shapes = []
    for _ in range(3_000):
        parts = rng.sample(words, rng.randint(3, 7)) + rng.sample(_SLOTS, rng.randint(1, 3))
        head, tail = parts[0], parts[1:]
        rng.shuffle(tail)
        shapes.append(" ".join([head, *tail]))
    levels = ["INFO"] * 6 + ["WARN", "ERROR", "DEBUG"]
    for i in range(count):
        stamp = START + timedelta(seconds=i / 50)
        if rng.random() < 0.03:
            text = " ".join(rng.choices(words, k=rng.randint(5, 16)))
        else:
            text = rng.choice(shapes).format(
                num=rng.randint(0, 10**9),
                hex=f"{rng.getrandbits(64):016x}",
                uuid=uuid.UUID(int=rng.getrandbits(128)),
                ip=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
                f":{rng.randint(1024, 65535)}",
                user=rng.choice(users),
                email=f"{rng.choice(users)}@{rng.choice(words)}.example.com",
                path=f"/srv/{rng.choice(words)}/{rng.choice(words)}/{rng.getrandbits(32):08x}.dat",
                ms=f"{rng.randint(1, 60_000)}ms",
                phrase=f"'{' '.join(rng.choices(words, k=rng.randint(1, 3)))}'",
            )
        yield f"{stamp:%Y-%m-%dT%H:%M:%S}Z {rng.choice(levels)} {text}"


# ---- measurements --------------------------------------------------------------------------


def chaos_app_args(count: int, *, text: bool = False) -> list[str]:
    args = ["run", "--scenario", "all", "--seed", "1", "--count", str(count), "--fast"]
    return [*args, "--format", "text"] if text else args


def chaos_app_command(count: int, *, text: bool = False) -> list[str]:
    # `python -m chaos_app` is the `chaos-app` console script, found without relying on PATH.
    return [sys.executable, "-m", "chaos_app", *chaos_app_args(count, text=text)]


def chaos_app_lines(count: int, *, text: bool = False) -> tuple[list[str], str]:
    """chaos-app's own output when the command works, else the generator above (and why)."""
    command = chaos_app_command(count, text=text)
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as out:
        try:
            done = subprocess.run(
                command, stdout=out, stderr=subprocess.PIPE, timeout=900, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            return list(chaos_like(count)), f"the bench's own generator ({type(err).__name__})"
        if done.returncode != 0:
            why = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            return list(chaos_like(count)), f"the bench's own generator ({why[0][:80]})"
        out.seek(0)
        lines = out.read().splitlines()
    return lines, "`chaos-app " + " ".join(chaos_app_args(count, text=text)) + "`"


def run_drain(lines: list[str], config: Any, budget: float = float("inf")) -> tuple[float, int]:
    """drain3 with `config` over `lines`, within `budget` seconds: (seconds, lines read)."""
    miner = TemplateMiner(config=config)
    started = time.perf_counter()
    read = 0
    for read, line in enumerate(lines, start=1):
        miner.add_log_message(line)
        if read % 1000 == 0 and time.perf_counter() - started > budget:
            break
    return time.perf_counter() - started, read


def timed_digest(lines: list[str]) -> tuple[Digest, float]:
    """The full digest of `lines`, and its seconds."""
    started = time.perf_counter()
    digest = digest_lines(lines)
    return digest, time.perf_counter() - started


def against_drain(label: str, lines: list[str], budget: float) -> tuple[Digest, float, float]:
    """Print the digest's rate against drain3 default's; (digest, its seconds, drain3's seconds
    for all the lines at its measured rate)."""
    digest, seconds = timed_digest(lines)
    rate = len(lines) / seconds
    drain_seconds, read = run_drain(lines, TemplateMinerConfig(), budget)
    drain = read / drain_seconds
    cut = "" if read == len(lines) else f", stopped after {read:,} lines"
    print(
        f"  {label:<28} digest {rate:>9,.0f} lines/s ({seconds:.2f}s)  drain3 default "
        f"{drain:>9,.0f} lines/s{cut}  ratio {rate / drain:.2f}x"
    )
    return digest, seconds, len(lines) / drain


def raw_tokens(lines: list[str]) -> int:
    chunk = 20_000
    return sum(
        estimate_tokens("\n".join(lines[i : i + chunk]) + "\n") for i in range(0, len(lines), chunk)
    )


def measure(lines: list[str], digest: Digest, digest_seconds: float) -> None:
    """The figures of a digest already timed: drain3 with the digest's masking over the same
    events' mining text, tokens and compression."""
    texts = [mining_text(event.message) for event in parse_lines(lines)]
    drain_seconds, _ = run_drain(texts, miner_config())
    prompt = render_prompt(digest, budget_tokens=BUDGET, log_group="/aws/ec2/chaos-app", minutes=60)
    raw = raw_tokens(lines)
    rows = [
        ("input lines", f"{len(lines):,}"),
        ("events", f"{digest.events_total:,}"),
        ("patterns", f"{len(digest.patterns):,}"),
        (
            "full digest",
            f"{digest.events_total / digest_seconds:,.0f} events/s ({digest_seconds:.2f}s)",
        ),
        ("drain3 alone", f"{len(texts) / drain_seconds:,.0f} events/s ({drain_seconds:.2f}s)"),
        ("digest vs drain3", f"{drain_seconds / digest_seconds:.2f}x faster"),
        ("raw tokens", f"{raw:,}"),
        ("prompt tokens", f"{prompt.tokens:,} (budget {BUDGET:,}, truncated={prompt.truncated})"),
        ("compression", f"{raw / prompt.tokens:,.0f}x"),
    ]
    for label, value in rows:
        print(f"  {label:<18} {value}")


def peak_rss_kib() -> int:
    """This process's own peak RSS.

    On Linux, ru_maxrss survives fork and exec: a child started by this bench would report the
    bench's own peak if that were higher. VmHWM belongs to the process's address space, which
    exec replaces, so it is the digest's figure. Elsewhere ru_maxrss is all there is.
    """
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1])


def rss_child(kind: str, count: int) -> None:
    """Digest `count` events streamed from a generator or a pipe; print the peak RSS as JSON."""
    process = None
    if kind == "chaos-app":
        process = subprocess.Popen(
            chaos_app_command(count), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        lines: Iterator[str] = iter(process.stdout or ())
    elif kind == "chaos-like":
        lines = chaos_like(count)
    else:
        lines = low_repetition(count)
    started = time.perf_counter()
    digest = digest_lines(lines)
    seconds = time.perf_counter() - started
    if process is not None and process.wait() != 0:
        raise SystemExit("chaos-app failed")
    result = {
        "peak_mib": peak_rss_kib() / 1024,
        "events": digest.events_total,
        "patterns": len(digest.patterns),
        "seconds": seconds,
    }
    print(json.dumps(result))


def measure_rss(kind: str, count: int) -> None:
    script = str(Path(__file__).resolve())
    done = subprocess.run(
        [sys.executable, script, "--rss-child", kind, "--rss-events", str(count)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"  {kind:<16} failed: {done.stderr.strip().splitlines()[-1:]}")
        return
    result = json.loads(done.stdout.strip().splitlines()[-1])
    verdict = "within" if result["peak_mib"] <= RSS_LIMIT_MIB else "OVER"
    print(
        f"  {kind:<16} peak RSS {result['peak_mib']:>7.1f} MiB for {result['events']:,} events "
        f"({result['patterns']:,} patterns, {result['seconds']:.0f}s): {verdict} "
        f"{RSS_LIMIT_MIB} MiB"
    )


def loghub(budget: float) -> None:
    """Every Loghub-2k dataset found (see bench/loghub.py), Content and raw lines, against
    drain3 default."""
    data = Path(os.environ.get("LOGHUB_DIR") or DEFAULT_DATA)
    if not data.is_dir():
        print(f"  (no Loghub data at {data}: set LOGHUB_DIR)")
        return
    totals = {"content": [0.0, 0.0], "raw": [0.0, 0.0]}
    for dataset in (load(data, name) for name in present(data)):
        for kind, lines in (("content", dataset.content), ("raw", dataset.raw)):
            _, ours, theirs = against_drain(f"{dataset.name} {kind}", lines, budget)
            totals[kind][0] += ours
            totals[kind][1] += theirs
    for kind, (ours, theirs) in totals.items():
        if ours:
            print(
                f"  {'all ' + kind:<28} digest {ours:.2f}s, drain3 default {theirs:.2f}s: "
                f"ratio {theirs / ours:.2f}x"
            )


def incident_cost(events: int, baseline_events: int = BASELINE_MAX_EVENTS) -> None:
    """What the incident stage and the baseline window add to an analysis (digest + rules
    diagnosis), on `events` chaos-app events plus `baseline_events` older ones as the baseline
    (CloudWatch's cap). Each side with a fresh engine: the first classification of a digest's
    patterns is paid once either way."""
    lines, _ = chaos_app_lines(events + baseline_events)
    before, window = lines[:baseline_events], lines[baseline_events:]
    nothing = Incident(None, {}, ())  # no incident stage: the engine ranks as it did without

    def plain() -> None:
        RulesEngine().diagnosis(build_digest(parse_lines(window)), nothing)

    def staged() -> None:
        digest = build_digest(
            parse_lines(window), baseline=parse_lines(before), baseline_minutes=30
        )
        engine = RulesEngine()
        engine.diagnosis(digest, engine.incident(digest))

    runs = []
    for _ in range(3):  # alternated, best of three: the machine's noise hits both sides
        runs.append((_seconds(plain), _seconds(staged)))
    base, full = min(r[0] for r in runs), min(r[1] for r in runs)
    print(
        f"  analysis of {events:,} events: digest + rules {base:.2f}s; with the incident stage "
        f"and a {baseline_events:,}-event baseline {full:.2f}s: +{(full / base - 1) * 100:.1f}%"
    )


def _seconds(run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rss-events", type=int, default=1_000_000)
    parser.add_argument("--drain-seconds", type=float, default=60.0)
    parser.add_argument("--incident-events", type=int, default=100_000)
    parser.add_argument(
        "--rss-child", choices=["chaos-app", "chaos-like", "low"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.rss_child:
        rss_child(args.rss_child, args.rss_events)
        return
    budget = args.drain_seconds
    # The image runs the mypyc build; a checkout runs the source (bench/compiled.py has both).
    built = "compiled by mypyc" if parse_module.__file__.endswith(".so") else "the source"
    print(f"digest: {built} ({parse_module.__file__})")
    lines, source = chaos_app_lines(args.events)
    print(f"(a) chaos-app log, from {source}")
    measure(lines, *against_drain("chaos-app JSON lines", lines, budget)[:2])
    del lines
    text, _ = chaos_app_lines(args.events, text=True)
    against_drain("chaos-app text lines", text, budget)
    del text
    print("(b) low-repetition log (almost every message unique), from the bench's generator")
    low = list(low_repetition(min(args.events, 200_000)))
    measure(low, *against_drain("low-repetition lines", low, budget)[:2])
    del low
    print("(c) Loghub-2k lines")
    loghub(budget)
    print(f"(d) peak RSS of a {args.rss_events:,}-event digest, input streamed, in a child process")
    measure_rss("low", args.rss_events)
    measure_rss("chaos-app" if source.startswith("`") else "chaos-like", args.rss_events)
    print("(e) cost of the incident stage and the baseline window")
    incident_cost(args.incident_events)


if __name__ == "__main__":
    main()
