"""Settings come from the environment: each case loads config.settings in a fresh interpreter with
exactly the variables under test, so nothing leaks in from the machine or from other tests."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Prints the named settings as JSON; paths (pathlib or django-environ) as plain strings.
PRINT_SETTINGS = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
from django.conf import settings
values = {name: getattr(settings, name) for name in sys.argv[1:]}
print(json.dumps(values, default=lambda o: os.fspath(o) if hasattr(o, "__fspath__") else str(o)))
"""

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "tibao.example.gov.cn",
}


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    minimal = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env={**minimal, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def load_settings(env: dict[str, str], *names: str) -> dict:
    result = run_python(["-c", PRINT_SETTINGS, *names], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_default_is_sqlite_under_var_and_in_process_tasks():
    values = load_settings(
        {"DEBUG": "1"},
        "DATABASES",
        "CELERY_BROKER_URL",
        "CELERY_RESULT_BACKEND",
        "CELERY_TASK_ALWAYS_EAGER",
        "ALLOWED_HOSTS",
        "EMAIL_BACKEND",
    )
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == REPO / "var" / "tibao.sqlite3"
    assert database["CONN_MAX_AGE"] == 0
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["CELERY_BROKER_URL"] == "memory://"
    assert values["CELERY_RESULT_BACKEND"] is None
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_database_url_selects_postgresql():
    values = load_settings({"DEBUG": "1", "DATABASE_URL": "postgres://u:p@h:5433/db"}, "DATABASES")
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("h", 5433, "db")
    assert (database["USER"], database["PASSWORD"]) == ("u", "p")
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


def test_conn_max_age_is_read_for_postgresql():
    values = load_settings(
        {"DEBUG": "1", "DATABASE_URL": "postgres://u:p@h/db", "CONN_MAX_AGE": "0"}, "DATABASES"
    )
    assert values["DATABASES"]["default"]["CONN_MAX_AGE"] == 0


def test_redis_url_is_broker_and_result_backend():
    url = "redis://cache.example:6380/2"
    values = load_settings(
        {"DEBUG": "1", "REDIS_URL": url},
        "CELERY_BROKER_URL",
        "CELERY_RESULT_BACKEND",
        "CELERY_TASK_ALWAYS_EAGER",
    )
    assert values == {
        "CELERY_BROKER_URL": url,
        "CELERY_RESULT_BACKEND": url,
        "CELERY_TASK_ALWAYS_EAGER": False,
    }


def test_debug_off_without_secret_key_refuses_to_start():
    result = run_python(["-c", PRINT_SETTINGS, "SECRET_KEY"], {"DEBUG": "0"})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = run_python(["-c", PRINT_SETTINGS, "DEBUG"], {})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert load_settings({"SECRET_KEY": PRODUCTION["SECRET_KEY"]}, "DEBUG") == {"DEBUG": False}


def test_debug_without_secret_key_uses_a_stable_generated_key():
    first = load_settings({"DEBUG": "1"}, "SECRET_KEY")["SECRET_KEY"]
    second = load_settings({"DEBUG": "1"}, "SECRET_KEY")["SECRET_KEY"]
    assert len(first) >= 50
    assert first == second


def test_secret_key_from_environment():
    key = PRODUCTION["SECRET_KEY"]
    assert load_settings({"DEBUG": "0", "SECRET_KEY": key}, "SECRET_KEY") == {"SECRET_KEY": key}


def test_email_url():
    values = load_settings(
        {"DEBUG": "1", "EMAIL_URL": "smtp+tls://user:pw@mail.example.com:587"},
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
    )
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "user",
        "EMAIL_HOST_PASSWORD": "pw",
        "EMAIL_USE_TLS": True,
    }


def test_smtp_variables_without_email_url():
    env = {
        **PRODUCTION,
        "EMAIL_HOST": "smtp.example.gov.cn",
        "EMAIL_PORT": "465",
        "EMAIL_HOST_USER": "tibao",
        "EMAIL_HOST_PASSWORD": "secret",
        "EMAIL_USE_SSL": "1",
        "DEFAULT_FROM_EMAIL": "noreply@example.gov.cn",
    }
    values = load_settings(
        env,
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_USE_SSL",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
        "SERVER_EMAIL",
    )
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.gov.cn",
        "EMAIL_PORT": 465,
        "EMAIL_HOST_USER": "tibao",
        "EMAIL_USE_SSL": True,
        "EMAIL_USE_TLS": False,
        "DEFAULT_FROM_EMAIL": "noreply@example.gov.cn",
        "SERVER_EMAIL": "noreply@example.gov.cn",
    }


