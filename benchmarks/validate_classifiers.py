"""Agreement of parlons' classifications with people, on a labelled file (``docs/validation.md``).

Usage::

    python benchmarks/validate_classifiers.py validation/labelled.csv
    python benchmarks/validate_classifiers.py held-out.csv --json > agreement.json
    python benchmarks/validate_classifiers.py validation/labelled.csv --disagreements dev

Prints, per split and for the whole file, Cohen's kappa, accuracy, per-class precision and recall
and the confusion matrix (rows: people, columns: parlons) for post function (own posts), "asks for
something" (incoming posts) and language. ``--disagreements SPLIT`` lists the posts where parlons
and people differ, with the rule that fired.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from parlons.audit.validate import validate

TASKS = {"function": "Post function (own posts)", "asks": "Asks for something (incoming posts)",
         "lang": "Language"}


def markdown(result: dict[str, Any]) -> str:
    """The agreement figures as Markdown tables."""
    lines = [f"Agreement on `{result['file']}` ({result['posts']} posts).", ""]
    lines += ["| split | task | posts | kappa | accuracy |", "| --- | --- | ---: | ---: | ---: |"]
    for split, tasks in result["splits"].items():
        lines += [f"| {split} | {task} | {a['n']} | {a['kappa']:.3f} | {a['accuracy']:.3f} |"
                  for task, a in tasks.items()]
    for task, title in TASKS.items():
        whole = result["splits"]["all"][task]
        classes = list(whole["classes"])
        lines += ["", f"{title}, all splits: precision and recall per class; confusion matrix (rows: people).", "",
                  "| class | precision | recall | " + " | ".join(classes) + " |",
                  "| --- | ---: | ---: | " + " | ".join("---:" for _ in classes) + " |"]
        for c in classes:
            p, r = whole["classes"][c]["precision"], whole["classes"][c]["recall"]
            cells = " | ".join(str(whole["confusion"][c][d]) for d in classes)
            lines.append(f"| {c} | {_pct(p)} | {_pct(r)} | {cells} |")
    return "\n".join(lines)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path,
                        help="a labelled CSV (id, split, lang, direction, kind, text, function, asks)")
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON")
    parser.add_argument("--disagreements", metavar="SPLIT", help="list the disagreements of one split")
    args = parser.parse_args(argv)
    result = validate(args.path)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    print(markdown(result))
    if args.disagreements:
        print(f"\nDisagreements ({args.disagreements}):")
        for d in result["disagreements"]:
            if d["split"] == args.disagreements:
                print(f"- {d['id']}: people {d['people']}, parlons {d['parlons']} ({d['rule']}); "
                      f"lang {d['lang']}/{d['lang_found']}: {d['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
