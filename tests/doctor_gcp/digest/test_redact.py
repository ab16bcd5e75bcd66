"""Every secret kind is replaced by its placeholder, context is kept, prose is left alone."""

from __future__ import annotations

import pytest

from doctor.digest import Redactor, digest_lines, parse_lines, redact, render_prompt

# Canary values: realistic shapes that must never survive redaction.
AWS_KEY_ID = "AKIAQ7CANARY0000XYZW"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARY0KEY"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlY2FuYXJ5"
BEARER = "opaqueCanaryBearer0123456789"
SLACK_BOT = "xoxb-123456789012-1234567890123-CanarySlackBotToken0"
SLACK_APP = "xapp-1-A0CANARY01-1234567890-abcdefcanary"
SLACK_HOOK_PATH = "T00CANARY/B00CANARY/CanaryWebhookSecret000"
STRIPE_LIVE = "sk_live_51CanaryStripeLiveKey000"
STRIPE_TEST = "pk_test_51CanaryStripeTestKey000"
RESTRICTED = "rk_live_51CanaryRestrictedKey00"
GITHUB = "ghp_CanaryGithubToken0123456789abcdefABCD"
GITHUB_OAUTH = "gho_CanaryGithubOauth0123456789abcdefABCD"
GOOGLE = "AIzaSyCanaryGoogleApiKey0123456789abcde"
URL_PASSWORD = "CanaryUrlPass!42"
KV_PASSWORD = "CanaryKvPass42"
PRIVATE_KEY_BODY = "MIIEowIBAAKCAQEAcanaryPrivateKeyBody"

CANARIES = [
    AWS_KEY_ID,
    AWS_SECRET,
    JWT,
    BEARER,
    SLACK_BOT,
    SLACK_APP,
    SLACK_HOOK_PATH,
    STRIPE_LIVE,
    STRIPE_TEST,
    RESTRICTED,
    GITHUB,
    GITHUB_OAUTH,
    GOOGLE,
    URL_PASSWORD,
    KV_PASSWORD,
    PRIVATE_KEY_BODY,
]

