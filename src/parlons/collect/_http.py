"""One polite HTTP client for every live source: rate limits, backoff, a request cap, bounded bodies.

Every request of ``parlons collect`` goes through :class:`HttpClient`. It

- names parlons and its version in its User-Agent;
- accepts ``https://`` anywhere and plain ``http://`` only for loopback addresses (tests, a local
  relay), so a token never travels in clear over a network;
- with ``reach="public"`` (a server fetching addresses its users typed: the workspace), connects
  only to globally routable addresses: every host is resolved, and refused when any of its
  addresses is private, loopback, link-local, reserved or multicast; the connection goes to the
  address checked (no second lookup), and redirects go through the same check.
  ``"public+loopback"`` also allows loopback (the tests' local server);
- waits when the server says so: a 429 with ``Retry-After``, or ``X-RateLimit-Remaining: 0`` with
  ``X-RateLimit-Reset`` (``RateLimit-*`` on Bluesky's servers); retries 5xx answers, timeouts and
  dropped connections with exponential backoff and full jitter;
- stops at a cap of requests per run (:class:`RequestCap`), which the caller turns into a clean stop:
  what was collected is kept and the next run resumes;
- sends the headers it was given (a token) only to the base URL's own origin: a page link or an
  address in an answer that leads elsewhere is fetched without them (httpx drops them on a
  redirect to another origin too);
- reads at most :data:`MAX_BODY` bytes of any answer; orjson refuses JSON nested deeper than
  1,024 levels, so parsing stays linear in the body.

The base URL is the only difference between production and the tests' local server.
"""

from __future__ import annotations

import ipaddress
import random
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
import orjson

from .. import __version__
from ..errors import CollectError, UsageError

__all__ = ["MAX_BODY", "REACHES", "HttpClient", "NotFound", "Reach", "RequestCap", "Response", "check_base_url",
           "origin", "plain_http"]

USER_AGENT = f"parlons/{__version__} (+https://github.com/parlons/parlons; social-media audit)"
MAX_BODY = 32 * 1024 * 1024
MAX_WAIT_S = 900.0
"""Longest wait parlons accepts from a server before giving up (a rate-limit reset, a Retry-After)."""

Sleep = Callable[[float], None]
Reach = Literal["any", "public", "public+loopback"]
"""Which addresses a client may connect to: ``any`` (the command line, on the user's own network),
``public`` (globally routable only: a server that fetches what its users typed), ``public+loopback``."""
REACHES: tuple[Reach, ...] = ("any", "public", "public+loopback")


class RequestCap(Exception):
    """The run reached its cap of requests; what was collected is kept."""


class NotFound(CollectError):
    """The server answered 404 or 410 for this resource."""


@dataclass(frozen=True)
class Response:
    """What the caller needs of an answer: status, headers, the URL read and the bounded body."""

    status: int
    headers: httpx.Headers
    url: str
    body: bytes

    def json(self) -> Any:
        """The body as JSON (orjson refuses nesting deeper than 1,024 levels; memory is bounded by the body)."""
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError as exc:
            raise CollectError(f"{self.url} did not answer JSON ({exc}); is this the right server?") from None


def check_base_url(url: str) -> str:
    """``url`` without a trailing slash, refused unless https, or http on a loopback address."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{url!r} is not an http(s) address (for example https://mastodon.social)")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise UsageError(f"{url} uses plain http: use https (plain http is accepted only on this machine)")
    return url.strip().rstrip("/")


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of ``url`` (the port given or the scheme's)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.scheme.lower(), (parts.hostname or "").lower(),
            port or {"https": 443, "http": 80}.get(parts.scheme.lower()))


def plain_http(url: str) -> bool:
    """Whether ``url`` is plain http to another machine: parlons does not fetch it."""
    parts = urlsplit(url)
    return parts.scheme == "http" and not _loopback(parts.hostname or "")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _allowed(address: str, reach: Reach) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if reach == "public+loopback" and ip.is_loopback:
        return True
    return ip.is_global and not ip.is_multicast


def resolve_checked(host: str, port: int, reach: Reach) -> list[str]:
    """The addresses of ``host``, or :class:`CollectError` when one of them is out of ``reach``."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise CollectError(f"{host} cannot be found ({exc}); check the address") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    refused = [a for a in addresses if not _allowed(a, reach)]
    if refused or not addresses:
        raise CollectError(f"{host} is at {', '.join(refused) or 'no address'}, a private, loopback or reserved "
                           "address: this server collects only from public servers")
    return addresses


