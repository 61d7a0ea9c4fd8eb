"""Generic posts in CSV or JSON lines, read through a column mapping.

Two importers, never chosen automatically (``--format generic-csv`` or ``--format generic-jsonl``):
the user says which column (CSV header name) or key (JSON, dotted path for nested objects, such as
``user.screen_name``) holds each model field, with ``--map FIELD=COLUMN`` or ``--mapping-file``.
A model field left unmapped whose own name is a column is taken as is, so a file written by
``parlons export --format csv`` needs no mapping. ``post_id``, ``created_at``, ``text`` and
``account`` are required (``account`` may instead come from ``--account``); ``--platform`` names
the platform (default ``generic``) and decides how handles are normalized.

Values are read as text, never inferred: ids stay exact. Timestamps: ISO 8601 (naive means UTC),
epoch numbers (1e11 or more are milliseconds, smaller ones seconds), X's
``Wed Oct 11 06:55:44 +0000 2017``, RFC 822 and ``2012-09-30 20:11:28 +0000``. List fields
(``mentions``, ``hashtags``, ``urls``, ``media_kinds``) accept a JSON array or a string delimited by
commas or spaces; ``mentions``, ``hashtags`` and ``urls`` come from the text when not mapped.
``kind`` is the mapped value when given, else reply, repost or quote when the matching id is
set, else original.

Both readers are vectorized in DuckDB. CSV: ``read_csv`` (delimiter from the header line, every
column VARCHAR); a first pass numbers the records with their physical line (quoted line breaks
counted) and collects the rows DuckDB rejects; ``source_record`` is the line. JSON lines:
``read_json`` of the mapped top-level keys as VARCHAR, as a :class:`SqlQuery` the store runs
straight into staging; ``source_record`` is the post id. When fewer posts were stored than the
file has non-blank lines, a second pass over the lines counts each skipped record with its line
and reason.

The module also holds SQL building blocks for other vectorized importers: entities from text
with the semantics of :mod:`parlons.normalize` (DuckDB's regex ``\\b`` and ``\\w`` only know
ASCII, so the patterns spell out Unicode classes), timestamps, handles, lists, the two-pass CSV
numbering (:func:`index_csv`) and :func:`stream_checked`.
"""

from __future__ import annotations

import csv
from abc import abstractmethod
from collections.abc import Iterator, Mapping, Sequence

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import MappingError, UsageError
from ..model import KINDS, PLATFORMS
from ..sources import Member
from ._base import BATCH_ROWS, ROW_SCHEMA, Importer, ReadContext, SqlQuery
from ._duck import connect, sql_string

__all__ = [
    "IMPORTER",
    "IMPORTERS",
    "GenericCsvImporter",
    "GenericJsonlImporter",
    "csv_scan",
    "index_csv",
    "sql_handle",
    "sql_hashtags",
    "sql_list",
    "sql_mentions",
    "sql_time",
    "sql_unique",
    "sql_urls",
    "stream_checked",
]

# --- SQL building blocks -------------------------------------------------------------------

_WORD = r"\p{L}\p{N}_"
_SPACE = r"\s\x{0b}\x{1c}-\x{1f}\x{85}\p{Z}"
MENTION_RE = rf"(?:^|[^{_WORD}@/])@[A-Za-z0-9_]{{1,30}}(?:@[A-Za-z0-9.-]+\.[A-Za-z]{{2,}})?"
"""A mention with the character before it (RE2 has no look-behind; capture groups are 4x slower)."""
HASHTAG_RE = rf"(?:^|[^{_WORD}&/])#[{_WORD}]*[\p{{L}}\p{{Nl}}\p{{No}}_][{_WORD}]*"
URL_RE = rf"https?://[^{_SPACE}<>\"'»)\]]+[^{_SPACE}<>\"'»)\].,;:!?]"
X_TIME = "%a %b %d %H:%M:%S %z %Y"
_TIME_FORMATS = (X_TIME, "%a, %d %b %Y %H:%M:%S %z", "%Y-%m-%d %H:%M:%S %z")


