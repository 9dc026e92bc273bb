"""Tune the decoder's settings on a development split of the round-trip TRAINING data (never on the gold
seeds or the held-out bench set).

usage: python scripts/tune.py DEV_DIR... [--pick tens|even|odd|all] [--set lm_weight=1.0,1.2 --set max_candidates=4,6]
                              [--unchanged]

DEV_DIR holds <name>.gold.txt / <name>.ocr.txt pairs of scripts/make_roundtrip.py. `--pick` says which
passages by number: ``tens`` (the default) those whose number is a multiple of 10, which
scripts/align_pairs.py --skip-dev leaves out of channel training; ``even`` / ``odd`` the two halves of a set
made only for tuning (tune on one, report on the other); ``all``. A switch takes 0 or 1.
Prints the syllable accuracy (../shared/tools/score.py's definition) and speed for every combination; with
``--unchanged`` also how much of the correct text (the gold sides themselves, repaired) comes out unchanged.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from cchc_cli.repair.engine import Repairer, Settings  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from accuracy import load_score, set_value  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dev_dir", type=Path, nargs="+")
    ap.add_argument("--pick", choices=["tens", "even", "odd", "all"], default="tens")
    ap.add_argument("--set", action="append", default=[], help="name=v1,v2,...")
    ap.add_argument("--unchanged", action="store_true", help="also repair the gold texts: the share left unchanged")
    ap.add_argument("--score", default=str(REPO.parent / "shared" / "tools" / "score.py"))
    a = ap.parse_args()
    score_texts = load_score(Path(a.score))
    keep = {"tens": lambda n: n % 10 == 0, "even": lambda n: n % 2 == 0, "odd": lambda n: n % 2 == 1,
            "all": lambda n: True}[a.pick]
    pairs = []
    for gold in sorted(g for d in a.dev_dir for g in d.glob("*.gold.txt")):
        ocr = gold.with_name(gold.name.replace(".gold.", ".ocr."))
        if ocr.exists() and keep(int(gold.name.split("_")[1].split(".")[0])):
            pairs.append((ocr.read_text("utf-8"), gold.read_text("utf-8")))
    grid = [(k, [float(x) for x in v.split(",")]) for k, v in (s.split("=") for s in a.set)]
    base = Repairer()
    print(f"{len(pairs)} dev passages")
    for combo in itertools.product(*[vals for _, vals in grid]):
        settings = Settings()
        for (name, _), val in zip(grid, combo, strict=True):
            set_value(settings, name, val)
        base.settings = settings  # the engine's caches start again
        err = total = 0
        t0 = time.perf_counter()
        for ocr, gold in pairs:
            r = score_texts(gold, base.repair_text(ocr).text)["exact"]
            err += r["errors"]
            total += r["gold_tokens"]
        dt = time.perf_counter() - t0
        kept = ""
        if a.unchanged:
            changed = sum(score_texts(gold, base.repair_text(gold).text)["exact"]["errors"] for _, gold in pairs)
            kept = f"  unchanged {1 - changed / total:.4f} ({changed} changed)"
        label = " ".join(f"{n}={v}" for (n, _), v in zip(grid, combo, strict=True))
        print(f"{label:<60} accuracy {1 - err / total:.4f}  ({err} errors in {total} syll, "
              f"{total / dt:.0f} syll/s){kept}", flush=True)


if __name__ == "__main__":
    main()
