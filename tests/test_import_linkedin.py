"""The LinkedIn data export importer (Shares.csv, Comments.csv, owner from Profile.csv)."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest

from parlons.errors import InputError
from parlons.importers._base import ImportOptions
from parlons.importers.linkedin import DEFAULT_ACCOUNT, unwrap_lines
from parlons.normalize import parse_time
from parlons.store import Store

from .conftest import FIXTURES, SAMPLES, count, load, needs_samples, rows, zip_folder

EXPORT = FIXTURES / "linkedin"
SHARES = SAMPLES / "linkedin_export_sanand0" / "Shares.csv"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
LLM_POST = """If someone asked me, "What's changed this year in LLMs", here's my list:

Prompt engineering is out. Evals are in. https://lnkd.in/gfF-6giV
Hallucinations are fewer and solvable by double-checking. https://lnkd.in/gUhPp22n
LLMs are great for throwaway code / tools. https://lnkd.in/g8u4jsYH
LLMs can analyze data. No more Excel. https://lnkd.in/gdMBtW6y
LLMs are good psychologists. https://lnkd.in/gAJuFnsh
Image generation is much better. https://lnkd.in/g4Tg_cDB
LLMs can speak well enough to co-host a panel. https://lnkd.in/gQ59apG4
... and create podcasts. https://lnkd.in/gvCAdDpm

But:

LLMs are still not great at slides. https://lnkd.in/gQQwG_a6
LLMs still can't follow a data visualization style guide.
LLMs can't yet create good sketch notes.
LLMs still draw bounding boxes as well as specialized models.
Agents (LLMs running tools in a loop) can think only for ~6 min.