def sql_unique(items: str) -> str:
    """A list without repeats or nulls, first occurrences in order.

    ``items`` is repeated: give a column, not an expensive expression.
    """
    return (f"list_filter({items}, lambda x, i: x IS NOT NULL "
            f"AND list_position({items}, x) = i)")


def sql_handle(value: str, platform: str) -> str:
    """SQL for :func:`parlons.normalize.handle` of ``value`` on ``platform`` (null when empty)."""
    v = f"trim({value})"
    if platform == "x":
        return f"nullif(ltrim({v}, '@'), '')"
    if platform == "bluesky":
        return f"nullif(lower(ltrim({v}, '@')), '')"
    if platform != "mastodon":
        return f"nullif({v}, '')"
    user = f"split_part(ltrim({v}, '@'), '@', 1)"
    host = f"lower(split_part(ltrim({v}, '@'), '@', 2))"
    url_user = (f"ltrim(regexp_extract(rtrim(regexp_extract({v}, '^https?://[^/?#]*([^?#]*)', 1), '/'), "
                f"'([^/]*)$', 1), '@')")
    url_host = f"lower(regexp_extract({v}, '^https?://(?:[^@/?#]*@)?([^/:?#]+)', 1))"
    return (f"nullif(CASE WHEN {v} = '' THEN '' "
            f"WHEN regexp_matches({v}, '^https?://') THEN '@' || {url_user} || '@' || {url_host} "
            f"WHEN {host} <> '' THEN '@' || {user} || '@' || {host} ELSE '@' || {user} END, '')")


def _extract(text: str, marker: str, pattern: str) -> str:
    """Matches of ``pattern`` in ``text`` without what precedes ``marker`` (run only if it occurs)."""
    found = f"regexp_extract_all({text}, {sql_string(pattern)})"
    if marker != "://":
        found = f"list_transform({found}, lambda m: m[CASE WHEN m[1] = '{marker}' AND m[2] <> '{marker}' " \
                f"THEN 2 ELSE 3 END:])"
    return f"CASE WHEN contains({text}, '{marker}') THEN {found} ELSE [] END"


def sql_mentions(text: str, platform: str = "x") -> str:
    """Handles mentioned in ``text``, as :func:`parlons.normalize.mentions_in` (repeats kept).

    ``text`` must not be null; wrap the result's column in :func:`sql_unique`.
    """
    raw = _extract(text, "@", MENTION_RE)
    if platform in ("x", "generic"):
        return raw
    return f"list_transform({raw}, lambda h: {sql_handle('h', platform)})"


def sql_hashtags(text: str) -> str:
    """Hashtags in ``text`` without ``#``, as :func:`parlons.normalize.hashtags_in` (repeats kept)."""
    return _extract(text, "#", HASHTAG_RE)


def sql_urls(text: str) -> str:
    """Links written in ``text``, as :func:`parlons.normalize.urls_in` (repeats kept)."""
    return _extract(text, "://", URL_RE)


def sql_time(value: str) -> str:
    """A TIMESTAMPTZ from ISO 8601, epoch seconds or milliseconds, or the X/RFC 822 styles.

    Epoch rule: a number of 1e11 or more (12 digits) is milliseconds, a smaller one seconds
    (fractions allowed). Needs the session time zone set to UTC (naive times are UTC).
    """
    v = f"trim({value})"
    number = f"TRY_CAST({v} AS DOUBLE)"
    micros = f"round({number} * CASE WHEN abs({number}) >= 1e11 THEN 1000 ELSE 1000000 END)"
    epoch = (f"CASE WHEN regexp_full_match({v}, '-?[0-9]{{1,16}}(\\.[0-9]+)?') "
             f"THEN try(make_timestamp({micros}::BIGINT)::TIMESTAMPTZ) END")
    formats = ", ".join(f"try_strptime({v}, {sql_string(f)})" for f in _TIME_FORMATS)
    return f"coalesce(try_cast({value} AS TIMESTAMPTZ), {epoch}, {formats})"


