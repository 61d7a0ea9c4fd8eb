"""The form that adds a collection source: what ``parlons collect`` would be given."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings

from ..i18n import _
from .models import CollectSource

__all__ = ["CollectSourceForm"]

MASTODON = re.compile(r"^@?[\w.-]{1,64}(@[\w.-]{1,253})?$")
BLUESKY = re.compile(r"^@?(?:[a-z0-9-]{1,63}\.)+[a-z0-9-]{1,63}$|^did:[a-z]+:[\w.:%-]{1,200}$", re.IGNORECASE)


class CollectSourceForm(forms.ModelForm[CollectSource]):
    max_requests = forms.IntegerField(min_value=1, max_value=10_000, required=False)

    class Meta:
        model = CollectSource
        fields = ["platform", "target", "server", "max_requests"]

    def clean_target(self) -> str:
        return str(self.cleaned_data["target"]).strip()

    def clean_server(self) -> str:
        server = str(self.cleaned_data.get("server") or "").strip().rstrip("/")
        if server:
            _check_address(server)
        return server

    def clean_max_requests(self) -> int:
        value = self.cleaned_data.get("max_requests")
        return int(value) if value else 2000

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("platform") == CollectSource.Platform.FEED:
            data["server"] = ""  # a feed is its own address
        try:
            _check_target(str(data.get("platform")), data.get("target", ""), bool(data.get("server")))
        except forms.ValidationError as error:
            self.add_error("target", error)
        return data


def _check_target(platform: str, target: str, server: bool) -> None:
    if platform == CollectSource.Platform.FEED:
        _check_address(target)
    elif platform == CollectSource.Platform.MASTODON:
        if not MASTODON.match(target) or ("@" not in target.lstrip("@") and not server):
            raise forms.ValidationError(_("Give the Mastodon account as @name@server."))
    elif platform == CollectSource.Platform.BLUESKY and not BLUESKY.match(target):
        raise forms.ValidationError(_("Give the Bluesky handle, for example name.bsky.social."))


def _check_address(url: str) -> None:
    """https only (plain http only on loopback, when the tests' setting allows it)."""
    parts = urlsplit(url)
    allowed = {"https", "http"} if getattr(settings, "PARLONS_COLLECT_ALLOW_LOOPBACK", False) else {"https"}
    if parts.scheme not in allowed or not parts.hostname:
        raise forms.ValidationError(_("Give an address that starts with https://."))
