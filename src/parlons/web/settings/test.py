"""pytest: the database is SQLite, or PostgreSQL when ``PARLONS_TEST_DATABASE_URL`` is set (CI);
tasks run in the test process, when the test runs the worker; mail stays in memory; fast hashing."""

import os

import dj_database_url

from .base import *  # noqa: F403

if os.environ.get("PARLONS_TEST_DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["PARLONS_TEST_DATABASE_URL"])}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ALLOWED_HOSTS = ["*"]
