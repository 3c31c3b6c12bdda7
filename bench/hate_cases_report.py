"""Per-function accuracy of the hate analysis on our own cases (tests/data/hate_cases*.tsv).

For each function (threats, dehumanisation, ... and the non-hateful contrasts)
prints how many cases the hate plugin alone gets right: hateful ones flagged,
contrasts not flagged. With ``--pipeline`` it also runs the whole default
pipeline (every built-in plugin, an app on a temporary SQLite database) and
counts a case right when a hateful one is not published and a contrast is.

    .venv/bin/python bench/hate_cases_report.py [--pipeline] [--show-wrong FUNCTION]
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    section = "dev"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ") and "\t" not in line:
            section = line[2:].strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        function = parts[1] if len(parts) == 3 else f"dev: {section}"
        rows.append((parts[0], function, json.loads(parts[-1])))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pipeline", action="store_true")
    parser.add_argument("--show-wrong", default=None, metavar="FUNCTION", help="list wrong cases whose function contains this")
    args = parser.parse_args()
    from discuss.hatespeech import analyse

    rows = load(ROOT / "tests" / "data" / "hate_cases.tsv")
    handwritten = load(ROOT / "tests" / "data" / "hate_cases_handwritten.tsv")
    rows += [(expected, f"handwritten: {function}", text) for expected, function, text in handwritten]
    decide = lambda text: bool(analyse(text).hits)  # noqa: E731
    if args.pipeline:
        from discuss import create_app
        from discuss.extensions import db
        from discuss.models import Site
        from discuss.testing import screen

        tmp = tempfile.mkdtemp()
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/cases.db", "LOAD_ENTRY_POINTS": False,
                          "SECRET_KEY": secrets.token_urlsafe(48),
                          "IP_HASH_KEY": secrets.token_urlsafe(48)})
        context = app.app_context()
        context.push()
        db.create_all()
        site = Site(slug="cases", name="Cases", allowed_origins=[], moderation={})
        db.session.add(site)
        db.session.commit()
        pm = app.extensions["discuss"]

        def decide(text):  # noqa: F811
            decision = screen(pm, text, site=site).decision
            db.session.rollback()
            return decision != "publish"

    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for expected, function, text in rows:
        flagged = decide(text)
        ok = flagged == (expected == "flag")
        total[function] += 1
        right[function] += ok
        if not ok and args.show_wrong is not None and args.show_wrong in function:
            print(f"  WRONG [{function}] {text}")
    width = max(len(f) for f in total)
    print(f"{'function':{width}}  right / total")
    for function in total:
        print(f"{function:{width}}  {right[function]:4} / {total[function]:<4} {100 * right[function] / total[function]:5.1f}%")
    overall = sum(right.values()) / sum(total.values())
    worst = min(total, key=lambda f: right[f] / total[f])
    print(f"overall {sum(right.values())} / {sum(total.values())} = {100 * overall:.1f}%; "
          f"lowest: {worst} {100 * right[worst] / total[worst]:.1f}%")


if __name__ == "__main__":
    main()