class _GuardedBackend(httpcore.NetworkBackend):
    """Connects only to addresses within ``reach``, to the very address checked."""

    def __init__(self, reach: Reach) -> None:
        self.reach = reach
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        address = resolve_checked(host, port, self.reach)[0]
        return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise CollectError("unix sockets are not a public server")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport whose connection pool dials through :class:`_GuardedBackend`.

    TLS still verifies the host name asked for (httpcore passes it as the server name); proxies
    from the environment are not used, so the check applies to the real destination."""

    def __init__(self, reach: Reach) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(trust_env=False),
                                             network_backend=_GuardedBackend(reach))


class HttpClient:
    """GET requests to one server, politely (see the module docstring)."""

    def __init__(self, base_url: str, *, headers: Mapping[str, str] | None = None, max_requests: int = 2000,
                 retries: int = 5, timeout: float = 20.0, sleep: Sleep = time.sleep,
                 transport: httpx.BaseTransport | None = None, reach: Reach = "any") -> None:
        if reach not in REACHES:
            raise UsageError(f"reach must be one of {', '.join(REACHES)}, not {reach!r}")
        if transport is None and reach != "any":
            transport = _GuardedTransport(reach)
        self.base_url = check_base_url(base_url)
        self._origin = origin(self.base_url)
        self._own_headers = dict(headers or {})
        """Sent only to the base URL's origin (a token must not reach another server)."""
        self.max_requests = max_requests
        self.retries = retries
        self.requests = 0
        self._sleep = sleep
        self._client = httpx.Client(headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                                    timeout=timeout, follow_redirects=True, transport=transport)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path: str) -> str:
        """An absolute URL: ``path`` joined to the base URL (absolute URLs are kept)."""
        return path if "://" in path else urljoin(self.base_url + "/", path.lstrip("/"))

    def get(self, path: str, params: Mapping[str, Any] | None = None,
            headers: Mapping[str, str] | None = None, ok: tuple[int, ...] = (200,)) -> Response:
        """GET with retries; raises :class:`NotFound` on 404/410 and :class:`CollectError` otherwise."""
        url = self.url(path)
        if plain_http(url):
            raise CollectError(f"{url}: the server sent parlons to plain http; refused")
        if origin(url) == self._origin:
            headers = {**self._own_headers, **(headers or {})}
        authorized = any(name.lower() == "authorization" for name in headers or {})
        for attempt in range(self.retries + 1):
            response = self._attempt(url, params, headers, attempt)
            if response is None:
                continue
            if response.status in ok:
                self._respect_rate_limit(response)
                return response
            self._fail(response, attempt + 1, authorized)
        raise CollectError(f"{self._host(url)} kept failing after {self.retries + 1} tries; "
                           "try again later (what was collected is kept)")  # pragma: no cover - loop always returns

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> tuple[Any, Response]:
        response = self.get(path, params)
        return response.json(), response

    def _attempt(self, url: str, params: Mapping[str, Any] | None, headers: Mapping[str, str] | None,
                 attempt: int) -> Response | None:
        """One try: the answer, or None after waiting when it should be retried."""
        if self.requests >= self.max_requests:
            raise RequestCap(f"{self.max_requests} requests")
        self.requests += 1
        try:
            with self._client.stream("GET", url, params=params, headers=headers) as raw:
                response = Response(raw.status_code, raw.headers, str(raw.url), _bounded(raw, url))
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            if attempt >= self.retries:
                raise CollectError(f"{self._host(url)} cannot be reached ({type(exc).__name__}); "
                                   "check the address and the network, then run again") from None
            self._backoff(attempt)
            return None
        if response.status == 429 and attempt < self.retries:
            self._wait(_retry_after(response.headers) or _backoff_delay(attempt), url)
            return None
        if response.status >= 500 and attempt < self.retries:
            self._backoff(attempt)
            return None
        return response

    def _fail(self, response: Response, tries: int, authorized: bool) -> None:
        host, url, said = self._host(response.url), response.url, _said(response)
        if response.status >= 500:
            raise CollectError(f"{host} kept failing ({response.status}{said}) after {tries} tries for {url}; "
                               "try again later (what was collected is kept)")
        if response.status in (404, 410):
            raise NotFound(f"{host} answered {response.status} for {url}")
        if response.status in (401, 403) and authorized:
            raise CollectError(f"{host} refused the request ({response.status}{said}) for {url}: the token or "
                               "password is wrong, expired or lacks the needed scope")
        if response.status in (401, 403):
            raise CollectError(f"{host} refused {url} without a token ({response.status}{said}): this server does "
                               "not show it to anyone")
        if response.status == 429:
            raise CollectError(f"{host} keeps limiting the rate (429) for {url}; run again later "
                               "(what was collected is kept)")
        raise CollectError(f"{host} answered {response.status}{said} for {url}")

    def _respect_rate_limit(self, response: Response) -> None:
        """Mastodon says ``X-RateLimit-*``, Bluesky's servers (xrpc-server) ``RateLimit-*``."""
        headers = response.headers
        remaining = headers.get("x-ratelimit-remaining", headers.get("ratelimit-remaining"))
        reset = headers.get("x-ratelimit-reset", headers.get("ratelimit-reset"))
        if remaining is not None and remaining.strip() in ("0", "0.0") and reset:
            self._wait(_seconds_until(reset), response.url)

    def _wait(self, seconds: float, url: str) -> None:
        if seconds > MAX_WAIT_S:
            raise CollectError(f"{self._host(url)} asks parlons to wait {seconds:.0f} s (rate limit); "
                               "run again later (what was collected is kept)")
        if seconds > 0:
            self._sleep(seconds)

    def _backoff(self, attempt: int) -> None:
        self._sleep(_backoff_delay(attempt))

    @staticmethod
    def _host(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"


def _said(response: Response) -> str:
    """``: <the server's own words>`` from an error answer (Mastodon's ``error``, XRPC's ``error`` and
    ``message``), on one line, without control characters, at most 200 characters; else ``""``."""
    if len(response.body) > 64 * 1024:
        return ""
    try:
        data = orjson.loads(response.body)
    except orjson.JSONDecodeError:
        return ""
    if not isinstance(data, dict):
        return ""
    words = [str(data[key]) for key in ("error", "message") if isinstance(data.get(key), str) and data[key].strip()]
    text = " ".join("".join(c if c.isprintable() else " " for c in ": ".join(words)).split())
    return f": {text[:200]}{'…' if len(text) > 200 else ''}" if text else ""


def _bounded(raw: httpx.Response, url: str) -> bytes:
    declared = raw.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise CollectError(f"{url} answers {int(declared):,} bytes, over the limit of {MAX_BODY:,}; refused")
    chunks, size = [], 0
    for chunk in raw.iter_bytes():
        size += len(chunk)
        if size > MAX_BODY:
            raise CollectError(f"{url} answered more than {MAX_BODY:,} bytes; refused")
        chunks.append(chunk)
    return b"".join(chunks)


def _backoff_delay(attempt: int) -> float:
    """Full jitter: a random wait between 0 and 2^attempt seconds (capped at a minute)."""
    return random.uniform(0, min(60.0, 2.0 ** attempt))


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _seconds_until(reset: str) -> float:
    """``X-RateLimit-Reset`` is an ISO time on Mastodon; ``RateLimit-Reset`` epoch seconds on Bluesky's servers."""
    value = reset.strip()
    try:
        if value.replace(".", "", 1).isdigit():
            number = float(value)
            return max(0.0, number - time.time()) if number > 1e9 else number
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
