"""Invitation e-mails, through Django's mail backend (the console by default; SMTP: ``docs/deploy.md``).

The e-mail is written in the inviter's language (the language of the request that sends it) and
carries the link; the link is also shown to the consultant, in case the e-mail does not arrive.
"""

from __future__ import annotations

import logging
import smtplib

from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.utils import timezone

from ..i18n import _
from ..jinja import when
from .models import Invitation

__all__ = ["send_invitation"]

log = logging.getLogger(__name__)


def send_invitation(invitation: Invitation, link: str, inviter: User) -> bool:
    """E-mail the link to the invited address; False (and the reason logged) when the mail server refused."""
    workspace = invitation.workspace
    names = {"name": inviter.get_username(), "workspace": workspace.name,
             "role": _(invitation.role.replace("_", " ")), "link": link,
             "expires": f"{when(invitation.expires_at, workspace.timezone)} ({workspace.timezone})"}
    subject = _("%(name)s invites you to %(workspace)s on parlons") % names
    body = _("%(name)s invites you to the workspace %(workspace)s on parlons, as %(role)s.\n\n"
             "Open this link to join; it works once, until %(expires)s:\n%(link)s\n\n"
             "If you did not expect this invitation, ignore this e-mail.\n") % names
    try:
        send_mail(subject, body, None, [invitation.email])
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("invitation e-mail to %s not sent: %s", invitation.email, exc)
        return False
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True
