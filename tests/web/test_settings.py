"""Production settings pass Django's deployment checks; each installation has its own secret key."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path


def _run(args: list[str], data: Path, settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLONS_SECRET", "DATABASE_URL"))}
    env.update(PARLONS_DATA=str(data), DJANGO_SETTINGS_MODULE=settings)
    return subprocess.run([sys.executable, "-m", "parlons.web", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    done = _run(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, "parlons.web.settings.production")
    clean = "System check identified no issues (0 silenced)."
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, clean, "")


def test_secret_key_is_generated_once_per_installation_and_private(tmp_path: Path) -> None:
    from parlons.web.paths import secret_key

    first, other = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    other.mkdir()
    key = secret_key(first)
    assert len(key) >= 80
    assert secret_key(first) == key
    assert secret_key(other) != key
    assert stat.S_IMODE((first / "secret_key").stat().st_mode) == 0o600
    assert [p.name for p in first.iterdir()] == ["secret_key"]


def test_no_secret_key_is_in_the_repository() -> None:
    root = Path(__file__).resolve().parents[2]
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=False).stdout
    assert "secret_key\n" not in tracked and "app.sqlite3" not in tracked
