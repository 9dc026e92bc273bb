"""Accuracy of a peer diacritic restorer on the same sets as bench/accuracy.py, for the README's table.

usage: python bench/peers.py --pyvi-python PYTHON

PYTHON is an interpreter with pyvi installed (pyvi pulls scikit-learn, so it is kept out of cchc's own
environment):  python -m venv /tmp/peer && /tmp/peer/bin/pip install pyvi
pyvi's ViUtils.add_accents is run line by line on the raw OCR text; the score is
../shared/tools/score.py's syllable accuracy, pooled as in bench/accuracy.py.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path

from accuracy import load_score  # bench/accuracy.py, beside this script
from needs import need  # bench/needs.py

REPO = Path(__file__).resolve().parents[1]
RUN_PYVI = """
import json, sys
from pyvi import ViUtils
def accents(line):
    try:
        return ViUtils.add_accents(line) if line.strip() else line
    except Exception:  # pyvi fails on some inputs: the line is then counted as left unchanged
        return line
texts = json.load(sys.stdin)
print(json.dumps(["\\n".join(accents(l) for l in t.split("\\n")) for t in texts]))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pyvi-python", required=True)
    ap.add_argument("--gold-dir", default=str(REPO.parent / "shared" / "gold"))
    ap.add_argument("--score", default=str(REPO.parent / "shared" / "tools" / "score.py"))
    a = ap.parse_args()
    score_texts = load_score(need(a.score, "the shared scorer (tools/score.py)",
                                  "check out ../shared beside the repository, or pass --score FILE"))
    sets: dict[str, list[tuple[str, str]]] = {"gold": [], "roundtrip": []}
    for gold in sorted(Path(a.gold_dir).glob("*.gold.txt")):
        seed = gold.name.removesuffix(".gold.txt")
        sets["gold"].append(((REPO / "samples" / f"{seed}.txt").read_text("utf-8"), gold.read_text("utf-8")))
    for gold in sorted((REPO / "bench" / "data" / "roundtrip").glob("*.gold.txt")):
        ocr = gold.with_name(gold.name.replace(".gold.", ".ocr."))
        sets["roundtrip"].append((ocr.read_text("utf-8"), gold.read_text("utf-8")))
    for name, pairs in sets.items():
        t0 = time.perf_counter()
        out = subprocess.run([a.pyvi_python, "-c", RUN_PYVI], input=json.dumps([o for o, _ in pairs]),
                             capture_output=True, text=True, check=True)
        dt = time.perf_counter() - t0
        fixed = json.loads(out.stdout)
        err = tot = 0
        for (_, gold), cand in zip(pairs, fixed, strict=True):
            r = score_texts(gold, cand)["exact"]
            err += r["errors"]
            tot += r["gold_tokens"]
        acc = 1 - err / tot
        print(f"pyvi ViUtils.add_accents  {name:<10} {tot:>6} syll  accuracy {acc:.4f}  ({dt:.1f} s incl. load)")


if __name__ == "__main__":
    main()