def sql_list(value: str) -> str:
    """A VARCHAR[] from a JSON array, a DuckDB list literal or a comma/space separated string."""
    v = f"trim({value})"
    split = f"list_filter(regexp_split_to_array({v}, '[,\\s]+'), lambda s: s <> '')"
    return (f"CASE WHEN {v} IS NULL THEN NULL "
            f"WHEN starts_with({v}, '[') THEN coalesce(try(from_json({v}, '[\"VARCHAR\"]')), "
            f"try_cast({v} AS VARCHAR[]), {split}) ELSE {split} END")


def stream_checked(con: duckdb.DuckDBPyConnection, sql: str, member: Member, ctx: ReadContext,
                   unlocated: list[int] | None = None) -> Iterator[pa.RecordBatch]:
    """Stream a query of the canonical columns plus ``problem``: rows with a problem are skipped.

    Each skipped row is counted under its problem, with its ``source_record`` as the example;
    rows without a ``source_record`` are only counted in ``unlocated[0]``, for the caller to
    find (and count) in a second pass.
    """
    reader = con.sql(sql).to_arrow_reader(BATCH_ROWS)
    for batch in reader:
        problem = batch.column("problem")
        if problem.null_count < batch.num_rows:
            bad = batch.filter(pc.is_valid(problem))
            for reason, record in zip(bad.column("problem").to_pylist(),
                                      bad.column("source_record").to_pylist(), strict=True):
                if record is None and unlocated is not None:
                    unlocated[0] += 1
                else:
                    ctx.skip(member, record, reason)
            batch = batch.filter(pc.is_null(problem))
        if batch.num_rows:
            batch = batch.select(ROW_SCHEMA.names)
            yield batch.cast(ROW_SCHEMA) if batch.schema != ROW_SCHEMA else batch


# --- CSV numbering: pass 1 ----------------------------------------------------------------

_REJECTS = {"TOO MANY COLUMNS": "CSV row with too many fields",
            "MISSING COLUMNS": "CSV row with too few fields",
            "UNQUOTED VALUE": "CSV row with a stray or unterminated quote",
            "LINE SIZE OVER MAXIMUM": "CSV row longer than 8 MB",
            "INVALID ENCODING": "CSV row that is not valid UTF-8",
            "INVALID UNICODE": "CSV row that is not valid UTF-8"}


def index_csv(con: duckdb.DuckDBPyConnection, number: int, read: str, columns: Sequence[str],
              first_line: int, extra: str = "") -> list[tuple[int, str]]:
    """Pass 1 over one CSV member: number its records in table ``csv_index``, return rejected rows.

    ``read`` is a ``read_csv(...)`` call without rejects options; ``number`` identifies the member
    in ``csv_index (m, rn, line, after{extra})``: ``rn`` is the record's rank in file order
    (``row_number() OVER ()`` streams in file order, on one thread: keep this pass light),
    ``line`` its physical first line, quoted line breaks counted. Returns ``(line, reason)`` for
    each row DuckDB rejected. A second, parallel pass joins ``line`` back by a key column.
    """
    breaks = " + ".join(f"coalesce(strlen({c}) - strlen(replace({c}, chr(10), '')), 0)"
                        for c in map(_quote, columns))
    scan = read[:-1] + f", store_rejects = true, rejects_table = 'rejects_{number}', " \
                       f"rejects_scan = 'scans_{number}')"
    select = f"""
      SELECT {number} AS m, rn, {first_line} + through - span AS line, {first_line} + through AS after{extra}
      FROM (SELECT *, row_number() OVER () AS rn,
                   sum(span) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS through
            FROM (SELECT *, 1 + {breaks} AS span FROM {scan}))"""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'csv_index'").fetchall()
    con.execute(f"INSERT INTO csv_index {select}" if exists[0][0] else
                f"CREATE TEMP TABLE csv_index AS {select}")
    return _rejected(con, number, first_line)


