"""Windows events printed as XML, one per line: time, level, provider and message."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from doctor.digest import Level, parse_lines
from doctor.digest.streams import parse_records
from doctor.digest.winevent import event_record

_NS = "http://schemas.microsoft.com/win/2004/08/events/event"


def _event(
    level: str, data: str, *, provider: str = "Acme.Billing", keywords: str = "0x80000000000000"
) -> str:
    return (
        f'<Event xmlns="{_NS}"><System><Provider Name="{provider}"/>'
        f'<EventID Qualifiers="0">2001</EventID><Level>{level}</Level>'
        f"<Keywords>{keywords}</Keywords>"
        '<TimeCreated SystemTime="2026-09-14T08:07:29.4244360Z"/>'
        "<Computer>APP01.corp.example</Computer></System>"
        f"<EventData>{data}</EventData></Event>"
    )


def test_an_event_line_gives_its_utc_time_level_provider_and_data() -> None:
    line = _event("2", "<Data>InvoiceJob failed: Timeout expired.</Data>")
    (event,) = parse_lines([line])
    assert event.timestamp == datetime(2026, 9, 14, 8, 7, 29, 424436, tzinfo=UTC)
    assert event.level is Level.ERROR
    assert event.service == "Acme.Billing"
    assert event.message == "2001: InvoiceJob failed: Timeout expired."


def test_named_data_reads_as_name_value_and_a_stack_follows_the_message() -> None:
    data = (
        '<Data Name="TargetUserName">svc_billing</Data><Data Name="Status">0xc000006d</Data>'
        "<Data>Unhandled.&#xD;&#xA;   at Billing.Api.Run()&#xD;&#xA;</Data>"
    )
    (event,) = parse_lines([_event("3", data)])
    assert event.level is Level.WARNING
    assert event.message.split("\n") == [
        "2001: TargetUserName=svc_billing Status=0xc000006d Unhandled.",
        "   at Billing.Api.Run()",
    ]


def test_a_failed_audit_at_level_zero_is_a_warning() -> None:
    record = event_record(_event("0", "<Data>x</Data>", keywords="0x8010000000000000"))
    assert record is not None
    assert record["level"] == "warning"
    record = event_record(_event("0", "<Data>x</Data>", keywords="0x8020000000000000"))
    assert record is not None
    assert record["level"] == "info"


def test_the_rendered_message_stands_for_the_data() -> None:
    line = _event("4", "<Data>42</Data>").replace(
        "</Event>",
        "<RenderingInfo><Message>The service entered the running state.</Message>"
        "</RenderingInfo></Event>",
    )
    record = event_record(line)
    assert record is not None
    assert record["message"] == "2001: The service entered the running state."


@pytest.mark.parametrize(
    "line",
    [
        "<Event>not xml</Event",
        "<Event><broken></Event>",
        '<!DOCTYPE x [<!ENTITY a "aaaa">]><Event><System/></Event>',
        '<Event xmlns="x"><System/></Event><!-- --> <Event>',
        "<Eventful>words</Eventful>",
    ],
)
def test_what_is_no_event_element_is_read_as_text(line: str) -> None:
    assert event_record(line) is None
    (event,) = parse_lines([line])
    assert event.message == line


def test_an_event_read_whole_is_redacted_once_its_message_is_rebuilt() -> None:
    """A CloudWatch event holding an XML event: the raw XML was redacted, but a password is
    only `<Data Name="Password">` there; rebuilt as `Password=…` it must be redacted too."""
    line = _event("2", '<Data Name="Password">hunter2</Data><Data>secret&#61;S3cr3tValue99</Data>')
    stamp = datetime(2026, 9, 14, 8, 7, 29, tzinfo=UTC)
    (event,) = parse_records([(line, stamp)], whole=True)
    assert "hunter2" not in event.message
    assert "S3cr3tValue99" not in event.message
    assert event.message.startswith("2001: Password=<")


def test_a_value_with_spaces_is_quoted_so_its_whole_secret_is_redacted() -> None:
    data = (
        '<Data Name="Password">correct horse battery</Data>'
        '<Data Name="Token">abc def&#xA;ghi</Data>'
        '<Data Name="Image">C:\\Program Files\\Acme\\billing.exe</Data>'
    )
    (event,) = parse_records([(_event("2", data), datetime(2026, 9, 14, tzinfo=UTC))], whole=True)
    assert "horse" not in event.message
    assert "battery" not in event.message
    assert "ghi" not in event.message  # a value over two lines goes whole too
    assert 'Image="C:\\Program Files\\Acme\\billing.exe"' in event.message


@pytest.mark.parametrize(
    "line",
    [
        '<Event xmlns="x"><System><Level>2</Level></System><Data>bad \udcff byte</Data></Event>',
        f'<Event xmlns="{_NS}"><System></System></Event>',
        f'<Event xmlns="{_NS}"><System><EventID>1</EventID></System><!-- c --></Event>',
    ],
    ids=["lone-surrogate", "says-nothing", "comment"],
)
def test_an_event_that_cannot_be_read_as_one_stays_its_text(line: str) -> None:
    assert event_record(line) is None
    (event,) = parse_lines([line])
    assert event.message == line
