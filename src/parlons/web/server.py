"""``parlons serve``: migrate, maybe set up the demo, start the task worker, serve with waitress.

``PARLONS_DEMO_SCALE`` (default 1.0) scales the demo's volumes, as ``parlons demo --scale`` does.

The worker is ``python -m parlons.web db_worker`` in a child process (so an import never slows the
pages and a crash in one never takes the other down); it stops when the server stops.
"""

from __future__ import annotations

import atexit
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

__all__ = ["first_sign_in", "serve"]


def _setup(data: Path | None) -> None:
    if data is not None:
        os.environ["PARLONS_DATA"] = str(Path(data).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parlons.web.settings.local")
    import django

    django.setup()


def _worker() -> subprocess.Popen[bytes]:
    worker = subprocess.Popen([sys.executable, "-m", "parlons.web", "db_worker", "--interval", "1",
                               "--no-startup-delay"], env=os.environ.copy())

    def stop() -> None:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                worker.kill()
    atexit.register(stop)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so that stop() runs on terminate too
    return worker


def first_sign_in(data: Path) -> list[str]:
    """How to create the first consultant, while nobody can sign in (the workspace has no sign-up page)."""
    from django.contrib.auth import get_user_model

    if get_user_model().objects.exists():
        return []
    return ["nobody can sign in yet: create the first consultant (a name, an e-mail, a password) with",
            f"  PARLONS_DATA={shlex.quote(str(data))} {shlex.quote(sys.executable)} -m parlons.web createsuperuser",
            "  then sign in, create a workspace and invite the others from its People page"]


def serve(*, host: str = "127.0.0.1", port: int = 8000, data: Path | None = None, demo: bool = False,
          lang: str = "fr", echo: object = print) -> None:
    """Run the workspace until interrupted."""
    _setup(data)
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    address = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    lines = [f"parlons workspace: {address}", f"data: {settings.DATA_DIR}"]
    if host not in {"127.0.0.1", "::1", "localhost"} and not settings.SESSION_COOKIE_SECURE:
        lines.append("warning: plain HTTP beyond this machine; behind HTTPS use DJANGO_SETTINGS_MODULE="
                     "parlons.web.settings.production (docs/deploy.md)")
    if demo:
        from .demo import set_up_demo

        signins = set_up_demo(lang, scale=float(os.environ.get("PARLONS_DEMO_SCALE", "1.0")))
        lines += [f"demo consultant: {signins.consultant[0]} / {signins.consultant[1]}",
                  f"demo client: {signins.client[0]} / {signins.client[1]}"]
    lines += first_sign_in(settings.DATA_DIR)
    _worker()
    for line in lines:
        echo(line)  # type: ignore[operator]
    from waitress import serve as waitress_serve

    from .wsgi import application

    settings.ALLOWED_HOSTS.extend(h for h in (host, "localhost", "127.0.0.1") if h not in settings.ALLOWED_HOSTS)
    proxy = os.environ.get("PARLONS_TRUSTED_PROXY")  # the reverse proxy's address: docs/deploy.md
    options = {"trusted_proxy": proxy, "trusted_proxy_headers": "x-forwarded-for x-forwarded-proto",
               "clear_untrusted_proxy_headers": True} if proxy else {}
    waitress_serve(application, host=host, port=port, threads=8, ident="parlons", **options)