def _rejected(con: duckdb.DuckDBPyConnection, number: int, first_line: int) -> list[tuple[int, str]]:
    """Physical lines of the rows DuckDB rejected; the following records' lines are shifted."""
    con.execute(f"""
      CREATE OR REPLACE TEMP TABLE rejected AS
      WITH r AS (SELECT line AS rec, min(error_type)::VARCHAR AS kind,
                        rtrim(min(csv_line), chr(13) || chr(10)) AS raw
                 FROM rejects_{number} GROUP BY line),
      k AS (SELECT rec, kind, rec - 1 - row_number() OVER (ORDER BY rec) AS good_before,
                   1 + length(raw) - length(replace(raw, chr(10), '')) AS span FROM r)
      SELECT *, coalesce(sum(span) OVER (ORDER BY rec ROWS BETWEEN UNBOUNDED PRECEDING
                                                       AND 1 PRECEDING), 0) AS spans_before FROM k""")
    found = con.execute(f"""
      SELECT coalesce(i.after, {first_line}) + r.spans_before AS line, r.kind
      FROM rejected r LEFT JOIN csv_index i ON i.m = {number} AND i.rn = r.good_before
      ORDER BY r.rec""").fetchall()
    if found:
        con.execute(f"""
          UPDATE csv_index SET line = csv_index.line + a.extra FROM (
            SELECT i.rn, r.extra FROM (FROM csv_index WHERE m = {number}) i
            ASOF JOIN (SELECT good_before, max(spans_before + span) AS extra
                       FROM rejected GROUP BY good_before) r ON i.rn > r.good_before) a
          WHERE csv_index.m = {number} AND csv_index.rn = a.rn""")
    return [(int(line), _REJECTS.get(kind, f"CSV row DuckDB rejected ({kind.lower()})"))
            for line, kind in found]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- Mapping ---------------------------------------------------------------------------------

REQUIRED = ("post_id", "created_at", "text", "account")
LISTS = ("mentions", "hashtags", "urls", "media_kinds")
COUNTS = ("like_count", "repost_count", "reply_count", "quote_count")
HANDLES = ("account", "in_reply_to_account", "repost_of_account")
FIELDS = tuple(n for n in ROW_SCHEMA.names if n not in ("platform", "source_member", "source_record"))


def resolve_mapping(mapping: Mapping[str, str], found: Sequence[str], account: str | None,
                    member: Member) -> dict[str, str]:
    """The mapping completed with same-name columns; MappingError when a required field is missing."""
    if "platform" in mapping:
        raise MappingError("the platform is not a column: give it with --platform")
    resolved = {f: f for f in FIELDS if f in found and f not in mapping}
    resolved.update(mapping)
    missing = [f for f in REQUIRED if f not in resolved and not (f == "account" and account)]
    if missing:
        raise MappingError(
            f"{member.name}: no column for the required field(s) {', '.join(missing)}. "
            f"Required: {', '.join(REQUIRED)} (account may come from --account). Columns found: "
            f"{', '.join(found) or 'none'}. Map them with --map FIELD=COLUMN or --mapping-file.")
    return resolved


def _platform(ctx: ReadContext) -> str:
    platform = ctx.options.platform or "generic"
    if platform not in PLATFORMS:
        raise UsageError(f"unknown platform {platform!r}; choose one of {', '.join(PLATFORMS)}")
    return platform


