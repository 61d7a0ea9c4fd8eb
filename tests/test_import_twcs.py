"""The "Customer Support on Twitter" (twcs) CSV importer."""

from __future__ import annotations

import csv
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from parlons.errors import InputError
from parlons.store import Store

from .conftest import FIXTURES, SAMPLES, count, load, needs_samples, rows

SUPPORT = FIXTURES / "twcs" / "support.csv"
TWCS = SAMPLES / "twcs_customer_support"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
WHEN = "Mon Mar 04 08:15:00 +0000 2024"

RESPONSIVENESS = """
WITH brands AS (SELECT DISTINCT account FROM posts WHERE NOT regexp_full_match(account, '[0-9]+')),
requests AS (
  SELECT b.account AS brand, p.post_id, p.created_at FROM posts p JOIN brands b
    ON lower(p.account) <> lower(b.account) AND p.kind <> 'repost'
   AND (lower(p.in_reply_to_account) = lower(b.account)
        OR list_contains(list_transform(p.mentions, lambda m: lower(m)), lower(b.account)))
),
answered AS (
  SELECT r.brand, r.post_id, min(epoch(a.created_at) - epoch(r.created_at)) AS delay
  FROM requests r LEFT JOIN posts a ON lower(a.account) = lower(r.brand) AND a.kind = 'reply'
   AND a.in_reply_to_id = r.post_id
  GROUP BY ALL
)
SELECT count(*), count(delay), median(delay) FROM answered WHERE {where}
"""
"""Requests to a brand and their first answers, as the audit defines them (BRIEF.md).

The brands are the named authors (twcs replaces customers by numbers). A request is counted once
per brand it is addressed to (a (brand, post) pair); handles compare case-insensitively, as X
handles do: one customer writes ``@southwestair`` to ``SouthwestAir``, and only that reading
gives 36 requests (35 with a case-sensitive comparison).
"""


def test_twcs_whole_rows(store: Store) -> None:
    report = load(store, SUPPORT, now=NOW)
    assert report.files[0].formats == {"twcs": 6}
    assert report.files[0].skipped == {}
    first = rows(store, "post_id = '501'")[0]
    assert first == {
        "platform": "x", "post_id": "501", "account": "200001", "account_id": None,
        "account_name": None, "created_at": "2024-03-04T08:15:00Z",
        "text": "@BanqueDuLac ma carte est bloquée depuis ce matin, impossible de payer au café. #aide",
        "html": None, "title": None, "lang": None, "kind": "original",
        "in_reply_to_id": None, "in_reply_to_account": None, "in_reply_to_account_id": None,
        "conversation_id": None, "repost_of_id": None, "repost_of_account": None,
        "quote_of_id": None, "mentions": ["BanqueDuLac"], "hashtags": ["aide"], "urls": [],
        "media_count": None, "media_kinds": None, "source": None, "like_count": None,
        "repost_count": None, "reply_count": None, "quote_count": None, "permalink": None,
        "source_file": str(SUPPORT), "source_member": "support.csv", "source_record": "2",
        "importer": "twcs", "importer_version": "0.1.0", "imported_at": "2026-01-02T03:04:05Z",
    }


def test_twcs_replies_mentions_and_lines(store: Store) -> None:
    load(store, SUPPORT)
    got = [(r["post_id"], r["account"], r["kind"], r["in_reply_to_id"], r["in_reply_to_account"],
            r["mentions"], r["hashtags"], r["urls"], r["source_record"]) for r in rows(store)]
    assert got == [
        ("501", "200001", "original", None, None, ["BanqueDuLac"], ["aide"], [], "2"),
        ("502", "BanqueDuLac", "reply", "501", "200001", ["200001"], [], [], "3"),
        ("503", "200001", "reply", "502", "BanqueDuLac", ["BanqueDuLac"], [], [], "4"),
        # parent 499 is not in the file: the addressee is the @mention the text starts with
        ("504", "VeloCitySupport", "reply", "499", "200002", ["200002"], [],
         ["https://velocity.example/status"], "6"),
        ("505", "200003", "original", None, None, ["VeloCitySupport", "BanqueDuLac"], ["vélo"], [], "7"),
        ("506", "VeloCitySupport", "reply", "505", "200003", ["200003"], [],
         ["https://velocity.example/maj?id=5"], "8"),
    ]
    text = rows(store, "post_id = '503'")[0]["text"]
    assert text == "@BanqueDuLac Merci, c'est réglé & la carte marche.\nBonne journée !"


def test_twcs_brands_become_accounts(store: Store) -> None:
    load(store, SUPPORT)
    accounts = store.con.execute(
        "SELECT account, url, is_owner FROM accounts WHERE url IS NOT NULL ORDER BY 1").fetchall()
    assert accounts == [("BanqueDuLac", "https://x.com/BanqueDuLac", False),
                        ("VeloCitySupport", "https://x.com/VeloCitySupport", False)]


