"""What a server collecting for its users may connect to: public addresses only (``reach="public"``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from parlons.collect import HttpClient, collect_bluesky, collect_feeds
from parlons.errors import CollectError, UsageError
from parlons.store import Store

from .collect_server import Server, serve


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serve()


def get(base: str, reach: str, path: str = "/ok") -> int:
    with HttpClient(base, reach=reach, retries=0, sleep=lambda s: None) as client:  # type: ignore[arg-type]
        return client.get(path).status


def test_public_reach_refuses_the_loopback_server_and_public_plus_loopback_reaches_it(server: Server) -> None:
    server.json("/ok", {"ok": True})
    with pytest.raises(CollectError, match=r"127\.0\.0\.1 is at 127\.0\.0\.1, a private, loopback or reserved"):
        get(server.base, "public")
    assert server.requests == [], "refused before any byte was sent"
    assert get(server.base, "public+loopback") == 200
    assert get(server.base, "any") == 200


@pytest.mark.parametrize("base", ["https://10.0.0.1", "https://192.168.1.20", "https://169.254.169.254",
                                  "https://[fd00::1]", "https://[fe80::1]", "https://[::ffff:10.0.0.1]",
                                  "https://100.64.0.1", "https://0.0.0.0", "https://224.0.0.1"])
def test_private_link_local_and_reserved_addresses_are_refused_before_connecting(base: str) -> None:
    with pytest.raises(CollectError, match="private, loopback or reserved address"):
        get(base, "public+loopback")


@pytest.mark.parametrize("base", ["https://[::1]", "https://2130706433", "https://0x7f.1", "https://127.1"])
def test_loopback_in_any_spelling_is_refused_when_only_public_addresses_are_allowed(base: str) -> None:
    with pytest.raises(CollectError, match="private, loopback or reserved address"):
        get(base, "public")


def test_a_redirect_to_a_private_address_is_refused(server: Server) -> None:
    server.route("/go", lambda request: (302, {"Location": "https://10.1.2.3/secret"}, b""))
    with pytest.raises(CollectError, match=r"10\.1\.2\.3 is at 10\.1\.2\.3"):
        get(server.base, "public+loopback", "/go")


def test_a_name_that_resolves_to_loopback_is_refused(server: Server) -> None:
    port = server.base.rsplit(":", 1)[1]
    with pytest.raises(CollectError, match=r"localhost is at .*127\.0\.0\.1"):
        get(f"http://localhost:{port}", "public")


def test_reach_is_checked_and_threaded_through_the_collectors(store: Store, server: Server) -> None:
    with pytest.raises(UsageError, match="reach must be one of any, public, public"):
        HttpClient(server.base, reach="everywhere")  # type: ignore[arg-type]
    with pytest.raises(CollectError, match="private, loopback or reserved"):
        collect_feeds(store, [server.base + "/feed/"], reach="public")
    with pytest.raises(UsageError, match="app password is used only by the command line"):
        collect_bluesky(store, "x.bsky.social", service=server.base, app_password="p", reach="public")
    assert server.requests == []
