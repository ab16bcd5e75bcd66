"""No secret or personal datum planted in a log leaves through `analyze`: not in `--json`, not in
the `--dry-run` prompt, not in the Slack post. Each shape sits in a realistic log line; the test
looks for the secret itself, not for a placeholder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from doctor.cli import app
from doctor.models import AnalysisResponse
from tests.fakes.slack import BOT_TOKEN, FakeSlack, fake_slack

runner = CliRunner()

PEM_BODY = [
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw",
    "7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkP",
]
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

# (message, the substrings that must not leave). Every shape issue 12 names is here.
CORPUS: list[tuple[str, tuple[str, ...]]] = [
    # --- AWS
    ("s3 PutObject AccessDenied for AKIAQ7ABCDEFGH234XYZ", ("AKIAQ7ABCDEFGH234XYZ",)),
    ("assumed role creds ASIAZ5ABCDEFGH23456Q expired", ("ASIAZ5ABCDEFGH23456Q",)),
    (f"boto config aws_secret_access_key={AWS_SECRET}", (AWS_SECRET,)),
    (f"signature mismatch using aws secret {AWS_SECRET}", (AWS_SECRET,)),
    (f"SecretAccessKey: {AWS_SECRET} rejected by sts", (AWS_SECRET,)),
    ("rotating secret key: 9dG3kLm2Pq8RsT4uVw5XyZ1aBcDeFgHiJkLmNoPq", ("9dG3kLm2Pq8RsT4uVw5X",)),
    # --- code hosts and package registries
    ("git clone failed with ghp_AbCdEf0123456789AbCdEf0123456789AbCd", ("AbCdEf0123456789AbCd",)),
    ("oauth refresh gho_16C7e42F292c6912E7710c838347Ae178B4a denied", ("16C7e42F292c6912E77",)),
    ("app install token ghs_Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0EdCbA9 bad", ("Zy9Xw8Vu7Ts6Rq5Po4Nm",)),
    (
        "PAT github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789AB revoked",
        ("abcdefghijklmnopqrstuvwxyz0123456789AB",),
    ),
    ("gitlab push denied glpat-Xy7Wv6Ut5Sr4Qp3On2Ml", ("Xy7Wv6Ut5Sr4Qp3On2Ml",)),
    ("npm ERR! 401 with npm_Qw3Er4Ty5Ui6Op7As8Df9Gh0Jk1Lz2Xc3Vb4N", ("Qw3Er4Ty5Ui6Op7As8Df9",)),
    ("pip upload failed pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtMDAwMC0w", ("CJDAwMDAwMDAwLTAw",)),
    ("model pull 401 for hf_QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyU", ("QwErTyUiOpAsDfGhJkLz",)),
    # --- chat, payments, AI, mail, clouds
    ("slack auth failed xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp", ("AbCdEfGhIjKlMnOp",)),
    ("user token xoxp-2222222222-3333333333-4444444444-abcdef0123456789", ("abcdef0123456789",)),
    (
        "POST https://hooks.slack.com/services/T0AAAA1BB/B0CCCC2DD/abcDEF123ghiJKL456mno 404",
        ("abcDEF123ghiJKL456mno", "B0CCCC2DD"),
    ),
    ("stripe charge failed key sk_live_51HqAbCdEfGhIjKlMnOpQr", ("51HqAbCdEfGhIjKlMnOpQr",)),
    ("stripe restricted rk_live_51HqZyXwVuTsRqPoNmLkJi refused", ("51HqZyXwVuTsRqPoNmLkJi",)),
    ("stripe publishable pk_live_51HqMnBvCxZaSdFgHjKlPo", ("51HqMnBvCxZaSdFgHjKlPo",)),
    ("stripe webhook whsec_AbCdEfGhIjKlMnOpQrStUvWxYz01 mismatch", ("AbCdEfGhIjKlMnOpQrSt",)),
    ("maps quota key AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW", ("SyA1b2C3d4E5f6G7h8I9j0",)),
    ("openai 401 sk-proj-AbCdEf0123456789_GhIjKl0123456789-xyz", ("AbCdEf0123456789_GhIjKl",)),
    ("openai legacy key sk-ZyXwVu0123456789ZyXwVu0123456789ZyXwVu01", ("ZyXwVu0123456789ZyXw",)),
    ("anthropic sk-ant-api03-QwErTy0123456789AsDfGh0123 rejected", ("QwErTy0123456789AsDf",)),
    ("twilio send failed SK0123456789abcdef0123456789abcdef", ("0123456789abcdef0123",)),
    (
        "sendgrid SG.AbCdEf0123456789abcd.ZyXwVu0123456789ZyXwVu0123456789 401",
        ("ZyXwVu0123456789",),
    ),
    (
        "doctl auth dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ("0123456789abcdef0123",),
    ),
    (
        "telegram GET /bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ/getMe 401",
        ("AAHdqTcvCH1vGWJx",),
    ),
    # --- Azure
    (
        "blob client DefaultEndpointsProtocol=https;AccountName=acct;"
        "AccountKey=q83hdf8sdf8s9df8s9df8AbCd+/ef==;EndpointSuffix=core.windows.net",
        ("q83hdf8sdf8s9df8s9df8AbCd",),
    ),
    (
        "servicebus Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;"
        "SharedAccessKey=ZyXw0123456789vutsrq+/AbC=",
        ("ZyXw0123456789vutsrq",),
    ),
    (
        "GET https://acct.blob.core.windows.net/c/b.txt"
        "?sv=2022-11-02&sig=AbCd%2Bef0123456789XyZ 403",
        ("AbCd%2Bef0123456789XyZ",),
    ),
    # --- private keys and service accounts
    (
        "tls load -----BEGIN EC PRIVATE KEY----- MHcCAQEEIBKxQw3pL9mN2vR8sT5uW7yZ1aC4dF6gH "
        "-----END EC PRIVATE KEY-----",
        ("MHcCAQEEIBKxQw3pL9mN2vR8",),
    ),
    (
        '{"type": "service_account", "private_key_id": "5f1e0b2c9d8a7f6e5d4c3b2a19080706f5e4d3c2", '
        '"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEF\\n'
        '-----END PRIVATE KEY-----\\n", "client_email": "sa@proj.iam.gserviceaccount.com"}',
        ("5f1e0b2c9d8a7f6e5d4c", "MIIEvQIBADANBgkqhkiG9w0BAQEF"),
    ),
    # --- HTTP auth
    ("upstream 401 Authorization: Basic dXNlcjpTM2NyM3RQYXNz", ("dXNlcjpTM2NyM3RQYXNz",)),
    ("proxy 401 Authorization: Bearer opaqueBearerTok3n0123456789", ("opaqueBearerTok3n01",)),
    (
        "jwt rejected eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJlMTIzNDU2 expired",
        ("eyJzdWIiOiJib2IifQ", "c2lnbmF0dXJlMTIzNDU2"),
    ),
    ("header X-Api-Key: k3y-Vq8Wz2Lp9Rt4 rejected", ("k3y-Vq8Wz2Lp9Rt4",)),
    ("GET /cb?code=x&access_token=At0k3nValue9876&scope=read 401", ("At0k3nValue9876",)),
    ("Cookie: sessionid=a8F3kq92Lx0Pz7Vw4Rt1 expired", ("a8F3kq92Lx0Pz7Vw4Rt1",)),
    # --- passwords
    (
        "could not connect postgres://app:Pg-S3cret!42@db.internal:5432/orders",
        ("Pg-S3cret!42",),
    ),
    ("amqp connect failed amqp://user:p@ss:w0rd@mq.internal:5672/", ("p@ss", "ss:w0rd")),
    ("redis auth failed redis://:R3d1sPass@cache.internal:6379/0", ("R3d1sPass",)),
    ("backup job ran: mysqldump -uroot -pMyS3cretPw orders", ("MyS3cretPw",)),
    ("cron: pg_dump --password=PgDumpPw77 shop", ("PgDumpPw77",)),
    ("cron: tool --password Hunter2Hunter2 --db shop", ("Hunter2Hunter2",)),
    ("ssh deploy: sshpass -p Deploy-Pw-2026 ssh app@bastion", ("Deploy-Pw-2026",)),
    ("config reload password: Tr0ub4dor&3", ("Tr0ub4dor&3", "&3")),
    ("env DB_PASSWORD='Qz8!vL2#pW' loaded", ("Qz8!vL2#pW",)),
    ('login failed {"user": "bob", "password": "B0bsPa55word"}', ("B0bsPa55word",)),
    ("oauth client_secret=Cl13ntS3cr3tValue rejected", ("Cl13ntS3cr3tValue",)),
    # --- random values after credential words
    ("auth failed: token expired: qWeRtYuIoPaSdFgHjKlZxCvBnMqWeRtY", ("qWeRtYuIoPaSdFgHjKl",)),
    ("invalid api key: 7f3Kx9Qm2Lp8Rv4Tz6Wn1Yb5", ("7f3Kx9Qm2Lp8Rv4Tz6Wn1Yb5",)),
    ("twilio auth token 8f14e45fceea167a5a36dedd4bea2543 rejected", ("8f14e45fceea167a5a36",)),
    # --- personal data
    ("password reset mail to alice.smith@example.com bounced", ("alice.smith@example.com",)),
    ('{"event": "signup failed", "email": "bob@corp.example.org"}', ("bob@corp.example.org",)),
    ("sms to +1 415 555 0132 failed: carrier error", ("415 555 0132",)),
    ("callback +44 20 7946 0958 unreachable", ("7946 0958",)),
    ("customer phone (415) 555-0199 invalid", ("555-0199",)),
    ("verify 212-555-0147 failed", ("212-555-0147",)),
    ("Rückruf an 030 1234567 fehlgeschlagen", ("1234567",)),
    ("payment declined card 4111 1111 1111 1111", ("4111 1111 1111 1111", "1111 1111 1111")),
    ("payment declined pan=5555555555554444", ("5555555555554444",)),
    ("payment declined amex 3782-822463-10005", ("3782-822463-10005", "822463")),
    ("sepa payout failed DE89370400440532013000", ("DE89370400440532013000", "370400440532")),
    ("sepa payout failed GB82 WEST 1234 5698 7654 32", ("WEST 1234 5698 7654",)),
    ("login failed from 81.2.69.160 for user 42", ("81.2.69.160",)),
    ("rate limited client 203.0.113.77:51234", ("203.0.113.77",)),
    ("connection reset by [2606:4700:4700::1111]:443", ("2606:4700:4700::1111", "4700::1111")),
]


def _log(tmp_path: Path) -> Path:
    lines = [
        f"2026-11-26T04:{n // 60:02d}:{n % 60:02d}Z ERROR [api] {message}"
        for n, (message, _) in enumerate(CORPUS)
    ]
    # A PEM key as awslogs without a multiline pattern sends it: one line per event.
    lines += ["-----BEGIN RSA PRIVATE KEY-----", *PEM_BODY, "-----END RSA PRIVATE KEY-----"]
    path = tmp_path / "leaky.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _forbidden() -> list[str]:
    return [s for _, secrets in CORPUS for s in secrets] + [line[:24] for line in PEM_BODY]


def _leaks(text: str) -> list[str]:
    return [secret for secret in _forbidden() if secret in text]


def test_the_corpus_holds_every_shape_of_the_issue() -> None:
    assert len(CORPUS) + 1 >= 60  # +1: the PEM key sent line by line


@pytest.fixture(autouse=True)
def roomy_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every planted line reaches the prompt: none is left out to fit the budget, where it
    # would prove nothing.
    monkeypatch.setenv("DOCTOR_PROMPT_TOKEN_BUDGET", "60000")


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    with fake_slack() as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("SLACK_CHANNEL", "C0ONCALL")
        monkeypatch.setenv("SLACK_API_URL", fake.api_url)
        yield fake


def test_nothing_planted_leaks_into_json_or_the_slack_post(
    tmp_path: Path, slack: FakeSlack
) -> None:
    args = ["analyze", "--file", str(_log(tmp_path)), "--engine", "rules", "--json", "--slack"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    response = AnalysisResponse.model_validate_json(result.stdout)
    assert response.analysis.issues  # the lines were analysed, not dropped
    evidence = [line for issue in response.analysis.issues for line in issue.evidence]
    assert any("<" in line for line in evidence)  # redacted evidence is still shown
    assert _leaks(result.stdout) == []
    assert _leaks(result.stderr) == []
    (post,) = slack.calls_to("chat.postMessage")
    assert _leaks(json.dumps(post.json)) == []


def test_nothing_planted_leaks_into_the_prompt(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", "--file", str(_log(tmp_path)), "--dry-run"])
    assert result.exit_code == 0, result.stderr
    prompt = result.stdout
    assert "omitted to fit the prompt budget" not in prompt
    assert _leaks(prompt) == []
    # The lines did reach the prompt, redacted: their placeholders are there.
    for placeholder in ("<AWS_SECRET_KEY>", "<PRIVATE_KEY>", "<PASSWORD>", "<EMAIL>", "<IP-1>"):
        assert placeholder in prompt


def test_with_pii_off_personal_data_stays_but_no_secret_leaks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCTOR_REDACT_PII", "false")
    result = runner.invoke(app, ["analyze", "--file", str(_log(tmp_path)), "--dry-run"])
    assert result.exit_code == 0, result.stderr
    assert "alice.smith@example.com" in result.stdout
    assert "203.0.113.77" in result.stdout
    assert "<IP-1>" not in result.stdout
    secrets_only = [s for s in _leaks(result.stdout) if s in _secret_values()]
    assert secrets_only == []


def _secret_values() -> set[str]:
    personal_from = next(n for n, (m, _) in enumerate(CORPUS) if "password reset mail" in m)
    return {s for _, secrets in CORPUS[:personal_from] for s in secrets}


def test_nothing_planted_reaches_stored_history_or_the_report_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from doctor.reports import render
    from doctor.store import Store

    database = tmp_path / "history.sqlite3"
    monkeypatch.setenv("DOCTOR_DATABASE_URL", f"sqlite:///{database}")
    result = runner.invoke(app, ["analyze", "--file", str(_log(tmp_path)), "--json"])
    assert result.exit_code == 0, result.stderr
    answer = AnalysisResponse.model_validate_json(result.stdout)
    store = Store(f"sqlite:///{database}")
    try:
        stored = store.stored(answer.id)
    finally:
        store.close()
    assert stored is not None
    # Every byte the database holds (its file and write-ahead log), and the page drawn from it.
    on_disk = b"".join(p.read_bytes() for p in tmp_path.glob("history.sqlite3*"))
    assert _leaks(on_disk.decode("utf-8", "replace")) == []
    assert _leaks(json.dumps(stored.digest)) == []
    assert _leaks(render(stored.response, stored.digest)) == []
