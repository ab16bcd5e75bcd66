"""configuration_error: missing or invalid settings, environment variables, secrets, images,
mounts, entrypoints and ports, as Python (os.environ, pydantic-settings, Django), Spring, Node,
Go, nginx, Kubernetes, ECS and AWS services report them.
"""

from __future__ import annotations

from doctor.engines.rules.base import Rule, rule
from doctor.taxonomy import Category, Severity

CFG = Category.CONFIGURATION_ERROR
HIGH = Severity.HIGH

CONFIG_RULES: list[Rule] = [
    rule(
        "config-env-missing",
        CFG,
        "Missing Environment Variable or Setting",
        match=[
            r"environment variable \S+ (?:is )?(?:not set|missing|required|undefined|empty)",
            r"(?:missing|required|undefined|unset) (?:required )?(?:environment|env) "
            r"(?:variables?|vars?)",
            r"env(?:ironment)? var(?:iable)? \S+ (?:is )?(?:not set|missing|required)",
            r"(?-i:KeyError: ['\"][A-Z][A-Z0-9_]{2,}['\"])",
            r"missing (?:required )?(?:configuration|config|setting)s?\b",
            r"\b(?:must be set|is not set|is required but (?:was )?not (?:set|provided))",
            r"required (?:setting|config(?:uration)?|option|property) \S+ (?:is )?missing",
        ],
        weight=95,
        severity=HIGH,
        root_cause=(
            "A required environment variable or setting is absent at startup, so the "
            "application cannot configure itself: not defined in the task/pod spec, a secret "
            "reference that did not resolve, or a renamed key."
        ),
        solution=(
            "Compare the variables the app reads with what the runtime injects (`kubectl set "
            "env deploy/APP --list`, the ECS task definition, `systemctl show -p Environment "
            "UNIT`, .env); add the missing key (from Secrets Manager / SSM / ConfigMap) and "
            "fail fast at startup with a clear message listing required settings."
        ),
        action="Add the missing environment variable/setting to the deployment and redeploy.",
    ),
    rule(
        "config-env-keyerror",
        CFG,
        "Missing Environment Variable or Setting",
        match=[r"KeyError"],
        context=[r"os\.environ\[|environ\[|getenv"],
        full_text=True,  # the os.environ[...] evidence sits in the traceback's source lines
        weight=92,
        severity=HIGH,
        root_cause=(
            "The code reads an environment variable with os.environ[...] and it is not set in "
            "this deployment."
        ),
        solution=(
            "Define the variable in the task definition / pod spec / unit file (or its secret "
            "source), and read required settings in one validated settings object so a missing "
            "one fails at startup with its name."
        ),
        action="Define the environment variable named in the KeyError for this deployment.",
    ),
    rule(
        "config-invalid",
        CFG,
        "Invalid Configuration",
        match=[
            r"validation errors? for \w*(?:Settings|Config|Configuration|Env)\b",
            r"pydantic_settings|SettingsError|ImproperlyConfigured",
            r"\bConfig(?:uration)?(?:Error|Exception)\b",
            r"invalid (?:config|configuration|setting|value for (?:setting|option|config|env))",
            r"configuration (?:is )?invalid|Invalid value for|\bconfiguration error\b",
            r"unbound immediate PersistentVolumeClaims",
            r"Could not resolve placeholder|Failed to bind properties under",
            r"Failed to configure a DataSource|APPLICATION FAILED TO START",
            r"Unrecognized (?:VM )?option|Could not create the Java Virtual Machine",
            r"flag provided but not defined|unknown (?:flag|shorthand flag|directive)",
            r"\[emerg\]|configuration file \S+ test failed",
            r"yaml\.(?:scanner|parser|constructor)\.\w+Error|error parsing (?:config|yaml)",
            r"database \S+ does not exist|Unknown database",
            r"(?:config(?:uration)?|settings) file \S* ?(?:not found|does not exist|missing)",
        ],
        weight=90,
        severity=HIGH,
        root_cause=(
            "The application's configuration is invalid: a setting has the wrong type or "
            "format, an unknown option or directive, a placeholder with no value, or a config "
            "file that is missing or does not parse."
        ),
        solution=(
            "Read the setting named in the error; validate the config before deploying "
            "(`nginx -t`, the app's own config check, schema validation in CI); check the "
            "values injected by the environment (types, quoting, units) against what the app "
            "expects; roll back the last configuration change if it introduced the error."
        ),
        action="Fix or roll back the configuration value named in the error (validate it "
        "before deploy).",
    ),
    rule(
        "config-cloud-resource",
        CFG,
        "Configured Cloud Resource Not Found",
        match=[
            r"NoSuchBucket|The specified bucket does not exist",
            r"ResourceNotFoundException|Requested resource not found",
            r"ParameterNotFound|can't find the specified secret|SecretNotFound",
            r"QueueDoesNotExist|NonExistentQueue|The specified log group does not exist",
            r"NoSuchEntity|NotFoundException: Topic does not exist",
        ],
        weight=90,
        severity=HIGH,
        root_cause=(
            "The application names a cloud resource (bucket, table, queue, secret, parameter) "
            "that does not exist in this account/region: wrong name or region in "
            "configuration, or the resource was never created / was deleted."
        ),
        solution=(
            "Check the resource name and AWS_REGION the app uses against the account "
            "(`aws s3 ls`, `aws dynamodb list-tables`, `aws ssm get-parameter --name`); create "
            "it with the infrastructure code or fix the name/region in configuration."
        ),
        action="Fix the resource name/region in the configuration or create the missing resource.",
    ),
    rule(
        "config-port-in-use",
        CFG,
        "Port Already in Use",
        match=[
            r"\bEADDRINUSE\b|address already in use|Port \d+ (?:was|is) already in use",
            r"Only one usage of each socket address|port is already allocated",
            r"Connection in use: ",
        ],
        weight=95,
        severity=HIGH,
        root_cause=(
            "The process cannot bind its listen port because another process holds it: the "
            "previous instance still running, two services configured on one port, or "
            "host-network containers colliding."
        ),
        solution=(
            "`ss -ltnp 'sport = :PORT'` (or `lsof -i :PORT`) to find the holder; stop the stale "
            "instance or change the port (PORT env / server.port); on restarts set SO_REUSEADDR "
            "and wait for graceful shutdown."
        ),
        action="Find the process holding the port (ss -ltnp) and stop it or change the port.",
    ),
    rule(
        "config-image-pull",
        CFG,
        "Container Image Cannot Be Pulled",
        match=[
            r"ImagePullBackOff|ErrImagePull|CannotPullContainerError",
            r"(?:failed|failing|error) (?:to )?pull(?:ing)? image|Back-off pulling image",
            r"manifest unknown|manifest for \S+ not found|not found: manifest",
            r"pull access denied|repository does not exist|InvalidImageName",
        ],
        weight=98,
        severity=HIGH,
        root_cause=(
            "The runtime cannot pull the container image: wrong repository or tag, an image "
            "not pushed for this architecture, or registry credentials (imagePullSecrets, ECR "
            "pull permission on the execution role) missing."
        ),
        solution=(
            "`kubectl describe pod POD` (Events) shows the exact pull error; check the image "
            "reference exists (`aws ecr describe-images`, `docker manifest inspect IMAGE`), "
            "the imagePullSecrets / ECR permissions (ecr:GetAuthorizationToken, "
            "ecr:BatchGetImage), and node egress to the registry."
        ),
        action="Fix the image reference/tag or the registry pull credentials.",
    ),
    rule(
        "config-k8s-refs",
        CFG,
        "Missing Secret, ConfigMap or Volume",
        match=[
            r"CreateContainerConfigError|ResourceInitializationError",
            r"(?:secrets?|configmaps?) \S+ not found|couldn't find key \S+ in (?:ConfigMap|Secret)",
            r"FailedMount|MountVolume\.\w+ failed|Unable to attach or mount volumes",
        ],
        weight=95,
        severity=HIGH,
        root_cause=(
            "The pod or task references a Secret, ConfigMap, key or volume that does not exist "
            "or cannot be mounted, so the container never starts."
        ),
        solution=(
            "`kubectl describe pod POD` and `kubectl get secret,configmap -n NS`; create the "
            "missing object (or fix its name/key) in the same namespace; for volumes check the "
            "PVC status, the CSI driver and that the volume is in the node's zone; for ECS check "
            "the execution role can read the referenced secrets."
        ),
        action="Create or fix the referenced Secret/ConfigMap/volume in the pod's namespace.",
    ),
    rule(
        "config-entrypoint",
        CFG,
        "Container Entrypoint Invalid",
        match=[
            r"exec format error|executable file not found in \$PATH",
            r"OCI runtime (?:create|exec) failed",
            r"exec: \S+: (?:stat \S+: )?no such file or directory",
            r"/bin/sh: \S+: not found|: command not found",
        ],
        weight=85,
        severity=HIGH,
        root_cause=(
            "The container's command cannot be executed: wrong entrypoint/command path, a "
            "binary built for another CPU architecture (exec format error), or Windows line "
            "endings in a script."
        ),
        solution=(
            "Check the image's ENTRYPOINT/CMD against the files in it (`docker run --rm -it "
            "--entrypoint sh IMAGE`); build for the node's platform (`docker buildx build "
            "--platform linux/amd64,linux/arm64`); convert scripts to LF and make them "
            "executable."
        ),
        action="Fix the container command/entrypoint or build the image for the node's "
        "architecture.",
    ),
]
