"""How text logs write time at the head of a line: one `Family` per common shape.

Each family is a regex matched at a position plus the conversion of its match to UTC. Families
without a year (syslog, klog, Android logcat, "mm.dd") take the year that puts the time in the
past: the current one, or the one before when that would be more than a day ahead of `now`. A
time of day alone takes the latest day that puts it at most an hour ahead.
Two-digit years are 20yy. A naive time is UTC (servers and CloudWatch log in UTC).

Which family a source uses, and for "17/06/09" which order its numbers are in, is learned per
source from its own lines (see `headers.py`); `find` tries every family for a lone line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone

from .timestamps import parse_epoch

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
MONTH_NAMES = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
DAY_NAMES = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MON = f"(?P<mon>{MONTH_NAMES})"
_CLOCK = r"(?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})"
_FRACTION = r"(?:[.,](?P<f>\d{1,9}))?"
# Zones by their abbreviation, as PostgreSQL's log_timezone and date(1) print them; where one
# names several (CST, IST, BST), the one AWS regions' servers log in most.
ZONE_NAMES = {
    "UTC": 0, "GMT": 0, "WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120, "EET": 120,
    "EEST": 180, "MSK": 180, "IST": 330, "SGT": 480, "HKT": 480, "JST": 540, "KST": 540,
    "IDT": 180, "SAST": 120, "WIB": 420, "AWST": 480, "ACST": 570, "ACDT": 630,
    "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780, "HST": -600, "AKST": -540,
    "AKDT": -480, "PST": -480, "PDT": -420, "MST": -420, "MDT": -360, "CST": -360, "CDT": -300,
    "EST": -300, "EDT": -240,
}  # fmt: skip
_ZONE = (
    r"(?P<tz> ?(?:Z|[+-]\d{2}:?\d{2}|(?:"
    + "|".join(sorted(ZONE_NAMES, key=len, reverse=True))
    + r")(?![\w.])))?"
)
_END = r"(?!\d|:\d)"  # a time never runs on into more digits ("Nov 18 11:02:06.248: " ends)

# Orders of a "aa/bb/cc" date; the first that reads every line of a source wins (see headers).
DATE_ORDERS = ("ymd", "mdy", "dmy")


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    regex: re.Pattern[str]
    yearless: bool = False

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.regex.match(text, pos)


def _family(name: str, pattern: str, *, yearless: bool = False) -> Family:
    return Family(name, re.compile(pattern), yearless)


FAMILIES: tuple[Family, ...] = (
    # 2026-03-16T17:49:25.958123456Z, 2016-09-28 04:30:30,123, 2026-01-01 10:00:00 UTC
    _family("iso", rf"(?P<y>\d{{4}})-(?P<m>\d{{2}})-(?P<d>\d{{2}})[T ]{_CLOCK}{_FRACTION}{_ZONE}"),
    # BGL: 2005-06-03-15.42.50.675872
    _family(
        "dashed",
        r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})-(?P<H>\d{2})\.(?P<M>\d{2})\.(?P<S>\d{2})"
        r"(?:\.(?P<f>\d{1,9}))?(?!\d)",
    ),
    # nginx, Go's log: 2026/11/22 23:58:23
    _family(
        "slash",
        rf"(?P<y>\d{{4}})/(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})[ T:]{_CLOCK}{_FRACTION}{_ZONE}{_END}",
    ),
    # Spark, Hadoop: 17/06/09 20:10:40; Windows and .NET: 09/28/2016 04:30:00 (the order is
    # learned per source)
    _family(
        "short",
        rf"(?P<a>\d{{2}})/(?P<b>\d{{2}})/(?P<c>\d{{2}}(?:\d{{2}})?) {_CLOCK}{_FRACTION}{_END}",
    ),
    # en-US's 12-hour clock, month first, as .NET, PowerShell and Node's toLocaleString print
    # it: 4/14/2026 4:13:33 AM, 10/03/2026, 2:05:09 PM, moment's 4:13:33 pm. An hour past 12
    # ("20:10:40 AM container ...", YARN's ApplicationMaster) or "PM:" (the kernel's power
    # management) is no such clock.
    _family(
        "ampm",
        r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}),? (?P<H>0?[1-9]|1[0-2]):(?P<M>\d{2}):"
        rf"(?P<S>\d{{2}}){_FRACTION} (?P<p>[AaPp]\.?[Mm]\.?)(?![\w:])",
    ),
    # Apache error log, ctime: Sun Dec 04 04:47:44 2005
    _family(
        "ctime", rf"{DAY_NAMES} {_MON} {{1,2}}(?P<d>\d{{1,2}}) {_CLOCK}{_FRACTION} (?P<y>\d{{4}})"
    ),
    # access logs (common log format): 22/Nov/2026:23:58:26 +0000
    _family(
        "clf",
        rf"(?P<d>\d{{1,2}})/{_MON}/(?P<y>\d{{4}}):{_CLOCK}(?: (?P<tz>[+-]\d{{4}}))?",
    ),
    # Redis, Tomcat and java.util.logging, RFC 2822 without its weekday: 22 Nov 2026 23:58:02.841,
    # 22-Nov-2026 23:58:00.123
    _family(
        "dmy",
        rf"(?P<d>\d{{1,2}})[ -]{_MON}[ -](?P<y>\d{{4}})[ :T]{_CLOCK}{_FRACTION}{_ZONE}{_END}",
    ),
    # syslog, journald: Jun 14 15:16:01 (a year may follow)
    _family(
        "syslog",
        rf"{_MON} {{1,2}}(?P<d>\d{{1,2}}) {_CLOCK}{_FRACTION}(?: (?P<y>\d{{4}})(?![\d:]))?{_END}",
        yearless=True,
    ),
    # klog (Kubernetes, glog): E1122 23:58:23.123456, the letter being the level; CockroachDB
    # writes the year's last two digits too: E261027 15:33:09.204117
    _family(
        "klog",
        rf"(?P<lvl>[IWEF])(?P<y>\d{{2}})?(?P<m>\d{{2}})(?P<d>\d{{2}}) {_CLOCK}\.(?P<f>\d{{1,9}})",
        yearless=True,
    ),
    # HDFS: 081109 203615 (yymmdd hhmmss)
    _family(
        "compact",
        r"(?P<y>\d{2}|\d{4})(?P<m>\d{2})(?P<d>\d{2})[-T ](?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})"
        r"(?:[.,](?P<f>\d{1,6}))?(?![\d:])",
    ),
    # HealthApp: 20171223-22:15:29:606, 20171223-22:16:0:119 (fields not always padded)
    _family(
        "dayclock",
        r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})[-T ](?P<H>\d{1,2}):(?P<M>\d{1,2}):(?P<S>\d{1,2})"
        r"(?:[:.,](?P<f>\d{1,6}))?(?![\d:])",
    ),
    # Android logcat 03-17 16:13:38.811, Proxifier 10.30 16:49:06
    _family(
        "monthday",
        rf"(?P<m>\d{{2}})[-.](?P<d>\d{{2}}) {_CLOCK}{_FRACTION}{_END}",
        yearless=True,
    ),
    # A time of day alone, logback's default and many console formats: 23:58:00.532
    _family("clock", rf"{_CLOCK}{_FRACTION}(?![\d:])", yearless=True),
    # Epoch seconds (2001-2033) or milliseconds: BGL, Thunderbird, HPC
    _family("epoch", r"(?P<e>1\d{9}(?:\d{3})?)(?:\.(?P<f>\d{1,9}))?(?![\d.])"),
    # A date alone, BGL's 2005.06.03: a time column of its own, never the event's time
    _family("date", r"(?P<y>\d{4})\.(?P<m>\d{2})\.(?P<d>\d{2})(?![\d.])"),
)
BY_NAME = {family.name: family for family in FAMILIES}
# Families that open with a letter (a month, a weekday, klog's level); every other opens with a
# digit. In FAMILIES order, so ties go the same way in every process.
_LETTER_FIRST = tuple(f for f in FAMILIES if f.name in ("ctime", "syslog", "klog"))
_DIGIT_FIRST = tuple(f for f in FAMILIES if f not in _LETTER_FIRST)
_GROUP_NAME = re.compile(r"\(\?P<\w+>")


def unnamed(pattern: str) -> str:
    """A family's pattern with its named groups unnamed, to be embedded in a larger one."""
    return _GROUP_NAME.sub("(?:", pattern)


