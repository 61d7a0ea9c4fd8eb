"""``parlons serve --demo``: the demo organization imported and audited, and two people to sign in.

The exports are parlons' own demo (``parlons.build_demo``), imported by the same job as an upload;
the consultant and the client get fresh random passwords at every start (printed once).
"""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User

import parlons
from parlons.demo import ORG_BLOG, ORG_MASTODON, ORG_X, PEER1_X, PEER2_X

from .audits.services import AuditChoice, audit
from .imports.models import ImportJob
from .imports.services import run_job
from .imports.uploads import store_upload_path
from .plans.services import add_version
from .workspaces.models import Membership, Role, Workspace
from .workspaces.services import create_workspace

__all__ = ["DemoSignIns", "set_up_demo"]

WORKSPACE = "Médiathèques de Kerbrat (démo)"


@dataclass(frozen=True)
class DemoSignIns:
    workspace: int
    consultant: tuple[str, str]
    client: tuple[str, str]


def _person(name: str, email: str) -> tuple[User, str]:
    password = secrets.token_urlsafe(12)
    user, _created = User.objects.get_or_create(username=name, defaults={"email": email})
    user.set_password(password)
    user.save()
    return user, password


def set_up_demo(lang: str = "fr", scale: float = 1.0) -> DemoSignIns:
    """Create (once) the demo workspace with its imported exports; reset the two demo passwords."""
    consultant, consultant_password = _person("consultant", "consultant@demo.parlons.invalid")
    client, client_password = _person("client", "client@demo.parlons.invalid")
    workspace = Workspace.objects.filter(name=WORKSPACE, memberships__user=consultant).first()
    if workspace is None:
        workspace = create_workspace(consultant, name=WORKSPACE, account=ORG_X,
                                     together=f"@{ORG_MASTODON}, {ORG_BLOG}", peers=f"{PEER1_X}, {PEER2_X}")
        Membership.objects.create(workspace=workspace, user=client, role=Role.CLIENT_EDITOR)
        _import(workspace, consultant, lang, scale)
        add_version(workspace, consultant, (Path(__file__).parent / "demo_plan.yaml").read_text(encoding="utf-8"),
                    "demo plan")
    audit(Workspace.objects.get(pk=workspace.pk), AuditChoice(peers=tuple(workspace.names("peers"))))
    return DemoSignIns(workspace.pk, ("consultant", consultant_password), ("client", client_password))


def _import(workspace: Workspace, user: User, lang: str, scale: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = parlons.build_demo(Path(folder), lang=lang, scale=scale)
        files = [store_upload_path(workspace.pk, path) for path in paths]
    job = ImportJob.objects.create(workspace=workspace, created_by=user, files=files)
    if run_job(job.pk) != ImportJob.Status.DONE:
        job.refresh_from_db()
        raise parlons.ParlonsError(f"the demo import failed: {job.error}")
