"""The audit and the plan in pages: the library's figures, shown as they are, in both languages."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import parlons
from parlons.demo import ORG_BLOG, ORG_MASTODON, ORG_X, PEER1_X, PEER2_X

from .conftest import World


def _expected(demo_store: Path) -> list[dict[str, Any]]:
    con = parlons.open_posts(demo_store)
    try:
        results = parlons.run_audit(con, [ORG_X, PEER1_X, PEER2_X], together=[f"@{ORG_MASTODON}", ORG_BLOG],
                                    label="Kerbrat", settings=parlons.AuditSettings(timezone="Europe/Paris"))
        return [r.model_dump(mode="json") for r in results]
    finally:
        con.close()


def test_verdict_shows_the_audit_level_its_evidence_with_n_and_the_peers(world: World, client: Client,
                                                                         demo_store: Path) -> None:
    expected = _expected(demo_store)[0]["maturity"]
    client.force_login(world.viewer)
    page = client.get(f"/w/{world.a.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Maturity level {expected['level']} of 5" in page
    for key, figure in expected["evidence"].items():
        assert f'href="/definitions/#{key}"' in page
        assert f"n = {figure['n']:,}" in page
    assert f"<th>{PEER1_X}</th>" in page and f"<th>{PEER2_X}</th>" in page
    french = client.get(f"/w/{world.a.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"Niveau de maturité {expected['level']} sur 5" in french


def test_language_chosen_by_the_user_wins_over_the_browser(world: World, client: Client) -> None:
    client.force_login(world.viewer)
    client.post("/language/", {"language": "en", "next": "/w/"})
    assert "Workspaces" in client.get("/w/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    client.post("/language/", {"language": "fr", "next": "/w/"})
    assert "Espaces de travail" in client.get("/w/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_family_page_gives_every_figure_with_its_n_and_definition(world: World, client: Client,
                                                                  demo_store: Path) -> None:
    answered = _expected(demo_store)[0]["responsiveness"]["answered_share"]
    client.force_login(world.viewer)
    page = client.get(f"/w/{world.a.pk}/audit/responsiveness/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = page.split('href="/definitions/#responsiveness.answered_share"')[1].split("</tr>")[0]
    assert f"{round(answered['value'] * 100)}%" in row
    assert f"n = {answered['n']}" in row
    assert client.get(f"/w/{world.a.pk}/audit/nonsense/").status_code == 404
    definitions = client.get("/definitions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="responsiveness.answered_share"' in definitions


def test_inbox_marks_filters_and_exports_the_unanswered_requests(world: World, client: Client,
                                                                 demo_store: Path) -> None:
    unanswered = _expected(demo_store)[0]["responsiveness"]["unanswered_requests"]
    first, second = (str(u["id"]) for u in unanswered[:2])
    client.force_login(world.editor)
    url = f"/w/{world.a.pk}/inbox/"
    assert client.post(f"{url}mark/", {"request": first, "status": "will_answer"}).status_code == 302
    client.post(f"{url}mark/", {"request": second, "status": "not_for_us"})
    assert client.post(f"{url}mark/", {"request": "made-up", "status": "seen"}).status_code == 404
    rows = list(csv.reader(io.StringIO(client.get(f"/w/{world.a.pk}/inbox.csv").content.decode())))
    assert rows[0] == ["id", "author", "time", "text", "permalink", "rule", "mark"]
    assert [r[0] for r in rows[1:]] == [str(u["id"]) for u in unanswered]
    assert {r[0]: r[6] for r in rows[1:] if r[6]} == {first: "will_answer", second: "not_for_us"}
    marked = list(csv.reader(io.StringIO(client.get(f"/w/{world.a.pk}/inbox.csv?status=will_answer")
                                         .content.decode())))
    assert [r[0] for r in marked[1:]] == [first]
    page = client.get(f"{url}?status=open").content.decode()
    assert page.count('class="request open"') == len(unanswered) - 2


def test_post_contents_are_inert(world: World, client: Client) -> None:
    from parlons.web.audits.models import AuditResult

    client.force_login(world.editor)
    client.get(f"/w/{world.a.pk}/")
    cached = AuditResult.objects.get(workspace=world.a)
    requests = cached.result[0]["responsiveness"]["unanswered_requests"]
    requests[0].update(text="<script>alert(1)</script><img src=x onerror=alert(2)>", permalink="javascript:alert(3)")
    requests[1].update(text="=HYPERLINK(\"http://evil\")")
    cached.requests = requests  # what the inbox reads (the audited account's list)
    cached.save()
    page = client.get(f"/w/{world.a.pk}/inbox/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img" in page
    assert "javascript:alert(3)" not in page
    exported = client.get(f"/w/{world.a.pk}/inbox.csv").content.decode()
    assert "'=HYPERLINK" in exported
    client.post(f"/w/{world.a.pk}/comments/", {"target": "maturity", "body": "<b>bold</b>"})
    assert "&lt;b&gt;bold&lt;/b&gt;" in client.get(f"/w/{world.a.pk}/").content.decode()


def test_report_is_a_sandboxed_download(world: World, client: Client) -> None:
    client.force_login(world.viewer)
    response = client.get(f"/w/{world.a.pk}/report.html?lang=en")
    assert response["Content-Disposition"] == 'attachment; filename="parlons-report-en.html"'
    assert response["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert b"Kerbrat" in response.content and b"<script" not in response.content


PLAN = """# our plan (this comment must survive)
version: 1
lang: en
name: Kerbrat 2025
organization:
  name: Kerbrat
