"""Strangers' texts, names and links cannot put script, handlers, styles or SVG into the report."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import lxml.html

from parlons.audit import AuditSettings, run_audit
from parlons.report import render_html
from parlons.report.safe import linked_text, safe_url
from parlons.store import Store

from .test_audit_responsiveness import build
from .test_report_scenario import post

T = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
PAYLOADS = [
    "<script>alert('x')</script> bonjour ?",
    '<img src=x onerror="alert(1)"> un souci',
    '<a href="javascript:alert(2)">cliquez</a> javascript:alert(3) ?',
    "<style>body { background: url(https://evil.example/track.png) }</style> merci",
    '<div style="background-image: url(https://evil.example/t.gif)">stylé</div> ?',
    '<svg onload="alert(4)"><script>alert(5)</script><foreignObject><iframe src="https://evil.example"></iframe>'
    "</foreignObject></svg> problème",
    '"><script>alert(6)</script><a href="data:text/html;base64,PHNjcmlwdD4=">x</a> http://ok.example/p?a=1&b="x"',
    "<math><mi xlink:href=\"javascript:alert(7)\">x</mi></math> <link rel=stylesheet href=https://evil.example/s.css>",
]
EVIL_AUTHOR = '<b onmouseover="alert(8)">evil</b>'
EVIL_PEER = "<svg/onload=alert(9)>"


def _rows() -> list[dict[str, Any]]:
    rows = []
    for i, text in enumerate(PAYLOADS):
        moment = T + timedelta(hours=i)
        rows.append(post(f"r{i}", EVIL_AUTHOR if i % 2 else f"user{i}", moment, f"@org {text}", mentions=["org"],
                         permalink="javascript:alert(10)" if i % 2 else f"https://x.example/u/status/r{i}"))
        rows.append(post(f"o{i}", "org", moment + timedelta(minutes=5), f"{text} (message {i})",
                         permalink='https://x.example/org/status/1" onclick="alert(11)', source="dlvr.it"))
        rows.append(post(f"p{i}", EVIL_PEER, moment, f"{text} peer {i}"))
    rows.append(post("end", "zoe", T + timedelta(days=5), "fin"))
    return rows


def _page(store: Store, tmp: Path, lang: str) -> lxml.html.HtmlElement:
    build(store, _rows(), tmp)
    audits = run_audit(store.con, ["org", EVIL_PEER], platform="x", settings=AuditSettings(min_n=1))
    return lxml.html.fromstring(render_html(audits, lang=lang))


def test_no_payload_survives(store: Store, tmp_path: Path) -> None:
    page = _page(store, tmp_path, "fr")
    assert page.cssselect("blockquote")  # the hostile posts are shown, as text
    assert not page.cssselect("script, iframe, object, embed, link, math, svg, foreignObject, base, form")
    assert len(page.cssselect("style")) == 1 and page.cssselect("style")[0].getparent().tag == "head"
    for element in page.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag != "style" or element.getparent().tag == "head"
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            assert name != "style", element.tag
            if name in ("href", "src", "xlink:href", "action", "formaction"):
                assert value.startswith(("https://", "http://", "data:image/svg+xml;base64,")), value
    for link in page.cssselect("a"):
        assert link.get("rel") == "noopener nofollow"
    assert "javascript:alert(10)" not in [a.get("href") for a in page.cssselect("a")]
    texts = " ".join(b.text_content() for b in page.cssselect("blockquote"))
    assert "<script>alert('x')</script>" in texts and "onerror" in texts  # shown as text, harmless
    assert "evil.example/track.png" in texts


def test_hostile_names_stay_text_in_tables_and_charts(store: Store, tmp_path: Path) -> None:
    page = _page(store, tmp_path, "en")
    assert EVIL_PEER in page.get_element_by_id("peers").text_content()
    assert EVIL_AUTHOR in " ".join(a.text_content() for a in page.cssselect(".author"))
    for img in page.cssselect("img"):
        svg = base64.b64decode(img.get("src").split(",", 1)[1]).decode("utf-8")
        tree = lxml.html.fromstring(svg.encode("utf-8"))
        assert not [e for e in tree.iter() if isinstance(e.tag, str) and e.tag.lower() in ("script", "foreignobject")]
        assert not [a for e in tree.iter() if isinstance(e.tag, str) for a in e.attrib if a.lower().startswith("on")]


def test_links_are_plain_http_links() -> None:
    html = str(linked_text('voir https://a.example/x?a=1&b=2. puis javascript:alert(1) et <a href="https://b">b</a>'))
    assert html == ('voir <a href="https://a.example/x?a=1&amp;b=2" rel="noopener nofollow">https://a.example/x?a=1&amp;b=2'
                    '</a>. puis javascript:alert(1) et &lt;a href="<a href="https://b" rel="noopener nofollow">https://b</a>'
                    '"&gt;b&lt;/a&gt;')
    assert [safe_url(u) for u in ("https://ok.example/p", "javascript:alert(1)", "data:text/html,x", "//evil.example",
                                  'https://x.example/"onclick=1', "ftp://x.example")] == [
        "https://ok.example/p", None, None, None, None, None]
