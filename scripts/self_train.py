"""Self-training pairs from unlabelled real OCR text: learn the habits of a real scanner's OCR.

usage: python scripts/self_train.py RAW.txt [RAW.txt ...] -o PAIRS.tsv [--min-confidence 0.9]

The round-trip data (scripts/make_roundtrip.py) shows one font and one renderer; real scans have habits of
their own (``ciia`` for ``của``, ``vin`` for ``văn``, ``sb`` for ``số``). This script repairs raw OCR text
with the current models and keeps, as ``ocr<TAB>repaired<TAB>1:1`` pairs, the tokens the decoder chose with
high confidence in context. Training the channel on them as well (scripts/train_channel.py) lets the
language model teach the channel what the real OCR does (hard EM). No hand-restored text is used: the
project runs it on the two seeds that have no gold (samples/002_*, samples/004_*), never on the three seeds
the accuracy bench measures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from cchc_cli.repair.engine import Repairer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("raw", nargs="+", type=Path)
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--min-confidence", type=float, default=0.9)
    ap.add_argument("--weight", type=int, default=3, help="repeat each pair this many times")
    a = ap.parse_args()
    rep = Repairer()
    n = 0
    with open(a.output, "w", encoding="utf-8") as out:
        for path in a.raw:
            lines = path.read_text(encoding="utf-8").split("\n")
            for toks in rep._process(list(enumerate(lines))):
                for t in toks:
                    if t.kind != "word" or t.confidence < a.min_confidence or t.flagged:
                        continue
                    after = t.replacement if t.replacement is not None else t.text
                    for _ in range(a.weight):
                        out.write(f"{t.text}\t{after}\t1:1\n")
                    n += 1
    print(f"{n} confident tokens -> {a.output}")


if __name__ == "__main__":
    main()
