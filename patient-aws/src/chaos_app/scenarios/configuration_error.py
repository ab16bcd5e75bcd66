"""configuration_error: settings that are missing, or present but invalid, at startup.

The pydantic flavour also dumps its environment first, a real anti-pattern that leaks a DSN
password and an access key id: fake values, there for the doctor's redaction to catch.
"""

from __future__ import annotations

from chaos_app.events import Event, Fake, Style
from chaos_app.scenarios._kit import jv, nginx, node_log
from chaos_app.scenarios._stacks import PY_LIB, PY_SITE, PyFrame, java_stack, py_traceback

# gunicorn importing the app module: the frames above an import-time failure.
_GUNICORN_BOOT: list[PyFrame] = [
    (f"{PY_SITE}/gunicorn/arbiter.py", 609, "spawn_worker", "worker.init_process()"),
    (f"{PY_SITE}/gunicorn/workers/base.py", 134, "init_process", "self.load_wsgi()"),
    (f"{PY_SITE}/gunicorn/workers/base.py", 146, "load_wsgi", "self.wsgi = self.app.wsgi()"),
    (f"{PY_SITE}/gunicorn/app/base.py", 67, "wsgi", "self.callable = self.load()"),
    (
        f"{PY_SITE}/gunicorn/app/wsgiapp.py",
        48,
        "load_wsgiapp",
        "return util.import_app(self.app_uri)",
    ),
    (f"{PY_SITE}/gunicorn/util.py", 371, "import_app", "mod = importlib.import_module(module)"),
    (
        f"{PY_LIB}/importlib/__init__.py",
        126,
        "import_module",
        "return _bootstrap._gcd_import(name[level:], package, level)",
    ),
    ("<frozen importlib._bootstrap>", 1050, "_gcd_import", ""),
    ("<frozen importlib._bootstrap>", 1027, "_find_and_load", ""),
    ("<frozen importlib._bootstrap>", 1006, "_find_and_load_unlocked", ""),
    ("<frozen importlib._bootstrap>", 688, "_load_unlocked", ""),
    ("<frozen importlib._bootstrap_external>", 883, "exec_module", ""),
    ("<frozen importlib._bootstrap>", 241, "_call_with_frames_removed", ""),
    ("/app/app/main.py", 9, "<module>", "from app.config import settings"),
]
_MISSING = (
    "PAYMENTS_API_URL",
    "REDIS_URL",
    "JWT_PUBLIC_KEY",
    "ORDERS_QUEUE_URL",
    "STRIPE_WEBHOOK_SECRET",
)


def _gunicorn_boot_failure(fake: Fake, frames: list[PyFrame], final: str) -> list[Event]:
    """gunicorn's arbiter reporting a worker that could not import the app, then giving up."""
    pid = fake.pid()
    tb = py_traceback([*_GUNICORN_BOOT, *frames], final)
    return [
        Event("ERROR", "gunicorn.error", "Exception in worker process", tb),
        Event("INFO", "gunicorn.error", f"Worker exiting (pid: {pid})"),
        Event("INFO", "gunicorn.error", "Shutting down: Master"),
        Event("ERROR", "gunicorn.error", "Reason: Worker failed to boot."),
    ]


def _pydantic_input(value: str) -> str:
    """pydantic-core elides long input reprs in the middle: 25 characters ... last 24."""
    return value if len(value) <= 50 else f"{value[:25]}...{value[-24:]}"


