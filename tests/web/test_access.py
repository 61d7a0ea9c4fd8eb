"""Who reaches what: every URL walked by an outsider, the permission matrix, sign-in, invitations."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from .conftest import PASSWORD, World


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    out: list[tuple[str, URLPattern]] = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            out += _patterns(p, prefix + str(p.pattern))
        else:
            out.append((prefix + str(p.pattern), p))
    return out


def _kwargs(route: str, world: World) -> dict[str, Any] | None:
    values = {"ws": world.b.pk, "job": world.b_objects["job"].pk, "number": world.b_objects["plan"].number,
              "family": "responsiveness", "fmt": "html", "member": world.b_objects["membership"].pk,
              "invitation": world.b_objects["invitation"].pk, "chart": "answer-times", "step": "objectives",
              "source": world.b_objects["source"].pk, "run": world.b_objects["run"].pk}
    names = [part.split(":")[-1].split(">")[0] for part in route.split("<")[1:]]
    if "ws" not in names:
        return None
    return {n: values[n] for n in names}


WORKSPACE_FREE = {"", "healthz", "sign-in/", "sign-out/", "language/", "definitions/", "join/<str:token>/",
                  "w/", "w/new/", "notifications/"}


def test_every_workspace_url_is_404_for_a_member_of_another_workspace(world: World, client: Client) -> None:
    from parlons.web.audits.models import RequestMark
    from parlons.web.dialogue.models import Comment, Review
    from parlons.web.plans.models import KpiMeasurement, PlanVersion

    client.force_login(world.consultant)
    walked = []
    for route, pattern in _patterns(get_resolver()):
        kwargs = _kwargs(route, world)
        if kwargs is None:
            assert route in WORKSPACE_FREE, f"{route} is not under a workspace: add it to the walk"
            continue
        url = _reverse(pattern, kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"target": "maturity", "body": "x", "status": "seen",
                                                     "request": "1859191161220074125", "finding": "maturity",
                                                     "verdict": "contested", "text": "changed", "objective": "o1",
                                                     "platform": "feed", "email": "x@example.org",
                                                     "role": "consultant"})
            assert response.status_code in {404, 405}, (url, method, response.status_code)
            walked.append((route, method, response.status_code))
    assert len({r for r, _m, _s in walked}) == 33
    assert [c.body for c in Comment.objects.filter(workspace=world.b)] == ["secret of B"]
    assert list(RequestMark.objects.filter(workspace=world.b).values_list("status", flat=True)) == ["seen"]
    assert list(Review.objects.filter(workspace=world.b).values_list("verdict", flat=True)) == ["accepted"]
    assert PlanVersion.objects.filter(workspace=world.b).count() == 1
    assert not KpiMeasurement.objects.filter(workspace=world.b).exists()
    assert world.b.memberships.count() == 1 and world.b.invitations.count() == 1
    invitation = world.b.invitations.get()
    assert (invitation.token_hash, invitation.sent_at) == (world.b_objects["invitation"].token_hash, None)
    assert [(s.target, s.runs.count()) for s in world.b.collect_sources.all()] == [("https://b.example/feed/", 1)]
    assert mail.outbox == []


def _reverse(pattern: URLPattern, kwargs: dict[str, Any]) -> str:
    from django.urls import reverse

    for namespace in ("workspaces", "imports", "audits", "plans", "dialogue"):
        try:
            return reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)
        except Exception:
            continue
    raise AssertionError(pattern)


def test_guessed_ids_are_404_too(world: World, client: Client) -> None:
    client.force_login(world.consultant)
    assert client.get(f"/w/{world.b.pk + 1000}/").status_code == 404
    assert client.get(f"/w/{world.a.pk}/imports/{world.b_objects['job'].pk}/").status_code == 404
    assert client.get(f"/w/{world.a.pk}/plan/v1.yaml").status_code == 404
    assert client.get("/w/").content.decode().count("Other org") == 0


ROLES = ["consultant", "editor", "viewer"]
MATRIX = [  # (method, path, data, expected status for consultant, editor, viewer)
    ("get", "/w/{ws}/", None, (200, 200, 200)),
    ("get", "/w/{ws}/imports/", None, (200, 403, 403)),
    ("get", "/w/{ws}/settings/", None, (200, 403, 403)),
    ("post", "/w/{ws}/members/invite/", {"email": "new@example.org", "role": "client_viewer"}, (200, 403, 403)),
    ("post", "/w/{ws}/comments/", {"target": "maturity", "body": "hello", "next": "/w/{ws}/"}, (302, 302, 403)),
    ("post", "/w/{ws}/reviews/", {"finding": "maturity", "verdict": "contested"}, (403, 302, 403)),
    ("post", "/w/{ws}/inbox/mark/", {"request": "1859191161220074125", "status": "seen"}, (302, 302, 403)),
    ("post", "/w/{ws}/plan/start/", {}, (302, 302, 403)),
    ("get", "/w/{ws}/plan/interview/objectives/", None, (200, 200, 403)),
    ("post", "/w/{ws}/plan/interview/objectives/", {"rows": "1", "r0-text": "x", "action": "next"}, (302, 302, 403)),
    ("post", "/w/{ws}/plan/interview/restart/", {}, (302, 302, 403)),
    ("get", "/w/{ws}/plan/fit/", None, (200, 200, 200)),
    ("get", "/w/{ws}/collect/", None, (200, 200, 403)),
    ("post", "/w/{ws}/collect/", {"platform": "feed", "target": "https://blog.example.org/feed/"}, (302, 302, 403)),
]


@pytest.mark.parametrize(("method", "path", "data", "expected"), MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world: World, client: Client, role: str, method: str, path: str,
                           data: dict[str, str] | None, expected: tuple[int, int, int]) -> None:
    client.force_login(getattr(world, role))
    filled = {k: v.format(ws=world.a.pk) for k, v in (data or {}).items()}
    response = getattr(client, method)(path.format(ws=world.a.pk), filled)
    assert response.status_code == expected[ROLES.index(role)]


def test_anonymous_home_goes_to_sign_in_and_healthz_answers(client: Client, db: None) -> None:
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/sign-in/?next=/")
    assert (client.get("/healthz").status_code, client.get("/healthz").json()) == (200, {"status": "ok"})
    assert client.get("/w/1/").status_code == 302


def test_sign_in_is_throttled_after_five_failures(world: World, client: Client) -> None:
    for _ in range(5):
        assert client.post("/sign-in/", {"username": "alice", "password": "wrong"}).status_code == 200
    blocked = client.post("/sign-in/", {"username": "alice", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.post("/sign-in/", {"username": "bob", "password": PASSWORD}).status_code == 302


def test_forms_need_the_csrf_token(world: World) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.editor)
    assert strict.post(f"/w/{world.a.pk}/comments/", {"target": "maturity", "body": "x"}).status_code == 403


def test_pages_carry_a_policy_without_script_and_are_private(world: World, client: Client) -> None:
    client.force_login(world.viewer)
    response = client.get(f"/w/{world.a.pk}/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Frame-Options"] == "DENY"
    assert "<script" not in response.content.decode()


def test_invitation_link_acts_only_on_post_once_and_stores_only_a_hash(world: World, client: Client) -> None:
    from parlons.web.workspaces.models import Invitation, Membership

    client.force_login(world.consultant)
    page = client.post(f"/w/{world.a.pk}/members/invite/", {"email": "dana@example.org", "role": "client_editor"})
    link = page.content.decode().split('id="invite-link" readonly value="')[1].split('"')[0]
    token = link.rsplit("/join/", 1)[1].strip("/")
    invitation = Invitation.objects.get(email="dana@example.org")
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    anonymous = Client()
    assert anonymous.get(f"/join/{token}/").status_code == 200
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
    joined = anonymous.post(f"/join/{token}/", {"username": "dana", "password": PASSWORD})
    assert (joined.status_code, joined["Location"]) == (302, f"/w/{world.a.pk}/")
    assert Membership.objects.get(user__username="dana").role == "client_editor"
    assert Client().post(f"/join/{token}/", {"username": "eve", "password": PASSWORD}).status_code == 404


def test_signed_in_user_joins_only_with_the_invited_email(world: World, client: Client) -> None:
    from parlons.web.workspaces.models import Invitation, Membership

    _invitation, token = Invitation.issue(workspace=world.a, email="someone@example.org", role="client_viewer",
                                          created_by=world.consultant)
    client.force_login(world.outsider)
    client.post(f"/join/{token}/")
    assert not Membership.objects.filter(workspace=world.a, user=world.outsider).exists()


def test_mentions_notify_members_only_and_replies_stay_in_their_thread(
        world: World, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    from parlons.web.dialogue.models import Comment, Notification

    client.force_login(world.editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/w/{world.a.pk}/comments/", {"target": "maturity", "body": "@alice @mallory is this right?"})
    assert [n.user.username for n in Notification.objects.all()] == ["alice"]
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    foreign = world.b_objects["comment"].pk
    assert client.post(f"/w/{world.a.pk}/comments/", {"target": "maturity", "body": "x",
                                                      "parent": foreign}).status_code == 404
    assert Comment.objects.filter(workspace=world.a).count() == 1
    client.force_login(world.consultant)
    assert "@alice @mallory is this right?" in client.get("/notifications/").content.decode()


def test_a_consultant_removes_members_and_revokes_invitations_but_keeps_one_consultant(world: World,
                                                                                      client: Client) -> None:
    from parlons.web.workspaces.models import Invitation, Membership

    client.force_login(world.consultant)
    editor = Membership.objects.get(workspace=world.a, user=world.editor)
    own = Membership.objects.get(workspace=world.a, user=world.consultant)
    assert client.post(f"/w/{world.a.pk}/members/{editor.pk}/remove/").status_code == 302
    assert client.post(f"/w/{world.a.pk}/members/{own.pk}/remove/").status_code == 302
    assert sorted(m.user.username for m in world.a.memberships.all()) == ["alice", "carol"]
    invitation, _token = Invitation.issue(workspace=world.a, email="z@example.org", role="client_viewer",
                                          created_by=world.consultant)
    client.post(f"/w/{world.a.pk}/members/invitations/{invitation.pk}/revoke/")
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    client.force_login(world.editor)
    assert client.get(f"/w/{world.a.pk}/").status_code == 404


def test_error_pages_speak_the_readers_language(world: World, client: Client) -> None:
    client.force_login(world.viewer)
    missing = client.get(f"/w/{world.b.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert (missing.status_code, "<h1>Introuvable</h1>" in missing.content.decode()) == (404, True)
    refused = client.get(f"/w/{world.a.pk}/imports/", HTTP_ACCEPT_LANGUAGE="en")
    assert (refused.status_code, "<h1>Forbidden</h1>" in refused.content.decode()) == (403, True)
    from django.test import RequestFactory
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("fr"):
        failed = server_error(RequestFactory().get("/"))
    assert failed.status_code == 500 and "<h1>Erreur du serveur</h1>" in failed.content.decode()