What's on your list of things LLMs still can't do?"""
"""Checked by hand against lines 10-29 of the sample: per-line quote wrapping undone, inner quotes kept."""
RECRUITING = ("Nous recrutons un·e chargé·e de médiation culturelle !\n\n"
              "Missions : \"ateliers\" avec les écoles, visites, accueil des publics.\n"
              "Candidatures avant le 31 mars : https://pelican.example/emploi\n\n"
              "#emploi #culture #Lyon")


def test_linkedin_whole_rows(store: Store) -> None:
    report = load(store, EXPORT, now=NOW)
    file = report.files[0]
    assert file.formats == {"linkedin": 9}
    assert file.known == ["Connections.csv", "Profile.csv", "Reactions.csv", "messages.csv"]
    assert file.unknown == ["presse.txt"]
    recruiting = rows(store, "post_id = 'urn:li:share:7170000000000000001'")[0]
    assert recruiting == {
        "platform": "linkedin", "post_id": "urn:li:share:7170000000000000001", "account": "Camille Moreau",
        "account_id": None, "account_name": "Camille Moreau", "created_at": "2024-03-05T09:15:00Z",
        "text": RECRUITING, "html": None, "title": None, "lang": None, "kind": "original",
        "in_reply_to_id": None, "in_reply_to_account": None, "in_reply_to_account_id": None,
        "conversation_id": None, "repost_of_id": None, "repost_of_account": None, "quote_of_id": None,
        "mentions": [], "hashtags": ["emploi", "culture", "Lyon"], "urls": ["https://pelican.example/emploi"],
        "media_count": None, "media_kinds": [], "source": None, "like_count": None, "repost_count": None,
        "reply_count": None, "quote_count": None,
        "permalink": "https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7170000000000000001",
        "source_file": str(EXPORT), "source_member": "Shares.csv", "source_record": "line 2",
        "importer": "linkedin", "importer_version": "0.1.0", "imported_at": "2026-01-02T03:04:05Z",
    }


def test_linkedin_shares(store: Store) -> None:
    load(store, EXPORT)
    got = [(r["post_id"], r["created_at"], r["text"][:30], r["urls"], r["media_count"], r["media_kinds"],
            r["source_record"]) for r in rows(store, "source_member = 'Shares.csv'", "created_at")]
    assert got == [
        ("urn:li:share:7152000000000000005", "2024-01-15T10:30:00Z", "", [], None, [], "line 12"),
        ("urn:li:groupPost:4512345-7161000000000000004", "2024-02-10T12:00:00Z", "Which ticketing tools do small",
         [], None, [], "line 11"),
        ("urn:li:ugcPost:7165000000000000003", "2024-02-20T08:00:00Z", "Merci à toutes les équipes pou", [], None,
         [], "line 10"),
        ("urn:li:share:7169000000000000002", "2024-03-04T17:40:12Z", "Retour en images sur notre rés",
         ["https://youtu.be/AbCdEfGh123"], 1, ["image"], "line 8"),
        ("urn:li:share:7170000000000000001", "2024-03-05T09:15:00Z", "Nous recrutons un·e chargé·e d",
         ["https://pelican.example/emploi"], None, [], "line 2"),
    ]


def test_linkedin_comments_survive_backslash_quotes(store: Store) -> None:
    report = load(store, EXPORT)
    got = [(r["post_id"][:22], r["created_at"], r["text"], r["in_reply_to_id"], r["kind"], r["source_record"])
           for r in rows(store, "source_member = 'Comments.csv'", "created_at")]
    assert got == [
        ("lix:d36e1ad9babfcfa4a9", "2024-03-06T11:00:00Z", 'Merci pour le partage, Léa ! Le "Pélican" vous attend.',
         "urn:li:activity:7170100000000000010", "reply", "line 2"),
        ("urn:li:comment:(ugcPos", "2024-03-06T12:30:00Z",
         'Two answers:\n1. yes, we use it\n2. the "pro" plan is "enough"',
         "urn:li:ugcPost:7165000000000000003", "reply", "line 3"),
        ("lix:99a27cd90c312eb5f7", "2024-03-07T09:00:00Z", "Bravo à toute l'équipe !",
         "urn:li:activity:7170300000000000012", "reply", "line 6"),
        ("lix:03bbc71fbe9bd15545", "2024-03-08T14:00:00Z", "Rendez-vous jeudi ?",
         "urn:li:activity:7170500000000000014", "reply", "line 8"),
    ]
    assert report.files[0].skipped == {
        "comment record that cannot be read (broken quoting)": 1, "comment without a readable Date": 1,
        "row without a readable Date": 1, "row with a wrong number of fields": 1}
    assert sorted((s.member, s.record) for s in report.files[0].examples) == [
        ("Comments.csv", "line 7"), ("Comments.csv", "line 9"), ("Shares.csv", "line 13"), ("Shares.csv", "line 14")]
    comment = rows(store, "post_id LIKE 'urn:li:comment:%'")[0]
    assert comment["post_id"] == "urn:li:comment:(ugcPost:7165000000000000003,7170200000000000011)"
    assert count(store, f"SELECT count(*) FROM posts WHERE post_id = '{comment['in_reply_to_id']}'") == 1


def test_linkedin_owner_from_profile_csv(store: Store) -> None:
    load(store, EXPORT)
    owner = store.con.execute("SELECT account, display_name, description, is_owner FROM accounts").fetchall()
    assert owner == [("Camille Moreau", "Camille Moreau", "Théâtre, médiation, publics.", True)]


def test_linkedin_owner_without_profile(store: Store, tmp_path: Path) -> None:
    shares = tmp_path / "Shares.csv"
    shutil.copy(EXPORT / "Shares.csv", shares)
    report = load(store, shares)
    assert report.files[0].notes == [
        f"linkedin: no Profile.csv and no --account: posts are filed under '{DEFAULT_ACCOUNT}'"]
    assert count(store, f"SELECT count(*) FROM posts WHERE account = '{DEFAULT_ACCOUNT}'") == 5
    with Store(tmp_path / "other.duckdb") as other:
        load(other, shares, options=ImportOptions(account="Camille Moreau"))
        assert count(other, "SELECT count(*) FROM posts WHERE account = 'Camille Moreau'") == 5


def test_linkedin_zip_and_reimport_add_nothing_twice(store: Store, tmp_path: Path) -> None:
    archive = zip_folder(EXPORT, tmp_path / "Basic_LinkedInDataExport_03-10-2024.zip")
    first = load(store, archive)
    assert first.merge.inserted == 9
    again = load(store, EXPORT)
    assert (again.merge.inserted, again.merge.already_stored) == (0, 9)


def test_linkedin_truncated_shares_names_member_and_line(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    shares = folder / "Shares.csv"
    shares.write_text(shares.read_text()[:400])
    with pytest.raises(InputError) as caught:
        load(store, folder)
    assert caught.value.member == "Shares.csv"
    assert "not readable CSV" in str(caught.value)
    assert count(store, "SELECT count(*) FROM posts") == 0


def test_linkedin_broken_record_names_file_and_record(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    shares = folder / "Shares.csv"
    header, rest = shares.read_text().split("\n", 1)
    shares.write_text(f'{header}\n2024-01-02 10:00:00,https://www.linkedin.com/x,"Bon"jour,,,PUBLIC\n{rest}')
    with pytest.raises(InputError) as caught:
        load(store, folder)
    assert caught.value.member == "Shares.csv"
    assert str(caught.value).endswith("Shares.csv: is not readable CSV (record at line 2: ',' expected after '\"'); "
                                      "the file may be truncated")
    assert count(store, "SELECT count(*) FROM posts") == 0


@pytest.mark.parametrize(("raw", "text"), [
    ('Un."\n""\n"Deux "mots"."\n"Trois', 'Un.\n\nDeux "mots".\nTrois'),
    ('Ligne 1"\n""\n"Ligne 3', "Ligne 1\n\nLigne 3"),
    ('Une seule ligne "citée"', 'Une seule ligne "citée"'),
    ('"Dit-il."\nRéponse sans guillemets', '"Dit-il."\nRéponse sans guillemets'),
])
def test_linkedin_unwrap_lines(raw: str, text: str) -> None:
    assert unwrap_lines(raw) == text


@needs_samples
def test_linkedin_real_shares_sample(store: Store) -> None:
    with SHARES.open(newline="", encoding="utf-8") as stream:
        raw = list(csv.DictReader(stream))
    assert len(raw) == 202
    report = load(store, SHARES)
    # 202 rows, 198 posts: one share fills five rows, one per size of its YouTube thumbnail (MediaUrl).
    assert report.files[0].formats == {"linkedin": 198}
    assert report.files[0].skipped == {}
    assert count(store, "SELECT count(*) FROM posts") == 198
    dates = store.con.execute("SELECT strftime(min(created_at), '%Y-%m-%d %H:%M:%S'), "
                              "strftime(max(created_at), '%Y-%m-%d %H:%M:%S') FROM posts").fetchone()
    assert dates == ("2015-11-05 12:25:36", "2025-07-01 14:33:22")
    llm = rows(store, "post_id = 'urn:li:share:7345736358277103616'")[0]
    assert llm["created_at"] == "2025-07-01T08:53:45Z"
    assert llm["text"] == LLM_POST
    shared = {unquote(r["ShareLink"]).rsplit("/", 1)[1]: r["SharedUrl"] for r in raw if r["SharedUrl"]}
    media = {unquote(r["ShareLink"]).rsplit("/", 1)[1] for r in raw if r["MediaUrl"]}
    assert (len(shared), len(media)) == (22, 6)
    firsts = dict(store.con.execute("SELECT post_id, urls[1] FROM posts WHERE len(urls) > 0").fetchall())
    assert all(firsts[post] == url for post, url in shared.items())
    assert count(store, "SELECT count(*) FROM posts WHERE media_count IS NOT NULL") == 6
    youtube = rows(store, "post_id = 'urn:li:share:6773073563034509312'")[0]
    assert (youtube["media_count"], youtube["media_kinds"], youtube["urls"][0]) == (
        1, ["image"], "https://youtu.be/bjanNXXwQbo")
    kinds = dict(store.con.execute("SELECT split_part(post_id, ':', 3), count(*) FROM posts GROUP BY 1").fetchall())
    assert kinds == {"share": 178, "ugcPost": 19, "groupPost": 1}
    assert count(store, "SELECT count(*) FROM posts WHERE text = ''") == 14


SHARES_2018 = (
    "Date\tShare Title\tShare Commentary\tShare Link\tShared Url\tMedia Url\tVisibility\r\n"
    "2018-03-12 08:30:00\tSaison 2018-2019\tLa nouvelle saison est en ligne ! #théâtre\t"
    "https://www.linkedin.com/feed/update/urn:li:activity:6378000000000000001\thttps://pelican.example/saison\t\t"
    "PUBLIC\r\n"
    "2018-02-01 17:05:00\tNous recrutons\t\"Deux postes ouverts :\r\n- médiation\r\n- billetterie\"\t"
    "https://www.linkedin.com/feed/update/urn:li:activity:6362000000000000002\t\t"
    "https://media.licdn.com/media/gcrc/dms/image/C4E12AQ/photo.jpg\tCONNECTIONS\r\n"
    "2018-01-15 12:00:00\tArticle partagé sans commentaire\t\t"
    "https://www.linkedin.com/feed/update/urn:li:activity:6358000000000000003\thttps://presse.example/article\t\t"
    "PUBLIC\r\n")


def test_linkedin_2018_export_utf16_tab_separated(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "LinkedInDataExport_2018"
    folder.mkdir()
    (folder / "Shares.csv").write_bytes(SHARES_2018.encode("utf-16"))  # with its byte-order mark
    (folder / "Profile.csv").write_bytes("First Name\tLast Name\tHeadline\r\nCamille\tMoreau\tCommunication\r\n"
                                         .encode("utf-16"))
    (folder / "Comments.csv").write_bytes(("Date\tLink\tMessage\r\n2018-03-13 09:00:00\t"
                                           "https://www.linkedin.com/feed/update/urn:li:activity:6378000000000000009"
                                           "\tBravo à toute l'équipe\r\n").encode("utf-16"))
    report = load(store, zip_folder(folder, tmp_path / "export.zip"))
    assert (report.files[0].formats, report.files[0].skipped) == ({"linkedin": 4}, {})
    assert [(r["text"], r["in_reply_to_id"]) for r in rows(store, "kind = 'reply'")] == [
        ("Bravo à toute l'équipe", "urn:li:activity:6378000000000000009")]
    got = [(r["post_id"], r["account"], r["created_at"], r["text"], r["urls"], r["hashtags"], r["media_kinds"])
           for r in rows(store, "kind = 'original'", order="created_at")]
    assert got == [
        # no commentary: the title of what was shared is the text
        ("urn:li:activity:6358000000000000003", "Camille Moreau", "2018-01-15T12:00:00Z",
         "Article partagé sans commentaire", ["https://presse.example/article"], [], []),
        ("urn:li:activity:6362000000000000002", "Camille Moreau", "2018-02-01T17:05:00Z",
         "Deux postes ouverts :\n- médiation\n- billetterie", [], [], ["image"]),
        ("urn:li:activity:6378000000000000001", "Camille Moreau", "2018-03-12T08:30:00Z",
         "La nouvelle saison est en ligne ! #théâtre", ["https://pelican.example/saison"], ["théâtre"], []),
    ]


def test_linkedin_huge_fields_one_rule(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    shares = folder / "Shares.csv"
    header, first, *rest = shares.read_text().split("\n2024-", 2)
    # a 200 KB post (over Python's csv default of 128 KB) is read; a 9 MB one is skipped and located
    big = "2024-06-01 10:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7200000000000000001,\"" \
          + "Long " * 40_000 + '",,,PUBLIC\n'
    huge = "2024-06-02 10:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7200000000000000002,\"" \
           + "Trop\nlong " * 1_000_000 + '",,,PUBLIC\n'
    shares.write_text(header + "\n" + big + huge + "2024-" + first + "\n2024-" + "\n2024-".join(rest))
    comments = folder / "Comments.csv"
    comments.write_text(comments.read_text() + '2024-06-03 10:00:00,https://www.linkedin.com/feed/update/'
                        'urn:li:activity:7200000000000000003,"' + "x" * 9_000_000 + '"\n')  # one line
    before = load(store, EXPORT)
    store2 = Store(tmp_path / "s2.duckdb")
    report = load(store2, folder)
    huge_line = header.count("\n") + 2 + big.count("\n")
    assert report.files[0].skipped == {**before.files[0].skipped, "CSV record longer than 8 MB": 2}
    assert [(s.member, s.record) for s in report.files[0].examples if s.reason.startswith("CSV record")] == [
        ("Comments.csv", f"line {len((EXPORT / 'Comments.csv').read_text().splitlines()) + 1}"),
        ("Shares.csv", f"line {huge_line}")]
    assert report.files[0].formats == {"linkedin": before.files[0].formats["linkedin"] + 1}
    assert count(store2, "SELECT length(text) FROM posts WHERE post_id = 'urn:li:share:7200000000000000001'") \
        == len("Long " * 40_000) - 1
    store2.close()


def test_linkedin_2017_export_dates_with_slashes_and_utc(store: Store, tmp_path: Path) -> None:
    """Exports of 2017-2018 write every field in quotes and the time as ``2017/06/08 08:15:44 UTC``: every share
    was skipped as "row without a readable Date" (a real export of 2018, five shares, imported none)."""
    folder = tmp_path / "LinkedInDataExport_2018"
    folder.mkdir()
    header = ["Date", "Share Title", "Share Description", "Share Link", "Share Commentary", "Shared URL",
              "Media URL", "Type", "Visibility"]
    shares = [
        ["2017/06/08 08:15:44 UTC", "", "", "https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A"
         "6278000000000000001", "", "", "", "Homepage", "Connections"],
        ["2016/08/25 17:41:57 UTC", "Portes ouvertes", "", "https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A"
         "6174000000000000002", "Venez nous voir samedi #portesouvertes", "https://pelican.example/po", "",
         "Homepage", "Public"],
    ]
    text = "\r\n".join("\t".join(f'"{v}"' for v in row) for row in [header, *shares]) + "\r\n"
    (folder / "Shares.csv").write_bytes(text.encode("utf-16"))
    (folder / "Profile.csv").write_bytes('"First Name"\t"Last Name"\r\n"Camille"\t"Moreau"\r\n'.encode("utf-16"))
    (folder / "Comments.csv").write_bytes(('"Date"\t"Link"\t"Message"\r\n"2017/06/09 10:00:00 UTC"\t'
                                           '"https://www.linkedin.com/feed/update/urn:li:activity:6278000000000000009"'
                                           '\t"Merci pour ce partage"\r\n').encode("utf-16"))
    (folder / "Videos.csv").write_text("Description,Link\nVideo content can be downloaded at,https://linkedin.example/v\n")
    report = load(store, folder)
    assert (report.files[0].formats, report.files[0].skipped) == ({"linkedin": 3}, {})
    assert report.files[0].unknown == []
    assert [(r["created_at"], r["text"]) for r in rows(store, "kind = 'reply'")] == [
        ("2017-06-09T10:00:00Z", "Merci pour ce partage")]
    got = [(r["post_id"], r["created_at"], r["text"], r["urls"], r["hashtags"])
           for r in rows(store, "kind = 'original'", order="created_at")]
    assert got == [
        ("urn:li:activity:6174000000000000002", "2016-08-25T17:41:57Z", "Venez nous voir samedi #portesouvertes",
         ["https://pelican.example/po"], ["portesouvertes"]),
        ("urn:li:activity:6278000000000000001", "2017-06-08T08:15:44Z", "", [], []),
    ]


@pytest.mark.parametrize("written", ["2017/06/08 08:15:44 UTC", "2017-06-08 08:15:44 UTC"])
def test_a_time_written_with_utc_is_utc_whatever_the_caller_assumes_of_naive_times(written: str) -> None:
    assert parse_time(written, naive_is_utc=False) == datetime(2017, 6, 8, 8, 15, 44, tzinfo=UTC)
    assert parse_time(written[:-4], naive_is_utc=False) is None


def test_linkedin_files_of_the_2024_2026_exports_are_known(store: Store, tmp_path: Path) -> None:
    # a real export of 2026 (and one of 2024) listed eleven of its own files as "not recognised"
    folder = tmp_path / "Complete_LinkedInDataExport_05-12-2026"
    (folder / "Jobs").mkdir(parents=True)
    (folder / "Profile.csv").write_text("First Name,Last Name,Headline\nCamille,Moreau,Médiation culturelle\n")
    (folder / "Comments_10893976.csv").write_text(
        "Date,Link,Message\n2026-05-11 16:06:52,https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A"
        "7459622723389149184,Merci !\n")
    names = ["SearchQueries.csv", "Saved_Items.csv", "Contacts.csv", "ImportedContacts.csv", "Calendar.csv",
             "Reviews.csv", "Ads Clicked.csv", "LAN Ads Engagement.csv", "LearningCoachMessages.csv",
             "learning_role_play_messages.csv", "Jobs/Job Applicant Saved Answers.csv",
             "Job Applicant Saved Screening Question Responses.csv", "Duolingo.csv"]
    for name in names:
        (folder / name).write_text("Date,Something\n2026-01-01 00:00:00,x\n")
    report = load(store, folder)
    assert report.files[0].formats == {"linkedin": 1}
    assert report.files[0].unknown == []
    assert sorted(report.files[0].known) == sorted(["Profile.csv", *names])