def missing_config(fake: Fake) -> list[Event]:
    var = fake.choice(_MISSING)
    flavour = fake.integer(0, 4)
    if flavour == 0:  # pydantic-settings, after an environment dump at startup
        host, password, key_id = fake.private_ip(), fake.password(), fake.aws_access_key_id()
        dsn = f"postgresql://app:{password}@{host}:5432/orders"
        found = f"{{'database_url': '{dsn}', 'aws_access_key_id': '{key_id}', 'log_level': 'INFO'}}"
        tb = py_traceback(
            [
                ("/app/app/config.py", 41, "<module>", "settings = Settings()"),
                (f"{PY_SITE}/pydantic_settings/main.py", 171, "__init__", "super().__init__("),
                (
                    f"{PY_SITE}/pydantic/main.py",
                    212,
                    "__init__",
                    (
                        "validated_self = self.__pydantic_validator__.validate_python(data, "
                        "self_instance=self)"
                    ),
                ),
            ],
            "pydantic_core._pydantic_core.ValidationError: 1 validation error for "
            f"Settings\n{var.lower()}\n"
            f"  Field required [type=missing, input_value={_pydantic_input(found)}, "
            "input_type=dict]\n"
            "    For further information visit https://errors.pydantic.dev/2.9/v/missing",
        )
        dump = (
            f"environment: DATABASE_URL={dsn} AWS_ACCESS_KEY_ID={key_id} "
            "AWS_DEFAULT_REGION=us-east-1 LOG_LEVEL=INFO"
        )
        return [
            Event("INFO", "app.config", dump),
            Event("CRITICAL", "app", "startup failed: invalid settings", tb),
        ]
    if flavour == 1:  # os.environ[...] at import time, under gunicorn
        frames: list[PyFrame] = [
            ("/app/app/config.py", fake.integer(8, 40), "<module>", f'{var} = os.environ["{var}"]'),
            (f"{PY_LIB}/os.py", 680, "__getitem__", "raise KeyError(key) from None"),
        ]
        return _gunicorn_boot_failure(fake, frames, f"KeyError: '{var}'")
    if flavour == 2:  # Spring: a placeholder with no value
        cause = f"Could not resolve placeholder '{var}' in value \"${{{var}}}\""
        stack = java_stack(
            "org.springframework.beans.factory.BeanCreationException: Error creating bean "
            "with name 'paymentsClient': "
            "Injection of autowired dependencies failed",
            [
                "org.springframework.beans.factory.annotation.AutowiredAnnotationBeanPostProcessor.postProcessProperties(AutowiredAnnotationBeanPostProcessor.java:515)"
            ],
            [
                (
                    f"java.lang.IllegalArgumentException: {cause}",
                    [
                        "org.springframework.util.PropertyPlaceholderHelper.parseStringValue(PropertyPlaceholderHelper.java:180)"
                    ],
                    46,
                )
            ],
        )
        return [
            jv(
                "WARNING",
                "org.springframework.boot.web.servlet.context.AnnotationConfigServletWebServerApplicationContext",
                "Exception encountered during context initialization - cancelling refresh attempt: "
                "org.springframework.beans.factory.BeanCreationException: Error creating "
                "bean with name "
                "'paymentsClient': Injection of autowired dependencies failed",
                "main",
            ),
            jv(
                "ERROR",
                "org.springframework.boot.SpringApplication",
                "Application run failed",
                "main",
                stack,
            ),
        ]
    if flavour == 3:  # envalid's reporter, then the process exits
        others = [v for v in _MISSING if v != var][: fake.integer(0, 2)]
        listing = "\n".join(f"    {v}: undefined" for v in (var, *others))
        report = (
            "\n================================\n Missing environment variables:\n"
            f"{listing}\n\n Exiting with error code 1\n================================"
        )
        return [node_log("ERROR", "orders-api", report)]
    # envconfig's error, through log.Fatal
    return [Event("CRITICAL", "main", f"config: required key {var} missing value", style=Style.GO)]


def bad_config(fake: Fake) -> list[Event]:
    flavour = fake.integer(0, 3)
    conf = f"/etc/nginx/conf.d/{fake.choice(('default', 'api', 'upstreams'))}.conf"
    line = fake.integer(5, 80)
    if flavour == 0:
        problem = fake.choice(
            (
                (
                    "unknown directive "
                    f'"{fake.choice(("proxy_passs", "proxy_set_headr", "client_max_body"))}"'
                ),
                '"proxy_pass" directive is not allowed here',
                'invalid number of arguments in "listen" directive',
            )
        )
        return [
            nginx("CRITICAL", "emerg", f"{problem} in {conf}:{line}", 1),
            Event("ERROR", "nginx", "nginx: configuration file /etc/nginx/nginx.conf test failed"),
        ]
    if flavour == 1:  # Spring Boot's failure analysis of a property that does not convert
        value = fake.choice(("30 seconds", "5 mins", "1.5h"))
        report = (
            "\n\n***************************\nAPPLICATION FAILED TO "
            "START\n***************************\n\n"
            "Description:\n\nFailed to bind properties under 'app.payments.timeout' to "
            "java.time.Duration:\n\n"
            f'    Property: app.payments.timeout\n    Value: "{value}"\n'
            '    Origin: System Environment Property "APP_PAYMENTS_TIMEOUT"\n'
            "    Reason: failed to convert java.lang.String to java.time.Duration (caused by "
            f"java.lang.IllegalArgumentException: '{value}' is not a valid duration)\n\n"
            "Action:\n\nUpdate your application's configuration\n"
        )
        return [
            jv(
                "ERROR",
                "org.springframework.boot.diagnostics.LoggingFailureAnalysisReporter",
                report,
                "main",
            )
        ]
    if flavour == 2:  # PyYAML on a hand-edited config file
        frames = [
            ("/app/app/config.py", 22, "load", "return yaml.safe_load(fh)"),
            (f"{PY_SITE}/yaml/__init__.py", 125, "safe_load", "return load(stream, SafeLoader)"),
            (f"{PY_SITE}/yaml/scanner.py", 577, "fetch_value", "raise ScannerError(None, None,"),
        ]
        final = (
            "yaml.scanner.ScannerError: mapping values are not allowed here\n"
            f'  in "/etc/app/config.yaml", line {line}, column {fake.integer(8, 30)}'
        )
        return _gunicorn_boot_failure(fake, frames, final)
    port = fake.choice(("8080a", ":8080", "8080/tcp", "eighty"))
    return [  # envconfig's error, through log.Fatal (no level word, exit status 1)
        Event(
            "CRITICAL",
            "main",
            f"config: envconfig.Process: assigning APP_PORT to Port: converting '{port}' to "
            "type int. "
            f'details: strconv.ParseInt: parsing "{port}": invalid syntax',
            style=Style.GO,
        )
    ]
