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
``read_json`` of the mapped top-level keys as VARCHAR (or as a STRUCT of the nested keys mapped),
as a :class:`SqlQuery` the store runs straight into staging; ``source_record`` is the post id.
When fewer posts were stored than the file has non-blank lines, a second pass over the lines
counts each skipped record with its line and reason.

The SQL building blocks (entities from text, timestamps, handles, lists), the CSV numbering pass
and the streaming of checked rows are shared with other vectorized importers, in
:mod:`parlons.importers._duck`.
"""

from __future__ import annotations

import threading
from abc import abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import duckdb
import numpy as np
import orjson
import pyarrow as pa

from ..errors import MappingError, UsageError
from ..model import KINDS, PLATFORMS
from ..sources import Member
from ._base import ROW_SCHEMA, Importer, ReadContext, SqlQuery
from ._duck import (
    connect,
    csv_scan,
    index_csv,
    long_csv_records,
    sql_handle,
    sql_hashtags,
    sql_list,
    sql_mentions,
    sql_name,
    sql_string,
    sql_time,
    sql_unique,
    sql_urls,
    stream_checked,
    with_rejects,
)

__all__ = ["IMPORTER", "IMPORTERS", "GenericCsvImporter", "GenericJsonlImporter"]

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
    raw = f"r.{sql_name(field)}"
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


def kept_sql(shaped: str, mapped: set[str]) -> str:
    """The rows of :func:`shape_sql` without a problem, each value computed once.

    A plain ``WHERE`` on the shaped columns is pushed by DuckDB below the projection that computes
    them, where it computes the id, the account and the time a second time (the time parse is the
    dearest of the row's values): 0.5 CPU-seconds of 2.4 for 1 M posts. The filter is instead on a
    column DuckDB cannot push down, as it is volatile: ``random()``, which is only evaluated for the
    rows already found to have a problem (``OR`` evaluates its right side only where the left is false),
    and never turns such a row into a kept one.
    """
    return (f"SELECT * EXCLUDE (problem, bad, parlons_keep) FROM ("
            f"SELECT *, ({valid_sql(mapped)}) OR random() < 0 AS parlons_keep FROM ({shaped})) WHERE parlons_keep")


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
    select = ", ".join(f"{sql} AS {sql_name('given_kind' if f == 'kind' else f)}" for f, sql in columns.items())
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
        roots = _roots(mapping)
        raw = f"""
          SELECT {_json_values(mapping, roots)}, {sql_string(member.name)} AS source_member,
                 nullif(trim({_json_value(mapping["post_id"], roots)}), '') AS source_record, NULL AS bad
          FROM {_read_json(member, roots)} j"""
        shaped = shape_sql(raw, set(mapping), platform, ctx.options.account)
        before = ctx.rows_read
        lines = LineCount(member.local_path())
        try:
            yield SqlQuery(kept_sql(shaped, set(mapping)), {}, (member,),
                           paths={member.local_path(): member}, ordered=False, reread=True)
            stored = ctx.rows_read - before
            if stored < lines.result() and stored < _content_lines(member):
                _explain_skips(member, mapping, platform, ctx, stored)
        finally:
            lines.stop()


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
    values = ", ".join(f"v[{i}] AS {sql_name(f)}" for i, f in enumerate(mapping, 1))
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


class LineCount:
    """The number of lines of a file, blank ones included (at least :func:`_content_lines`, in half
    its time), counted on a thread of its own while the store runs the member's query.

    Counted after the query, it added its 0.15-0.2 s to every import of 1 M posts (360 MB). The
    thread only reads the file; :meth:`stop` ends it early (the import failed or was interrupted).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: int | None = None
        self.error: BaseException | None = None
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._count, name="parlons-line-count", daemon=True)
        self.thread.start()

    def _count(self) -> None:
        """Read into one buffer, counted by numpy: 0.11 CPU-s for 360 MB, against 0.18-0.24 with
        ``bytes.count`` on a new chunk each time (CPU taken from the store's query, which runs meanwhile)."""
        buffer = bytearray(1 << 20)
        array = np.frombuffer(buffer, dtype=np.uint8)
        lines, last = 0, ord("\n")
        try:
            with open(self.path, "rb", buffering=0) as stream:
                while not self.stopped.is_set() and (size := stream.readinto(buffer)):
                    lines += int(np.count_nonzero(array[:size] == ord("\n")))
                    last = buffer[size - 1]
        except BaseException as exc:  # raised again on the reading thread by result()
            self.error = exc
            return
        self.lines = lines + (last != ord("\n"))

    def result(self) -> int:
        """The count (waits for it); raises what the count raised."""
        self.thread.join()
        if self.error is not None:
            raise self.error
        if self.lines is None:
            raise RuntimeError("the line count was stopped")
        return self.lines

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()


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


