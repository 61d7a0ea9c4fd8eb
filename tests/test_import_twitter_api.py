"""The Twitter API JSON importer: v1.1 (object, array, JSON lines) and v2 from twarc2 (flat, pages)."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from parlons.errors import InputError
from parlons.store import Store

from .conftest import FIXTURES, SAMPLES, count, load, needs_samples, rows, zip_folder

API = FIXTURES / "twitter_api"
FLAT_SAMPLE = SAMPLES / "twitter_api_v2_twarc" / "flat.jsonl"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_v1_single_object_whole_row(store: Store) -> None:
    report = load(store, API / "v1_tweet.json", now=NOW)
    assert report.files[0].formats == {"twitter-api": 1}
    assert rows(store) == [{
        "platform": "x", "post_id": "1102865000000000001", "account": "CafeAssoNantes",
        "account_id": "800000001", "account_name": "Café associatif de Nantes",
        "created_at": "2019-03-05T09:15:00Z",
        "text": "@lea_martin Bonjour Léa, la salle est accessible en fauteuil : entrée rue des Halles & ascenseur. "
                "À bientôt ! #accessibilité",
        "html": None, "title": None, "lang": "fr", "kind": "reply",
        "in_reply_to_id": "1102860000000000042", "in_reply_to_account": "lea_martin",
        "in_reply_to_account_id": "31415926", "conversation_id": None, "repost_of_id": None,
        "repost_of_account": None, "quote_of_id": None, "mentions": ["lea_martin"],
        "hashtags": ["accessibilité"], "urls": [], "media_count": 0, "media_kinds": [], "source": "TweetDeck",
        "like_count": 4, "repost_count": 1, "reply_count": None, "quote_count": None,
        "permalink": "https://x.com/CafeAssoNantes/status/1102865000000000001",
        "source_file": str(API / "v1_tweet.json"), "source_member": "v1_tweet.json", "source_record": "0",
        "importer": "twitter-api", "importer_version": "0.1.0", "imported_at": "2026-01-02T03:04:05Z",
    }]


def test_v1_array_repost_and_quote(store: Store) -> None:
    load(store, API / "v1_array.json")
    repost, quote = rows(store)
    assert (repost["kind"], repost["repost_of_id"], repost["repost_of_account"], repost["mentions"],
            repost["like_count"], repost["repost_count"], repost["source"], repost["source_record"]) == (
        "repost", "1141930000000000777", "VilleDeNantes", ["VilleDeNantes"], None, None, "Twitter for Android", "0")
    assert (quote["kind"], quote["quote_of_id"], quote["media_count"], quote["media_kinds"], quote["urls"],
            quote["like_count"], quote["source_record"]) == (
        "quote", "1141930000000000777", 2, ["image", "video"],
        ["https://twitter.com/VilleDeNantes/status/1141930000000000777"], 17, "1")


def test_v1_json_lines_skip_bad_lines_with_their_number(store: Store) -> None:
    report = load(store, API / "v1_stream.jsonl")
    assert report.files[0].formats == {"twitter-api": 2}
    assert report.files[0].skipped == {"line is not valid JSON": 1, "not a tweet (no id)": 1}
    assert [(s.member, s.record) for s in report.files[0].examples] == [
        ("v1_stream.jsonl", "2"), ("v1_stream.jsonl", "4")]
    appeal, question = rows(store)
    assert (appeal["text"], appeal["hashtags"], appeal["urls"], appeal["source"], appeal["reply_count"],
            appeal["quote_count"], appeal["source_record"]) == (
        "Winter appeal: we need tinned fish, UHT milk and toiletries this week. Drop-off points and opening "
        "times are on our website https://t.co/Drop01 #BristolFoodBank #WinterAppeal",
        ["BristolFoodBank", "WinterAppeal"], ["https://bristolfoodbank.example/donate"], "Buffer", 2, 0, "1")
    assert (question["account"], question["kind"], question["in_reply_to_id"], question["in_reply_to_account"],
            question["text"], question["source_record"]) == (
        "sam_okafor", "reply", "1201448000000000100", "BristolFoodBank",
        "@BristolFoodBank are you open on Sunday? I have two bags of pasta & rice to drop off", "5")


def test_v2_flat_whole_row_and_kinds(store: Store) -> None:
    report = load(store, API / "v2_flat.jsonl", now=NOW)
    assert report.files[0].formats == {"twitter-api": 4}
    assert report.files[0].skipped == {"line is not valid JSON": 1}
    assert report.files[0].examples[0].record == "3"
    request, answer, retweet, quote_reply = rows(store)
    assert answer == {
        "platform": "x", "post_id": "1572010000000000020", "account": "TheatreDuPort",
        "account_id": "1300000000000000001", "account_name": "Théâtre du Port",
        "created_at": "2022-09-20T08:42:10Z",
        "text": "@lea_martin Bonjour Léa, oui : il reste 12 places en balcon & 3 au parterre. "
                "Réservation : https://t.co/Resa01 https://t.co/Pic001",
        "html": None, "title": None, "lang": "fr", "kind": "reply",
        "in_reply_to_id": "1572000000000000010", "in_reply_to_account": "lea_martin",
        "in_reply_to_account_id": "31415926", "conversation_id": "1572000000000000010",
        "repost_of_id": None, "repost_of_account": None, "quote_of_id": None, "mentions": ["lea_martin"],
        "hashtags": [], "urls": ["https://theatre-du-port.example/billetterie"], "media_count": 1,
        "media_kinds": ["image"], "source": "Twitter Web App", "like_count": 2, "repost_count": 0,
        "reply_count": 0, "quote_count": 0,
        "permalink": "https://x.com/TheatreDuPort/status/1572010000000000020",
        "source_file": str(API / "v2_flat.jsonl"), "source_member": "v2_flat.jsonl", "source_record": "2",
        "importer": "twitter-api", "importer_version": "0.1.0", "imported_at": "2026-01-02T03:04:05Z",
    }
    # A tweet that starts with @handle, addressed to a user but answering no tweet, is an original.
    assert (request["kind"], request["in_reply_to_id"], request["in_reply_to_account"], request["mentions"]) == (
        "original", None, "TheatreDuPort", ["TheatreDuPort"])
    assert (retweet["kind"], retweet["repost_of_id"], retweet["repost_of_account"], retweet["repost_count"],
            retweet["source_record"]) == ("repost", "1571900000000000030", "VilleDeLorient", None, "4")
    # A reply that also quotes stays a reply; the handle comes from entities.mentions.
    assert (quote_reply["kind"], quote_reply["in_reply_to_id"], quote_reply["in_reply_to_account"],
            quote_reply["quote_of_id"], quote_reply["hashtags"]) == (
        "reply", "1572000000000000010", "lea_martin", "1571800000000000060", ["LaMouette"])


def test_v2_pages_resolve_includes_and_import_referenced_tweets_once(store: Store) -> None:
    report = load(store, API / "v2_pages.jsonl")
    assert report.files[0].formats == {"twitter-api": 6}
    assert report.merge.duplicates_in_input == 0
    found = {r["post_id"]: r for r in rows(store)}
    question = found["1600000000000000100"]
    assert (question["account"], question["account_name"], question["kind"], question["in_reply_to_account"],
            question["source_record"]) == ("sam_reads", "Sam", "original", "GreenfieldLib", "1")
    reply = found["1600000000000000200"]
    assert (reply["account"], reply["kind"], reply["in_reply_to_id"], reply["in_reply_to_account"],
            reply["conversation_id"]) == (
        "GreenfieldLib", "reply", "1600000000000000100", "sam_reads", "1600000000000000100")
    photo = found["1600000000000000300"]
    assert (photo["media_count"], photo["media_kinds"], photo["urls"], photo["hashtags"]) == (
        2, ["image", "video"], [], ["Greenfield"])
    retweet = found["1600000000000000500"]
    assert (retweet["kind"], retweet["repost_of_id"], retweet["repost_of_account"]) == (
        "repost", "1599000000000000400", "GreenfieldCouncil")
    assert found["1599000000000000400"]["account"] == "GreenfieldCouncil"


def _page(data: list[dict[str, object]], included: list[dict[str, object]]) -> str:
    users = [{"id": "1", "username": "lib", "name": "Lib"}, {"id": "2", "username": "council", "name": "Council"}]
    return json.dumps({"data": data, "includes": {"users": users, "tweets": included}})


def _tweet(tweet_id: str, author: str, text: str) -> dict[str, object]:
    return {"id": tweet_id, "author_id": author, "text": text, "created_at": "2023-03-01T10:00:00.000Z"}


def test_included_tweets_come_once_from_their_first_page_unless_collected(store: Store, tmp_path: Path) -> None:
    quoted, other = _tweet("900", "2", "first copy"), _tweet("t-abc", "2", "an id that is not a number")
    pages = [
        _page([_tweet("10", "1", "a")], [quoted, _tweet("20", "1", "b, as included")]),
        _page([_tweet("20", "1", "b")], [{**quoted, "text": "second copy"}, other]),
        "",
        _page([_tweet("30", "1", "c"), {"author_id": "1", "text": "no id either"}],
              [other, {"author_id": "2", "text": "no id"}, _tweet("10", "1", "a again")]),
    ]
    path = tmp_path / "search.jsonl"
    path.write_text("\n".join(pages) + "\n")
    report = load(store, path)
    assert report.files[0].formats == {"twitter-api": 5}
    assert report.files[0].skipped == {"not a tweet (no id)": 2}  # one in data, one in includes
    assert report.merge.duplicates_in_input == 0
    found = [(r["post_id"], r["account"], r["text"], r["source_record"]) for r in rows(store)]
    assert sorted(found) == [("10", "lib", "a", "1"), ("20", "lib", "b", "2"), ("30", "lib", "c", "4"),
                             ("900", "council", "first copy", "1"),
                             ("t-abc", "council", "an id that is not a number", "2")]


def test_included_tweets_the_json_reader_refuses_are_read_line_by_line(store: Store, tmp_path: Path) -> None:
    # An included tweet of a wrong shape stops DuckDB's JSON reader, after the pass that chose the
    # tweets to import read their ids fine: both are then read again as text lines (line numbers,
    # the blank line counted), where the odd field alone is lost.
    broken = {**_tweet("901", "2", "broken"), "referenced_tweets": "not a list"}
    pages = [
        _page([_tweet("10", "1", "a")], [broken, _tweet("900", "2", "first copy")]),
        "",
        _page([_tweet("20", "1", "b")], [_tweet("900", "2", "second copy"), _tweet("902", "2", "c")]),
        _page([_tweet("30", "1", "d")], [_tweet("902", "2", "c again"), _tweet("10", "1", "a again")]),
    ]
    path = tmp_path / "search.jsonl"
    path.write_text("\n".join(pages) + "\n")
    report = load(store, path)
    assert report.files[0].formats == {"twitter-api": 6}
    assert report.files[0].skipped == {}
    assert report.merge.duplicates_in_input == 0
    found = [(r["post_id"], r["text"], r["source_record"]) for r in rows(store)]
    assert sorted(found) == [("10", "a", "1"), ("20", "b", "3"), ("30", "d", "4"), ("900", "first copy", "1"),
                             ("901", "broken", "1"), ("902", "c", "3")]


def test_v2_pretty_printed_page(store: Store, tmp_path: Path) -> None:
    page = json.loads((API / "v2_pages.jsonl").read_text().splitlines()[0])
    pretty = tmp_path / "page.json"
    pretty.write_text(json.dumps(page, indent=2, ensure_ascii=False))
    report = load(store, pretty)
    assert report.files[0].formats == {"twitter-api": 3}
    assert count(store, "SELECT count(*) FROM posts WHERE account = 'GreenfieldLib'") == 2


def test_authors_are_reported_as_accounts(store: Store) -> None:
    load(store, API / "v2_flat.jsonl", API / "v1_stream.jsonl")
    accounts = store.con.execute(
        "SELECT account, account_id, display_name, description, strftime(created_at, '%Y-%m-%d'), is_owner "
        "FROM accounts ORDER BY account").fetchall()
    assert accounts == [
        ("BristolFoodBank", "900000003", "Bristol Food Bank",
         "Emergency food for people in crisis across Bristol. Donations welcome.", "2011-05-03", False),
        ("TheatreDuPort", "1300000000000000001", "Théâtre du Port",
         "Scène conventionnée, au bord de l'eau. Billetterie du mardi au samedi.", "2020-08-30", False),
        ("lea_martin", "31415926", "Léa Martin", "Spectatrice assidue.", "2009-05-01", False),
        ("sam_okafor", "42424242", "Sam Okafor", None, "2015-10-10", False),
    ]


def test_folder_and_zip_of_collections(store: Store, tmp_path: Path) -> None:
    report = load(store, zip_folder(API, tmp_path / "collection.zip"))
    assert report.files[0].formats == {"twitter-api": 15}
    assert count(store, "SELECT count(DISTINCT source_member) FROM posts") == 5
    again = load(store, API)
    assert (again.merge.inserted, again.merge.already_stored) == (0, 15)


def test_bad_line_deep_in_a_long_file_is_skipped_once(store: Store, tmp_path: Path) -> None:
    tweet = json.loads((API / "v2_flat.jsonl").read_text().splitlines()[0])
    big = tmp_path / "collection.jsonl"
    with big.open("w") as out:
        for line in range(1, 30_001):
            tweet["id"] = str(1_600_000_000_000_000_000 + line)
            out.write('{"id": "cut", "text": \n' if line == 25_000 else json.dumps(tweet) + "\n")
    report = load(store, big)
    assert report.files[0].formats == {"twitter-api": 29_999}
    assert report.files[0].skipped == {"line is not valid JSON": 1}
    assert report.files[0].examples[0].record == "25000"
    assert count(store, "SELECT count(*) FROM posts WHERE post_id::HUGEINT - 1600000000000000000 "
                        "<> source_record::INT") == 0


def test_bad_page_deep_in_a_long_file_loses_and_repeats_nothing(store: Store, tmp_path: Path) -> None:
    first = json.loads((API / "v2_pages.jsonl").read_text().splitlines()[0])
    tweet, includes = first["data"][1], {"users": first["includes"]["users"], "media": first["includes"]["media"]}
    big = tmp_path / "search.jsonl"
    with big.open("w") as out:
        for line in range(1, 301):
            data = [dict(tweet, id=str(1_600_000_000_000_000_000 + line * 1000 + k)) for k in range(100)]
            page = json.dumps({"data": data, "includes": includes})
            out.write('{"data": [{"id": "cut"\n' if line == 250 else page + "\n")
    report = load(store, big)
    assert report.files[0].formats == {"twitter-api": 29_900}
    assert report.merge.duplicates_in_input == 0
    assert [(s.record, s.reason) for s in report.files[0].examples] == [("250", "line is not valid JSON")]
    assert count(store, "SELECT count(*) FROM posts WHERE (post_id::HUGEINT - 1600000000000000000) // 1000 "
                        "<> source_record::INT") == 0


def test_truncated_document_names_the_file(store: Store, tmp_path: Path) -> None:
    cut = tmp_path / "tweet.json"
    cut.write_text((API / "v1_tweet.json").read_text()[:700])
    with pytest.raises(InputError) as caught:
        load(store, cut)
    assert str(cut) in str(caught.value)
    assert "cannot be read" in str(caught.value)
    assert count(store, "SELECT count(*) FROM posts") == 0


def test_other_json_is_not_claimed(tmp_path: Path) -> None:
    from parlons.importers.twitter_api import IMPORTER
    from parlons.sources import open_source

    status = tmp_path / "outbox.jsonl"
    status.write_text('{"id": "1", "created_at": "2022-01-01T00:00:00Z", "content": "<p>Bonjour</p>", '
                      '"account": {"acct": "mairie"}}\n')
    flat = tmp_path / "renamed.txt"
    shutil.copy(API / "v2_flat.jsonl", flat)
    with open_source(status) as one, open_source(flat) as other:
        assert (IMPORTER.detect(one.members[0]), IMPORTER.detect(other.members[0])) == (False, True)


@needs_samples
def test_real_twarc2_flattened_sample(store: Store) -> None:
    report = load(store, FLAT_SAMPLE)
    assert report.files[0].formats == {"twitter-api": 100}
    assert report.files[0].skipped == {}
    kinds = dict(store.con.execute("SELECT kind, count(*) FROM posts GROUP BY kind").fetchall())
    assert kinds == {"repost": 47, "reply": 31, "quote": 8, "original": 14}
    # 32 tweets carry in_reply_to_user_id; one of them ("@POTUS is the best ...") answers no tweet.
    assert count(store, "SELECT count(*) FROM posts WHERE in_reply_to_account_id IS NOT NULL") == 32
    addressed = rows(store, "in_reply_to_account_id IS NOT NULL AND in_reply_to_id IS NULL")
    assert [(r["post_id"], r["kind"], r["in_reply_to_account"]) for r in addressed] == [
        ("1380242449700847616", "original", "POTUS")]
    assert count(store, "SELECT count(*) FROM posts WHERE kind = 'reply' AND in_reply_to_account IS NULL") == 0
    assert count(store, "SELECT count(*) FROM posts WHERE kind = 'repost' AND repost_of_account IS NULL") == 0
    assert count(store, "SELECT count(*) FROM posts WHERE kind = 'repost' AND repost_count IS NOT NULL") == 0
    assert count(store, "SELECT sum(media_count) FROM posts") == 6
    assert count(store, "SELECT count(*) FROM accounts") == 96
    assert count(store, "SELECT min(source_record::INT) FROM posts") == 1
    langs = dict(store.con.execute("SELECT coalesce(lang, '-'), count(*) FROM posts GROUP BY 1").fetchall())
    assert langs == {"en": 86, "es": 10, "tl": 2, "sv": 1, "-": 1}
    first = rows(store, "source_record = '1'")[0]
    assert (first["post_id"], first["account"], first["repost_of_account"], first["created_at"]) == (
        "1380242611781386245", "Alexandravm12", "williamserafino", "2021-04-08T19:34:16Z")


# --- twarc2 stream output, edited tweets, withheld authors, companions -----------------------

TWARC2 = FIXTURES / "twarc2"
CHAIN = ("1640000000000000100", "1640000000000000160", "1640000000000000190")


def test_twarc2_stream_output_one_tweet_a_line(store: Store) -> None:
    report = load(store, TWARC2 / "stream.jsonl").files[0]
    assert report.formats == {"twitter-api": 3}
    assert report.skipped == {"line is not valid JSON": 1}
    assert [(s.member, s.record) for s in report.examples] == [("stream.jsonl", "4")]
    found = [(r["post_id"], r["account"], r["kind"], r["in_reply_to_account"], r["source_record"])
             for r in rows(store)]
    assert found == [
        ("1630000000000000100", "sam_reads", "original", "GreenfieldLib", "1"),
        ("1630000000000000200", "GreenfieldLib", "reply", "sam_reads", "2"),
        ("1630000000000000300", "GreenfieldLib", "original", None, "3"),
    ]


def test_edit_chain_is_one_post_with_the_latest_text(store: Store) -> None:
    report = load(store, TWARC2 / "edits.jsonl")
    assert report.files[0].notes == ["1 edited tweets: each is one post under its first id with its latest text; "
                                     "the versions are listed in source_record"]
    assert (report.merge.inserted, report.merge.duplicates_in_input) == (2, 0)
    edited, reply = rows(store)
    assert {k: edited[k] for k in ("post_id", "text", "created_at", "like_count", "kind", "source_record",
                                   "permalink")} == {
        "post_id": CHAIN[0], "text": "Book sale on Saturday, 10am to 4pm", "created_at": "2023-04-01T08:00:00Z",
        "like_count": 5, "kind": "original", "source_record": "2 edits: " + " ".join(CHAIN),
        "permalink": f"https://x.com/GreenfieldLib/status/{CHAIN[0]}"}
    assert (reply["kind"], reply["in_reply_to_id"]) == ("reply", CHAIN[0])  # it answered the second version


def test_edit_chains_from_two_collections_are_the_same_post(store: Store, tmp_path: Path) -> None:
    before, after = (TWARC2 / "edits.jsonl").read_text().splitlines()
    (tmp_path / "after.jsonl").write_text(after + "\n")
    (tmp_path / "before.jsonl").write_text(before + "\n")
    load(store, tmp_path / "after.jsonl")
    (only,) = rows(store)
    # the first version was not collected: its time comes from its id (a snowflake)
    assert (only["post_id"], only["created_at"], only["text"]) == (
        CHAIN[0], "2023-03-26T14:37:24Z", "Book sale on Saturday, 10am to 4pm")
    again = load(store, tmp_path / "before.jsonl")
    assert (again.merge.inserted, again.merge.already_stored) == (1, 1)  # the reply is new, the chain is not


def test_withheld_author_keeps_author_id(store: Store) -> None:
    report = load(store, TWARC2 / "withheld.jsonl").files[0]
    assert (report.formats, report.skipped) == ({"twitter-api": 3}, {})
    withheld = rows(store, "post_id = '1650000000000000100'")[0]
    assert (withheld["account"], withheld["account_id"], withheld["kind"], withheld["permalink"]) == (
        "id:987654321", "987654321", "repost", "https://x.com/i/web/status/1650000000000000100")
    accounts = store.con.execute("SELECT account, url FROM accounts WHERE account LIKE 'id:%' ORDER BY 1").fetchall()
    assert accounts == [("id:1400000000000000001", "https://x.com/i/user/1400000000000000001"),
                        ("id:987654321", "https://x.com/i/user/987654321")]


def test_twarc2_users_and_lists_are_companions(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "collection"
    folder.mkdir()
    for name in ("stream.jsonl", "users.jsonl", "lists.jsonl"):
        shutil.copy(TWARC2 / name, folder / name)
    report = load(store, folder).files[0]
    assert (report.formats, report.known, report.unknown) == (
        {"twitter-api": 3}, ["lists.jsonl", "users.jsonl"], [])
    with pytest.raises(InputError, match="known but holds no posts"):
        load(store, TWARC2 / "users.jsonl")


def test_twarc_csv_output_gives_what_its_json_gives(store: Store, tmp_path: Path) -> None:
    """tweets.csv is stream.jsonl's tweets as twarc-csv writes them (default columns and options)."""
    fields = ("post_id", "account", "account_id", "account_name", "created_at", "text", "lang", "kind",
              "in_reply_to_id", "in_reply_to_account", "in_reply_to_account_id", "conversation_id", "mentions",
              "hashtags", "source", "like_count", "repost_count", "reply_count", "quote_count", "permalink")
    report = load(store, TWARC2 / "tweets.csv").files[0]
    assert (report.formats, report.skipped) == ({"twarc-csv": 3}, {})
    from_csv = [tuple(r[f] for f in fields) for r in rows(store)]
    assert [r["source_record"] for r in rows(store)] == ["2", "3", "4"]
    with Store(tmp_path / "json.duckdb") as other:
        load(other, TWARC2 / "stream.jsonl")
        assert from_csv == [tuple(r[f] for f in fields) for r in rows(other)]


