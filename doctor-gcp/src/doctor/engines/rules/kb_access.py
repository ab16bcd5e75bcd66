"""Who may do what: permission_denied (authorisation) and authentication_failure (identity and
credentials), as AWS SDKs, Kubernetes, databases, OAuth/JWT libraries, sshd, HTTP APIs and the
OS report them.
"""

from __future__ import annotations

from doctor.engines.rules.base import Rule, http_status, rule
from doctor.taxonomy import Category, Severity

PERM = Category.PERMISSION_DENIED
AUTH = Category.AUTHENTICATION_FAILURE
HIGH = Severity.HIGH

ACCESS_RULES: list[Rule] = [
    rule(
        "auth-database",
        AUTH,
        "Database Authentication Failed",
        match=[
            r"password authentication failed|Access denied for user|Login failed for user",
            r"no pg_hba\.conf entry|role \S+ does not exist|\bORA-01017\b",
            r"\bWRONGPASS\b|NOAUTH Authentication required|invalid username-password pair",
            r"ER_ACCESS_DENIED_ERROR|SASL authentication failed|MongoServerError: Authentication",
        ],
        weight=100,
        severity=HIGH,
        root_cause=(
            "The database rejects the application's credentials: a rotated or wrong password "
            "in the secret, a user that does not exist, or a pg_hba.conf / host rule that does "
            "not admit this client."
        ),
        solution=(
            "Compare the user and password the app loads (Secrets Manager / SSM / env) with the "
            "database; after a rotation restart the app so it rereads the secret; for PostgreSQL "
            "check pg_hba.conf for the client address and SSL mode, for MySQL the 'user'@'host' "
            "grant."
        ),
        action="Check the database credentials the app loads against the database (rotated "
        "secret?).",
    ),
    rule(
        "auth-aws-credentials",
        AUTH,
        "AWS Credentials Invalid or Expired",
        match=[
            r"InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClientException",
            r"ExpiredToken|security token included in the request is (?:invalid|expired)",
            r"InvalidAccessKeyId|AWS Access Key Id you provided does not exist",
            r"NoCredentialsError|Unable to locate credentials|NoCredentialProviders",
            r"Could not load credentials from any providers|CredentialsProviderError",
            r"Unable to load (?:AWS )?credentials from any (?:of the )?provider",
            r"\bAuthFailure\b|InvalidSignatureException|RequestExpired|IncompleteSignature",
            r"MissingAuthenticationToken|InvalidIdentityToken|IDPCommunicationError",
            r"RequestTimeTooSkewed|Signature expired",
        ],
        weight=100,
        severity=HIGH,
        root_cause=(
            "AWS rejects the request's credentials: they are missing, expired (a session or "
            "web-identity token not refreshed), belong to a deleted key, or the request is "
            "signed with a skewed clock."
        ),
        solution=(
            "Run `aws sts get-caller-identity` with the same environment; make the SDK use a "
            "refreshing provider (instance/task role, AssumeRoleWithWebIdentity) instead of "
            "static keys; for SignatureDoesNotMatch / RequestExpired check the clock (chrony) "
            "and the secret key; for InvalidIdentityToken check the token audience and the "
            "role's trust policy."
        ),
        action="Check which AWS identity the app uses (sts get-caller-identity) and that its "
        "credentials refresh.",
    ),
    rule(
        "auth-token",
        AUTH,
        "Invalid or Expired Token",
        match=[
            r"invalid_token|invalid_grant|invalid_client|unauthorized_client",
            r"token (?:has |is )?expired|jwt expired|TokenExpiredError|ExpiredSignatureError",
            r"Signature has expired|JsonWebTokenError|JWTVerificationException|JwtException",
            r"InvalidTokenError|invalid (?:bearer |access |id |auth )?token|token is invalid",
            r"invalid authentication credentials|\bUNAUTHENTICATED\b",
        ],
        weight=95,
        severity=HIGH,
        root_cause=(
            "Requests carry tokens the receiver rejects: expired and not refreshed, signed with "
            "a rotated key, issued for another audience, or revoked."
        ),
        solution=(
            "Decode a failing token (header and claims only) to check exp, aud and iss; refresh "
            "tokens before expiry; make the verifier fetch current signing keys (JWKS); check "
            "clock skew between issuer and verifier."
        ),
        action="Check the rejected tokens' exp / aud / iss and the token refresh logic.",
    ),
    rule(
        "auth-generic",
        AUTH,
        "Authentication Failed (401)",
        match=[
            *http_status(401, "Unauthorized"),
            r"\bUnauthorized\b|\bUnauthenticated\b|NotAuthorizedException",
            r"authentication (?:failed|failure|required|error)|AuthenticationException",
            r"(?:invalid|bad|wrong) (?:credentials|api[ _-]?key|password|username or password)",
            r"incorrect (?:username or )?password|BadCredentialsException|login incorrect",
            r"Permission denied \(publickey|no basic auth credentials",
            r"Failed password for|Invalid user \S+ from|\bAuth fail\b",
        ],
        weight=70,
        severity=HIGH,
        root_cause=(
            "A service rejects the caller's identity (HTTP 401): missing, wrong or rotated "
            "credentials or API key."
        ),
        solution=(
            "Find which client and endpoint get 401; check the credential it sends (secret "
            "value, header name, environment) against what the server expects, and whether it "
            "was rotated recently."
        ),
        action="Check the credentials / API key the failing client sends (recently rotated?).",
    ),
    rule(
        "perm-database",
        PERM,
        "Database Privilege Denied",
        match=[
            r"permission denied for (?:table|relation|schema|database|sequence|function|view)",
            r"command denied to user|not authorized on \S+ to execute command",
            r"must be owner of|\bNOPERM\b|InsufficientPrivilege|ORA-01031",
        ],
        weight=100,
        severity=HIGH,
        root_cause=(
            "The database user lacks a privilege on the object it uses, often a new table or "
            "schema created by a different role in a migration."
        ),
        solution=(
            "GRANT the needed privilege to the app role (PostgreSQL `GRANT SELECT, INSERT, "
            "UPDATE, DELETE ON ALL TABLES IN SCHEMA app TO app_rw;` plus ALTER DEFAULT "
            "PRIVILEGES for future tables; MySQL `GRANT ... ON db.* TO 'app'@'%'`)."
        ),
        action="Grant the app's database role the missing privilege (and default privileges).",
    ),
    rule(
        "perm-cloud-iam",
        PERM,
        "Cloud IAM Permission Denied",
        match=[
            r"\bAccessDenied(?:Exception)?\b|Access Denied|UnauthorizedOperation",
            r"is not authorized to perform|not authorized to perform|explicit deny",
            r"no identity-based policy allows|AuthorizationError|AuthorizationFailed",
            r"\bPERMISSION_DENIED\b|Permission '\S+' denied|does not have \S+ permission",
            r"insufficient permissions|AccessDeniedException",
        ],
        unless=[r"Access denied for user", r"java\.nio\.file\.AccessDeniedException"],
        weight=95,
        severity=HIGH,
        root_cause=(
            "The identity is authenticated but not allowed to make this call: its IAM policy "
            "lacks the action on that resource, or an explicit deny, SCP, permission boundary, "
            "bucket policy or KMS key policy blocks it."
        ),
        solution=(
            "Read the denied action and resource ARN in the error; confirm the identity with "
            "`aws sts get-caller-identity`; find the AccessDenied event in CloudTrail and test "
            "with the IAM policy simulator; grant that action on that resource (least "
            "privilege) and check resource / KMS key policies and SCPs."
        ),
        action="Grant the denied IAM action on the named resource to the role the app uses.",
    ),
    rule(
        "perm-kubernetes",
        PERM,
        "Kubernetes RBAC Forbidden",
        match=[
            r"forbidden: User \S+ cannot \w+ resource",
            r"cannot (?:get|list|watch|create|update|patch|delete) resource \S+ in API group",
            r"RBAC: access denied",
        ],
        weight=100,
        severity=HIGH,
        root_cause=(
            "The pod's service account (or an Istio AuthorizationPolicy) is not allowed the "
            "Kubernetes API verb on that resource."
        ),
        solution=(
            "`kubectl auth can-i VERB RESOURCE --as=system:serviceaccount:NS:SA`; add a "
            "Role/ClusterRole with that verb and bind it to the service account; for Istio "
            "check AuthorizationPolicy rules."
        ),
        action="Bind a Role granting the denied verb/resource to the pod's service account.",
    ),
    rule(
        "perm-filesystem",
        PERM,
        "Filesystem Permission Denied",
        match=[
            r"Permission denied|\bEACCES\b|\[Errno 13\]|PermissionError",
            r"Operation not permitted|\bEPERM\b|java\.nio\.file\.AccessDeniedException",
            r"Read-only file system|\bEROFS\b",
        ],
        unless=[r"Permission denied \(publickey"],
        weight=90,
        severity=HIGH,
        root_cause=(
            "The process user cannot read or write a path or use a privileged operation: file "
            "ownership/mode, a container running as non-root, a read-only root filesystem, or "
            "SELinux/AppArmor."
        ),
        solution=(
            "`ls -ln PATH` and `id` inside the container; chown the path to the runtime UID at "
            "build time or mount a writable volume (emptyDir) there; set securityContext "
            "fsGroup; check `ausearch -m avc` for SELinux denials (nginx upstream: "
            "`setsebool -P httpd_can_network_connect 1`); bind ports < 1024 only with "
            "CAP_NET_BIND_SERVICE."
        ),
        action="Fix ownership/mode of the denied path for the runtime user (or mount it writable).",
    ),
    rule(
        "perm-http-403",
        PERM,
        "Requests Forbidden (403)",
        match=[*http_status(403, "Forbidden"), r"\bForbidden\b"],
        weight=60,
        severity=HIGH,
        root_cause=(
            "A service answers 403: the caller is known but not allowed — missing scope or "
            "role, IP allow-list, WAF rule, or a bucket / resource policy."
        ),
        solution=(
            "Find which client and endpoint get 403; compare the caller's scopes/roles with "
            "what the endpoint requires; check WAF logs, IP allow-lists and resource policies."
        ),
        action="Find which caller gets 403 and grant it the required role/scope.",
    ),
]
