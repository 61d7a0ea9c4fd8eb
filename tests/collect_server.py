"""A local HTTP server for the collection tests: routes answer like the real APIs, on 127.0.0.1.

The collectors run unchanged against it (the base URL is the only difference). Each route is a
function of the request that returns (status, headers, body); failures can be queued per path (a
429, a 500) to test what the client does; every request is recorded with its headers.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, dict[str, str], bytes]
Route = Callable[["Request"], Answer]


@dataclass(frozen=True)
class Request:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    method: str = "GET"
    body: bytes = b""

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Server:
    """Routes by path; ``fail(path, status, headers)`` queues one failing answer for a path."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    failures: dict[str, list[Answer]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def route(self, path: str, handler: Route) -> None:
        self.routes[path] = handler

    def json(self, path: str, data: Any, headers: dict[str, str] | None = None) -> None:
        self.routes[path] = lambda request: (200, {"Content-Type": "application/json", **(headers or {})},
                                             json.dumps(data).encode())

    def fail(self, path: str, status: int, headers: dict[str, str] | None = None, times: int = 1) -> None:
        self.failures.setdefault(path, []).extend([(status, headers or {}, b'{"error": "failure"}')] * times)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def answer(self, request: Request) -> Answer:
        self.requests.append(request)
        queued = self.failures.get(request.path)
        if queued:
            return queued.pop(0)
        handler = self.routes.get(request.path)
        if handler is None:
            return 404, {"Content-Type": "application/json"}, b'{"error": "Record not found"}'
        return handler(request)


def json_answer(data: Any, headers: dict[str, str] | None = None, status: int = 200) -> Answer:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(data).encode()


class _QuietServer(ThreadingHTTPServer):
    """A server that says nothing when a client went away before its answer.

    A test may stop its client on purpose while a route still works (Ctrl-C during a slow page); the
    answer written later meets a closed socket. ``socketserver`` would print that traceback to
    ``sys.stderr`` seconds later, into whatever a later test captures there.
    """

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def serve() -> Iterator[Server]:
    """Start a server on a free loopback port; stop it when the generator is closed."""
    server = Server()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer(b"")

        def do_POST(self) -> None:
            self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

        def _answer(self, sent: bytes) -> None:
            parts = urlsplit(self.path)
            request = Request(parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()},
                              self.command, sent)
            status, headers, body = server.answer(request)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    httpd = _QuietServer(("127.0.0.1", 0), Handler)
    server.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