objectives:
  - id: o1
    text: Answer every question  # keep this note
"""


def test_plan_upload_edit_versions_and_diff(world: World, client: Client) -> None:
    client.force_login(world.editor)
    base = f"/w/{world.a.pk}/plan/"
    client.post(f"{base}upload/", {"plan": SimpleUploadedFile("plan.yaml", PLAN.encode())})
    page = client.get(base, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Objective o1 has no deadline." in page
    client.post(f"{base}objective/", {"objective": "o1", "text": "Answer every question within a day"})
    second = client.get(f"{base}v2.yaml").content.decode()
    assert second.splitlines()[0] == "# our plan (this comment must survive)"
    assert second.splitlines()[-1] == "    text: Answer every question within a day # keep this note"
    assert second.splitlines()[:-1] == PLAN.splitlines()[:-1]
    diff = client.get(f"{base}v2/diff/").content.decode()
    assert '<span class="del">-    text: Answer every question  # keep this note</span>' in diff
    assert '<span class="add">+    text: Answer every question within a day # keep this note</span>' in diff
    bad = client.post(f"{base}upload/", {"plan": SimpleUploadedFile("plan.yaml", b"version: 1\nobjectives: 3\n")},
                      follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "The plan was not saved" in bad.content.decode()
    assert client.get(f"{base}v3.yaml").status_code == 404


FORMS_WITHOUT_REQUESTS = 7 * 2 + 1 + 1 + 3 + 3 + 1 + 1
"""Language and sign-out on each of the 7 pages; a comment on the verdict and on responsiveness; the plan's
objective, its comment and the upload; members: the invitation and two removals; the upload; the settings."""


def test_every_form_that_posts_carries_the_csrf_token(world: World, client: Client, demo_store: Path) -> None:
    unanswered = len(_expected(demo_store)[0]["responsiveness"]["unanswered_requests"])
    client.force_login(world.consultant)
    client.post(f"/w/{world.a.pk}/plan/start/")
    forms = 0
    for path in ("/", "audit/responsiveness/", "inbox/", "plan/", "members/", "imports/", "settings/"):
        page = client.get(f"/w/{world.a.pk}/{path}".replace("//", "/")).content.decode()
        for form in page.split("<form")[1:]:
            if 'method="post"' in form.split(">")[0]:
                forms += 1
                assert 'name="csrfmiddlewaretoken"' in form.split("</form>")[0], (path, form[:200])
    # and one form per unanswered request in the inbox
    assert forms - unanswered == FORMS_WITHOUT_REQUESTS


def test_plan_kpis_show_the_audit_figure_and_whether_the_target_is_met(world: World, client: Client,
                                                                      demo_store: Path) -> None:
    answered = _expected(demo_store)[0]["responsiveness"]["answered_share"]
    plan = PLAN + ("kpis:\n  - id: k1\n    metric: responsiveness.answered_share\n    objective: o1\n"
                   f"    target: \">= {answered['value']}\"\n  - id: k2\n    metric: responsiveness.answered_share\n"
                   f"    objective: o1\n    target: \">= {answered['value'] + 0.01:.4f}\"\n")
    client.force_login(world.editor)
    client.post(f"/w/{world.a.pk}/plan/upload/", {"plan": SimpleUploadedFile("plan.yaml", plan.encode())})
    page = client.get(f"/w/{world.a.pk}/plan/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("</tr>")
    now = f"{round(answered['value'] * 100)}% <span class=\"n\">n = {answered['n']}</span>"
    assert now in rows[0] and "✓ met" in rows[0] and "Responsiveness: answered" in rows[0]
    assert now in rows[1] and "not met" in rows[1]
    assert f"≥ {round(answered['value'] * 100)}%" in rows[0]  # the target in the figure's unit


def test_marking_returns_to_the_inbox_with_only_a_query_string(world: World, client: Client) -> None:
    client.force_login(world.editor)
    response = client.post(f"/w/{world.a.pk}/inbox/mark/", {"request": "1859191161220074125", "status": "seen",
                                                             "back": "status=open&x=//evil.example/\r\nSet-Cookie: a"})
    assert response.status_code == 302
    assert response["Location"] == f"/w/{world.a.pk}/inbox/?status=open&x=%2F%2Fevil.example%2F%0D%0ASet-Cookie%3A+a"


def test_an_unanswered_request_has_its_own_thread(world: World, client: Client, demo_store: Path) -> None:
    first = str(_expected(demo_store)[0]["responsiveness"]["unanswered_requests"][0]["id"])
    client.force_login(world.editor)
    page = f"/w/{world.a.pk}/inbox/request/?id={first}"
    assert client.get(page).status_code == 200
    posted = client.post(f"/w/{world.a.pk}/comments/", {"target": f"request:{first}", "body": "I call her back",
                                                        "next": page})
    assert posted["Location"] == page
    assert "I call her back" in client.get(page).content.decode()
    assert "I call her back" not in client.get(f"/w/{world.a.pk}/").content.decode()
    assert client.get(f"/w/{world.a.pk}/inbox/request/?id=made-up").status_code == 404


def test_family_rows_are_grouped_and_named_without_raw_keys(world: World, client: Client) -> None:
    client.force_login(world.viewer)
    page = client.get(f"/w/{world.a.pk}/audit/responsiveness/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    groups = [g.split(">", 1)[1] for g in page.split('<tr class="group"><th colspan="4')[1:]]
    assert [g.split("<", 1)[0] for g in groups] == ["Demande (question ou problème)",
                                                    "Sans demande (remerciements, remarques)",
                                                    "Toutes les demandes"]
    assert "(by_intent." not in page and "by_intent.asking" not in page.split("<tbody>")[1].replace(
        'data-metric="responsiveness.by_intent.asking', "")
    voice = client.get(f"/w/{world.a.pk}/audit/voice/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "languages.fr" not in voice and '<tr class="group"><th colspan="4">French</th></tr>' in voice


def test_family_labels_never_repeat_nor_contradict_their_group(world: World, client: Client) -> None:
    import lxml.html

    client.force_login(world.viewer)
    for lang in ("fr", "en"):
        for family in ("responsiveness", "conversation", "voice", "content", "coverage"):
            page = lxml.html.fromstring(client.get(f"/w/{world.a.pk}/audit/{family}/", HTTP_ACCEPT_LANGUAGE=lang)
                                        .content)
            group, seen = "", set()
            for row in page.cssselect("table.figures tbody tr"):
                if row.get("class") == "group":
                    group = row.text_content()
                    continue
                label = row.cssselect("th a")[0].text_content()
                assert (group, label) not in seen or row.cssselect("code.key"), (lang, family, label)
                seen.add((group, label))
    page = client.get(f"/w/{world.a.pk}/audit/responsiveness/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Answered within 1 hour (number)</a>" in page and "answered_within_1h</code>" not in page
    assert ">Answered requests</a>" in page.split('<tr class="group">')[0]  # a label of its own is kept
    not_asking = page.split("Not asking (thanks, remarks)")[1].split('<tr class="group">')[0]
    assert ">Requests</a>" in not_asking and "Requests that ask" not in not_asking
