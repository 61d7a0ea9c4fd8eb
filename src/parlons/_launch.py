"""The ``parlons`` program's entry point: Ctrl-C at any moment ends with one line and exit 130.

This module imports nothing heavy, so that an interrupt while DuckDB, Arrow and the rest are
still being imported (the first second) is caught here instead of printing a traceback.
"""

from __future__ import annotations

import signal
import sys
from typing import NoReturn

__all__ = ["interrupted", "main", "was_interrupted"]

EXIT_INTERRUPTED = 130
_state = {"interrupted": False}


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
    if message is None:
        try:
            from .i18n import resolve_language, translator

            message = translator(resolve_language()).gettext("Aborted.")
        except Exception:
            message = "Aborted."
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    sys.exit(EXIT_INTERRUPTED)


def main() -> None:
    """Import the command line and run it."""
    signal.signal(signal.SIGINT, _on_interrupt)
    try:
        from .cli import main as run

        run()
    except KeyboardInterrupt:
        interrupted()
    except Exception:
        if was_interrupted():
            interrupted()
        raise