def _value(field: str, platform: str) -> str:
    """The canonical column ``field`` from the raw text column of the same name in CTE ``r``."""
    raw = f"r.{_quote(field)}"
    if field in HANDLES:
        return sql_handle(raw, platform)
    if field == "mentions":
        return f"list_transform(coalesce({sql_list(raw)}, []), lambda h: {sql_handle('h', platform)})"
    if field in LISTS:
        return f"coalesce({sql_list(raw)}, [])"
    if field in COUNTS:
        return f"TRY_CAST(trim({raw}) AS BIGINT)"
    if field == "media_count":
        return f"TRY_CAST(trim({raw}) AS INTEGER)"
    if field == "created_at":
        return sql_time(raw)
    if field == "text":
        return f"CASE WHEN contains({raw}, chr(13)) THEN replace({raw}, chr(13) || chr(10), chr(10)) " \
               f"ELSE coalesce({raw}, '') END"
    return f"nullif(trim({raw}), '')"


def valid_sql(mapped: set[str]) -> str:
    """True for the rows :func:`shape_sql` finds no problem with (cheaper than ``problem IS NULL``)."""
    kinds = ", ".join(sql_string(k) for k in KINDS)
    return ("bad IS NULL AND post_id IS NOT NULL AND account IS NOT NULL AND created_at IS NOT NULL"
            + (f" AND kind IN ({kinds})" if "kind" in mapped else ""))


def _kind(mapped: set[str]) -> str:
    """``kind``: the mapped value (``retweet`` read as repost), else from the ids that are set."""
    rules = " ".join(f"WHEN {c} IS NOT NULL THEN '{k}'" for c, k in (
        ("in_reply_to_id", "reply"), ("repost_of_id", "repost"), ("quote_of_id", "quote")) if c in mapped)
    default = f"CASE {rules} ELSE 'original' END" if rules else "'original'"
    if "kind" not in mapped:
        return default
    return f"coalesce(CASE WHEN given_kind = 'retweet' THEN 'repost' ELSE given_kind END, {default})"


def _columns(mapped: set[str], platform: str, account: str | None) -> dict[str, str]:
    """SQL of each canonical column (but ``kind``) from the raw text columns of CTE ``r``."""
    text = "coalesce(r.text, '')"
    derived = {"mentions": sql_mentions(text, platform), "hashtags": sql_hashtags(text), "urls": sql_urls(text)}
    columns = {"platform": sql_string(platform)}
    for field in FIELDS:
        if field in mapped:
            columns[field] = _value(field, platform)
        else:
            columns[field] = derived.get(field, "NULL")
    if account:
        fallback = sql_handle(sql_string(account), platform)
        columns["account"] = f"coalesce({columns['account']}, {fallback})" if "account" in mapped else fallback
    columns["kind"] = "nullif(lower(trim(r.kind)), '')" if "kind" in mapped else "NULL"
    return columns


def shape_sql(raw: str, mapped: set[str], platform: str, account: str | None) -> str:
    """The canonical columns plus ``problem`` from the raw query ``raw`` (text columns named by field)."""
    columns = _columns(mapped, platform, account)
    select = ", ".join(f"{sql} AS {_quote('given_kind' if f == 'kind' else f)}" for f, sql in columns.items())
    kinds = ", ".join(sql_string(k) for k in KINDS)
    check_kind = (f"WHEN kind NOT IN ({kinds}) THEN 'kind is not one of {', '.join(KINDS)}'"
                  if "kind" in mapped else "")
    return f"""
      WITH r AS ({raw}),
      s AS (SELECT {select}, source_member, source_record, bad, r.created_at AS raw_time FROM r),
      k AS (SELECT * EXCLUDE (given_kind, mentions, hashtags, urls), {_kind(mapped)} AS kind,
                   {sql_unique("mentions")} AS mentions, {sql_unique("hashtags")} AS hashtags,
                   {sql_unique("urls")} AS urls FROM s)
      SELECT * EXCLUDE (raw_time),
        CASE WHEN bad IS NOT NULL THEN bad
             WHEN post_id IS NULL THEN 'missing post_id'
             WHEN account IS NULL THEN 'missing account'
             WHEN raw_time IS NULL OR trim(raw_time) = '' THEN 'missing created_at'
             WHEN created_at IS NULL THEN 'unreadable created_at'
             {check_kind} END AS problem
      FROM k"""


