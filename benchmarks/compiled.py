"""The environment of a measured child process: compiled modules written and read, as an installed parlons has them.

A ``pip install`` compiles the package's modules, and Python caches the compiled form of any module
it loads unless told not to. A machine that sets ``PYTHONDONTWRITEBYTECODE`` (the development
machine does) compiles them again at every start: about 0.04 s of every ``parlons import``, which a
user pays once. The children of the harnesses write the compiled modules into a cache folder of their
own (``PYTHONPYCACHEPREFIX``), outside the source trees, and :func:`warm` fills it before the first
measured run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / "parlons-bench-pycache"


def compiled_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (this process's environment) with compiled modules cached in :data:`CACHE`."""
    env = {k: v for k, v in (base if base is not None else os.environ).items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(CACHE)
    return env


def warm(env: Mapping[str, str]) -> None:
    """Load, once, every module an import and an audit load (so that they are compiled into the cache)."""
    code = ("import parlons.cli, parlons.ingest, parlons.store, parlons.audit; "
            "from parlons.importers import registry; registry()")
    subprocess.run([sys.executable, "-c", code], env=dict(env), check=True, capture_output=True)
