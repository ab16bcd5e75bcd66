"""rate_limited: throttling and quotas, as AWS APIs, HTTP APIs (429), quota-metered providers
(GCP, OpenAI, GitHub) and our own proxies (nginx limit_req, Envoy local rate limit) report them.
"""

from __future__ import annotations

from doctor.engines.rules.base import Rule, http_status, rule
from doctor.taxonomy import Category, Severity

RATE = Category.RATE_LIMITED
HIGH, MED = Severity.HIGH, Severity.MEDIUM

RATE_RULES: list[Rule] = [
    rule(
        "rate-aws-throttling",
        RATE,
        "AWS API Throttling",
        match=[
            r"ThrottlingException|(?-i:\bThrottling\b)|RequestLimitExceeded|RequestThrottled",
            r"(?-i:\bSlowDown\b)|Please reduce your request rate|TooManyRequestsException",
            r"ProvisionedThroughputExceeded|Rate exceeded|ThrottledException",
            r"(?-i:LimitExceededException\b)|Request rate is too high",
        ],
        weight=100,
        severity=MED,
        root_cause=(
            "AWS throttles the calls: the account/region API rate (or DynamoDB / S3 prefix "
            "throughput) is exceeded, usually by bursts, tight polling loops or retry storms."
        ),
        solution=(
            "Use the SDK's adaptive retry mode (AWS_RETRY_MODE=adaptive, max_attempts) with "
            "jittered backoff; batch and cache calls; spread S3 keys over prefixes; raise "
            "DynamoDB capacity or use on-demand; request a Service Quotas increase if the "
            "steady rate is legitimate."
        ),
        action="Enable adaptive retries with backoff and cut the AWS call rate (batch, cache).",
    ),
    rule(
        "rate-http-429",
        RATE,
        "Rate Limited (429)",
        match=[
            *http_status(429, "Too Many Requests"),
            r"Too Many Requests|RateLimitError|RateLimitExceeded|rate_limit_exceeded",
            r"rate[ -]?limit(?:ed|ing)?\s+(?:exceeded|reached|hit)|\brate[ -]?limited\b",
            r"API rate limit exceeded",
        ],
        weight=90,
        severity=MED,
        root_cause=(
            "A provider or proxy rate-limits the caller (429 / quota): request bursts, retries "
            "without backoff, or a quota below the real traffic."
        ),
        solution=(
            "Honour Retry-After and back off with jitter; add client-side throttling and "
            "caching; spread batch jobs over time; check the X-RateLimit-* headers for the "
            "limit and window."
        ),
        action="Back off on 429s (honour Retry-After) and reduce or spread the request rate.",
    ),
    rule(
        "rate-quota",
        RATE,
        "API Quota Exhausted",
        match=[
            r"Quota exceeded|exceeded your (?:current )?quota|quota (?:has been )?exhausted",
            r"\bRESOURCE_EXHAUSTED\b|userRateLimitExceeded|dailyLimitExceeded|insufficient_quota",
        ],
        weight=92,
        severity=HIGH,
        root_cause=(
            "A provider quota (per minute, per day or billing) is used up: retries or batch "
            "jobs burn it, or the quota is below real traffic; calls fail until it resets."
        ),
        solution=(
            "Open the provider's quota page (GCP IAM & Admin > Quotas, the API console, the "
            "billing plan) to see which quota and when it resets; cut waste (caching, batching, "
            "no retry storms) and request a higher quota or plan."
        ),
        action="Find which provider quota is exhausted and when it resets; cut usage or raise it.",
    ),
    rule(
        "rate-proxy-limit",
        RATE,
        "Proxy Rate Limit Rejecting Clients",
        match=[
            r"limiting requests, excess|limiting connections by zone",
            r"local_rate_limited|rate limit (?:rule|policy) \S+ (?:triggered|exceeded)",
        ],
        weight=95,
        severity=MED,
        root_cause=(
            "Our own proxy (nginx limit_req / limit_conn, Envoy local rate limit) rejects "
            "clients above the configured rate: a traffic burst, a misbehaving client, or limits "
            "set below normal load."
        ),
        solution=(
            "See which zone and client trip it (the error line names both); check whether the "
            "traffic is legitimate; tune rate / burst / nodelay (nginx limit_req) or the token "
            "bucket, and block abusive clients instead of raising limits for everyone."
        ),
        action="Check which client trips the proxy rate limit and tune rate/burst or block it.",
    ),
]