# --- The importers ---------------------------------------------------------------------------


class _Generic(Importer):
    auto = False
    platform = "generic"

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch | SqlQuery]:
        platform = _platform(ctx)
        if ctx.options.account:
            ctx.account(members[0], platform=platform, is_owner=True,
                        account=_python_handle(ctx.options.account, platform))
        for member in members:
            yield from self._read_member(member, ctx, platform)

    @abstractmethod
    def _read_member(self, member: Member, ctx: ReadContext,
                     platform: str) -> Iterator[pa.RecordBatch | SqlQuery]:
        """The rows of one member."""


class GenericJsonlImporter(_Generic):
    """JSON lines through ``read_json`` (mapped top-level keys as VARCHAR), run by the store.

    ``source_record`` is the post id. Rows with a problem are left out of the query; when fewer
    rows were stored than the file has non-blank lines, a second pass over the lines finds each
    skipped record's line and reason.
    """

    name = "generic-jsonl"
    description = "Any JSON lines file of posts, with a key mapping (--map FIELD=KEY, dotted paths)"
    example = "posts.jsonl --format generic-jsonl --map post_id=id --map text=body ..."

    def detect(self, member: Member) -> bool:
        """Only asked for with ``--format`` on a folder or zip: members that start with ``{``."""
        return member.head_text(1024).lstrip().startswith("{")

    def _read_member(self, member: Member, ctx: ReadContext,
                     platform: str) -> Iterator[pa.RecordBatch | SqlQuery]:
        keys = _first_record_keys(member)
        mapping = resolve_mapping(ctx.options.mapping, keys, ctx.options.account, member)
        absent = sorted(k for k in mapping.values() if k not in keys)
        if keys and absent:
            ctx.note(f"{member.name}: key(s) {', '.join(absent)} not in the first record")
        raw = f"""
          SELECT {_json_values(mapping)}, {sql_string(member.name)} AS source_member,
                 nullif(trim({_json_value(mapping["post_id"])}), '') AS source_record, NULL AS bad
          FROM {_read_json(member, mapping)} j"""
        shaped = shape_sql(raw, set(mapping), platform, ctx.options.account)
        lines, before = _content_lines(member), ctx.rows_read
        yield SqlQuery(f"SELECT * EXCLUDE (problem, bad) FROM ({shaped}) WHERE {valid_sql(set(mapping))}", {},
                       (member,))
        if ctx.rows_read - before < lines:
            _explain_skips(member, mapping, platform, ctx, ctx.rows_read - before)


_UTF8 = (r"(?:[\x00-\x7F]|[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}"
         r"|\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}"
         r"|\xF4[\x80-\x8F][\x80-\xBF]{2})*")
"""Valid UTF-8, as the bytes of a line read as Latin-1 (one character per byte)."""


def _explain_skips(member: Member, mapping: Mapping[str, str], platform: str, ctx: ReadContext,
                   stored: int) -> None:
    """Count the records left out, each with its line and reason (a pass over the lines).

    The lines are read as Latin-1, so that a line that is not UTF-8 is a record like the others
    (JSON syntax and the values that decide a problem are ASCII).
    """
    pointers = ", ".join(sql_string(_pointer(path)) for path in mapping.values())
    values = ", ".join(f"v[{i}] AS {_quote(f)}" for i, f in enumerate(mapping, 1))
    raw = f"""
      SELECT {values}, '' AS source_member, n::VARCHAR AS source_record,
        CASE WHEN trim(line) = '' THEN 'blank' WHEN NOT regexp_full_match(line, {sql_string(_UTF8)})
             THEN 'line is not valid UTF-8' WHEN v IS NULL THEN 'line is not valid JSON'
             WHEN NOT starts_with(ltrim(line), '{{') THEN 'line is not a JSON object' END AS bad
      FROM (SELECT n, line, try(json_extract_string(line, [{pointers}])) AS v
            FROM (SELECT row_number() OVER () AS n, line FROM {_lines(member)})
            WHERE line IS NOT NULL)"""
    con = _private()
    found = con.execute(f"SELECT source_record::BIGINT AS n, problem FROM "
                        f"({shape_sql(raw, set(mapping), platform, ctx.options.account)}) "
                        "WHERE problem IS NOT NULL ORDER BY n").fetchall()
    for line, problem in found:
        if problem != "blank":
            ctx.skip(member, f"line {line}", problem)
    lines = con.execute(f"SELECT count(*) FROM {_lines(member)} WHERE line IS NOT NULL").fetchall()
    unexplained = lines[0][0] - stored - len(found)
    if unexplained > 0:
        ctx.skipped["record DuckDB's JSON reader left out"] += unexplained