CASES = [
    (f"using key {AWS_KEY_ID} for s3", "using key <AWS_ACCESS_KEY_ID> for s3", "AWS_ACCESS_KEY_ID"),
    (
        f"aws_secret_access_key={AWS_SECRET} loaded",
        "aws_secret_access_key=<AWS_SECRET_KEY> loaded",
        "AWS_SECRET_KEY",
    ),
    (
        f'{{"SecretAccessKey": "{AWS_SECRET}"}}',
        '{"SecretAccessKey": "<AWS_SECRET_KEY>"}',
        "AWS_SECRET_KEY",
    ),
    (f"session {JWT} rejected", "session <JWT> rejected", "JWT"),
    (f"Authorization: Bearer {BEARER}", "Authorization: Bearer <BEARER_TOKEN>", "BEARER_TOKEN"),
    (f"Authorization: Bearer {JWT}", "Authorization: Bearer <JWT>", "JWT"),
    ("Authorization: Basic dXNlcjpDYW5hcnk=", "Authorization: Basic <PASSWORD>", "PASSWORD"),
    (f"slack auth {SLACK_BOT} failed", "slack auth <SLACK_TOKEN> failed", "SLACK_TOKEN"),
    (f"socket mode {SLACK_APP}", "socket mode <SLACK_TOKEN>", "SLACK_TOKEN"),
    (
        f"POST https://hooks.slack.com/services/{SLACK_HOOK_PATH} 404",
        "POST https://hooks.slack.com/services/<SLACK_TOKEN> 404",
        "SLACK_TOKEN",
    ),
    (f"charge with {STRIPE_LIVE}", "charge with <STRIPE_KEY>", "STRIPE_KEY"),
    (f"publishable {STRIPE_TEST}", "publishable <STRIPE_KEY>", "STRIPE_KEY"),
    (f"restricted {RESTRICTED}", "restricted <STRIPE_KEY>", "STRIPE_KEY"),
    (f"clone with {GITHUB}", "clone with <GITHUB_TOKEN>", "GITHUB_TOKEN"),
    (f"oauth {GITHUB_OAUTH}", "oauth <GITHUB_TOKEN>", "GITHUB_TOKEN"),
    (f"maps key={GOOGLE}", "maps key=<GOOGLE_API_KEY>", "GOOGLE_API_KEY"),
    (
        f"connect postgres://app:{URL_PASSWORD}@db.internal:5432/orders",
        "connect postgres://app:<PASSWORD>@db.internal:5432/orders",
        "PASSWORD",
    ),
    (f"redis://:{URL_PASSWORD}@cache:6379/0", "redis://:<PASSWORD>@cache:6379/0", "PASSWORD"),
    (f"password={KV_PASSWORD} user=bob", "password=<PASSWORD> user=bob", "PASSWORD"),
    (f"DB_PASSWORD = '{KV_PASSWORD}'", "DB_PASSWORD = '<PASSWORD>'", "PASSWORD"),
    (f'{{"password": "{KV_PASSWORD}"}}', '{"password": "<PASSWORD>"}', "PASSWORD"),
    (f'{{"client_secret":"{KV_PASSWORD}"}}', '{"client_secret":"<PASSWORD>"}', "PASSWORD"),
    (f"passwd: {KV_PASSWORD}", "passwd: <PASSWORD>", "PASSWORD"),
    (f"pwd={KV_PASSWORD}", "pwd=<PASSWORD>", "PASSWORD"),
    (  # JSON inside a message, its quotes escaped
        f'body={{\\"user\\":\\"bob\\",\\"password\\":\\"{KV_PASSWORD}\\"}}',
        'body={\\"user\\":\\"bob\\",\\"password\\":\\"<PASSWORD>\\"}',
        "PASSWORD",
    ),
    (f"secret={KV_PASSWORD}", "secret=<PASSWORD>", "PASSWORD"),
    (f"X-Api-Key: {KV_PASSWORD}", "X-Api-Key: <PASSWORD>", "PASSWORD"),
    (f"apikey={KV_PASSWORD}", "apikey=<PASSWORD>", "PASSWORD"),
    (f"access_token={KV_PASSWORD}&scope=read", "access_token=<PASSWORD>&scope=read", "PASSWORD"),
    (f"GET /cb?token={KV_PASSWORD}&x=1", "GET /cb?token=<PASSWORD>&x=1", "PASSWORD"),
    (f'authorization="{KV_PASSWORD}"', 'authorization="<PASSWORD>"', "PASSWORD"),
    (
        f"-----BEGIN RSA PRIVATE KEY-----\n{PRIVATE_KEY_BODY}\n-----END RSA PRIVATE KEY----- ok",
        "<PRIVATE_KEY> ok",
        "PRIVATE_KEY",
    ),
    (
        f"key: -----BEGIN PRIVATE KEY-----\\n{PRIVATE_KEY_BODY}\\n-----END PRIVATE KEY-----",
        "key: <PRIVATE_KEY>",
        "PRIVATE_KEY",
    ),
    # A key cut off by a log line limit is still a key.
    (f"-----BEGIN EC PRIVATE KEY-----\n{PRIVATE_KEY_BODY}", "<PRIVATE_KEY>", "PRIVATE_KEY"),
]


@pytest.mark.parametrize(("text", "expected", "kind"), CASES)
def test_each_secret_kind_becomes_its_placeholder(text: str, expected: str, kind: str) -> None:
    redacted, counts = redact(text)
    assert redacted == expected
    assert counts == {kind: 1}
    assert not any(canary in redacted for canary in CANARIES)


@pytest.mark.parametrize(
    "text",
    [
        "invalid token: expired",
        "token_count=5 max_tokens=7",
        "duplicate key value violates unique constraint",
        'password authentication failed for user "app"',
        "bypass=true",
        "https://example.com:8443/api/v1/orders?page=2",
        "GET /health 200 in 3ms",
        'Authorization: Bearer realm="api"',
    ],
)
def test_prose_and_ordinary_fields_are_left_alone(text: str) -> None:
    assert redact(text) == (text, {})


def test_text_without_any_anchor_is_returned_as_is() -> None:
    text = "GET /api/orders/123 200 12ms"
    assert Redactor().redact(text) is text


def test_placeholders_are_not_redacted_twice() -> None:
    redacted, counts = redact(f'{{"Authorization": "Bearer {JWT}", "token": "{JWT}"}}')
    assert redacted == '{"Authorization": "Bearer <JWT>", "token": "<JWT>"}'
    assert counts == {"JWT": 2}


def test_redactor_counts_across_calls() -> None:
    redactor = Redactor()
    redactor.redact(f"password={KV_PASSWORD}")
    redactor.redact(f"{AWS_KEY_ID} and {AWS_KEY_ID}")
    assert redactor.counts == {"PASSWORD": 1, "AWS_ACCESS_KEY_ID": 2}