def test_production_without_mail_server_prints_mail_to_the_console():
    values = load_settings(PRODUCTION, "EMAIL_BACKEND")
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_allowed_hosts_and_csrf_origins_are_lists():
    values = load_settings(
        {
            **PRODUCTION,
            "ALLOWED_HOSTS": "a.example,b.example",
            "CSRF_TRUSTED_ORIGINS": "https://a.example,https://b.example",
        },
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
    )
    assert values == {
        "ALLOWED_HOSTS": ["a.example", "b.example"],
        "CSRF_TRUSTED_ORIGINS": ["https://a.example", "https://b.example"],
    }


def test_production_allows_no_host_by_default():
    assert load_settings({**PRODUCTION, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS") == {"ALLOWED_HOSTS": []}


def test_media_and_static_roots(tmp_path):
    values = load_settings(
        {"DEBUG": "1", "MEDIA_ROOT": str(tmp_path / "media"), "STATIC_ROOT": str(tmp_path / "static")},
        "MEDIA_ROOT",
        "STATIC_ROOT",
    )
    assert values == {"MEDIA_ROOT": str(tmp_path / "media"), "STATIC_ROOT": str(tmp_path / "static")}
    default = load_settings({"DEBUG": "1"}, "MEDIA_ROOT")
    assert Path(default["MEDIA_ROOT"]) == REPO / "var" / "media"


def test_time_zone_and_language():
    values = load_settings({"DEBUG": "1"}, "TIME_ZONE", "LANGUAGE_CODE", "CELERY_TIMEZONE", "USE_TZ")
    assert values == {
        "TIME_ZONE": "Asia/Shanghai",
        "LANGUAGE_CODE": "zh-hans",
        "CELERY_TIMEZONE": "Asia/Shanghai",
        "USE_TZ": True,
    }


def test_login_lockout_and_city():
    values = load_settings(
        {
            "DEBUG": "1",
            "LOGIN_FAILURE_LIMIT": "3",
            "LOGIN_LOCKOUT_MINUTES": "10",
            "TIBAO_CITY_CODE": "420100",
            "TIBAO_CITY_NAME": "武汉市",
            "TIBAO_RESCUE_PHONE": "12345",
            "TIBAO_COVERAGE_TARGET": "0.8",
            "TIBAO_PROVINCE_ABBREVIATION": "鄂",
            "TIBAO_CITY_LETTER": "A",
            "TIBAO_IMPORT_MAX_MB": "2",
            "TIBAO_IMPORT_MAX_ROWS": "1000",
        },
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_TIME",
        "TIBAO",
    )
    assert values["AXES_FAILURE_LIMIT"] == 3
    assert values["AXES_COOLOFF_TIME"] == "0:10:00"
    expected = {
        "CITY_CODE": "420100",
        "CITY_NAME": "武汉市",
        "RESCUE_PHONE": "12345",
        "COVERAGE_TARGET": 0.8,
        "PROVINCE_ABBREVIATION": "鄂",
        "CITY_LETTER": "A",
        "IMPORT_MAX_BYTES": 2 * 1024 * 1024,
        "IMPORT_MAX_ROWS": 1000,
    }
    # Other keys may join TIBAO; these must be read from the environment as given.
    assert {key: values["TIBAO"].get(key) for key in expected} == expected


def test_production_security_settings():
    values = load_settings(
        PRODUCTION,
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "STORAGES",
    )
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["STORAGES"]["staticfiles"]["BACKEND"].startswith("whitenoise.")


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)


def test_deploy_check_passes_with_production_environment():
    result = deploy_check(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("override", "warning"),
    [
        ({"SECRET_KEY": "too-short"}, "security.W009"),
        ({"ALLOWED_HOSTS": ""}, "security.W020"),
        ({"SECURE_SSL_REDIRECT": "0"}, "security.W008"),
    ],
)
def test_deploy_check_fails_on_weak_production_settings(override, warning):
    result = deploy_check({**PRODUCTION, **override})
    assert result.returncode != 0
    assert warning in result.stderr
