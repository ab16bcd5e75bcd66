"""Trust and names: tls_certificate and dns_resolution, as OpenSSL, Go's crypto/x509, the JVM
(PKIX), Node, curl, glibc/musl resolvers, CoreDNS and the HTTP clients built on them report
them.
"""

from __future__ import annotations

from doctor.engines.rules.base import Rule, rule
from doctor.taxonomy import Category, Severity

TLS = Category.TLS_CERTIFICATE
DNS = Category.DNS_RESOLUTION
CRIT, HIGH = Severity.CRITICAL, Severity.HIGH

TLS_DNS_RULES: list[Rule] = [
    rule(
        "tls-expired",
        TLS,
        "Expired TLS Certificate",
        match=[
            r"certificate (?:has )?expired|CERT_HAS_EXPIRED|CertificateExpiredException",
            r"certificate is not yet valid|x509: certificate has expired",
        ],
        weight=100,
        severity=CRIT,
        root_cause=(
            "A TLS certificate in the chain is past its notAfter date (or the host clock is "
            "wrong), so clients refuse the connection."
        ),
        solution=(
            "Check the served chain: `openssl s_client -connect HOST:443 -servername HOST "
            "</dev/null | openssl x509 -noout -dates -subject`. Renew and redeploy the "
            "certificate (ACM, cert-manager `kubectl get certificate`, certbot renew), fix "
            "automatic renewal, and check NTP on the client if the dates look right."
        ),
        action="Renew the expired certificate and fix its automatic renewal.",
    ),
    rule(
        "tls-hostname",
        TLS,
        "TLS Certificate Hostname Mismatch",
        match=[
            r"certificate is valid for .*, not ",
            r"does not match certificate's altnames|ERR_TLS_CERT_ALTNAME_INVALID",
            r"doesn't match any of the subject alternative names|No subject alternative",
            r"hostname mismatch|SSLPeerUnverifiedException|doesn't contain any IP SANs",
        ],
        weight=100,
        severity=HIGH,
        root_cause=(
            "The server's certificate does not list the hostname the client connects to: wrong "
            "endpoint name, a missing SAN, or connecting by IP."
        ),
        solution=(
            "Compare the requested host with the SANs (`openssl s_client ... | openssl x509 "
            "-noout -ext subjectAltName`); connect by the name on the certificate or reissue it "
            "with the right SANs. Do not disable verification."
        ),
        action="Make the client use a hostname listed in the certificate's SANs (or reissue it).",
    ),
    rule(
        "tls-untrusted",
        TLS,
        "Untrusted TLS Certificate",
        match=[
            r"certificate signed by unknown authority|CERTIFICATE_VERIFY_FAILED",
            r"certificate verify failed|unable to get (?:local )?issuer certificate",
            r"self[- ]signed certificate|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED",
            r"PKIX path building failed|unable to find valid certification path",
            r"SSL certificate problem|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SSLCertVerificationError",
            r"CertPathValidatorException|certificate is not trusted|alert unknown ca",
        ],
        weight=100,
        severity=HIGH,
        root_cause=(
            "The client does not trust the server's certificate chain: a private or self-signed "
            "CA missing from the trust store, an incomplete chain (no intermediate), or a "
            "TLS-intercepting proxy."
        ),
        solution=(
            "Inspect the chain with `openssl s_client -showcerts -connect HOST:443`. Serve the "
            "full chain (leaf + intermediates), or add the CA to the client's trust store "
            "(update-ca-certificates, REQUESTS_CA_BUNDLE / SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, "
            "keytool -importcert into the JVM cacerts)."
        ),
        action="Serve the full certificate chain or add the issuing CA to the client trust store.",
    ),
    rule(
        "tls-handshake",
        TLS,
        "TLS Handshake Failure",
        match=[
            r"handshake failure|SSLHandshakeException|tls: handshake|handshake (?:failed|error)",
            r"SSL_do_handshake\(\) failed|WRONG_VERSION_NUMBER|wrong version number",
            r"unsupported protocol|no protocols available|NO_SHARED_CIPHER|no shared cipher",
            r"bad certificate|certificate required|tls: failed to verify",
            r"\bSSLError\b|javax\.net\.ssl|SSL routines|\bEPROTO\b",
        ],
        unless=[r"handshake timeout"],
        weight=80,
        severity=HIGH,
        root_cause=(
            "Client and server cannot agree on TLS: mismatched protocol versions or ciphers, "
            "plain HTTP spoken to a TLS port (or the reverse), or a client certificate that is "
            "missing or rejected (mTLS)."
        ),
        solution=(
            "Probe with `openssl s_client -connect HOST:PORT -tls1_2` (and -tls1_3); check the "
            "URL scheme matches the port, the minimum TLS version / cipher settings on both "
            "sides, and the client certificate and key for mTLS."
        ),
        action="Probe the endpoint with openssl s_client and align TLS versions, scheme and "
        "client certificates.",
    ),
    rule(
        "dns-proxy-upstream",
        DNS,
        "Proxy Cannot Resolve Its Upstream",
        match=[
            r"host not found in upstream|no resolver defined to resolve",
            r"could not be resolved \(\d+: [^)]*\)",
        ],
        weight=100,
        severity=HIGH,
        root_cause=(
            "nginx (or another proxy) cannot resolve an upstream hostname: the name is wrong or "
            "not yet in DNS, or the proxy has no `resolver` for names it looks up at run time."
        ),
        solution=(
            "Check the upstream name in proxy_pass / upstream blocks with `dig NAME`; for names "
            "that change (Kubernetes services, ELBs) add `resolver <dns-ip> valid=10s;` and "
            "use a variable in proxy_pass so nginx re-resolves; make sure the service exists "
            "before the proxy starts."
        ),
        action="Fix the upstream hostname or give the proxy a `resolver` so it can look it up.",
    ),
    rule(
        "dns-resolver-failing",
        DNS,
        "DNS Resolver Failing",
        match=[
            r"Temporary failure in name resolution|\bEAI_AGAIN\b|\[Errno -3\]",
            r"\bSERVFAIL\b|server misbehaving",
            r"lookup \S+ on \S+: (?:read udp \S+ )?(?:->\S+ )?i/o timeout",
            r"(?:read|dial) udp \S+:53: i/o timeout|no servers could be reached",
            r"plugin/loop: Loop",
            r"DNS (?:query|request|lookup|resolution) (?:timed out|timeout)",
        ],
        weight=100,
        severity=HIGH,
        root_cause=(
            "The DNS resolver does not answer or fails (SERVFAIL / timeouts): CoreDNS or the VPC "
            "resolver is overloaded or unreachable, or resolv.conf points at a dead server."
        ),
        solution=(
            "From the failing host/pod: `cat /etc/resolv.conf`, `dig NAME @RESOLVER`. On "
            "Kubernetes check CoreDNS pods and logs (`kubectl -n kube-system logs -l "
            "k8s-app=kube-dns`) and scale them / add NodeLocal DNSCache; on AWS watch the VPC "
            "resolver's packets-per-second limit (1024 pps per ENI) and cache lookups."
        ),
        action="Check the DNS resolver (CoreDNS / VPC resolver) health and resolv.conf on the "
        "failing hosts.",
    ),
    rule(
        "dns-name-not-found",
        DNS,
        "DNS Name Not Found",
        match=[
            r"\bNXDOMAIN\b|no such host|Name or service not known|Name does not resolve",
            r"nodename nor servname provided|No address associated with hostname",
            r"\bENOTFOUND\b|UnknownHostException|Unknown host|\[Errno -[25]\]|\[Errno 11001\]",
            r"Could not resolve (?:host|hostname)|could not translate host name",
            r"host not found|getaddrinfo failed|NameResolutionError|Failed to resolve '",
            r"failed to resolve (?:host|address|name)",
            r"could not be resolved|unable to resolve (?:host|hostname)|DNS lookup failed",
            r"DNS resolution failed|UnresolvedAddressException|dns error",
        ],
        weight=100,
        severity=HIGH,
        root_cause=(
            "A hostname the application uses does not resolve: a typo or stale name in "
            "configuration, a deleted record or service, a private zone not associated with this "
            "VPC, or a Kubernetes service in another namespace."
        ),
        solution=(
            "`dig +short NAME` / `nslookup NAME` from the same host or pod; compare with the "
            "configured URL (env vars, ConfigMaps); check the Route 53 record / private hosted "
            "zone VPC association, or use the full service name "
            "(svc.namespace.svc.cluster.local)."
        ),
        action="Resolve the failing hostname from the app's host (dig) and fix the name or the "
        "DNS record.",
    ),
]
