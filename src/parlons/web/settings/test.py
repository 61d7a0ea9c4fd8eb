"""pytest: the database is SQLite, or PostgreSQL when ``PARLONS_TEST_DATABASE_URL`` is set (CI);
the data folder is a fresh temporary one; mail stays in memory; fast password hashing."""

import os
import tempfile

import dj_database_url

os.environ["PARLONS_DATA"] = tempfile.mkdtemp(prefix="parlons-test-")

from .base import *  # noqa: F403

if os.environ.get("PARLONS_TEST_DATABASE_URL"):
    DATABASES = {"default": dict(dj_database_url.parse(os.environ["PARLONS_TEST_DATABASE_URL"]))}
    DATABASES["default"]["TEST"] = {"NAME": DATABASES["default"]["NAME"]}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ALLOWED_HOSTS = ["*"]
PARLONS_COLLECT_ALLOW_LOOPBACK = True  # the collection tests' local server (tests/collect_server.py)
LOGGING = {"version": 1, "disable_existing_loggers": False, "loggers": {"django.request": {"level": "ERROR"}}}
PARLONS_CHARTS_WITH_AUDIT = False  # drawn on first view instead (tests/web/test_audit_charts.py covers both)
