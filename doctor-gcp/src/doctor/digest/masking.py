"""The one masking configuration for template mining, and a fast way to apply it.

Variable parts of a message (addresses, ids, numbers, paths...) are replaced by typed masks
before Drain sees it, so `connect to 10.0.0.5:5432 failed after 3.2s` and
`connect to 10.0.3.9:5432 failed after 120ms` are the same shape. The list is general: it is
never tuned to one input. Order matters: wide shapes (timestamps, UUIDs, addresses) go before
the number rule that would otherwise eat their parts.

`Masker.mask` gives exactly what drain3's `LogMasker` gives with the same list (a test checks
it) but skips each rule whose regex cannot match: most rules need a digit, some a `/` or `@`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .stamps import DAY_NAMES as _DAY_NAMES
from .stamps import MONTH_NAMES as _MONTH_NAMES

_HEX = "[0-9a-fA-F]"
_B = r"(?<![A-Za-z0-9])"  # not inside a word
_E = r"(?![A-Za-z0-9])"
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_TIME_UNIT = r"(?:ns|us|µs|ms|s|sec|secs|m|min|mins|h|hr|hrs|d)"
_TIME_WORD = "ms|msec|msecs|sec|secs|seconds?|mins?|minutes?|hrs?|hours?|days?|millis|milliseconds?"
# Top-level domains a host name ends in: the common generic ones, the suffixes of private
# networks and clouds, and the two-letter country codes, except those that are also words, keys
# or file extensions ("am", "as", "at", "be", "by", "do", "id", "in", "is", "it", "me", "md",
# "mk", "ml", "ms", "my", "no", "pm", "ps", "py", "rs", "sc", "sh", "so", "st", "sv", "tf", "to").
_TLDS = (
    "(?:com|net|org|edu|gov|mil|int|info|biz|dev|app|cloud|internal|local|localdomain|lan|corp|"
    "home|svc|cluster|"
    "ac|ad|ae|af|ag|ai|al|ao|aq|ar|at|au|aw|ax|az|ba|bb|bd|bf|bg|bh|bi|bj|bm|bn|bo|br|bs|bt|"
    "bw|bz|ca|cc|cd|cf|cg|ch|ci|ck|cl|cm|cn|co|cr|cu|cv|cw|cx|cy|cz|de|dj|dk|dm|dz|ec|ee|eg|"
    "er|es|et|eu|fi|fj|fk|fm|fo|fr|ga|gd|gf|gg|gh|gi|gl|gm|gn|gp|gq|gr|gs|gt|gu|gw|gy|hk|hm|"
    "hn|hr|ht|hu|ie|il|im|io|iq|ir|je|jm|jo|jp|ke|kg|kh|ki|km|kn|kp|kr|kw|ky|kz|la|lb|lc|li|"
    "lk|lr|ls|lt|lu|lv|ly|ma|mc|mg|mh|mm|mn|mo|mp|mq|mr|mt|mu|mv|mw|mx|mz|na|nc|ne|nf|ng|ni|"
    "nl|np|nr|nu|nz|om|pa|pe|pf|pg|ph|pk|pl|pn|pr|pt|pw|qa|ro|ru|rw|sa|sb|sd|se|sg|si|sk|"
    "sl|sm|sn|sr|ss|su|sx|sy|sz|tc|td|tg|th|tj|tk|tl|tm|tn|tr|tt|tv|tw|tz|ua|ug|uk|us|uy|uz|"
    "va|vc|ve|vg|vi|vn|vu|wf|ws|ye|yt|za|zm|zw"
    ")"
)

_HAS_BOOL = re.compile(r"(?:[=:]|= )(?:[tT]rue|TRUE|[fF]alse|FALSE|null|nil|None)")
# Necessary conditions of the rules below, as regexes that open with a character class or a
# literal, so the regex engine skips to candidates (the rules open with lookbehinds or
# optional parts, so they are tried at every position). Each is a part every match contains.
_HAS_CLOCK = re.compile(r"\d:\d\d:\d\d")  # both named-date shapes hold a clock
_HAS_DATE_OR_CLOCK = re.compile(r"\d[-:]\d\d[-:]\d\d")  # 2026-11-27, 12:16:51
_HAS_DOTTED_QUAD = re.compile(r"\d\.\d{1,3}\.\d")  # 10.0.0.5: its second number, dots around
_HAS_DURATION = re.compile(r"\d(?:[nuµmshd]| [msdh]|:\d)")  # 3ms, 30 seconds, 1:02
_HAS_SIZE = re.compile(r"\d ?[KMGTPEBbk]")  # 3KB, 1190 bytes, 5 B, 2k
_HAS_HEX_ID = re.compile(r"[0-9a-fA-F](?:(?<=0)[xX]|[0-9a-fA-F]{7})")  # 0x1f, 8 hex digits
_HAS_NUMBERED_PAIR = re.compile(r"\d [A-Za-z]")  # "node7 node8 ...": a name after a number
_Guard = Callable[[str, bool], bool]  # (text, has_digit) -> may the regex match?

# HTTP statuses name the failure (401 vs 403, 503 vs 504): where a log states one as a status,
# it stays in the template (as `<HTTP503>`) instead of becoming <NUM>. Only in such contexts, so
# ordinary numbers in the 400-599 range ("took 450 ms") still mask.
# 400, 404 and 405, a client's own mistakes and the commonest codes of access logs, stay numbers:
# an endpoint's access lines are one pattern whether a client asked right or not.
_REASONS = {
    401: "Unauthorized", 403: "Forbidden", 407: "Proxy Authentication Required",
    408: "Request Time", 409: "Conflict", 410: "Gone",
    413: "(?:Payload|Request Entity) Too Large", 422: "Unprocessable", 429: "Too Many Requests",
    499: "Client Closed", 500: "Internal Server Error", 501: "Not Implemented",
    502: "Bad Gateway", 503: "Service (?:Temporarily )?Unavailable", 504: "Gateway Time",
}  # fmt: skip
# The ways logs introduce a status, each of fixed width (Python's lookbehinds need it).
_STATUS_CONTEXTS = (
    "(?i:status)[ =:]", "(?i:status): ", "(?i:status code) ", "(?i:status code): ",
    "(?i:statuscode)[=:]", "(?i:statuscode): ", "(?i:status_code)[=:]", "(?i:code)[=:]",
    "(?i:http) ", 'HTTP/1\\.[01]" ', 'HTTP/2" ', 'HTTP/2\\.0" ', "(?i:returned) ",
    "(?i:responded with) ", "(?i:error) ", "(?i:response) ",
)  # fmt: skip


def _status_pattern(code: int) -> str:
    """The code first, then its context: a pattern that starts with a literal is found by a
    fast scan, where one starting with 16 lookbehinds would try them all at every position."""
    digits = str(code)
    stated = "|".join(f"(?<={context}{digits})" for context in _STATUS_CONTEXTS)
    # Load balancers' access logs (ALB, Classic ELB) state two statuses, the balancer's and the
    # target's ("-" when none answered), then two byte counts, then the request.
    balancer = rf'(?= (?:[1-5]\d\d|-) \d+ \d+ "[A-Z])|(?<=[1-5]\d\d {digits})(?= \d+ \d+ "[A-Z])'
    return (
        rf"{digits}(?<![\w.]{digits})(?:{stated}|{balancer}|(?= {_REASONS[code]}))(?![A-Za-z0-9])"
    )


def _status_rule(code: int) -> tuple[str, str, _Guard]:
    """Mask `503` as `<HTTP503>`: a letter before the digits keeps the number rule off it."""
    digits = str(code)
    return f"HTTP{digits}", _status_pattern(code), lambda t, d: d and digits in t


# The statuses a message states, for choosing its Drain instance (see mine.py).
STATUS_CODES = re.compile("|".join(f"(?:{_status_pattern(code)})" for code in _REASONS))

# (mask name, regex, guard). Guards are necessary conditions only: they never change a result.
_RULES: tuple[tuple[str, str, _Guard], ...] = (
    *(_status_rule(code) for code in _REASONS),
    # The query string of a URL: parameters vary per request, the path does not.
    ("QUERY", r"(?<=[\w/.-]\?)[\w.%~+\[\]-]+=[^\s\"'<>]*", lambda t, d: "?" in t and "=" in t),
    (
        # Dates written with names, in a message: "Sat Jul  9 12:16:51 2005", "Jul 9 12:16:51",
        # "22/Nov/2026:23:58:26 +0000" (access logs): one time, whatever its words.
        "TS",
        rf"(?:{_DAY_NAMES},? )?{_MONTH_NAMES} {{1,2}}\d{{1,2}}(?:,? \d{{4}})?"
        r" \d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?: \d{4}(?!\d))?"
        rf"|\d{{1,2}}/{_MONTH_NAMES}/\d{{4}}:\d{{2}}:\d{{2}}:\d{{2}}(?: [+-]\d{{4}})?",
        lambda t, d: d and ":" in t and _HAS_CLOCK.search(t) is not None,
    ),
    (
        "TS",
        r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"
        r"|(?<![\d:])\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?![\d:])",
        lambda t, d: d and _HAS_DATE_OR_CLOCK.search(t) is not None,
    ),
    ("EMAIL", r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", lambda t, d: "@" in t),
    (
        "UUID",
        rf"{_B}{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}{_E}",
        lambda t, d: "-" in t,
    ),
    # Addresses, IP or name, are one kind of value: "<HOST>". Redaction has already turned
    # public IP addresses into pseudonyms (<IP-1>, <IP-2>): they are addresses like any other,
    # so a template is the same whichever client it saw.
    ("HOST", r"\[?<IP-\d+>\]?(?::\d{1,5})?(?![\w:])", lambda t, d: "<IP-" in t),
    (
        "HOST",
        # Not the start of a name: "5.36.59.76.dsl.isp.net.om" is one host.
        r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?!\.?\d|\.[A-Za-z])",
        lambda t, d: d and "." in t and _HAS_DOTTED_QUAD.search(t) is not None,
    ),
    (
        # Host names: with a port ("proxy.example.edu:5070"), or ending in a top-level domain
        # ("api.partner.io", "GATEWAY7.messenger.live.com"). "java.lang.String" is a class.
        "HOST",
        r"(?<![\w.@/-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
        rf"(?:[a-z][a-z0-9-]{{0,61}}:\d{{1,5}}(?!\d)|{_TLDS}(?::\d{{1,5}})?(?![\w.-]))",
        lambda t, d: "." in t,
    ),
    (
        "HOST",
        rf"(?<![\w:.])(?=[0-9a-fA-F:\[]*\d)\[?(?:(?:{_HEX}{{1,4}}:){{7}}{_HEX}{{1,4}}"
        rf"|(?:{_HEX}{{1,4}}:){{1,6}}(?::{_HEX}{{1,4}}){{1,6}}|(?:{_HEX}{{1,4}}:){{1,7}}:"
        rf"|::(?:{_HEX}{{1,4}}:){{0,6}}{_HEX}{{1,4}})\]?(?::\d{{1,5}})?(?![\w:])",
        lambda t, d: d and ("::" in t or t.count(":") >= 7),
    ),
    (
        # File paths: under a well-known root (a whole name: "/system.slice" is not under
        # /sys), or ending in a file name with an extension.
        # URL paths are kept (they name the endpoint), which is why ":" and "/" may not precede.
        "PATH",
        r"(?<![\w.:/~-])(?:/(?:usr|var|tmp|etc|opt|home|app|srv|proc|sys|dev|mnt|data|lib|lib64|"
        r"bin|sbin|root|run|workspace|src|go|code)(?![\w.@+-])(?:/[\w.@+-]*)*"
        r"|(?:/[\w.@+-]+)+\.[A-Za-z]\w{0,7})"
        r"(?::\d+(?::\d+)?)?",
        lambda t, d: "/" in t,
    ),
    # Hex ids need a digit and a letter, so neither English words nor plain numbers match.
    (
        "HEX",
        rf"{_B}(?:0[xX]{_HEX}+|(?=[0-9]*[a-fA-F])(?=[a-fA-F]*\d){_HEX}{{8,}}){_E}",
        lambda t, d: d and _HAS_HEX_ID.search(t) is not None,
    ),
    (
        "DURATION",
        rf"(?<![A-Za-z0-9.]){_NUMBER}{_TIME_UNIT}(?:\d+(?:\.\d+)?{_TIME_UNIT})*{_E}"
        # "<1 sec", "30 seconds", "2 hours": a number and a unit in words
        rf"|(?<![\w.])<?{_NUMBER} (?:{_TIME_WORD}){_E}"
        # "lifetime 00:01", "took 1:02:03": a clock reading of elapsed time
        r"|(?<![\d:.])\d{1,2}:\d{2}(?::\d{2})?(?![\d:])",
        lambda t, d: d and _HAS_DURATION.search(t) is not None,
    ),
    (
        "SIZE",
        rf"(?<![A-Za-z0-9.]){_NUMBER}(?: ?(?:[KMGTPE]i?B|bytes?|B)|[kKMGTPE]i?B?){_E}",
        lambda t, d: d and _HAS_SIZE.search(t) is not None,
    ),
    # The numbered part of an id joined by underscores, from its first number on, when it holds
    # two numbers or more ("task_1445144423722_0020_m_000000", "task_..._r_000003"): one value,
    # whatever tags it carries; the name before it stays ("task_<ID>", "container_<ID>").
    (
        "ID",
        # Each part has one reading (tags hold a letter, numbers none; possessive): linear.
        r"(?<=[A-Za-z]_)\d++(?![A-Za-z0-9])(?:_\d*+[A-Za-z][A-Za-z0-9]*+)*+_\d++(?![A-Za-z0-9])"
        r"(?:_[A-Za-z0-9]++)*+(?![\w-]|\.\w)",
        lambda t, d: d and "_" in t,
    ),
    # A list of numbered names ("node7 node8 node9", "sda1 sdb1 sdc1"): one value, of any
    # length. Three at least: two numbered words may be a message's own ("eth0 eth1"). Each
    # name bounds itself, so a run that ends badly is not read again from each of its names.
    (
        "ID",
        r"(?<![\w.-])[A-Za-z]++\d++(?![\w-]|\.\w)(?: [A-Za-z]++\d++(?![\w-]|\.\w)){2,}+",
        lambda t, d: d and _HAS_NUMBERED_PAIR.search(t) is not None,
    ),
    ("NUM", r"(?<![A-Za-z0-9.])[-+]?\d+(?:[.,]\d+)*%?(?![A-Za-z0-9])", lambda t, d: d),
    # A field's true, false or null is its value ("overlap:false", "ready = true", "ws=null"):
    # the field's name says what it is about; samples keep the value itself. Not after ": ",
    # where it is prose ("ERROR: null value in column ...").
    (
        "BOOL",
        r"(?:(?<=[=:])|(?<== ))(?:true|false|True|False|TRUE|FALSE|null|nil|None)(?![\w-])",
        lambda t, d: _HAS_BOOL.search(t) is not None,
    ),
    # One value said twice or listed is one value: "1190 bytes (1.16 KB)", "10.0.0.1,10.0.0.2",
    # "IRQs 3 4 5 6 7" (a list's length varies, and Drain only merges messages of one length).
    ("SIZE", r"<SIZE> \(<SIZE>\)", lambda t, d: "<SIZE> (" in t),
    *(
        (
            name,
            rf"<{name}>(?:(?:, ?| )<{name}>)+",
            lambda t, d, comma=f"<{name}>,", space=f"<{name}> <{name}>": comma in t or space in t,
        )
        for name in ("HOST", "NUM", "HEX", "UUID", "EMAIL")
    ),
)

_DIGIT = re.compile(r"\d")
_MAYBE_STATUS = re.compile(r"(?<![\d.])[1-5]\d\d(?!\d)")  # any code-shaped number


def masking_instructions() -> list[Any]:
    """The masking list as drain3 `MaskingInstruction`s (for a stock `TemplateMiner`)."""
    from drain3.masking import MaskingInstruction  # type: ignore[import-untyped]

    return [MaskingInstruction(pattern, name) for name, pattern, _ in _RULES]


def miner_config() -> Any:
    """The drain3 configuration every miner here uses: defaults plus the masking list."""
    # drain3 loads when a digest is mined, not when the package is imported.
    from drain3.template_miner_config import TemplateMinerConfig  # type: ignore[import-untyped]

    config = TemplateMinerConfig()
    config.masking_instructions = masking_instructions()
    config.profiling_enabled = False
    config.drain_sim_th = 0.6
    config.drain_depth = 4
    config.drain_max_children = 100
    return config


class Masker:
    """Applies the masking list like drain3's `LogMasker`, skipping rules that cannot match."""

    def __init__(self, prefix: str = "<", suffix: str = ">") -> None:
        self._rules = [
            (re.compile(pattern), f"{prefix}{name}{suffix}", guard)
            for name, pattern, guard in _RULES
        ]
        self._other_rules = self._rules[len(_REASONS) :]  # the status rules come first

    def mask(self, text: str) -> str:
        has_digit = _DIGIT.search(text) is not None
        # One search decides for all the status rules at once (most messages state none).
        rules = self._rules if has_digit and _MAYBE_STATUS.search(text) else self._other_rules
        for regex, replacement, guard in rules:
            if guard(text, has_digit):
                masked = regex.sub(replacement, text)
                if masked is not text:  # sub returns its input itself when nothing matched
                    text = masked
                    # the digits may all be masked now, and then every rule that needs one
                    # is skipped
                    has_digit = has_digit and _DIGIT.search(text) is not None
        return text
