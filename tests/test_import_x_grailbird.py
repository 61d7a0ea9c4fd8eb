"""The pre-2019 Grailbird X archive importer (tweets.csv, data/js/tweets/YYYY_MM.js, user_details.js)."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from parlons.errors import InputError
from parlons.importers._base import ImportOptions
from parlons.store import Store

from .conftest import FIXTURES, SAMPLES, count, load, needs_samples, rows, zip_folder

ARCHIVE = FIXTURES / "x_grailbird"
SAMPLE = SAMPLES / "twitter_legacy_archive_sametmax_fr"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_grailbird_whole_rows(store: Store) -> None:
    report = load(store, ARCHIVE, now=NOW)
    assert report.files[0].formats == {"x-grailbird": 6}
    assert report.files[0].known == ["README.txt", "data/js/payload_details.js", "data/js/tweet_index.js",
                                     "data/js/user_details.js", "index.html", "js/application.min.js"]
    assert report.files[0].unknown == []
    thread, quote, manual_rt, retweet, reply, original = rows(store)
    assert thread == {
        "platform": "x", "post_id": "290000000000000001", "account": "VeloCiteLille",
        "account_id": "480000001", "account_name": "Vélo Cité Lille", "created_at": "2013-01-05T10:00:00Z",
        "text": '@bob_lenoir Bonjour Bob,\nnos permanences : mardi et jeudi, 18h-20h. "Bienvenue" à tous !',
        "html": None, "title": None, "lang": None, "kind": "reply",
        "in_reply_to_id": "289000000000000555", "in_reply_to_account": "bob_lenoir",
        "in_reply_to_account_id": "33333333", "conversation_id": None, "repost_of_id": None,
        "repost_of_account": None, "quote_of_id": None, "mentions": ["bob_lenoir"], "hashtags": [],
        "urls": [], "media_count": 0, "media_kinds": [], "source": "web", "like_count": None,
        "repost_count": None, "reply_count": None, "quote_count": None,
        "permalink": "https://x.com/VeloCiteLille/status/290000000000000001",
        "source_file": str(ARCHIVE), "source_member": "tweets.csv", "source_record": "290000000000000001",
        "importer": "x-grailbird", "importer_version": "0.1.0", "imported_at": "2026-01-02T03:04:05Z",
    }
    assert (quote["kind"], quote["quote_of_id"], quote["urls"], quote["media_count"], quote["media_kinds"]) == (
        "quote", "288000000000000123", ["https://twitter.com/LaVoixLille/status/288000000000000123"], 1, ["image"])
    assert (manual_rt["kind"], manual_rt["text"], manual_rt["mentions"], manual_rt["source"]) == (
        "original", "RT @cyclistes_59: Bouchons place de la Gare ce matin > prenez le vélo ;)", ["cyclistes_59"],
        "Twitter for Android")
    assert (original["kind"], original["text"], original["hashtags"], original["urls"], original["source"]) == (
        "original", "Atelier réparation samedi 14h & apéro ensuite ! Inscription : http://t.co/AbCd1234 #vélo #Lille",
        ["vélo", "Lille"], ["http://velocite-lille.example/atelier"], "HootSuite")
    assert (retweet["kind"], retweet["repost_of_id"], retweet["repost_of_account"], retweet["like_count"]) == (
        "repost", "289000000000000777", "MEL_Lille", None)
    assert (reply["in_reply_to_account"], reply["in_reply_to_id"], reply["mentions"]) == (
        "Marie_D", "289999999999999001", ["Marie_D"])


def test_grailbird_javascript_rows_win_and_are_not_counted_twice(store: Store) -> None:
    report = load(store, ARCHIVE)
    assert (report.merge.staged, report.merge.duplicates_in_input, report.merge.inserted) == (6, 0, 6)
    members = dict(store.con.execute("SELECT post_id, source_member FROM posts").fetchall())
    assert members["290000000000000004"] == "data/js/tweets/2013_01.js"
    assert members["290000000000000005"] == "data/js/tweets/2013_01.js"
    assert members["290000000000000006"] == "tweets.csv"


def test_grailbird_owner_from_user_details(store: Store) -> None:
    load(store, ARCHIVE)
    owner = store.con.execute(
        "SELECT account, account_id, display_name, description, is_owner, strftime(created_at, '%Y-%m-%d') "
        "FROM accounts").fetchall()
    assert owner == [("VeloCiteLille", "480000001", "Vélo Cité Lille",
                      "Association des cyclistes urbains de la métropole lilloise. Ateliers, balades, plaidoyer.",
                      True, "2010-04-02")]


def test_grailbird_zip_gives_same_rows_as_folder(store: Store, tmp_path: Path) -> None:
    archive = zip_folder(ARCHIVE, tmp_path / "tweets.zip", prefix="12345_abcdef/")
    report = load(store, archive)
    assert report.files[0].formats == {"x-grailbird": 6}
    assert count(store, "SELECT count(*) FROM posts WHERE kind = 'reply'") == 2
    assert count(store, "SELECT count(*) FROM posts WHERE source_member LIKE '12345_abcdef/data/js/%'") == 2


def test_grailbird_reimport_adds_nothing(store: Store) -> None:
    load(store, ARCHIVE)
    again = load(store, ARCHIVE)
    assert (again.merge.inserted, again.merge.already_stored) == (0, 6)


def test_grailbird_csv_alone_needs_the_owner(store: Store, tmp_path: Path) -> None:
    lonely = tmp_path / "tweets.csv"
    shutil.copy(ARCHIVE / "tweets.csv", lonely)
    with pytest.raises(InputError, match=r"user_details\.js is missing"):
        load(store, lonely)
    load(store, lonely, options=ImportOptions(account="@VeloCiteLille"))
    assert count(store, "SELECT count(*) FROM posts WHERE account = 'VeloCiteLille'") == 6
    assert count(store, "SELECT count(*) FROM posts WHERE kind = 'repost'") == 1


def test_grailbird_bad_csv_row_is_a_counted_skip(store: Store, tmp_path: Path) -> None:
    broken = tmp_path / "archive"
    shutil.copytree(ARCHIVE, broken)
    table = broken / "tweets.csv"
    lines = table.read_text().splitlines(keepends=True)
    lines.insert(2, '"290000000000000009","","","2013-01-14 09:00:00 +0000","web","trop","de","colonnes",'
                    '"","","en","trop"\n')
    lines.insert(3, '"290000000000000008","","","pas une date","web","Date illisible","","","",""\n')
    table.write_text("".join(lines))
    report = load(store, broken)
    assert report.files[0].formats == {"x-grailbird": 6}
    assert report.files[0].skipped == {
        "unreadable CSV row (too many columns)": 1, "unreadable timestamp": 1}
    assert [(s.member, s.record) for s in report.files[0].examples] == [
        ("tweets.csv", "290000000000000008"), ("tweets.csv", "line 3")]


def test_grailbird_truncated_javascript_names_the_member(store: Store, tmp_path: Path) -> None:
    load(store, ARCHIVE)
    broken = tmp_path / "archive"
    shutil.copytree(ARCHIVE, broken)
    month = broken / "data" / "js" / "tweets" / "2013_01.js"
    month.write_text(month.read_text()[:900])
    with pytest.raises(InputError) as caught:
        load(store, broken)
    assert "member data/js/tweets/2013_01.js" in str(caught.value)
    assert count(store, "SELECT count(*) FROM posts") == 6


def test_grailbird_detects_from_content(tmp_path: Path) -> None:
    from parlons.importers.x_grailbird import IMPORTER
    from parlons.sources import open_source

    twcs = tmp_path / "tweets.csv"
    twcs.write_text("tweet_id,author_id,inbound,created_at,text\n1,sprintcare,False,2017,bonjour\n")
    renamed = tmp_path / "export.txt.csv"
    shutil.copy(ARCHIVE / "tweets.csv", renamed)
    month = tmp_path / "2013_01.js"
    shutil.copy(ARCHIVE / "data" / "js" / "tweets" / "2013_01.js", month)
    details = tmp_path / "user_details.js"
    shutil.copy(ARCHIVE / "data" / "js" / "user_details.js", details)
    found = {}
    for path in (twcs, renamed, month, details):
        with open_source(path) as source:
            member = source.members[0]
            found[path.name] = (IMPORTER.detect(member), IMPORTER.companion(member))
    assert found == {"tweets.csv": (False, False), "export.txt.csv": (True, False),
                     "2013_01.js": (True, False), "user_details.js": (False, True)}


@needs_samples
def test_grailbird_real_archive_sample(store: Store) -> None:
    report = load(store, SAMPLE)
    assert report.files[0].formats == {"x-grailbird": 741}
    assert report.files[0].skipped == {}
    assert report.merge.duplicates_in_input == 0
    kinds = dict(store.con.execute("SELECT kind, count(*) FROM posts GROUP BY kind").fetchall())
    assert kinds == {"original": 528, "reply": 156, "repost": 57}
    assert count(store, "SELECT count(*) FROM posts WHERE source_member LIKE 'data/js/tweets/%'") == 125
    assert count(store, "SELECT count(DISTINCT account) FROM posts WHERE account = 'sam_et_max'") == 1
    assert count(store, "SELECT count(*) FROM posts WHERE account <> 'sam_et_max'") == 0
    assert count(store, "SELECT count(*) FROM posts WHERE kind = 'repost' AND repost_of_account IS NULL") == 0
    assert count(store, "SELECT count(*) FROM posts WHERE kind = 'reply' AND in_reply_to_account IS NULL") == 1
    owner = store.con.execute("SELECT account, account_id, display_name, is_owner FROM accounts").fetchall()
    assert owner == [("sam_et_max", "507128812", "SamEtMax", True)]
    reply = rows(store, "post_id = '207941621684244480'")[0]
    assert (reply["in_reply_to_account"], reply["hashtags"], reply["source"], reply["created_at"]) == (
        "hdsdi3g", ["cetaitmieuxavant", "franciscabrel"], "Qwit", "2012-05-30T21:08:40Z")


@pytest.mark.parametrize("megabytes", [9, 40], ids=["rejected by DuckDB", "longer than DuckDB's buffer"])
def test_grailbird_csv_record_over_the_limit_is_counted_with_its_line(store: Store, tmp_path: Path,
                                                                      megabytes: int) -> None:
    """The one CSV rule (docs/architecture.md): a record over 8 MB is skipped and located, never lost."""
    records = list(csv.reader((ARCHIVE / "tweets.csv").open(newline="", encoding="utf-8")))
    text = records[0].index("text")
    records[2][text] = "x" * (megabytes * 1024 * 1024)
    big = tmp_path / "tweets.csv"
    with big.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(records)
    report = load(store, big, options=ImportOptions(account="MediathequeX")).files[0]
    assert report.skipped == {"CSV record longer than 8 MB": 1}
    assert [(s.member, s.record) for s in report.examples] == [("tweets.csv", "line 3")]
    assert report.read == len(records) - 2


def test_grailbird_media_without_type_retweet_photos_listed_twice_and_see_more_links(
        store: Store, tmp_path: Path) -> None:
    # wastemobile/mytweets (27,001 tweets, 2009-2023): its data/js/tweets/*.js photos have no "type"
    # (4,505 tweets got media_kinds ['other']); its tweets.csv lists a retweet's photo links twice
    # (100 retweets counted 2 photos for 1, three of 4 photos counted 8); its grailbird_updater months
    # have truncated tweets whose "see more" link (twitter.com/i/web/status/<id>) was listed in urls.
    archive = tmp_path / "archive"
    shutil.copytree(ARCHIVE, archive)
    photo = "http://twitter.com/VeloCiteLille/status/290000000000000031/photo/1"
    month = archive / "data" / "js" / "tweets" / "2013_02.js"
    month.write_text("Grailbird.data.tweets_2013_02 = \n" + json.dumps([
        {"id_str": "290000000000000031", "created_at": "2013-02-02 10:00:00 +0000",
         "text": "Nos vélos réparés http://t.co/Ph0t0001", "source": "web",
         "user": {"id_str": "480000001", "screen_name": "VeloCiteLille", "name": "Vélo Cité Lille"},
         "entities": {"user_mentions": [], "hashtags": [], "urls": [], "media": [
             {"expanded_url": photo, "media_url": "http://pbs.twimg.com/media/AbC1.jpg"},
             {"expanded_url": photo, "media_url": "http://pbs.twimg.com/media/AbC2.jpg"}]}},
        {"id_str": "290000000000000032", "created_at": "2013-02-03 10:00:00 +0000", "truncated": True,
         "text": "Un très long message… https://t.co/SeeM0re1", "source": "web",
         "user": {"id_str": "480000001", "screen_name": "VeloCiteLille", "name": "Vélo Cité Lille"},
         "entities": {"user_mentions": [], "hashtags": [], "media": [], "urls": [
             {"expanded_url": "https://twitter.com/i/web/status/290000000000000032"}]}},
    ]))
    retweeted = "http://twitter.com/MEL_Lille/status/289000000000000888/photo/1"
    with (archive / "tweets.csv").open("a", encoding="utf-8", newline="") as table:
        csv.writer(table, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows([
            ["290000000000000033", "", "", "2013-02-04 08:00:00 +0000", "web",
             "RT @MEL_Lille: La piste est ouverte http://t.co/RtPh0t01", "289000000000000888", "55555555",
             "2013-02-04 07:00:00 +0000", f"{retweeted},{retweeted}"],
            ["290000000000000034", "", "", "2013-02-05 08:00:00 +0000", "web",
             "RT @MEL_Lille: Trois photos http://t.co/RtPh0t02", "289000000000000889", "55555555",
             "2013-02-05 07:00:00 +0000", ",".join([retweeted.replace("888", "889")] * 6)],
            ["290000000000000035", "", "", "2013-02-06 08:00:00 +0000", "web",
             "Deux photos http://t.co/Ph0t0002", "", "", "", f"{photo},{photo}"],
        ])
    load(store, archive)
    found = {r["post_id"]: (r["media_count"], r["media_kinds"], r["urls"]) for r in rows(store)
             if r["post_id"] > "290000000000000030"}
    assert found == {
        "290000000000000031": (2, ["image", "image"], []),
        "290000000000000032": (0, [], []),
        "290000000000000033": (1, ["image"], []),
        "290000000000000034": (3, ["image", "image", "image"], []),
        "290000000000000035": (2, ["image", "image"], []),
    }
