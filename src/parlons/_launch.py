"""The ``parlons`` program's entry point: Ctrl-C at any moment ends with one line and exit 130.

This module imports nothing heavy and :func:`main` takes over Ctrl-C first: while DuckDB,
Arrow and the rest are still being imported (the first second) there is nothing to clean up, so
an interrupt then exits at once; once the command runs, Ctrl-C raises ``KeyboardInterrupt`` as
usual, so that transactions roll back and scratch folders are removed, and the command line ends
with :func:`interrupted`. Only the interpreter's own start, before this module, is out of reach.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import NoReturn

__all__ = ["interrupted", "main", "was_interrupted"]

EXIT_INTERRUPTED = 130
_state = {"interrupted": False}


def _message() -> str:
    try:
        from .i18n import resolve_language, translator

        return translator(resolve_language()).gettext("Aborted.")
    except BaseException:
        return "Aborted."


def _while_loading(signum: int, frame: object) -> None:
    """Ctrl-C before the command runs: nothing is open yet, leave at once.

    The catalogs may be half imported at this moment: the line is the catalogs' "Aborted." in
    the environment's language, spelled out here.
    """
    english = next((v[:2] == "en" for v in map(os.environ.get, ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"))
                    if v and v[:2] in ("en", "fr")), False)
    os.write(2, b"Aborted.\n" if english else b"Interrompu.\n")
    os._exit(EXIT_INTERRUPTED)


def _on_interrupt(signum: int, frame: object) -> None:
    """Python's own behaviour (KeyboardInterrupt), remembering that it happened.

    DuckDB turns an interrupt during a query into its own error ("Query interrupted", a
    ``RuntimeError`` or an ``InterruptException``) that code on the way may report as something
    else; the flag lets the command line end every such run as an interrupt.
    """
    _state["interrupted"] = True
    raise KeyboardInterrupt


def was_interrupted() -> bool:
    """Whether Ctrl-C was pressed during this run (under :func:`main`)."""
    return _state["interrupted"]


def interrupted(message: str | None = None) -> NoReturn:
    """Print one line and exit 130; a second Ctrl-C while the process cleans up is ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stderr.write((message or _message()) + "\n")
    sys.stderr.flush()
    sys.exit(EXIT_INTERRUPTED)


def main() -> None:
    """Import the command line and run it."""
    signal.signal(signal.SIGINT, _while_loading)
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        interrupted()
    signal.signal(signal.SIGINT, _on_interrupt)
    signal.signal(signal.SIGTERM, _on_interrupt)  # `kill`, a timeout, a stopping service: the same clean end
    try:
        run()
    except KeyboardInterrupt:
        interrupted()
    except Exception:
        if was_interrupted():
            interrupted()
        raise