def test_canaries_never_reach_the_digest_or_the_prompt() -> None:
    lines = [
        f"2026-11-22T23:58:{i:02d}Z ERROR [app] {text}" for i, (text, _, _) in enumerate(CASES)
    ]
    lines.append(f'{{"level": "error", "msg": "login", "exception": "password={KV_PASSWORD}"}}')
    digest = digest_lines(lines)
    prompt = render_prompt(digest, budget_tokens=50_000, log_group="/aws/ec2/app", minutes=30)
    everything = repr(digest) + prompt.render()
    for canary in CANARIES:
        assert canary not in everything
    assert sum(digest.redactions.values()) >= len(CASES)
    assert "PASSWORD x" in prompt.user


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("DB_PASS=Sup3rS3cret!", "Sup3rS3cret!"),
        ("MYSQL_PASS: hunter2hunter2", "hunter2hunter2"),
        ("auth=Zm9vOmJhcg==", "Zm9vOmJhcg=="),
        ("Cookie: sessionid=abc123def456", "abc123def456"),
        ("session=8f14e45fceea167a5a36dedd4bea2543", "8f14e45fceea167a5a36dedd4bea2543"),
        ("SecretAccessKey wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG"),
        ("mysqldump --password hunter2 mydb", "hunter2"),
        ("pg_dump --db-token s3cr3t-value ...", "s3cr3t-value"),
        ("AccountName=x;AccountKey=q83hd+f8sdf8s9df8s9df8==;", "q83hd+f8sdf8s9df8s9df8=="),
        ("token: abcdefghijklmnopq", "abcdefghijklmnopq"),
        ("password=Secret@1234abcd", "Secret@1234abcd"),  # not a qualified class
        ("token=abc@1234 next", "abc@1234"),
        ("password=Token{78af589", "Token{78af589"),  # no object description follows
        ("password=my.secret.pass", "my.secret.pass"),  # a password is one, however it looks
        ("token=ya29.a0AfH6SMBx.Yz12", "ya29.a0AfH6SMBx.Yz12"),  # dotted, with digits
    ],
)
def test_credentials_in_less_common_spellings_are_redacted(text: str, secret: str) -> None:
    redacted, counts = redact(text)
    assert secret not in redacted
    assert counts


@pytest.mark.parametrize(
    "text",
    [
        "token: ExpiredSignatureError",  # exception names are the diagnosis
        "auth: failed",
        "bypass=true",
        "docker run -p 8080:80 app",
        "authentication failed for user bob",
        "Processed session termination for sessionid: 0x14f05578bf8000c",  # a 64-bit id
        "closing sessionid:0x14f05578bf80018 type:create",
        # A JVM object's identity, not a secret.
        "Bad activity token: android.os.BinderProxy@2bd79ce",
        "Skipping AppWindowToken{df0798e token=Token{78af589 ActivityRecord{3b04890 u0 t7}}}",
        "Could not get event name for stream/token: com.apple.xpc.activity/4505: 132: stale",
        # Source lines a traceback quotes: what they read names the missing setting.
        '    token = os.environ["SLACK_TOKEN"]',
        "    api_key = config['stripe']['key']",
        '    SECRET_KEY = os.getenv("DJANGO_SECRET_KEY")',
    ],
)
def test_what_only_looks_like_a_credential_key_is_kept(text: str) -> None:
    assert redact(text) == (text, {})


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("amqp://user:p@ss:w0rd@mq.internal:5672/", "ss:w0rd"),
        ("password: Tr0ub4dor&3", "&3"),
        ('password=Tr0ub(4dor"', "4dor"),  # not code: more follows its opening
        # not code either: no spaced assignment, or no closed literal inside
        ('password=hunter2("x")', "hunter2"),
        ("login ok user=bob password=P4ss[' role=admin", "P4ss"),
        ("login password=Tr0ub4dor&3 user=bob", "&3"),
        ("mysql --password=x9 orders", "x9"),
        ("mysql -uroot -pSECRET orders", "SECRET"),
        ('{"private_key_id": "5f1e0b2c9d8a7f6e5d4c3b2a19080706f5e4d3c2"}', "5f1e0b2c9d8a"),
    ],
)
def test_the_whole_secret_goes_not_just_its_head(text: str, left: str) -> None:
    assert left not in redact(text)[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("access_token=Secr3tValue&scope=read", "access_token=<PASSWORD>&scope=read"),
        ("{user=bob, password=Secr3t!}", "{user=bob, password=<PASSWORD>}"),
        ("password=Secr3t!, retrying", "password=<PASSWORD>, retrying"),
        ("amqp://user:p@ss:w0rd@mq.internal:5672/", "amqp://user:<PASSWORD>@mq.internal:5672/"),
        ("Authorization: Basic dXNlcjpwdw==", "Authorization: Basic <PASSWORD>"),
    ],
)
def test_context_around_a_secret_is_kept(text: str, expected: str) -> None:
    assert redact(text)[0] == expected


