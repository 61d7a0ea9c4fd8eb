"""``parlons serve --demo``: the demo organization imported and audited, and two people to sign in.

The exports are parlons' own demo (``parlons.build_demo``), imported by the same job as an upload,
and audited as ``parlons demo`` audits them (``parlons.DEMO_ACCOUNTS``); the verdict and its charts
are cached in both languages before the server answers. The consultant and the client get fresh
random passwords at every start (printed once).
"""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User

import parlons

from .audits.services import AuditChoice, audit_data, section_charts
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
        accounts = parlons.DEMO_ACCOUNTS
        workspace = create_workspace(consultant, name=WORKSPACE, account=accounts.account,
                                     together=", ".join(accounts.together), peers=", ".join(accounts.peers))
        Membership.objects.create(workspace=workspace, user=client, role=Role.CLIENT_EDITOR)
        _import(workspace, consultant, lang, scale)
        add_version(workspace, consultant, (Path(__file__).parent / "demo_plan.yaml").read_text(encoding="utf-8"),
                    "demo plan")
    _warm(Workspace.objects.get(pk=workspace.pk))
    return DemoSignIns(workspace.pk, ("consultant", consultant_password), ("client", client_password))


def _warm(workspace: Workspace) -> None:
    """The default audit and every chart of it, in both languages, so that the first pages read the cache."""
    choice = AuditChoice(peers=tuple(workspace.names("peers")))
    audit_data(workspace, choice)
    for lang in ("fr", "en"):
        for section in parlons.CHART_SECTIONS:
            section_charts(workspace, choice, lang, section)


def _import(workspace: Workspace, user: User, lang: str, scale: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = parlons.build_demo(Path(folder), lang=lang, scale=scale)
        files = [store_upload_path(workspace.pk, path) for path in paths]
    job = ImportJob.objects.create(workspace=workspace, created_by=user, files=files)
    if run_job(job.pk) != ImportJob.Status.DONE:
        job.refresh_from_db()
        raise parlons.ParlonsError(f"the demo import failed: {job.error}")