def _any_of(families: tuple[Family, ...]) -> re.Pattern[str]:
    """One regex that matches at a position where any of the families does: a line without a
    stamp costs one match instead of one per family."""
    return re.compile("|".join(f"(?:{unnamed(f.regex.pattern)})" for f in families))


_ANY_DIGIT_FIRST = _any_of(_DIGIT_FIRST)
_ANY_LETTER_FIRST = _any_of(_LETTER_FIRST)


def find(text: str, pos: int = 0) -> tuple[Family, re.Match[str]] | None:
    """The family whose stamp starts at `pos`, longest match first."""
    first = text[pos : pos + 1]
    if not first:
        return None
    if first.isdigit():
        any_of, families = _ANY_DIGIT_FIRST, _DIGIT_FIRST
    elif first.isupper():  # a weekday, a month or klog's level letter: each opens with a capital
        any_of, families = _ANY_LETTER_FIRST, _LETTER_FIRST
    else:
        return None  # most words of a message: no regex tried
    if any_of.match(text, pos) is None:
        return None
    best: tuple[Family, re.Match[str]] | None = None
    for family in families:
        found = family.match(text, pos)
        if found is not None and (best is None or found.end() > best[1].end()):
            best = (family, found)
    return best


# Both take a field as `convert` already read it from the match (one groupdict a stamp).
def _fraction(digits: str | None) -> int:
    return int((digits + "000000")[:6]) if digits else 0