def _content_lines(member: Member) -> int:
    """At least the number of non-blank lines (exact unless blank lines run or hold spaces)."""
    lines = empty = 0
    last = b"\n"
    with open(member.local_path(), "rb") as stream:
        while chunk := stream.read(16 * 1024 * 1024):
            lines += chunk.count(b"\n")
            empty += chunk.count(b"\n\n") + (chunk[:1] == b"\n" and last == b"\n")
            last = chunk[-1:]
    return lines - empty + (last != b"\n")


def _private() -> duckdb.DuckDBPyConnection:
    con = connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def _json_value(path: str) -> str:
    """The text at a dotted key path of the record ``j`` (top-level keys are read_json columns)."""
    root, _, rest = path.partition(".")
    column = f"j.{_quote(root)}"
    return f"try(json_extract_string({column}, {sql_string(_pointer(rest))}))" if rest else column


def _json_values(mapping: Mapping[str, str]) -> str:
    return ", ".join(f"{_json_value(path)} AS {_quote(field)}" for field, path in mapping.items())


def _read_json(member: Member, mapping: Mapping[str, str]) -> str:
    """``read_json`` of the mapped top-level keys as VARCHAR (objects as JSON text, ids exact).

    With ``ignore_errors`` a line that is not a JSON object comes out as a row of nulls.
    """
    roots = dict.fromkeys(path.partition(".")[0] for path in mapping.values())
    columns = ", ".join(f"{sql_string(root)}: 'VARCHAR'" for root in roots)
    return (f"read_json({sql_string(str(member.local_path()))}, format = 'newline_delimited', "
            f"columns = {{{columns}}}, ignore_errors = true)")


def _lines(member: Member) -> str:
    """The member's lines read as Latin-1, one VARCHAR column ``line`` (blank lines are NULL), in order."""
    return (f"read_csv({sql_string(str(member.local_path()))}, columns = {{'line': 'VARCHAR'}}, "
            "header = false, auto_detect = false, delim = chr(1) || chr(2), quote = '', "
            "escape = '', strict_mode = false, max_line_size = 8388608, encoding = 'latin-1')")