Tree = dict[str, "Tree"]
"""The keys read below a top-level key, as nested dicts (``{}`` for a value read as text)."""


def _roots(mapping: Mapping[str, str]) -> dict[str, Tree | None]:
    """Each mapped top-level key: the tree of keys read below it as a STRUCT, or None (read as text).

    DuckDB's JSON reader takes a nested object apart as it parses the line when given its STRUCT
    type (keys matched exactly, as a JSON pointer does; a value that is not an object gives nulls
    below it, as the pointer does), instead of writing the object back as text for
    ``json_extract_string`` to parse again: 0.1-0.3 CPU-seconds less for 1 M posts with two nested
    keys. A top-level key mapped itself stays text, as does one with a path :func:`_add_path` refuses.
    """
    roots: dict[str, Tree | None] = {}
    for path in mapping.values():
        root, *keys = path.split(".")
        tree = roots.setdefault(root, {})
        if tree is not None and not (keys and _add_path(tree, keys)):
            roots[root] = None
    return roots


def _add_path(tree: Tree, keys: list[str]) -> bool:
    """Add a path of keys below a STRUCT; False for one a STRUCT cannot read as a JSON pointer does.

    Refused: an empty key, an all-digit one (a pointer reads it as an array index too), one that
    differs from another only by case (STRUCT fields are not told apart by case), and a key read
    both as text and as an object with keys below it.
    """
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        if not key or key.isdigit():
            return False
        if key not in tree:
            if key.lower() in {known.lower() for known in tree}:
                return False
            tree[key] = {}
        elif (tree[key] == {}) != last:
            return False
        tree = tree[key]
    return True


def _struct(tree: Tree) -> str:
    fields = ", ".join(f"{sql_name(key)} {_struct(below) if below else 'VARCHAR'}" for key, below in tree.items())
    return f"STRUCT({fields})"


def _json_value(path: str, roots: Mapping[str, Tree | None]) -> str:
    """The text at a dotted key path of the record ``j`` (top-level keys are read_json columns)."""
    root, _, rest = path.partition(".")
    column = f"j.{sql_name(root)}"
    if not rest:
        return column
    if roots.get(root) is not None:
        return ".".join([column, *(sql_name(key) for key in rest.split("."))])
    return f"try(json_extract_string({column}, {sql_string(_pointer(rest))}))"


def _json_values(mapping: Mapping[str, str], roots: Mapping[str, Tree | None]) -> str:
    return ", ".join(f"{_json_value(path, roots)} AS {sql_name(field)}" for field, path in mapping.items())


def _read_json(member: Member, roots: Mapping[str, Tree | None]) -> str:
    """``read_json`` of the mapped top-level keys: as VARCHAR (objects as JSON text, ids exact), or
    as a STRUCT of the keys read below them (see :func:`_roots`), their values VARCHAR.

    With ``ignore_errors`` a line that is not a JSON object comes out as a row of nulls.
    """
    columns = ", ".join(f"{sql_string(root)}: {sql_string(_struct(tree) if tree else 'VARCHAR')}"
                        for root, tree in roots.items())
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
        key = f"nullif(trim({sql_name(mapping['post_id'])}), '')"
        self._index(con, number, member, read, columns, key, ctx)
        values = ", ".join(f"t.{sql_name(c)} AS {sql_name(f)}" for f, c in mapping.items())
        scan = with_rejects(read, f"shape_rejects_{number}", f"shape_scans_{number}")  # read on past a bad row
        raw = f"""
          SELECT {values}, {sql_string(member.name)} AS source_member, l.line::VARCHAR AS source_record,
                 NULL AS bad
          FROM (SELECT *, {key} AS csv_key FROM {scan} WHERE csv_key IS NOT NULL) t
          JOIN csv_lines l ON l.m = {number} AND l.key = t.csv_key"""
        yield from stream_checked(con, shape_sql(raw, set(mapping), platform, ctx.options.account), member, ctx)

    def _index(self, con: duckdb.DuckDBPyConnection, number: int, member: Member, read: str,
               columns: list[str], key: str, ctx: ReadContext) -> None:
        """Pass 1: line numbers, rejected rows and rows without a post id; table csv_lines."""
        long = long_csv_records(member.local_path())
        for line, reason in index_csv(con, number, read, columns, 2, f", {key} AS key", long):
            ctx.skip(member, line, reason)
        for (line,) in con.execute(f"SELECT line FROM csv_index WHERE m = {number} AND key IS NULL "
                                   "ORDER BY line").fetchall():
            ctx.skip(member, line, "missing post_id")
        con.execute(f"CREATE OR REPLACE TEMP TABLE csv_lines AS SELECT m, key, min(line) AS line "
                    f"FROM csv_index WHERE m = {number} AND key IS NOT NULL GROUP BY m, key")
        con.execute("DROP TABLE csv_index")


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
