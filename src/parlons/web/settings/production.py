"""Behind an HTTPS reverse proxy (``docs/deploy.md``): secure cookies, HSTS, HTTPS only.

``manage.py check --deploy`` is clean with these settings (a test runs it)."""

import os

from .base import *  # noqa: F403

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("PARLONS_SSL_REDIRECT", "true").lower() not in {"0", "false", "no"}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("PARLONS_TRUSTED_ORIGINS", "").split(",") if o.strip()]