class GenericCsvImporter(_Generic):
    name = "generic-csv"
    description = "Any CSV file of posts with a header row, with a column mapping (--map FIELD=COLUMN)"
    example = "posts.csv --format generic-csv --map post_id=id --map text=message ..."

    def detect(self, member: Member) -> bool:
        """Only asked for with ``--format`` on a folder or zip: ``.csv``/``.tsv`` members."""
        return member.name.lower().endswith((".csv", ".tsv"))

    def _read_member(self, member: Member, ctx: ReadContext,
                     platform: str) -> Iterator[pa.RecordBatch | SqlQuery]:
        con, number = _private(), 0
        read, columns = csv_scan(member)
        mapping = resolve_mapping(ctx.options.mapping, columns, ctx.options.account, member)
        unknown = sorted(c for c in mapping.values() if c not in columns)
        if unknown:
            raise MappingError(f"{member.name}: no column named {', '.join(unknown)}; "
                               f"columns found: {', '.join(columns)}")
        key = f"nullif(trim({_quote(mapping['post_id'])}), '')"
        self._index(con, number, member, read, columns, key, ctx)
        values = ", ".join(f"t.{_quote(c)} AS {_quote(f)}" for f, c in mapping.items())
        raw = f"""
          SELECT {values}, {sql_string(member.name)} AS source_member, l.line::VARCHAR AS source_record,
                 NULL AS bad
          FROM (SELECT *, {key} AS csv_key FROM {read[:-1]}, ignore_errors = true) WHERE csv_key IS NOT NULL) t
          JOIN csv_lines l ON l.m = {number} AND l.key = t.csv_key"""
        yield from stream_checked(con, shape_sql(raw, set(mapping), platform, ctx.options.account), member, ctx)

    def _index(self, con: duckdb.DuckDBPyConnection, number: int, member: Member, read: str,
               columns: list[str], key: str, ctx: ReadContext) -> None:
        """Pass 1: line numbers, rejected rows and rows without a post id; table csv_lines."""
        for line, reason in index_csv(con, number, read, columns, 2, f", {key} AS key"):
            ctx.skip(member, line, reason)
        for (line,) in con.execute(f"SELECT line FROM csv_index WHERE m = {number} AND key IS NULL "
                                   "ORDER BY line").fetchall():
            ctx.skip(member, line, "missing post_id")
        con.execute(f"CREATE OR REPLACE TEMP TABLE csv_lines AS SELECT m, key, min(line) AS line "
                    f"FROM csv_index WHERE m = {number} AND key IS NOT NULL GROUP BY m, key")
        con.execute("DROP TABLE csv_index")


def csv_scan(member: Member) -> tuple[str, list[str]]:
    """The ``read_csv`` call for a CSV with a header row (all VARCHAR, RFC 4180 quotes) and its columns.

    The delimiter is the most frequent of ``, ; tab |`` in the header line (DuckDB's sniffer can
    be misled by one bad row in its sample); names are the header's, repeats numbered.
    """
    header = (member.head_text(65536).splitlines() or [""])[0]
    delimiter = max(",;\t|", key=header.count)
    names: list[str] = []
    for name in next(csv.reader([header], delimiter=delimiter), []):
        names.append(name if name not in names else f"{name}_{len(names) + 1}")
    columns = ", ".join(f"{sql_string(n)}: 'VARCHAR'" for n in names)
    return (f"read_csv({sql_string(str(member.local_path()))}, columns = {{{columns}}}, header = true, "
            f"auto_detect = false, delim = {sql_string(delimiter)}, quote = '\"', escape = '\"', "
            "strict_mode = true, max_line_size = 8388608)"), names


def _first_record_keys(member: Member) -> list[str]:
    """Keys of the first non-blank line, nested objects as dotted paths ([] when unreadable)."""
    with open(member.local_path(), "rb") as stream:
        for line in stream:
            if line.strip():
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError:
                    return []
                return _paths(record, "") if isinstance(record, dict) else []
    return []


def _paths(record: dict[str, object], prefix: str) -> list[str]:
    found: list[str] = []
    for key, value in record.items():
        found.append(prefix + key)
        if isinstance(value, dict):
            found.extend(_paths(value, f"{prefix}{key}."))
    return found


def _pointer(path: str) -> str:
    """A JSON pointer for a dotted key path (``user.screen_name`` -> ``/user/screen_name``)."""
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in path.split("."))


def _python_handle(value: str, platform: str) -> str:
    from ..normalize import handle

    return handle(platform, value) or value


IMPORTERS: tuple[Importer, ...] = (GenericJsonlImporter(), GenericCsvImporter())
IMPORTER = IMPORTERS[0]
"""The registry loads every importer of :data:`IMPORTERS`; ``IMPORTER`` is the first."""