def test_twcs_detected_in_a_zip_and_reimport_adds_nothing(store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "dataset.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(SUPPORT, "data/twcs.csv")
        zipped.writestr("data/README.txt", "Customer Support on Twitter")
    report = load(store, archive)
    assert (report.files[0].formats, report.files[0].unknown) == ({"twcs": 6}, ["data/README.txt"])
    assert count(store, "SELECT count(*) FROM posts WHERE source_member = 'data/twcs.csv'") == 6
    again = load(store, archive)
    assert (again.merge.inserted, again.merge.already_stored) == (0, 6)


def test_twcs_bad_rows_are_counted_with_their_lines(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "twcs.csv"
    bad.write_text(HEADER
                   + f'1,a,True,{WHEN},"two\nlines",,\n'            # lines 2-3
                   + f"2,b,True,{WHEN},too,many,fields,here\n"      # line 4
                   + "3,c,False,yesterday,hello,,1\n"               # line 5
                   + f"4,,True,{WHEN},no author,,\n"                # line 6
                   + f'5,d,True,{WHEN},"say ""hi""",,\n'             # line 7
                   + f"6,e,True,{WHEN},short\n"                     # line 8
                   + f'7,f,True,{WHEN},"after\nthe bad ones",,\n')  # lines 9-10
    report = load(store, bad)
    assert report.files[0].skipped == {
        "CSV row with too many fields": 1, "unreadable created_at": 1, "missing author_id": 1,
        "CSV row with too few fields": 1}
    assert sorted((e.record, e.reason) for e in report.files[0].examples) == [
        ("4", "CSV row with too many fields"), ("5", "unreadable created_at"),
        ("6", "missing author_id"), ("8", "CSV row with too few fields")]
    got = store.con.execute("SELECT post_id, source_record, text FROM posts ORDER BY post_id").fetchall()
    assert got == [("1", "2", "two\nlines"), ("5", "7", 'say "hi"'), ("7", "9", "after\nthe bad ones")]


def test_twcs_rows_after_an_unterminated_quote_are_read(store: Store, tmp_path: Path) -> None:
    # twcs_head121.csv with one row's quote left open (line 6): the rows after it were lost without a
    # word (4 posts of 123 rows; DuckDB's ignore_errors stops there), though the first pass counted them.
    bad = tmp_path / "twcs.csv"
    bad.write_text(HEADER
                   + f"1,sprintcare,False,{WHEN},@115712 I understand.,2,3\n"         # line 2
                   + f'2,115712,True,{WHEN},"@sprintcare unterminated,,1\n'           # lines 3-4, the
                   + f"3,115712,True,{WHEN},@sprintcare swallowed,1,\n"               # field runs to
                   + f'4,sprintcare,False,{WHEN},"@115712 Please DM us.",,3\n'        # this quote
                   + f"5,115713,True,{WHEN},@sprintcare still here?,6,\n"             # line 6
                   + f"6,sprintcare,False,{WHEN},@115713 Yes.,,5\n")                  # line 7
    report = load(store, bad)
    assert report.files[0].formats == {"twcs": 3}
    assert report.files[0].skipped == {"CSV row with a stray or unterminated quote": 1}
    assert report.files[0].examples[0].record == "3"
    got = store.con.execute("SELECT post_id, source_record, kind, in_reply_to_account FROM posts ORDER BY 1").fetchall()
    assert got == [("1", "2", "reply", "115712"), ("5", "6", "original", None), ("6", "7", "reply", "115713")]


def test_twcs_truncated_file_skips_the_cut_row(store: Store, tmp_path: Path) -> None:
    cut = tmp_path / "twcs.csv"
    cut.write_text(HEADER + f"1,a,True,{WHEN},fine,,\n" + f'2,b,True,{WHEN},"cut in the mid')
    report = load(store, cut)
    assert report.files[0].skipped == {"CSV row with a stray or unterminated quote": 1}
    assert report.files[0].examples[0].record == "3"
    assert count(store, "SELECT count(*) FROM posts") == 1


def test_twcs_parent_in_another_member_of_the_folder(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "twcs"
    folder.mkdir()
    (folder / "part1.csv").write_text(HEADER + f"10,200010,True,{WHEN},@BanqueDuLac allô ?,11,\n")
    (folder / "part2.csv").write_text(HEADER + f"11,BanqueDuLac,False,{WHEN},Bonjour !,,10\n")
    report = load(store, folder)
    assert report.files[0].formats == {"twcs": 2}
    reply = rows(store, "post_id = '11'")[0]
    assert (reply["in_reply_to_account"], reply["mentions"], reply["source_member"], reply["source_record"]) == (
        "200010", [], "part2.csv", "2")


def test_twcs_forced_on_another_csv_names_the_file(store: Store, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("id,message\n1,hello\n")
    with pytest.raises(InputError, match=r"other\.csv.*twcs columns.*tweet_id"):
        load(store, other, forced="twcs")


@needs_samples
def test_twcs_real_sample(store: Store) -> None:
    report = load(store, TWCS / "sample.csv")
    assert (report.files[0].formats, report.files[0].skipped) == ({"twcs": 93}, {})
    kinds = dict(store.con.execute("SELECT kind, count(*) FROM posts GROUP BY 1").fetchall())
    assert kinds == {"original": 25, "reply": 68}
    assert count(store, "SELECT count(*) FROM accounts WHERE url IS NOT NULL") == 13
    reply = rows(store, "post_id = '119246'")[0]
    # the parent 119247 is not in the sample: the addressee comes from the text's first @mention
    assert (reply["in_reply_to_id"], reply["in_reply_to_account"], reply["created_at"]) == (
        "119247", "105836", "2017-10-10T10:13:19Z")
    assert rows(store, "post_id = '119250'")[0]["hashtags"] == ["apple", "iphone6"]


@needs_samples
def test_twcs_real_sample_responsiveness(store: Store) -> None:
    """The figures the audit must find on sample.csv (checked by hand against the CSV).

    Over all brands together, a request addressed to two brands would count twice (once per
    brand); no request in the sample is addressed to two brands, so both readings give 36/29.
    """
    load(store, TWCS / "sample.csv")
    apple = store.con.execute(RESPONSIVENESS.format(where="brand = 'AppleSupport'")).fetchone()
    assert apple == (11, 7, 21662.0)
    every = store.con.execute(RESPONSIVENESS.format(where="true")).fetchone()
    assert every == (36, 29, 1387.0)
    pairs = count(store, "SELECT count(DISTINCT post_id) FROM (" + RESPONSIVENESS.split("SELECT count")[0]
                  + "SELECT * FROM answered)")
    assert pairs == 36


@needs_samples
def test_twcs_real_head_line_numbers_match_the_csv_module(store: Store) -> None:
    """18 texts of this file span several lines: source_record is the line where the row starts."""
    with open(TWCS / "twcs_head121.csv", newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        next(reader)
        expected, start = {}, 2
        for row in reader:
            expected[row[0]] = str(start)
            start = reader.line_num + 1
    load(store, TWCS / "twcs_head121.csv")
    got = dict(store.con.execute("SELECT post_id, source_record FROM posts").fetchall())
    assert got == expected and max(map(int, got.values())) == 147


@needs_samples
def test_twcs_real_head_with_upper_case_booleans(store: Store) -> None:
    report = load(store, TWCS / "twcs_head121.csv")
    assert (report.files[0].formats, report.files[0].skipped) == ({"twcs": 121}, {})
    brands = [a for (a,) in store.con.execute("SELECT account FROM accounts WHERE url IS NOT NULL").fetchall()]
    assert len(brands) == 7 and "sprintcare" in brands and not any(b.isdigit() for b in brands)
    first = rows(store, "post_id = '1'")[0]
    assert (first["account"], first["kind"], first["in_reply_to_id"], first["in_reply_to_account"]) == (
        "sprintcare", "reply", "3", "115712")


def _as_pandas_writes_it(source: Path, target: Path) -> None:
    """``pd.read_csv(source).to_csv(target)``: the index as an unnamed first column; the id columns
    with gaps became floats (``501.0``), as did a single ``response_tweet_id``."""
    with open(source, newline="", encoding="utf-8") as stream:
        records = list(csv.reader(stream))
    with open(target, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["", *records[0]])
        for index, record in enumerate(records[1:]):
            floated = [f"{v}.0" if name in ("in_response_to_tweet_id", "response_tweet_id") and v.isdigit()
                       else v for name, v in zip(records[0], record, strict=True)]
            writer.writerow([str(index), *floated])


def test_twcs_written_back_by_pandas_gives_the_same_posts(store: Store, tmp_path: Path) -> None:
    load(store, SUPPORT)
    expected = [{k: v for k, v in r.items() if k not in ("source_file", "imported_at")} for r in rows(store)]
    pandas = tmp_path / "support.csv"
    _as_pandas_writes_it(SUPPORT, pandas)
    assert pandas.read_text(encoding="utf-8").splitlines()[1].startswith("0,501,200001,True,")
    with Store(tmp_path / "other.duckdb") as other:
        report = load(other, pandas).files[0]
        assert report.skipped == {}
        found = [{k: v for k, v in r.items() if k not in ("source_file", "imported_at")} for r in rows(other)]
    assert found == expected
    assert [r["in_reply_to_id"] for r in found if r["kind"] == "reply"][:2] == ["501", "502"]