PEM_LINES = [
    "-----BEGIN RSA PRIVATE KEY-----",
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw",
    "7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkP",
    "-----END RSA PRIVATE KEY-----",
]


def test_a_private_key_logged_one_line_per_event_is_redacted_whole() -> None:
    # awslogs without a multiline pattern: each line of the key is its own event.
    lines = ["2026-11-26T04:00:00Z ERROR loading key", *PEM_LINES, "2026-11-26T04:00:01Z INFO ok"]
    messages = [event.message for event in parse_lines(lines)]
    everything = "\n".join(messages)
    for body in PEM_LINES[1:3]:
        assert body[:24] not in everything
    assert messages[-1] == "INFO ok" or messages[-1].endswith("ok")  # the key ended there


def test_after_a_key_ends_ordinary_base64_ish_lines_are_kept() -> None:
    redactor = Redactor()
    for line in PEM_LINES:
        redactor.redact(line)
    line = "cache warmup done in 12ms for tenant AcmeCorpProductionTenant01"
    assert redactor.redact(line) == line


def test_a_cut_off_key_stops_at_the_first_line_that_is_not_base64() -> None:
    redactor = Redactor()
    redactor.redact(PEM_LINES[0])
    assert redactor.redact(PEM_LINES[1]) == "<PRIVATE_KEY>"
    assert redactor.redact("INFO restarting worker") == "INFO restarting worker"
    line = "session closed for AbCdEfGhIjKlMnOpQrSt0123"
    assert redactor.redact(line) == line


def test_one_client_keeps_one_pseudonym_and_infrastructure_addresses_stay() -> None:
    redactor = Redactor()
    first = redactor.redact("401 from 203.0.113.7 via 10.0.0.5")
    second = redactor.redact("401 from 198.51.100.23 via 10.0.0.5")
    third = redactor.redact("403 from 203.0.113.7 via 127.0.0.1")
    assert first == "401 from <IP-1> via 10.0.0.5"
    assert second == "401 from <IP-2> via 10.0.0.5"
    assert third == "403 from <IP-1> via 127.0.0.1"
    assert redactor.counts == {"IP": 3}


def test_pseudonyms_still_mine_as_one_template() -> None:
    lines = [f"2026-11-26T04:00:{n:02d}Z WARN login failed from 81.2.69.{n + 1}" for n in range(20)]
    lines += [f"2026-11-26T04:01:{n:02d}Z WARN login failed from 10.1.0.{n + 1}" for n in range(5)]
    digest = digest_lines(lines)
    assert len(digest.patterns) == 1
    assert "81.2.69" not in repr(digest)


PERSONAL = [
    ("mail to alice@example.com bounced", "alice@example.com"),
    ("card 4111 1111 1111 1111 declined", "4111 1111 1111 1111"),
    ("payout to DE89370400440532013000 failed", "DE89370400440532013000"),
    ("SMS to +1 415 555 0132 failed", "415 555 0132"),
    ("client 203.0.113.7 refused", "203.0.113.7"),
]


@pytest.mark.parametrize(("text", "value"), PERSONAL)
def test_personal_data_goes_by_default(text: str, value: str) -> None:
    assert value not in redact(text)[0]


@pytest.mark.parametrize(("text", "value"), PERSONAL)
def test_without_pii_personal_data_stays_but_secrets_still_go(text: str, value: str) -> None:
    redacted, counts = redact(f"{text} password={KV_PASSWORD}", pii=False)
    assert value in redacted
    assert KV_PASSWORD not in redacted
    assert counts == {"PASSWORD": 1}


def test_a_repeated_text_is_counted_every_time() -> None:
    redactor = Redactor()
    for _ in range(3):
        assert redactor.redact(f"password={KV_PASSWORD} from 203.0.113.7") == (
            "password=<PASSWORD> from <IP-1>"
        )
    assert redactor.counts == {"PASSWORD": 3, "IP": 3}
