"""tls_certificate: a peer's certificate has expired, or is not trusted for the name we dialled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chaos_app.events import Event, Fake
from chaos_app.scenarios._kit import (
    access,
    endpoint,
    go_log,
    go_quote,
    java_thread,
    jv,
    nginx,
    nginx_conn,
    nginx_request,
    node_log,
)
from chaos_app.scenarios._stacks import PY_SITE, java_stack, node_stack, py_traceback

_TLS_NODE_FRAMES = [
    "TLSSocket.onConnectSecure (node:_tls_wrap:1674:34)",
    "TLSSocket.emit (node:events:519:28)",
    "TLSSocket._finishInit (node:_tls_wrap:1085:8)",
    "ssl.onhandshakedone (node:_tls_wrap:871:12)",
]
_JSSE_FRAMES = [
    "java.base/sun.security.ssl.Alert.createSSLException(Alert.java:130)",
    "java.base/sun.security.ssl.TransportContext.fatal(TransportContext.java:383)",
    "java.base/sun.security.ssl.CertificateMessage$T13CertificateConsumer.checkServerCerts(CertificateMessage.java:1304)",
    "java.base/sun.security.ssl.SSLHandshake.consume(SSLHandshake.java:393)",
    "java.base/sun.security.ssl.SSLSocketImpl.startHandshake(SSLSocketImpl.java:451)",
]


def _peer(fake: Fake) -> tuple[str, str]:
    host = f"api.{fake.choice(('payments', 'shipping', 'tax', 'fx'))}-partner.example.com"
    return host, f"https://{host}/v2/{fake.choice(('charges', 'rates', 'labels', 'quotes'))}"


def _python(fake: Fake, host: str, url: str, reason: str) -> list[Event]:
    ssl = f"[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: {reason} (_ssl.c:1007)"
    tb = py_traceback(
        [
            (
                "/app/clients/partner.py",
                fake.integer(20, 90),
                "post",
                "resp = self.session.post(url, json=body, timeout=10)",
            ),
            (f"{PY_SITE}/requests/adapters.py", 517, "send", "raise SSLError(e, request=request)"),
        ],
        f"requests.exceptions.SSLError: HTTPSConnectionPool(host='{host}', port=443): Max "
        "retries exceeded "
        f"with url: {url.split(host, 1)[1]} (Caused by SSLError(SSLCertVerificationError(1, "
        f"'{ssl}')))",
    )
    method, path = endpoint(fake)
    return [
        Event("ERROR", "app.clients", f"partner call failed host={host}", tb),
        access(fake, "python", method, path, 500, fake.latency_ms(20, 300)),
    ]


def _java(fake: Fake, url: str, head: str, causes: list[tuple[str, list[str], int]]) -> list[Event]:
    thread = java_thread(fake)
    stack = java_stack(f"javax.net.ssl.SSLHandshakeException: {head}", _JSSE_FRAMES, causes)
    return [
        jv(
            "ERROR",
            "com.acme.clients.PartnerClient",
            f'I/O error on POST request for "{url}": {head}',
            thread,
            stack,
        )
    ]


def _node(fake: Fake, url: str, message: str, code: str) -> list[Event]:
    stack = node_stack(f"Error: {message}", _TLS_NODE_FRAMES)
    return [
        node_log("ERROR", "gateway", "partner request failed", stack, {"code": code, "url": url})
    ]


def _nginx(fake: Fake, message: str) -> list[Event]:
    method, path = endpoint(fake)
    pid = fake.integer(20, 90)
    return [
        nginx(
            "ERROR",
            "error",
            (
                f"{nginx_conn(fake)} {message} while SSL handshaking to "
                f"upstream{nginx_request(fake, method, path, f'{fake.private_ip()}:443', 'https')}"
            ),
            pid,
        )
        for _ in range(fake.integer(1, 2))
    ]


def cert_expired(fake: Fake) -> list[Event]:
    host, url = _peer(fake)
    not_after = datetime(2025, fake.integer(6, 12), fake.integer(1, 28), 23, 59, 59, tzinfo=UTC)
    now = not_after + timedelta(days=fake.integer(1, 30), seconds=fake.integer(0, 86399))
    flavour = fake.integer(0, 4)
    if flavour == 0:
        return _python(fake, host, url, "certificate has expired")
    if flavour == 1:
        validity = "java.security.cert.CertPathValidatorException: validity check failed"
        return _java(
            fake,
            url,
            f"PKIX path validation failed: {validity}",
            [
                (
                    validity,
                    [
                        "java.base/sun.security.provider.certpath.PKIXMasterCertPathValidator.validate(PKIXMasterCertPathValidator.java:135)"
                    ],
                    22,
                ),
                (
                    (
                        "java.security.cert.CertificateExpiredException: NotAfter: "
                        f"{not_after:%a %b %d %H:%M:%S} UTC {not_after:%Y}"
                    ),
                    [
                        "java.base/sun.security.x509.CertificateValidity.valid(CertificateValidity.java:183)"
                    ],
                    9,
                ),
            ],
        )
    if flavour == 2:
        err = go_quote(
            f'Post "{url}": tls: failed to verify certificate: x509: certificate has expired '
            "or is not yet valid: "
            f"current time {now:%Y-%m-%dT%H:%M:%SZ} is after {not_after:%Y-%m-%dT%H:%M:%SZ}"
        )
        method, path = endpoint(fake)
        return [
            go_log("ERROR", f"partner call failed err={err}"),
            access(fake, "go", method, path, 500, fake.latency_ms(5, 90)),
        ]
    if flavour == 3:
        return _node(fake, url, "certificate has expired", "CERT_HAS_EXPIRED")
    return _nginx(fake, "upstream SSL certificate verify error: (10:certificate has expired)")


def cert_untrusted(fake: Fake) -> list[Event]:
    host, url = _peer(fake)
    other = f"*.{fake.choice(('example.net', 'cdn.example.org', 'staging.example.com'))}"
    flavour = fake.integer(0, 4)
    if flavour == 0:
        reason = fake.choice(
            (
                "unable to get local issuer certificate",
                "self-signed certificate in certificate chain",
                f"Hostname mismatch, certificate is not valid for '{host}'.",
            )
        )
        return _python(fake, host, url, reason)
    if flavour == 1:
        builder = (
            "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid "
            "certification path to requested target"
        )
        return _java(
            fake,
            url,
            f"PKIX path building failed: {builder}",
            [
                (
                    (
                        "sun.security.validator.ValidatorException: PKIX path building failed: "
                        f"{builder}"
                    ),
                    [
                        "java.base/sun.security.validator.PKIXValidator.doBuild(PKIXValidator.java:388)"
                    ],
                    19,
                ),
                (
                    builder,
                    [
                        "java.base/sun.security.provider.certpath.SunCertPathBuilder.build(SunCertPathBuilder.java:148)"
                    ],
                    24,
                ),
            ],
        )
    if flavour == 2:
        why = fake.choice(
            (
                "x509: certificate signed by unknown authority",
                f"x509: certificate is valid for {other}, not {host}",
            )
        )
        err = go_quote(f'Post "{url}": tls: failed to verify certificate: {why}')
        return [
            go_log(
                "ERROR",
                f"partner call failed err={err}",
            )
        ]
    if flavour == 3:
        message, code = fake.choice(
            (
                ("self-signed certificate in certificate chain", "SELF_SIGNED_CERT_IN_CHAIN"),
                ("unable to verify the first certificate", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"),
                (
                    (
                        f"Hostname/IP does not match certificate's altnames: Host: {host}. is "
                        f"not in the cert's altnames: DNS:{other}"
                    ),
                    "ERR_TLS_CERT_ALTNAME_INVALID",
                ),
            )
        )
        return _node(fake, url, message, code)
    return _nginx(
        fake,
        "SSL_do_handshake() failed (SSL: error:0A000086:SSL routines::certificate verify failed)",
    )
