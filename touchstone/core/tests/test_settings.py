"""Settings come from the environment and fail loudly on a bad value."""

import os
import subprocess
import sys

from django.conf import settings

from touchstone.conftest import Personas


def load_settings(**environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DEBUG", "TOUCHSTONE_TESTING", "SECRET_KEY", "DATABASE_URL", "EMAIL_BACKEND", "ALLOWED_HOSTS"}
    }
    env["TOUCHSTONE_ENV_FILE"] = ""  # as in production: no local settings file, whatever `make run` left here
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", "import touchstone.settings"],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        check=False,
    )


# What production needs besides a secret: the hosts it answers to and a real mail backend.
PRODUCTION = {
    "ALLOWED_HOSTS": "touchstone.example.gov",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def test_production_refuses_to_start_without_a_secret() -> None:
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_the_development_secret() -> None:
    result = load_settings(DEBUG="false", SECRET_KEY="development-only-secret-key-never-use-in-production")
    assert result.returncode != 0
    assert "development secret" in result.stderr


def test_a_yes_no_setting_that_is_neither_is_refused() -> None:
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a yes/no value" in result.stderr


def test_a_secret_can_come_from_a_file(tmp_path: object) -> None:
    secret_file = tmp_path / "secret"  # type: ignore[operator]
    secret_file.write_text("s3cret-from-a-file-" + "x" * 40)
    result = load_settings(DEBUG="false", SECRET_KEY_FILE=str(secret_file), **PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_production_sets_secure_cookies_and_hsts() -> None:
    code = "import touchstone.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "TOUCHSTONE_TESTING"}}
    env.update(SECRET_KEY="x" * 50, DEBUG="false", **PRODUCTION)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        check=True,
    )
    assert result.stdout.split() == ["True", "True", "31536000"]


def test_pages_carry_a_content_security_policy_without_inline_scripts(personas: Personas) -> None:
    from django.test import Client

    policy = Client().get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_postgresql_connections_are_kept_between_requests() -> None:
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        assert database["CONN_MAX_AGE"] >= 60


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 50, EMAIL_BACKEND=PRODUCTION["EMAIL_BACKEND"])
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is empty while DEBUG is off" in result.stderr


def test_production_refuses_to_start_with_empty_allowed_hosts() -> None:
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 50, **{**PRODUCTION, "ALLOWED_HOSTS": " , "})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is empty" in result.stderr


def test_production_refuses_to_start_without_a_mail_backend() -> None:
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="touchstone.example.gov")
    assert result.returncode != 0
    assert "EMAIL_BACKEND is unset or the console while DEBUG is off" in result.stderr


def test_production_refuses_to_start_with_console_mail() -> None:
    for backend in (
        "django.core.mail.backends.console.EmailBackend",
        "touchstone.core.redaction.ConsoleEmailBackend",
    ):
        result = load_settings(DEBUG="false", SECRET_KEY="x" * 50, **{**PRODUCTION, "EMAIL_BACKEND": backend})
        assert result.returncode != 0
        assert "mail would go to the log" in result.stderr


def test_production_starts_with_hosts_and_smtp_mail() -> None:
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 50, **PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_rate_limit_counters_are_shared_by_every_worker_outside_tests() -> None:
    code = "import touchstone.settings as s; print(s.CACHES['default']['BACKEND'])"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "TOUCHSTONE_TESTING", "CACHE_URL", "REDIS_URL"}
    }
    env.update(SECRET_KEY="x" * 50, DEBUG="false", **PRODUCTION)
    for extra, backend in (
        ({}, "django.core.cache.backends.db.DatabaseCache"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/1"}, "touchstone.core.cache.RedisCache"),
    ):
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**env, **extra},
            cwd=settings.BASE_DIR,
            check=True,
        )
        assert result.stdout.strip() == backend
