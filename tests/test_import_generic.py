"""The generic CSV and JSON lines importers (a column mapping), and their SQL building blocks."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from parlons.cli import cli, main
from parlons.errors import MappingError, UsageError
from parlons.importers._base import ImportOptions
from parlons.importers._duck import sql_hashtags, sql_mentions, sql_string, sql_time, sql_urls
from parlons.mapping import load_mapping
from parlons.normalize import hashtags_in, mentions_in, urls_in
from parlons.store import Store

from .conftest import FIXTURES, count, load, rows

GENERIC = FIXTURES / "generic"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
JSONL_MAP = {"post_id": "id", "account": "author.handle", "account_id": "author.id",
             "account_name": "author.name", "created_at": "published", "text": "message",
             "in_reply_to_id": "reply_to", "in_reply_to_account": "reply_to_user", "hashtags": "tags",
             "urls": "links", "like_count": "stats.likes", "repost_count": "stats.shares", "lang": "lang",
             "kind": "kind", "repost_of_id": "repost_of"}
BROKEN_MAP = {"post_id": "id", "account": "user", "created_at": "ts", "text": "body"}


def jsonl(store: Store, path: Path, mapping: dict[str, str], **options: Any) -> Any:
    return load(store, path, forced="generic-jsonl", now=NOW,
                options=ImportOptions(mapping=mapping, **options))


def test_generic_jsonl_whole_row(store: Store) -> None:
    report = jsonl(store, GENERIC / "posts.jsonl", JSONL_MAP, platform="x")
    assert (report.files[0].formats, report.files[0].skipped) == ({"generic-jsonl": 4}, {})
    assert rows(store)[0] == {
        "platform": "x", "post_id": "1800000000000000001", "account": "MediathequeQuimper",
        "account_id": "4401", "account_name": "Médiathèque de Quimper",
        "created_at": "2024-05-02T07:15:00Z",
        "text": "Heure du conte mercredi à 15 h ! Réservation : https://mediatheque.example/conte "
                "#lecture #Quimper",
        "html": None, "title": None, "lang": "fr", "kind": "original",
        "in_reply_to_id": None, "in_reply_to_account": None, "in_reply_to_account_id": None,
        "conversation_id": None, "repost_of_id": None, "repost_of_account": None,
        "quote_of_id": None, "mentions": [], "hashtags": ["lecture", "Quimper"], "urls": [],
        "media_count": None, "media_kinds": None, "source": None, "like_count": 12,
        "repost_count": 3, "reply_count": None, "quote_count": None, "permalink": None,
        "source_file": str(GENERIC / "posts.jsonl"), "source_member": "posts.jsonl",
        "source_record": "1800000000000000001", "importer": "generic-jsonl",
        "importer_version": "0.1.0", "imported_at": "2026-01-02T03:04:05Z",
    }


def test_generic_jsonl_times_kinds_and_lists(store: Store) -> None:
    jsonl(store, GENERIC / "posts.jsonl", JSONL_MAP, platform="x")
    got = [(r["post_id"][-1], r["created_at"], r["kind"], r["in_reply_to_id"], r["in_reply_to_account"],
            r["repost_of_id"], r["mentions"], r["urls"], r["like_count"]) for r in rows(store)]
    assert got == [
        ("1", "2024-05-02T07:15:00Z", "original", None, None, None, [], [], 12),
        # epoch seconds
        ("2", "2024-05-02T09:15:00Z", "reply", "1800000000000000001", None, None,
         ["MediathequeQuimper"], [], 0),
        # epoch milliseconds; the handle given with its @ is normalized
        ("3", "2024-05-02T09:30:00Z", "reply", "1800000000000000002", "lea_b", None, ["lea_b"], [], None),
        # X style time, kind "retweet", links as a space-separated string
        ("4", "2024-05-02T16:00:00Z", "repost", None, None, "1799999999999999999", ["ville_quimper"],
         ["https://quimper.example/travaux", "https://quimper.example/plan"], None),
    ]


def test_generic_jsonl_bad_lines_are_counted_with_their_lines(store: Store) -> None:
    report = jsonl(store, GENERIC / "broken.jsonl", BROKEN_MAP)
    assert report.files[0].formats == {"generic-jsonl": 2}
    assert report.files[0].skipped == {
        "line is not valid JSON": 1, "line is not a JSON object": 1, "missing post_id": 1,
        "unreadable created_at": 1, "missing account": 1}
    assert [(e.record, e.reason) for e in report.files[0].examples] == [
        ("line 2", "line is not valid JSON"), ("line 3", "line is not a JSON object"),
        ("line 4", "missing post_id"), ("line 6", "unreadable created_at"), ("line 7", "missing account")]
    assert [r["post_id"] for r in rows(store)] == ["a1", "a7"]


def test_generic_jsonl_in_a_zip_with_a_line_that_is_not_utf8(store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("data/posts.jsonl", b'{"id": "1", "user": "asso", "ts": "2024-01-01", "body": "ok"}\n'
                                            b'{"id": "2", "user": "asso", "ts": "2024-01-02", "body": "caf\xe9"}\n')
        zipped.writestr("README.md", "# Export\n")
    report = jsonl(store, archive, BROKEN_MAP)
    assert (report.files[0].formats, report.files[0].unknown) == ({"generic-jsonl": 1}, ["README.md"])
    assert [(e.member, e.record, e.reason) for e in report.files[0].examples] == [
        ("data/posts.jsonl", "line 2", "line is not valid UTF-8")]


def test_generic_jsonl_account_option_and_platform_handles(store: Store, tmp_path: Path) -> None:
    posts = tmp_path / "toots.jsonl"
    posts.write_text(json.dumps({"id": "1", "t": "2024-02-02T10:00:00", "body": "Merci @lea@Masto.Example !",
                                 "to": "https://masto.example/@lea"}) + "\n")
    jsonl(store, posts, {"post_id": "id", "created_at": "t", "text": "body", "in_reply_to_account": "to"},
          platform="mastodon", account="@ville@Social.Example")
    row = rows(store)[0]
    assert (row["account"], row["in_reply_to_account"], row["mentions"], row["created_at"]) == (
        "@ville@social.example", "@lea@masto.example", ["@lea@masto.example"], "2024-02-02T10:00:00Z")
    owner = store.con.execute("SELECT account, is_owner FROM accounts WHERE is_owner").fetchall()
    assert owner == [("@ville@social.example", True)]


def test_generic_missing_mapping_lists_required_fields_and_columns(store: Store) -> None:
    with pytest.raises(MappingError) as caught:
        jsonl(store, GENERIC / "broken.jsonl", {"post_id": "id"})
    message = str(caught.value)
    assert "created_at, text, account" in message and "Columns found: id, user, ts, body" in message
    with pytest.raises(MappingError, match=r"no column named ident; columns found: identifiant, auteur"):
        load(store, GENERIC / "posts.csv", forced="generic-csv",
             options=ImportOptions(mapping={**load_mapping([], GENERIC / "mapping.toml"), "post_id": "ident"}))
    with pytest.raises(UsageError, match="unknown platform"):
        jsonl(store, GENERIC / "broken.jsonl", BROKEN_MAP, platform="myspace")


def test_generic_csv_with_a_mapping_file(store: Store) -> None:
    mapping = load_mapping([], GENERIC / "mapping.toml")
    report = load(store, GENERIC / "posts.csv", forced="generic-csv", options=ImportOptions(mapping=mapping))
    assert (report.files[0].formats, report.files[0].skipped) == ({"generic-csv": 3}, {})
    got = [(r["post_id"], r["account"], r["created_at"], r["text"], r["kind"], r["in_reply_to_id"],
            r["mentions"], r["like_count"], r["source_record"]) for r in rows(store)]
    assert got == [
        ("501", "CafeAssoBrest", "2024-03-01T18:30:00Z",
         "Soirée jeux ce vendredi ;-)\nTout le monde est bienvenu", "original", None, [], 7, "2"),
        ("502", "yann_k", "2024-03-01T19:06:40Z", "@CafeAssoBrest on peut venir avec des enfants ?",
         "reply", "501", ["CafeAssoBrest"], 0, "4"),
        ("503", "CafeAssoBrest", "2024-03-01T20:05:00Z", "@yann_k Bien sûr !", "reply", "502",
         ["yann_k"], None, "5"),
    ]


def test_generic_csv_bad_rows_are_counted_with_their_lines(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "posts.csv"
    bad.write_text('id,who,when,what\n1,asso,2024-01-01,"deux\nlignes"\n2,asso,2024-01-02,trop,de,champs\n'
                   ',asso,2024-01-03,sans id\n4,asso,demain,date\n5,asso,2024-01-05,fin\n')
    mapping = {"post_id": "id", "account": "who", "created_at": "when", "text": "what"}
    report = load(store, bad, forced="generic-csv", options=ImportOptions(mapping=mapping))
    assert sorted((e.record, e.reason) for e in report.files[0].examples) == [
        ("4", "CSV row with too many fields"), ("5", "missing post_id"), ("6", "unreadable created_at")]
    assert [(r["post_id"], r["source_record"]) for r in rows(store)] == [("1", "2"), ("5", "7")]


def test_generic_csv_rows_after_an_unterminated_quote_are_read(store: Store, tmp_path: Path) -> None:
    # A quote left open runs its field to the next quote: that record is rejected, and with
    # ignore_errors alone DuckDB 2.0 then ended the read without a word, so every later row was lost.
    bad = tmp_path / "posts.csv"
    bad.write_text('id,who,when,what\n1,asso,2024-01-01,avant\n'            # line 2
                   '2,asso,2024-01-02,"ouvert sans fin\n'                     # lines 3-5: the field
                   '3,asso,2024-01-03,avalé\n'                                # runs to the quote
                   '4,asso,2024-01-04,"refermé ici",\n'                       # of line 5
                   '5,asso,2024-01-05,après\n6,asso,2024-01-06,"fin"\n')    # lines 6-7
    mapping = {"post_id": "id", "account": "who", "created_at": "when", "text": "what"}
    report = load(store, bad, forced="generic-csv", options=ImportOptions(mapping=mapping))
    assert report.files[0].skipped == {"CSV row with a stray or unterminated quote": 1}
    assert [(r["post_id"], r["source_record"], r["text"]) for r in rows(store)] == [
        ("1", "2", "avant"), ("5", "6", "après"), ("6", "7", "fin")]


def test_generic_csv_reads_back_a_parlons_export_without_mapping(store: Store, tmp_path: Path) -> None:
    jsonl(store, GENERIC / "posts.jsonl", JSONL_MAP)
    store.export(tmp_path / "out", "csv", raw=True)  # data work: cells as stored, not spreadsheet-safe
    fields = ("post_id", "account", "created_at", "text", "kind", "in_reply_to_id", "mentions", "hashtags",
              "urls", "like_count")
    before = [{f: r[f] for f in fields} for r in rows(store)]
    with Store(tmp_path / "again.duckdb") as again:
        load(again, tmp_path / "out" / "posts.csv", forced="generic-csv")
        assert [{f: r[f] for f in fields} for r in rows(again)] == before


def test_generic_cli_end_to_end(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    args = ["import", str(GENERIC / "broken.jsonl"), "--store", store, "--format", "generic-jsonl",
            "--map", "post_id=id", "--map", "account=user", "--map", "created_at=ts", "--map", "text=body",
            "--json"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["files"][0]["read"] == {"generic-jsonl": 2}
    assert report["files"][0]["skipped"]["line is not valid JSON"] == 1
    args = ["import", str(GENERIC / "posts.csv"), "--store", store, "--format", "generic-csv",
            "--mapping-file", str(GENERIC / "mapping.toml"), "--platform", "x", "-q"]
    assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    with Store(store, read_only=True) as opened:
        assert count(opened, "SELECT count(*) FROM posts WHERE platform = 'x'") == 3


def test_generic_cli_missing_mapping_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["import", str(GENERIC / "posts.csv"), "--store", str(tmp_path / "s.duckdb"),
              "--format", "generic-csv", "--map", "text=texte"])
    assert caught.value.code == 2
    assert "post_id, created_at, account" in capsys.readouterr().err


def test_sql_time_styles() -> None:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    values = {"2024-05-02T09:15:00+02:00": "2024-05-02 07:15:00+00", "2024-05-02 09:15:00": "2024-05-02 09:15:00+00",
              "1714641300": "2024-05-02 09:15:00+00", "1714641300.5": "2024-05-02 09:15:00.5+00",
              "1714641300000": "2024-05-02 09:15:00+00", "Thu May 02 09:15:00 +0000 2024": "2024-05-02 09:15:00+00",
              "Thu, 02 May 2024 11:15:00 +0200": "2024-05-02 09:15:00+00", "demain": None, "": None}
    for value, expected in values.items():
        got = con.execute(f"SELECT ({sql_time(sql_string(value))})::VARCHAR").fetchall()[0][0]
        assert got == expected, value


TEXT = st.lists(st.sampled_from(["@", "#", "&", "/", "_", ".", ",", " ", "\u00a0", "\n", "a", "Z", "é", "ß",
                                 "7", "@org", "#tag", "#2024", "caf", "http://", "https://x.example/",
                                 "?", "!", ")", "»", "中", "😊", "mail@", ".fr", "@x@y.example"]),
                max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_sql_entities_agree_with_normalize(text: str) -> None:
    con = _entities_con()
    got = con.execute(f"SELECT {sql_mentions('$t')}, {sql_hashtags('$t')}, {sql_urls('$t')}",
                      {"t": text}).fetchall()[0]
    assert [list(dict.fromkeys(found)) for found in got] == [mentions_in(text), hashtags_in(text), urls_in(text)]


_CON: list[duckdb.DuckDBPyConnection] = []


def _entities_con() -> duckdb.DuckDBPyConnection:
    if not _CON:
        _CON.append(duckdb.connect())
    return _CON[0]


NESTED = [
    {"id": "1", "t": "2024-01-01", "body": "a", "who": {"name": "ana", "Name": "no"},
     "n": {"likes": 1.50, "deep": {"x": 7}}},
    {"id": "2", "t": "2024-01-02", "body": "b", "who": "not an object", "n": [1, 2]},
    {"id": "3", "t": "2024-01-03", "body": "c", "who": {"name": 42},
     "n": {"likes": 1e5, "deep": {"x": {"y": [1, "z"]}}}},
    {"id": "4", "t": "2024-01-04", "body": "d", "who": {"Name": "only the capital"},
     "n": {"likes": None, "deep": "flat"}},
    {"id": "5", "t": "2024-01-05", "body": "e", "who": {"name": "first", "name ": "spaced"},
     "n": {"likes": "12", "deep": {"x": True}}},
]


@pytest.mark.parametrize("also", [{}, {"account_name": "who"}, {"source": "n.0"}])
def test_generic_jsonl_nested_keys_read_as_a_pointer_reads_them(store: Store, tmp_path: Path,
                                                                 also: dict[str, str]) -> None:
    """Nested keys are read as a STRUCT where one can hold them, else with a JSON pointer: the same values.

    Mapping ``who`` itself, or a key that a pointer reads as an array index, keeps the top-level key as text.
    """
    posts = tmp_path / "nested.jsonl"
    posts.write_text("".join(json.dumps(record) + "\n" for record in NESTED))
    mapping = {"post_id": "id", "created_at": "t", "text": "body", "account": "who.name", "like_count": "n.likes",
               "permalink": "n.deep.x", **also}
    report = jsonl(store, posts, mapping)
    assert report.files[0].formats == {"generic-jsonl": 3}
    assert report.files[0].skipped == {"missing account": 2}
    got = [(r["post_id"], r["account"], r["like_count"], r["permalink"]) for r in rows(store)]
    assert got == [("1", "ana", 2, "7"), ("3", "42", 100000, '{"y":[1,"z"]}'), ("5", "first", 12, "true")]
    if also.get("account_name"):
        assert rows(store)[0]["account_name"] == '{"name":"ana","Name":"no"}'


def test_generic_jsonl_struct_paths_only_where_a_struct_reads_as_a_pointer() -> None:
    from parlons.importers.generic import _roots

    assert _roots({"a": "id", "b": "who.name", "c": "n.likes", "d": "n.deep.x"}) == {
        "id": None, "who": {"name": {}}, "n": {"likes": {}, "deep": {"x": {}}}}
    assert _roots({"a": "x.y", "b": "x.y"}) == {"x": {"y": {}}}
    for refused in ({"a": "x.y", "b": "x"}, {"a": "x", "b": "x.y"}, {"a": "x.y", "b": "x.y.z"},
                    {"a": "x.y.z", "b": "x.y"}, {"a": "x.Y", "b": "x.y"}, {"a": "x.0"}, {"a": "x."}):
        assert _roots(refused) == {"x": None}, refused


@pytest.mark.parametrize(("content", "lines"), [(b"", 0), (b"{}", 1), (b"{}\n", 1), (b"\n\n{}\n\n{}", 5),
                                               (b"{}\n" * 400_000 + b"{}", 400_001)])  # 1.2 MB: buffers
def test_generic_jsonl_line_count(tmp_path: Path, content: bytes, lines: int) -> None:
    from parlons.importers.generic import LineCount

    path = tmp_path / "lines.jsonl"
    path.write_bytes(content)
    count = LineCount(path)
    assert count.result() == lines
    count.stop()
    missing = LineCount(tmp_path / "gone.jsonl")
    with pytest.raises(FileNotFoundError):
        missing.result()


def test_generic_jsonl_rows_are_kept_after_their_values_are_computed() -> None:
    """The filter on the shaped rows stays above the projection that computes them: DuckDB would
    otherwise push it down and compute the id, the account and the time twice."""
    from parlons.importers.generic import kept_sql, shape_sql

    raw = ("SELECT * FROM (VALUES ('1', 'ana', '2024-01-01', 'hi', NULL, NULL, NULL)) "
           "r(post_id, account, created_at, text, source_member, source_record, bad)")
    mapped = {"post_id", "account", "created_at", "text"}
    con = duckdb.connect()
    plan = json.loads(con.execute("EXPLAIN (FORMAT json) " + kept_sql(shape_sql(raw, mapped, "x", None), mapped)
                                  ).fetchall()[0][1])
    filters: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        if node["name"] == "FILTER":
            filters.append(node["extra_info"]["Expression"])
        for child in node.get("children", []):
            walk(child)

    for node in plan:
        walk(node)
    assert filters == ["parlons_keep"]
    assert con.execute(kept_sql(shape_sql(raw, mapped, "x", None), mapped)).fetchall()[0][:3] == ("x", "1", "ana")


LINE_MAP = {"post_id": "id", "account": "author.handle", "created_at": "published", "text": "message"}


def _line(post_id: str, text: str, at: str = "2024-05-02T09:15:00Z") -> str:
    return json.dumps({"id": post_id, "author": {"handle": "mairie"}, "published": at, "message": text})


def _spy_inserts(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The ``ordered`` of every query the store inserts, in order."""
    calls: list[bool] = []
    insert = Store._insert_query

    def spy(self: Store, select: str, params: Any, *, ordered: bool = True) -> int:
        calls.append(ordered)
        return insert(self, select, params, ordered=ordered)

    monkeypatch.setattr(Store, "_insert_query", spy)
    return calls


