"""Count syllable 1-, 2- and 3-grams over the training part of ../shared/corpus (step 1 of build_lm.py).

usage: python scripts/count_ngrams.py OUT.npz [--keep-unaccented]   (needs numpy; about 3 minutes, 4 GB)

Sentences written without diacritics (URL slugs such as "quyet-dinh-uy-ban-nhan-dan", text typed without
marks) are left out unless --keep-unaccented: a sentence of at least UNACCENTED_MIN words none of which has a
mark, most of them shaped like Vietnamese syllables ("uy ban nhan dan"). Printed correctly, such a run is all
but impossible in Vietnamese, and counted it teaches the model that "nhan dan" follows "uy ban", so that an
OCR'd heading "NHAN DAN" stays as printed. English sentences (few syllable shapes) are kept.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import iter_documents  # noqa: E402

from cchc_cli.repair.units import SPECIALS, lm_sentences  # noqa: E402
from cchc_cli.vietnamese import has_syllable_shape  # noqa: E402

BITS = 21  # ids below 2**21; a trigram key packs three ids into 63 bits
UNACCENTED_MIN = 3  # words of a sentence without marks before it counts as unaccented ...
UNACCENTED_SHAPES = 0.6  # ... when this share of them could be syllables


def unaccented(sentence: list[str]) -> bool:
    """Vietnamese written without its marks: no word with a mark, mostly syllable shapes."""
    words = [w for w in sentence if w not in SPECIALS]
    if len(words) < UNACCENTED_MIN or not all(w.isascii() for w in words):
        return False
    return sum(has_syllable_shape(w) for w in words) >= UNACCENTED_SHAPES * len(words)


def main(out: str, keep_unaccented: bool) -> None:
    t0 = time.time()
    ids: dict[str, int] = {s: i for i, s in enumerate(SPECIALS)}
    bos, eos = ids["<s>"], ids["</s>"]
    uni: Counter[int] = Counter()
    bi: Counter[int] = Counter()
    tri: Counter[int] = Counter()
    docs = tokens = dropped = 0
    for _source, text in iter_documents("train"):
        docs += 1
        for sent in lm_sentences(text):
            if not keep_unaccented and unaccented(sent):
                dropped += len(sent)
                continue
            seq = [bos, bos]
            for w in sent:
                i = ids.get(w)
                if i is None:
                    i = ids[w] = len(ids)
                seq.append(i)
            seq.append(eos)
            tokens += len(sent)
            uni.update(seq[2:])
            bi.update((a << BITS) | b for a, b in zip(seq[1:], seq[2:], strict=False))
            tri.update(
                (a << 2 * BITS) | (b << BITS) | c for a, b, c in zip(seq, seq[1:], seq[2:], strict=False)
            )
        if docs % 200 == 0:
            print(f"{docs} docs, {tokens:,} tokens, {len(tri):,} trigram types, {time.time() - t0:.0f}s",
                  flush=True)
    vocab = sorted(ids, key=ids.get)
    np.savez(
        out,
        vocab=np.array(vocab, dtype=object),
        uni_keys=np.fromiter(uni.keys(), np.int64), uni_counts=np.fromiter(uni.values(), np.int64),
        bi_keys=np.fromiter(bi.keys(), np.int64), bi_counts=np.fromiter(bi.values(), np.int64),
        tri_keys=np.fromiter(tri.keys(), np.int64), tri_counts=np.fromiter(tri.values(), np.int64),
    )
    print(f"done: {docs} docs, {tokens:,} tokens, vocab {len(vocab):,}, bigrams {len(bi):,}, "
          f"trigrams {len(tri):,}, {time.time() - t0:.0f}s; {dropped:,} tokens of unaccented sentences left out")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--keep-unaccented", action="store_true", help="count sentences written without marks too")
    a = ap.parse_args()
    main(a.out, a.keep_unaccented)