def zone_offset(field: str | None) -> timedelta | None:
    """How far ahead of UTC a stamp's zone field says it is ("Z", "-07:00", "CEST"); None
    when it names none."""
    zone = _zone(field)
    return zone.utcoffset(None) if zone is not None else None


def _zone(field: str | None) -> timezone | None:
    raw = (field or "").strip()
    if not raw:
        return None
    if raw == "Z":
        return UTC
    if (minutes := ZONE_NAMES.get(raw)) is not None:
        return timezone(timedelta(minutes=minutes))
    sign = 1 if raw[0] == "+" else -1
    digits = raw[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def _year(raw: str | None) -> int | None:
    if raw is None:
        return None
    return 2000 + int(raw) if len(raw) == 2 else int(raw)


def _in_the_past(stamp: datetime, now: datetime) -> datetime:
    """A year-less stamp is never placed more than a day ahead of `now`."""
    if stamp - now > timedelta(days=1):
        try:
            return stamp.replace(year=stamp.year - 1)
        except ValueError:  # 29 February
            return stamp.replace(year=stamp.year - 1, day=28)
    return stamp


def _on_the_latest_day(match: re.Match[str], now: datetime) -> datetime:
    """A time of day without a date is on the latest day that puts it at most an hour ahead of
    `now` (a clock a little fast): a log read soon after it was written."""
    clock = time(int(match["H"]), int(match["M"]), int(match["S"]), _fraction(match["f"]))
    stamp = datetime.combine(now.astimezone(UTC).date(), clock, tzinfo=UTC)
    return stamp - timedelta(days=1) if stamp - now > timedelta(hours=1) else stamp


def convert(
    family: Family, match: re.Match[str], *, now: datetime, order: str = "ymd"
) -> datetime | None:
    """The UTC time a match names, or None when its fields are not a real date and time."""
    groups = match.groupdict()
    try:
        if family.name == "epoch":
            return parse_epoch(int(groups["e"]) + _fraction(groups["f"]) / 1e6)
        if family.name == "clock":
            return _on_the_latest_day(match, now)
        if family.name == "short":
            fields = dict(zip(order, (groups["a"], groups["b"], groups["c"]), strict=True))
            year, month, day = _year(fields["y"]), int(fields["m"]), int(fields["d"])
        else:
            year = _year(groups.get("y"))
            month = _MONTHS[groups["mon"]] if groups.get("mon") else int(groups["m"])
            day = int(groups["d"])
        yearless = year is None
        hour = int(groups.get("H") or 0)
        if (half := groups.get("p")) is not None:  # a 12-hour clock: 12:05 AM is 00:05
            hour = hour % 12 + (12 if half[0] in "Pp" else 0)
        stamp = datetime(
            year if year is not None else now.year,
            month,
            day,
            hour,
            int(groups.get("M") or 0),
            int(groups.get("S") or 0),
            _fraction(groups.get("f")),
            tzinfo=_zone(groups.get("tz")) or UTC,
        ).astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return _in_the_past(stamp, now) if yearless else stamp
