"""The README's commands run as written, from the repository's root, on the bundled examples."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def blocks(section: str) -> list[list[str]]:
    """The shell commands of each ``sh`` block of a README section, continuation lines joined."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    body = text[text.index(f"## {section}\n"):]
    body = body[:body.find("\n## ", 1)] if "\n## " in body[1:] else body
    found = []
    for block in body.split("```sh\n")[1:]:
        code = block.split("```", 1)[0].replace("\\\n", " ")
        found.append([line.strip() for line in code.splitlines() if line.strip()])
    return found


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    words = shlex.split(command, comments=True)
    assert words[0] == "parlons", command
    target = None
    if ">" in words:
        words, target = words[:words.index(">")], words[words.index(">") + 1]
    done = subprocess.run([sys.executable, "-m", "parlons", *words[1:]], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)
    if target:
        (cwd / target).write_text(done.stdout, encoding="utf-8")
    return done


def test_the_readme_commands_run_as_written_on_the_bundled_examples(tmp_path: Path) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / "src").symlink_to(ROOT / "src")
    use, plan, collect = blocks("Use")  # the plan's interview is interactive; collecting needs the network
    assert use[0] == ". .venv/bin/activate"
    for command in use[1:]:
        done = run(command, tmp_path)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    [audit] = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    assert (audit["platform"], audit["account"]) == ("mastodon", "@theatre@mastodon.example")
    assert (tmp_path / "rapport.pdf").read_bytes().startswith(b"%PDF-")
    page = (tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert '<section id="plan"' in page and "Mutuelle Armor Santé" in page
    assert {line.split()[1] for line in use[1:]} >= {"import", "accounts", "audit", "explain", "report", "plan"}
    assert [line.split()[:3] for line in plan] == [["parlons", "plan", "new"], ["parlons", "plan", "check"],
                                                   ["parlons", "plan", "progress"], ["parlons", "report",
                                                                                     "MairieDeBrest"]]
    assert [line.split()[:2] for line in collect] == [["parlons", "collect"]]
