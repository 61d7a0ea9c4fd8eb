"""E-mail settings from the environment (invitations, mentions). Without ``PARLONS_SMTP_HOST``, mail
goes to the console (the server's output); with it, to that SMTP server:

- ``PARLONS_SMTP_HOST``, ``PARLONS_SMTP_PORT`` (default 587);
- ``PARLONS_SMTP_USER``, ``PARLONS_SMTP_PASSWORD`` or ``PARLONS_SMTP_PASSWORD_FILE`` (a file holding it);
- ``PARLONS_SMTP_SECURITY``: ``starttls`` (default), ``tls`` (implicit TLS, usually port 465) or ``none``;
- ``PARLONS_FROM_EMAIL``: the sender (default ``parlons@localhost``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

__all__ = ["email_settings"]

SECURITY = ("starttls", "tls", "none")


def email_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Django's ``EMAIL_*`` settings for ``env``."""
    sender = env.get("PARLONS_FROM_EMAIL", "parlons@localhost")
    host = env.get("PARLONS_SMTP_HOST", "").strip()
    if not host:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend", "DEFAULT_FROM_EMAIL": sender}
    security = env.get("PARLONS_SMTP_SECURITY", "starttls").strip().lower()
    if security not in SECURITY:
        raise ImproperlyConfigured(f"PARLONS_SMTP_SECURITY must be one of {', '.join(SECURITY)}, not {security!r}")
    port = env.get("PARLONS_SMTP_PORT", "587").strip()
    if not port.isdigit():
        raise ImproperlyConfigured(f"PARLONS_SMTP_PORT must be a port number, not {port!r}")
    return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "DEFAULT_FROM_EMAIL": sender,
            "SERVER_EMAIL": sender, "EMAIL_HOST": host, "EMAIL_PORT": int(port),
            "EMAIL_HOST_USER": env.get("PARLONS_SMTP_USER", ""), "EMAIL_HOST_PASSWORD": _password(env),
            "EMAIL_USE_TLS": security == "starttls", "EMAIL_USE_SSL": security == "tls", "EMAIL_TIMEOUT": 20}


def _password(env: Mapping[str, str]) -> str:
    path = env.get("PARLONS_SMTP_PASSWORD_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"PARLONS_SMTP_PASSWORD_FILE {path} cannot be read: {exc}") from None
    return env.get("PARLONS_SMTP_PASSWORD", "")
