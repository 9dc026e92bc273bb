"""Perplexity of the syllable trigram model on the held-out corpus documents (never used to build it).

usage: python bench/lm_perplexity.py [--max-docs 92]

Units as the model sees them (scripts/../repair/units.py: lower-case syllables, numbers as <num>, sentences cut
at . ; : ! ? and brackets). Out-of-vocabulary syllables score as <unk> and are counted separately.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "bench"))
from corpus import CORPUS, iter_documents  # noqa: E402
from needs import need  # noqa: E402

from cchc_cli.repair.lm import load_lm  # noqa: E402
from cchc_cli.repair.units import lm_sentences  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-docs", type=int, default=92)
    a = ap.parse_args()
    need(CORPUS, "the corpus (its held-out documents are measured)",
         "check out ../shared beside the repository, or set CCHC_CORPUS=DIR")
    lm = load_lm()
    total = 0.0
    n = oov = docs = 0
    for _source, text in iter_documents("heldout"):
        docs += 1
        for sent in lm_sentences(text):
            ids = [lm.bos, lm.bos] + [lm.id(w) for w in sent] + [lm.eos]
            for u, v, w in zip(ids, ids[1:], ids[2:], strict=False):
                total += lm.score(u, v, w)
                n += 1
                oov += w == lm.unk
        if docs >= a.max_docs:
            break
    print(f"held-out: {docs} documents, {n:,} tokens (incl. sentence ends), OOV {oov / n:.2%}, "
          f"perplexity {10 ** (-total / n):.1f}")


if __name__ == "__main__":
    main()