def test_generic_jsonl_is_written_unordered_when_no_post_repeats(store: Store, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(_line(str(n), f"post {n}") for n in range(1, 6)) + "\n", encoding="utf-8")
    calls = _spy_inserts(monkeypatch)
    counted: list[str] = []
    scalar = Store._scalar

    def watched(self: Store, sql: str, params: Any = None) -> int:
        counted.extend(["keys"] if "DISTINCT" in sql else [])
        return scalar(self, sql, params)

    monkeypatch.setattr(Store, "_scalar", watched)
    report = jsonl(store, path, LINE_MAP)
    assert calls == [False]
    assert counted == ["keys"]  # once, after the write: the merge takes that count
    assert (report.merge.staged, report.merge.inserted, report.merge.duplicates_in_input) == (5, 5, 0)
    assert [r["text"] for r in rows(store)] == [f"post {n}" for n in range(1, 6)]


def test_generic_jsonl_repeated_post_is_written_again_in_order_and_the_first_line_wins(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mapping = LINE_MAP
    stored = tmp_path / "stored.jsonl"
    stored.write_text(_line("1", "stored before") + "\n", encoding="utf-8")
    jsonl(store, stored, mapping)
    earlier, repeating = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    earlier.write_text(_line("7", "from a") + "\n" + _line("1", "not stored again") + "\n", encoding="utf-8")
    repeating.write_text("\n".join([_line("2", "first"), _line("3", "other"), _line("2", "second"),
                                    _line("7", "from b")]) + "\n", encoding="utf-8")
    calls = _spy_inserts(monkeypatch)
    report = load(store, earlier, repeating, forced="generic-jsonl",
                  now=datetime(2026, 1, 3, tzinfo=UTC), options=ImportOptions(mapping=mapping))
    assert calls == [False, False, True]  # a.jsonl at once; b.jsonl repeats post 2: removed, written in order
    assert {r["post_id"]: (r["text"], r["source_member"]) for r in rows(store)} == {
        "1": ("stored before", "stored.jsonl"), "2": ("first", "b.jsonl"), "3": ("other", "b.jsonl"),
        "7": ("from a", "a.jsonl")}
    merge = report.merge
    assert (merge.staged, merge.duplicates_in_input, merge.already_stored, merge.inserted) == (6, 2, 1, 3)
    assert {(m, r) for _, m, r, _ in merge.duplicate_examples} == {("b.jsonl", "2"), ("b.jsonl", "7")}


def test_generic_jsonl_is_written_unordered_within_its_own_memory_limit(store: Store, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB caches the blocks it writes up to its limit: the unordered write's is lower, then set back."""
    path = tmp_path / "posts.jsonl"
    path.write_text(_line("1", "post") + "\n", encoding="utf-8")
    seen: list[tuple[str, bool]] = []
    scalar = Store._scalar

    def watched(self: Store, sql: str, params: Any = None) -> int:
        if sql.startswith("INSERT INTO posts"):
            order = self.con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
            seen.append((self._memory_setting(), bool(order)))
        return scalar(self, sql, params)

    monkeypatch.setattr(Store, "_scalar", watched)
    before = store._memory_setting()
    jsonl(store, path, LINE_MAP)
    assert seen == [("244.1 MiB", False)]
    assert store._memory_setting() == before
    assert store.con.execute("SELECT current_setting('preserve_insertion_order')").fetchall() == [(True,)]
