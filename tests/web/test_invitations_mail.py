"""Invitation e-mails: sent through Django's mail backend in the inviter's language, the link also
shown; a new link on demand (the old one stops working); revoked and expired links refused."""

from __future__ import annotations

import re
import smtplib
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from .conftest import PASSWORD, World


def _invite(client: Client, world: World, email: str, lang: str = "en", role: str = "client_editor") -> str:
    page = client.post(f"/w/{world.a.pk}/members/invite/", {"email": email, "role": role},
                       HTTP_ACCEPT_LANGUAGE=lang)
    assert page.status_code == 200
    return str(page.content.decode().split('id="invite-link" readonly value="')[1].split('"')[0])


def _link_in(message: Any) -> str:
    found = re.findall(r"http://testserver/join/[\w-]+/", message.body)
    assert len(found) == 1, message.body
    return str(found[0])


def test_the_invited_person_gets_an_email_with_the_link_in_the_inviters_language(world: World,
                                                                                 client: Client) -> None:
    from parlons.web.workspaces.models import Invitation, Membership

    client.force_login(world.consultant)
    shown = _invite(client, world, "dana@example.org", lang="fr")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@example.org"]
    assert message.subject == "alice vous invite dans Kerbrat sur parlons"
    assert "sur parlons, en tant que client éditeur.\n\nOuvrez ce lien" in message.body, message.body
    assert _link_in(message) == shown
    assert Invitation.objects.get(email="dana@example.org").sent_at is not None
    path = shown.removeprefix("http://testserver")
    visitor = Client()
    assert visitor.get(path).status_code == 200
    joined = visitor.post(path, {"username": "dana", "password": PASSWORD})
    assert (joined.status_code, joined["Location"]) == (302, f"/w/{world.a.pk}/")
    assert Membership.objects.get(user__username="dana", workspace=world.a).role == "client_editor"
    assert Client().get(path).status_code == 404, "the link works once"
    assert Client().post(path, {"username": "eve", "password": PASSWORD}).status_code == 404

    client.post(f"/w/{world.a.pk}/members/invite/", {"email": "erin@example.org", "role": "client_viewer"},
                HTTP_ACCEPT_LANGUAGE="en")
    assert mail.outbox[1].subject == "alice invites you to Kerbrat on parlons"
    body = mail.outbox[1].body
    assert "as client viewer." in body and "(Europe/Paris):\nhttp://testserver/join/" in body


def test_a_new_link_replaces_the_old_one_and_revoked_or_expired_links_are_refused(world: World,
                                                                                  client: Client) -> None:
    from parlons.web.workspaces.models import Invitation

    client.force_login(world.consultant)
    old = _invite(client, world, "frank@example.org").removeprefix("http://testserver")
    invitation = Invitation.objects.get(email="frank@example.org")
    page = client.post(f"/w/{world.a.pk}/members/invitations/{invitation.pk}/resend/", HTTP_ACCEPT_LANGUAGE="en")
    new = _link_in(mail.outbox[-1]).removeprefix("http://testserver")
    assert (page.status_code, len(mail.outbox), new != old) == (200, 2, True)
    assert new in page.content.decode() and "An e-mail with this link was sent to frank@example.org." in (
        page.content.decode())
    assert Client().get(old).status_code == 404, "the old link stopped working"
    assert Client().get(new).status_code == 200

    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert Client().get(new).status_code == 404, "expired"
    members = client.get(f"/w/{world.a.pk}/members/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "frank@example.org" in members and "expired" in members
    client.post(f"/w/{world.a.pk}/members/invitations/{invitation.pk}/resend/")
    renewed = _link_in(mail.outbox[-1]).removeprefix("http://testserver")
    assert Client().get(renewed).status_code == 200, "a new link renews an expired invitation"

    client.post(f"/w/{world.a.pk}/members/invitations/{invitation.pk}/revoke/")
    assert Client().get(renewed).status_code == 404, "revoked"
    assert Client().post(renewed, {"username": "frank", "password": PASSWORD}).status_code == 404
    assert client.post(f"/w/{world.a.pk}/members/invitations/{invitation.pk}/resend/").status_code == 404


def test_pending_invitations_are_listed_for_the_consultant_only(world: World, client: Client) -> None:
    client.force_login(world.consultant)
    _invite(client, world, "gail@example.org", role="client_viewer")
    listing = client.get(f"/w/{world.a.pk}/members/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="pending-invitations"' in listing and "gail@example.org" in listing and "Send a new link" in listing
    client.force_login(world.editor)
    assert "gail@example.org" not in client.get(f"/w/{world.a.pk}/members/").content.decode()


def test_when_the_mail_server_refuses_the_link_is_still_shown(world: World, client: Client,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from parlons.web.workspaces import mail as invitation_mail
    from parlons.web.workspaces.models import Invitation

    def refuse(*args: object, **kwargs: object) -> int:
        raise smtplib.SMTPRecipientsRefused({"hal@example.org": (550, b"no such user")})

    monkeypatch.setattr(invitation_mail, "send_mail", refuse)
    client.force_login(world.consultant)
    page = client.post(f"/w/{world.a.pk}/members/invite/", {"email": "hal@example.org", "role": "client_viewer"},
                       HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The e-mail to hal@example.org could not be sent." in page and 'id="invite-link"' in page
    assert Invitation.objects.get(email="hal@example.org").sent_at is None


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_a_consultant_resends(world: World, client: Client, role: str) -> None:
    from parlons.web.workspaces.models import Invitation

    invitation, _token = Invitation.issue(workspace=world.a, email="ivy@example.org", role="client_viewer",
                                          created_by=world.consultant)
    client.force_login(getattr(world, role))
    assert client.post(f"/w/{world.a.pk}/members/invitations/{invitation.pk}/resend/").status_code == 403
    assert client.post(f"/w/{world.a.pk}/members/invitations/{invitation.pk}/revoke/").status_code == 403
    assert mail.outbox == [] and Invitation.objects.get(pk=invitation.pk).token_hash == invitation.token_hash


def test_smtp_comes_from_the_environment(tmp_path: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from parlons.web.settings.mail import email_settings

    assert email_settings({})["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    secret = tmp_path / "smtp-password"
    secret.write_text("s3cret\n")
    smtp = email_settings({"PARLONS_SMTP_HOST": "smtp.example.org", "PARLONS_SMTP_PORT": "465",
                           "PARLONS_SMTP_SECURITY": "tls", "PARLONS_SMTP_USER": "parlons",
                           "PARLONS_SMTP_PASSWORD_FILE": str(secret), "PARLONS_FROM_EMAIL": "audit@example.org"})
    assert {k: smtp[k] for k in ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_SSL", "EMAIL_USE_TLS",
                                 "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "DEFAULT_FROM_EMAIL")} == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 465, "EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False, "EMAIL_HOST_USER": "parlons",
        "EMAIL_HOST_PASSWORD": "s3cret", "DEFAULT_FROM_EMAIL": "audit@example.org"}
    with pytest.raises(ImproperlyConfigured, match="PARLONS_SMTP_SECURITY must be one of starttls, tls, none"):
        email_settings({"PARLONS_SMTP_HOST": "smtp.example.org", "PARLONS_SMTP_SECURITY": "yes"})
