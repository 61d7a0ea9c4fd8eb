"""Safe XML for importers of XML written by strangers (WordPress WXR exports, RSS and Atom feeds).

Documents are parsed without fetching anything, loading no DTD and leaving entity references
unexpanded; a document that declares entities (XXE, "billion laughs") is refused with an
:class:`InputError`, as is one that is not well-formed. Big files are read as a stream of elements
(:func:`xml_elements`), small ones whole (:func:`parse_document`); :func:`root_tag` tells a
document's root element from its first characters, for detection.

Four slips common in real feeds are forgiven, each without weakening the above: blank lines or a
byte-order mark before ``<?xml`` are dropped (:func:`_chunks`), HTML's named characters
(``&hellip;``) become the characters they name from a fixed table and a bare ``&`` is read as
itself (:class:`HtmlEntities`), and well-known module prefixes used without a declaration
(``content:encoded``) are declared on the root element (:data:`KNOWN_PREFIXES`).
"""

from __future__ import annotations

import codecs
import html.entities
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from lxml import etree

from ..errors import InputError
from ..sources import Member

__all__ = ["ENTITIES_REFUSED", "parse_document", "root_tag", "xml_elements"]

PROLOG = re.compile(r"\s*(<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(\[.*?\])?\s*>)", re.DOTALL)
ROOT = re.compile(r"\s*<([A-Za-z_][\w.:-]*)")
CHUNK = 1024 * 1024
LEADING_BYTES = b"\xef\xbb\xbf \t\r\n"
LEADING_TEXT = "\ufeff \t\r\n"
ENTITY_REF = re.compile(r"&([A-Za-z][A-Za-z0-9]{0,31});")
ENTITY_REF_BYTES = re.compile(rb"&([A-Za-z][A-Za-z0-9]{0,31});")
BARE_AMP = r"&(?!#[0-9]{1,8};|#[xX][0-9a-fA-F]{1,8};|[A-Za-z][A-Za-z0-9]{0,31};)"
BARE_AMP_TEXT, BARE_AMP_BYTES = re.compile(BARE_AMP), re.compile(BARE_AMP.encode("ascii"))
XML_ENTITIES = frozenset({"lt", "gt", "amp", "quot", "apos"})
HTML_ENTITIES = {name[:-1]: "".join(f"&#{ord(c)};" for c in value)
                 for name, value in html.entities.html5.items() if name.endswith(";")}