def test_twarc_csv_merged_retweet_with_media_and_escaped_line_breaks(store: Store, tmp_path: Path) -> None:
    lines = (TWARC2 / "tweets.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    values = dict.fromkeys(header, "")
    values.update({
        "id": "1630000000000000900", "conversation_id": "1630000000000000900",
        "referenced_tweets.retweeted.id": "1630000000000000300", "author_id": "55500001",
        "retweeted_user_id": "1400000000000000001", "retweeted_username": "GreenfieldLib",
        "created_at": "2023-03-01T12:00:00.000Z", "text": "Story time moves\\nto the big room #Greenfield",
        "lang": "en", "public_metrics.like_count": "7", "entities.hashtags": '["#Greenfield"]',
        "attachments.media_keys": '["3_1630000000000000301"]',
        "attachments.media": '[{"media_key": "3_1630000000000000301", "type": "photo"}]',
        "author.username": "sam_reads", "author.name": "Sam",
    })
    csv_file = tmp_path / "retweets.csv"
    with csv_file.open("w", newline="", encoding="utf-8") as out:
        out.write(lines[0] + "\n")
        csv.writer(out).writerow([values[h] for h in header])
    load(store, csv_file)
    (row,) = rows(store)
    assert (row["kind"], row["repost_of_id"], row["repost_of_account"], row["text"], row["hashtags"],
            row["media_count"], row["media_kinds"], row["like_count"]) == (
        "repost", "1630000000000000300", "GreenfieldLib", "Story time moves\nto the big room #Greenfield",
        ["Greenfield"], 1, ["image"], None)


def test_twarc_csv_edit_chain_is_one_post(store: Store, tmp_path: Path) -> None:
    lines = (TWARC2 / "tweets.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    chain = json.dumps(list(CHAIN))
    csv_file = tmp_path / "edits.csv"
    with csv_file.open("w", newline="", encoding="utf-8") as out:
        out.write(lines[0] + "\n")
        for version, text in ((CHAIN[0], "Book sale on Saturday"), (CHAIN[2], "Book sale on Saturday, 10am to 4pm")):
            values = dict.fromkeys(header, "")
            values.update({"id": version, "author_id": "1400000000000000001", "author.username": "GreenfieldLib",
                           "created_at": "2023-04-01T08:00:00.000Z", "text": text, "edit_history_tweet_ids": chain})
            csv.writer(out).writerow([values[h] for h in header])
    load(store, csv_file)
    (row,) = rows(store)
    assert (row["post_id"], row["text"], row["source_record"]) == (
        CHAIN[0], "Book sale on Saturday, 10am to 4pm", "3 edits: " + " ".join(CHAIN))


def test_twarc_csv_reply_author_known_from_another_row(store: Store, tmp_path: Path) -> None:
    """twarc-csv leaves in_reply_to_username empty unless the JSON was flattened: the file's own
    rows tell whose user id it is, before any guess from the text."""
    lines = (TWARC2 / "tweets.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    values = dict.fromkeys(header, "")
    values.update({"id": "1630000000000000950", "referenced_tweets.replied_to.id": "1630000000000000100",
                   "author_id": "1400000000000000001", "in_reply_to_user_id": "55500001",
                   "created_at": "2023-03-01T13:00:00.000Z", "text": "Thanks @visitor and @sam_reads!",
                   "author.username": "GreenfieldLib"})
    csv_file = tmp_path / "replies.csv"
    with csv_file.open("w", newline="", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
        csv.writer(out).writerow([values[h] for h in header])
    load(store, csv_file)
    reply = rows(store, "post_id = '1630000000000000950'")[0]
    assert (reply["kind"], reply["in_reply_to_account"], reply["in_reply_to_account_id"]) == (
        "reply", "sam_reads", "55500001")


def _v1(tweet_id: str, text: str, **fields: object) -> dict[str, object]:
    user = {"id": 700, "id_str": "700", "screen_name": "MairieDeLaville", "name": "Mairie"}
    return {"created_at": "Tue Dec 15 09:12:00 +0000 2015", "id": int(tweet_id), "id_str": tweet_id,
            "text": text, "user": user, "entities": {"user_mentions": [], "hashtags": [], "urls": []}, **fields}


def test_v1_search_response_saved_whole_gives_its_statuses(store: Store, tmp_path: Path) -> None:
    # python-twitter's testdata/get_search_raw.json: search/tweets as it came, search_metadata first
    # (100 statuses); before, the file was taken for one tweet without an id and gave none.
    statuses = [_v1("676500000000000001", "Inscriptions ouvertes"),
                _v1("676500000000000002", "@voisin Oui, jusqu'à 18 h", in_reply_to_status_id_str="676400000000000009",
                    in_reply_to_screen_name="voisin")]
    response = tmp_path / "search.json"
    response.write_text(json.dumps({"search_metadata": {"count": 2, "query": "mairie"}, "statuses": statuses},
                                   indent=2))
    lines = tmp_path / "searches.jsonl"
    lines.write_text(json.dumps({"statuses": statuses[:1], "search_metadata": {}}) + "\n{\"statuses\": [ cut\n"
                     + json.dumps({"statuses": statuses[1:]}) + "\n")
    report = load(store, response).files[0]
    assert (report.formats, report.skipped) == ({"twitter-api": 2}, {})
    assert [(r["post_id"], r["kind"], r["in_reply_to_id"]) for r in rows(store)] == [
        ("676500000000000001", "original", None), ("676500000000000002", "reply", "676400000000000009")]
    report = load(store, lines).files[0]
    assert (report.formats, report.skipped) == ({"twitter-api": 2}, {"line is not valid JSON": 1})
    assert report.examples[0].record == "2"


def test_v1_objects_without_text_are_not_tweets(store: Store, tmp_path: Path) -> None:
    # python-twitter's testdata/get_lists_list_screen_name.json: 53 lists (id_str, created_at, user) were
    # imported as 53 posts without text.
    owner = {"id_str": "700", "screen_name": "MairieDeLaville"}
    lists = [{"id": 224581495, "id_str": "224581495", "name": "Élus", "slug": "elus", "member_count": 12,
              "subscriber_count": 3, "created_at": "Sun Nov 01 16:04:26 +0000 2015", "user": owner},
             _v1("676500000000000003", "Conseil municipal ce soir")]
    path = tmp_path / "lists.json"
    path.write_text(json.dumps(lists))
    report = load(store, path).files[0]
    assert (report.formats, report.skipped) == ({"twitter-api": 1}, {"not a tweet (no text)": 1})
    assert [r["post_id"] for r in rows(store)] == ["676500000000000003"]


def test_v1_tweet_with_trimmed_user_keeps_its_author_id(store: Store, tmp_path: Path) -> None:
    # python-twitter's testdata/get_status_extra_params.json (trim_user=true): "user": {"id": 12, "id_str": "12"};
    # it was skipped as a tweet without user.screen_name.
    tweet = {**_v1("397", "just setting up my twttr"), "user": {"id": 12, "id_str": "12"}}
    path = tmp_path / "status.json"
    path.write_text(json.dumps(tweet))
    report = load(store, path).files[0]
    assert (report.formats, report.skipped) == ({"twitter-api": 1}, {})
    row = rows(store)[0]
    assert (row["account"], row["account_id"], row["permalink"]) == ("id:12", "12", "https://x.com/i/web/status/397")
    assert store.con.execute("SELECT account, url FROM accounts").fetchall() == [("id:12", "https://x.com/i/user/12")]


def test_v1_hand_written_rt_and_truncation_link(store: Store, tmp_path: Path) -> None:
    # tweepy's cassettes: @Twitter's "RT @TwitterEng: ..." typed by hand is an original, yet it got
    # repost_of_account TwitterEng; python-twitter's 3.2/extended_tweet_in_compat_mode.json: a truncated
    # tweet's "see more" link (twitter.com/i/web/status/<its id>) was listed as a link it shares.
    manual = _v1("266367358078169089", "RT @TwitterEng: Bolstering our infrastructure. http://t.co/uML86B6s",
                 entities={"user_mentions": [{"screen_name": "TwitterEng"}], "hashtags": [],
                           "urls": [{"expanded_url": "https://engineering.example/bolstering"}]})
    truncated = _v1("782737772490600448", "has more details about these changes… https://t.co/et3OTOxWSa",
                    truncated=True, entities={"user_mentions": [], "hashtags": [], "urls": [
                        {"expanded_url": "https://twitter.com/i/web/status/782737772490600448"}]})
    path = tmp_path / "tweets.jsonl"
    path.write_text(json.dumps(manual) + "\n" + json.dumps(truncated) + "\n")
    load(store, path)
    first, second = rows(store)
    assert (first["kind"], first["repost_of_id"], first["repost_of_account"], first["mentions"], first["urls"]) == (
        "original", None, None, ["TwitterEng"], ["https://engineering.example/bolstering"])
    assert (second["kind"], second["urls"], second["quote_of_id"]) == ("original", [], None)


def test_v2_hand_written_rt_names_no_reposted_account(store: Store, tmp_path: Path) -> None:
    tweet = {**_tweet("1380242449700847616", "1", "RT @council: by hand, no retweet reference"),
             "conversation_id": "1380242449700847616"}
    path = tmp_path / "flat.jsonl"
    path.write_text(json.dumps(tweet) + "\n")
    load(store, path)
    row = rows(store)[0]
    assert (row["kind"], row["repost_of_id"], row["repost_of_account"]) == ("original", None, None)


def test_twarc_csv_rows_after_an_unterminated_quote_are_read(store: Store, tmp_path: Path) -> None:
    # twarc-csv's brexit.jsonl written by twarc-csv (100 rows), one text's closing quote removed: the
    # rows after it were lost without a word (DuckDB's ignore_errors stops at it), though counted first.
    lines = (TWARC2 / "tweets.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    path = tmp_path / "tweets.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        out.write(lines[0] + "\n")
        texts = ("fine", "BROKEN, open", "swallowed", 'closes "the" quote', "after", "and after")
        for number, text in enumerate(texts):
            values = dict.fromkeys(header, "")
            values.update({"id": f"14407168567639777{number:02d}", "author_id": "1400000000000000001",
                           "author.username": "GreenfieldLib", "created_at": "2021-09-22T16:00:00.000Z",
                           "text": text})
            csv.writer(out, lineterminator="\n").writerow([values[h] for h in header])
    path.write_text(path.read_text(encoding="utf-8").replace('"BROKEN, open"', '"BROKEN, open'), encoding="utf-8")
    report = load(store, path).files[0]
    assert report.formats == {"twarc-csv": 3}
    assert report.skipped == {"CSV row with a stray or unterminated quote": 1}
    assert report.examples[0].record == "3"
    assert [(r["text"], r["source_record"]) for r in rows(store)] == [("fine", "2"), ("after", "6"), ("and after", "7")]


def test_v2_pages_after_an_errors_only_first_line(store: Store, tmp_path: Path) -> None:
    # twarc2 writes a response of errors alone for a batch of ids none of which could be had; first in a
    # file (stuartduncan416/twarc2ToCSV's snow.jsonl behind such a line), it made the pages read as
    # flattened tweets: 0 posts of 123, "2 skipped: not a tweet (no id)".
    error = {"resource_id": "1467828442473594883", "parameter": "ids", "resource_type": "tweet",
             "title": "Not Found Error", "value": "1467828442473594883",
             "detail": "Could not find tweet with ids: [1467828442473594883].",
             "type": "https://api.twitter.com/2/problems/resource-not-found"}
    path = tmp_path / "hydrated.jsonl"
    path.write_text(json.dumps({"errors": [error], "__twarc": {"url": "https://api.twitter.com/2/tweets"}}) + "\n"
                    + _page([_tweet("10", "1", "a")], [_tweet("900", "2", "quoted")]) + "\n"
                    + json.dumps({"errors": [error]}) + "\n"
                    + _page([_tweet("20", "1", "b")], []) + "\n")
    report = load(store, path).files[0]
    assert (report.formats, report.skipped) == ({"twitter-api": 3}, {})
    assert sorted((r["post_id"], r["account"], r["source_record"]) for r in rows(store)) == [
        ("10", "lib", "2"), ("20", "lib", "4"), ("900", "council", "2")]
