"""Settings shared by every environment. Configuration comes from the environment only:

- ``PARLONS_DATA``: the data folder (:mod:`parlons.web.paths`);
- ``DATABASE_URL``: the application's database (``postgres://…``); default: SQLite in the data folder;
- ``PARLONS_SECRET_KEY`` or ``PARLONS_SECRET_KEY_FILE``: default: generated once into the data folder;
- ``PARLONS_ALLOWED_HOSTS``: comma-separated host names;
- ``PARLONS_UPLOAD_MAX_MB``: the largest upload accepted (default 2048);
- ``PARLONS_SMTP_*``, ``PARLONS_FROM_EMAIL``: e-mail (:mod:`parlons.web.settings.mail`; default: the console).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

from ..paths import data_dir, secret_key
from .mail import email_settings

PACKAGE = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()
SECRET_KEY = secret_key(DATA_DIR)
DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("PARLONS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
                 if h.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "parlons.web.accounts",
    "parlons.web.workspaces",
    "parlons.web.imports",
    "parlons.web.audits",
    "parlons.web.dialogue",
    "parlons.web.plans",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "parlons.web.security.PrivatePagesMiddleware",
    "parlons.web.audits.busy.StoreBusyMiddleware",
]

ROOT_URLCONF = "parlons.web.urls"
WSGI_APPLICATION = "parlons.web.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [{
    "BACKEND": "django.template.backends.jinja2.Jinja2",
    "DIRS": [PACKAGE / "templates"],
    "APP_DIRS": False,
    "OPTIONS": {
        "environment": "parlons.web.jinja.environment",
        "context_processors": ["parlons.web.jinja.context"],
    },
}]


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "app.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE",
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}}


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                      "LOCATION": str(DATA_DIR / "cache")}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "workspaces:list"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE / "static"]
WHITENOISE_USE_FINDERS = True

globals().update(email_settings(os.environ))  # SMTP when PARLONS_SMTP_HOST is set (settings/mail.py)

# sessions and cookies: never readable from scripts, never sent by another site's form
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 3600
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# no script at all: the pages work without JavaScript; styles come from our own static files only
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": ["'self'"],
    "script-src": ["'none'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}}

# uploads: streamed to a temporary file past 2.5 MB, never held whole in memory
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_TEMP_DIR = None
FILE_UPLOAD_PERMISSIONS = 0o600
PARLONS_UPLOAD_MAX_BYTES = int(os.environ.get("PARLONS_UPLOAD_MAX_MB", "2048")) * 1024 * 1024

PARLONS_COLLECT_ALLOW_LOOPBACK = False
"""Collection connects only to public addresses; the tests' settings add loopback (their local server)."""

SIGN_IN_ATTEMPTS = 5
"""Failed sign-ins allowed per account and per address within ``SIGN_IN_WINDOW`` seconds."""
SIGN_IN_WINDOW = 15 * 60

LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "WARNING"}}