KNOWN_PREFIXES = {
    "content": "http://purl.org/rss/1.0/modules/content/", "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/", "wfw": "http://wellformedweb.org/CommentAPI/",
    "slash": "http://purl.org/rss/1.0/modules/slash/", "atom": "http://www.w3.org/2005/Atom",
    "thr": "http://purl.org/syndication/thread/1.0", "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "media": "http://search.yahoo.com/mrss/", "sy": "http://purl.org/rss/1.0/modules/syndication/",
    "georss": "http://www.georss.org/georss", "feedburner": "http://rssnamespace.org/feedburner/ext/1.0",
}
"""Prefixes feeds use without declaring them (a template's slip), bound as their modules define."""
ROOT_TAG = re.compile(r"""\s*<[A-Za-z_][\w.:-]*(?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")
HIGH_RUN = re.compile(rb"[\x80-\xff]+")
DECLARED_ENCODING = re.compile(r"""^\s*<\?xml[^>]*\bencoding\s*=""")
ENTITIES_REFUSED = ("the XML declares entities in a DTD; parlons refuses such documents "
                    "(entities can read local files or expand without bound)")


def _parser(tags: Sequence[str] | None) -> etree.XMLPullParser:
    """A parser that fetches nothing, loads no DTD and leaves entity references unexpanded."""
    return etree.XMLPullParser(events=("end",), tag=tags, resolve_entities=False, no_network=True,
                               load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True)


def xml_elements(member: Member, tags: Sequence[str] | None = None,
                 encoding: str | None = None) -> Iterator[etree._Element]:
    """The elements named ``tags`` (Clark notation) as each one ends, read as a stream.

    ``encoding`` overrides the member's (for a document that declares none and is not UTF-8).
    """
    _refuse_entities_in_prolog(member)
    parser, checked, entities = _parser(tags), False, HtmlEntities()
    try:
        for chunk in entities.replaced(_chunks(member, encoding)):
            parser.feed(chunk)
            for _event, element in parser.read_events():
                if isinstance(element, etree._Element):
                    checked = checked or _refuse_entities(member, element)
                    yield element
        parser.close()
    except etree.XMLSyntaxError as exc:
        if entities.declared:  # libxml2 stops an expansion beyond its bound, or a reference to one
            raise member.error(ENTITIES_REFUSED) from None
        if entities.unknown:  # the parser's own message is unreliable after an undefined entity
            raise member.error(f"is not well-formed XML: it uses the entity &{entities.unknown}; that "
                               f"neither XML nor HTML defines (the parser said: {exc.msg})") from None
        raise member.error(_syntax_message(exc)) from None
    except UnicodeDecodeError as exc:
        raise member.error(f"is not valid {exc.encoding.upper()} text (byte {exc.start} of a block); "
                           "the file is damaged or its encoding is not the one it declares") from None


def _chunks(member: Member, forced: str | None = None) -> Iterator[bytes | str]:
    """The member's content for the parser, without what comes before its first ``<``.

    Blank lines or spaces before ``<?xml`` are common in real feeds (a template's stray newline)
    and make the XML declaration illegal, so leading whitespace and byte-order marks are dropped.
    UTF-8 (or a declared single-byte encoding) is fed as bytes; UTF-16/32 with a byte-order mark
    is decoded here.
    """
    encoding = forced or member.encoding()
    with member.open() as stream:
        if encoding in ("utf-8", "utf-8-sig"):
            yield from _declared(_lstripped(iter(lambda: stream.read(CHUNK), b""), LEADING_BYTES))
        else:
            reader = codecs.getreader(encoding)(stream)
            yield from _declared(_lstripped(iter(lambda: reader.read(CHUNK), ""), LEADING_TEXT))


def _declared(chunks: Iterator[Any]) -> Iterator[Any]:
    """The chunks, the root element declaring the well-known feed prefixes the first chunk uses
    without declaring them (``<content:encoded>`` with no ``xmlns:content``), which XML refuses."""
    first = True
    for chunk in chunks:
        yield _declare_prefixes(chunk) if first else chunk
        first = False


def _declare_prefixes(chunk: Any) -> Any:
    text = chunk.decode("latin-1") if isinstance(chunk, bytes) else chunk
    position = 0
    while match := PROLOG.match(text, position):
        position = match.end()
    tag = ROOT_TAG.match(text, position)
    if tag is None:
        return chunk
    missing = [f' xmlns:{prefix}="{uri}"' for prefix, uri in KNOWN_PREFIXES.items()
               if f"<{prefix}:" in text and f"xmlns:{prefix}" not in tag.group(0)
               and f"xmlns:{prefix}" not in text[tag.end():]]
    if not missing:
        return chunk
    end = tag.end() - (2 if tag.group(0).endswith("/>") else 1)
    added = "".join(missing)
    if isinstance(chunk, bytes):
        return chunk[:end] + added.encode("ascii") + chunk[end:]
    return chunk[:end] + added + chunk[end:]


class HtmlEntities:
    """Replaces HTML's named character references (``&hellip;``, ``&nbsp;``) by numeric ones.

    Feeds often use them without declaring them (RSS 0.91 named a DTD that did): XML does not
    define them, so the document would be refused. Each name maps to fixed characters, so nothing
    expands or is fetched. XML's own five names and CDATA sections are left alone; unknown names
    are kept (the first one is remembered for the error message), and so is whether the document
    declares entities (the parser may stop on them before its DTD can be checked). An ``&`` that
    starts no reference (``Draft & Post``, ``?a=1&b=2``: Squarespace's WXR export writes them so)
    is the character itself, ``&amp;``. Chunks are cut before a possible reference or CDATA
    marker, which is held until the next chunk.
    """

    def __init__(self) -> None:
        self.unknown: str | None = None
        self.declared = False
        self.in_cdata = False

    def replaced(self, chunks: Iterator[Any]) -> Iterator[Any]:
        held: Any = None
        for chunk in chunks:
            out, held = self._scan(chunk if held is None else held + chunk, final=False)
            if out:
                yield out
        if held:
            yield self._scan(held, final=True)[0]

    def _scan(self, data: Any, *, final: bool) -> tuple[Any, Any]:
        def lit(text: str) -> Any:
            return text.encode("ascii") if isinstance(data, bytes) else text

        parts, position = [], 0
        while position < len(data):
            if self.in_cdata:
                end = data.find(lit("]]>"), position)
                if end == -1:
                    stop = len(data) if final else max(position, len(data) - 2)
                    parts.append(data[position:stop])
                    return data[:0].join(parts), data[stop:]
                parts.append(data[position:end + 3])
                position, self.in_cdata = end + 3, False
                continue
            start = data.find(lit("<![CDATA["), position)
            stop = len(data) if start != -1 or final else self._safe_end(data, position, lit)
            stop = start if start != -1 else stop
            parts.append(self._sub(data[position:stop]))
            if start == -1:
                return data[:0].join(parts), data[stop:]
            position, self.in_cdata = start, True
            parts.append(data[start:start + 9])
            position = start + 9
        return data[:0].join(parts), data[:0]

    @staticmethod
    def _safe_end(data: Any, position: int, lit: Callable[[str], Any]) -> int:
        """Where to cut so that no reference or ``<![CDATA[`` is split: before a late ``&`` or ``<``."""
        tail = max(position, len(data) - 40)
        cut = max(data.rfind(lit("&"), tail), data.rfind(lit("<"), tail))
        return cut if cut != -1 else len(data)

    def _sub(self, data: Any) -> Any:
        self.declared = self.declared or (b"<!ENTITY" if isinstance(data, bytes) else "<!ENTITY") in data
        if isinstance(data, bytes):
            named = ENTITY_REF_BYTES.sub(lambda m: self._numeric(m.group(1).decode("ascii")).encode("ascii"), data)
            return BARE_AMP_BYTES.sub(b"&amp;", named)
        return BARE_AMP_TEXT.sub("&amp;", ENTITY_REF.sub(lambda m: self._numeric(m.group(1)), data))

    def _numeric(self, name: str) -> str:
        if name in XML_ENTITIES:
            return f"&{name};"
        value = HTML_ENTITIES.get(name)
        if value is None:
            self.unknown = self.unknown or name
            return f"&{name};"
        return value


def _lstripped(chunks: Iterator[Any], leading: Any) -> Iterator[Any]:
    started = False
    for chunk in chunks:
        if not started:
            chunk = chunk.lstrip(leading)
            started = bool(chunk)
        if chunk:
            yield chunk


def parse_document(member: Member) -> etree._Element:
    """The whole document's root element (for small files such as feeds), parsed safely.

    A document that declares no encoding is UTF-8 by XML's rule; when its bytes are not UTF-8 (a
    feed whose server named the charset in its HTTP header only), it is read as Windows-1252, which
    decodes every byte, as feed readers do.
    """
    try:
        return _whole(member, None)
    except InputError as exc:
        if "Invalid bytes in character encoding" not in str(exc) or DECLARED_ENCODING.search(member.head_text(512)):
            raise
        if not _single_byte_text(member.head(CHUNK)):
            raise member.error("is not UTF-8 and declares no encoding, and its text is not in a Western "
                               "single-byte encoding either; re-save it as UTF-8 or declare its encoding") from None
    return _whole(member, "cp1252")


def _single_byte_text(data: bytes) -> bool:
    """True when the bytes above 127 stand mostly alone, as accented letters in Western text do;
    Cyrillic, Greek, Hebrew or Thai single-byte text and Asian multi-byte text come in runs."""
    runs = HIGH_RUN.findall(data)
    return bool(runs) and sum(map(len, runs)) <= 1.5 * len(runs)


def _whole(member: Member, encoding: str | None) -> etree._Element:
    root: etree._Element | None = None
    for element in xml_elements(member, encoding=encoding):
        root = element
    if root is None:
        raise member.error("the file holds no XML element")
    return root


def _refuse_entities_in_prolog(member: Member) -> None:
    head = member.head_text(65536)
    root = _root(head)
    if "<!ENTITY" in (head[: root.start()] if root else head):
        raise member.error(ENTITIES_REFUSED)


def _refuse_entities(member: Member, element: etree._Element) -> bool:
    dtd = element.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[attr-defined]
        raise member.error(ENTITIES_REFUSED)
    return True


def _syntax_message(exc: etree.XMLSyntaxError) -> str:
    line = f" at line {exc.lineno}" if exc.lineno else ""
    ended = "end of data" in exc.msg.lower() or "premature end" in exc.msg.lower()
    hint = "the file may be truncated" if ended else "the file is damaged or is not XML"
    return f"is not well-formed XML{line} ({exc.msg}); {hint}"


def root_tag(head: str) -> str | None:
    """The name of the root element in the first characters of an XML document, if any."""
    root = _root(head)
    return root.group(1) if root else None


def _root(head: str) -> re.Match[str] | None:
    position = 0
    while match := PROLOG.match(head, position):
        position = match.end()
    return ROOT.match(head, position)
