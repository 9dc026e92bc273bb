"""Build the syllable trigram language model (dictionaries/lm3.bin.gz) from n-gram counts.

usage:
    python scripts/count_ngrams.py /tmp/counts.npz      # counts over the corpus's training part
    python scripts/build_lm.py /tmp/counts.npz [--min-count 3] [--min-bigram 2] [--min-trigram 3]

Smoothing: interpolated Kneser-Ney (one discount per order, D = n1 / (n1 + 2 n2)); continuation counts for
the lower orders. Pruning: words seen fewer than --min-count times become <unk>; bigrams and trigrams seen
fewer than --min-bigram / --min-trigram times are dropped (their probability backs off). Stored: for each
kept n-gram the interpolated log10 probability, and for each context its log10 back-off weight, quantised
to one byte (steps of 1/24). Needs numpy (build time only).
"""

from __future__ import annotations

import argparse
import sys
from array import array
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from cchc_cli.repair.blob import write_blob  # noqa: E402

BITS = 21
MASK = (1 << BITS) - 1
QSTEP = 24.0  # quantisation: byte q means log10 value -q / QSTEP


def discount(counts: np.ndarray) -> float:
    n1 = int((counts == 1).sum())
    n2 = int((counts == 2).sum())
    return n1 / (n1 + 2 * n2) if n1 + n2 else 0.5


def quantise(logp: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(-logp * QSTEP), 0, 255).astype(np.uint8)


def group_sum(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    uniq, inv = np.unique(keys, return_inverse=True)
    return uniq, np.bincount(inv, weights=values).astype(np.int64)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("counts")
    ap.add_argument("--out", default=str(REPO / "dictionaries" / "lm3.bin.gz"))
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--min-bigram", type=int, default=2)
    ap.add_argument("--min-trigram", type=int, default=3)
    a = ap.parse_args()
    z = np.load(a.counts, allow_pickle=True)  # our own file from count_ngrams.py
    vocab_old = list(z["vocab"])
    uni_counts = np.zeros(len(vocab_old), np.int64)
    uni_counts[z["uni_keys"]] = z["uni_counts"]

    # vocabulary: specials first, then words by descending count; rare words -> <unk> (id 0)
    n_special = 4
    order = np.argsort(-uni_counts[n_special:], kind="stable") + n_special
    keep = [i for i in order if uni_counts[i] >= a.min_count]
    if len(keep) + n_special > 65535:
        keep = keep[: 65535 - n_special]
    remap = np.zeros(len(vocab_old), np.int64)
    remap[:n_special] = np.arange(n_special)
    remap[keep] = np.arange(n_special, n_special + len(keep))
    vocab = vocab_old[:n_special] + [vocab_old[i] for i in keep]
    V = len(vocab)
    print(f"vocabulary {V:,} (min count {a.min_count})")

    def remap_keys(keys: np.ndarray, n: int) -> np.ndarray:
        out = np.zeros_like(keys)
        for k in range(n):
            shift = BITS * (n - 1 - k)
            out |= remap[(keys >> shift) & MASK] << shift
        return out

    bi_keys, bi_counts = group_sum(remap_keys(z["bi_keys"], 2), z["bi_counts"])
    tri_keys, tri_counts = group_sum(remap_keys(z["tri_keys"], 3), z["tri_counts"])
    print(f"bigrams {len(bi_keys):,}, trigrams {len(tri_keys):,}")

    # --- trigram level: P3(w|uv) = max(c-D3,0)/c(uv.) + g(uv) P2(w|v)
    d3 = discount(tri_counts)
    tri_ctx = tri_keys >> BITS  # (u,v)
    ctx_uniq, ctx_inv = np.unique(tri_ctx, return_inverse=True)
    ctx_total = np.bincount(ctx_inv, weights=tri_counts)
    ctx_types = np.bincount(ctx_inv)
    gamma3 = d3 * ctx_types / ctx_total

    # --- bigram level with continuation counts N1+(.vw) from trigram types
    cont_vw, n1_vw = group_sum(tri_keys & ((1 << 2 * BITS) - 1), np.ones(len(tri_keys), np.int64))
    # every bigram has at least one trigram type (sentences are padded with two <s>), so cont_vw == bi_keys
    assert np.array_equal(cont_vw, bi_keys)
    d2 = discount(n1_vw)
    v_of = bi_keys >> BITS
    w_of = bi_keys & MASK
    ctx2_total = np.bincount(v_of, weights=n1_vw, minlength=V)
    ctx2_types = np.bincount(v_of, minlength=V)
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma2 = np.where(ctx2_total > 0, d2 * ctx2_types / np.maximum(ctx2_total, 1), 1.0)

    # --- unigram: continuation N1+(.w) over bigram types, mixed with a little uniform mass
    n1_w = np.bincount(w_of, minlength=V).astype(np.float64)
    p1 = 0.999 * n1_w / n1_w.sum() + 0.001 / V
    p1[1] = p1[2] if p1[1] == 0 else p1[1]  # <s> is never predicted; keep it finite

    p2 = np.maximum(n1_vw - d2, 0) / np.maximum(ctx2_total[v_of], 1) + gamma2[v_of] * p1[w_of]

    # P3 needs P2(w|v) for each trigram: look the (v,w) bigram up
    vw = tri_keys & ((1 << 2 * BITS) - 1)
    idx = np.searchsorted(bi_keys, vw)
    p3 = np.maximum(tri_counts - d3, 0) / ctx_total[ctx_inv] + gamma3[ctx_inv] * p2[idx]

    # --- pruning
    keep_bi = bi_counts >= a.min_bigram
    keep_tri = tri_counts >= a.min_trigram
    # a context keeps its back-off weight only if some trigram of it is kept
    print(f"kept bigrams {keep_bi.sum():,}, kept trigrams {keep_tri.sum():,} (D2={d2:.3f} D3={d3:.3f})")
    # bigram contexts of kept trigrams must exist as kept bigrams
    tri_ctx_kept = tri_ctx[keep_tri]
    need = np.isin(bi_keys, tri_ctx_kept)
    keep_bi |= need

    bk = bi_keys[keep_bi]
    bi_v = (bk >> BITS).astype(np.int64)
    bi_w = (bk & MASK).astype(np.uint16)
    bi_logp = quantise(np.log10(p2[keep_bi]))
    # back-off weight of (v,w) as a trigram context
    g3 = np.zeros(len(bk))  # log10 1 = 0 when no trigram context
    pos = np.searchsorted(ctx_uniq, bk)
    pos = np.minimum(pos, len(ctx_uniq) - 1)
    has = ctx_uniq[pos] == bk
    g3[has] = np.log10(gamma3[pos[has]])
    bi_bow = quantise(g3)
    bi_start = np.zeros(V + 1, np.int64)
    np.add.at(bi_start, bi_v + 1, 1)
    bi_start = np.cumsum(bi_start)

    tk = tri_keys[keep_tri]
    tri_w = (tk & MASK).astype(np.uint16)
    tri_logp = quantise(np.log10(p3[keep_tri]))
    tri_bi = np.searchsorted(bk, tk >> BITS)  # index of the (u,v) bigram
    tri_per_bigram = np.bincount(tri_bi, minlength=len(bk))
    assert tri_per_bigram.max() < 65536

    parts = {
        "vocab": "\n".join(vocab),
        "uni_logp": array("f", np.log10(p1).astype(np.float32).tobytes()),
        "uni_bow": array("f", np.log10(gamma2).astype(np.float32).tobytes()),
        "bi_start": array("I", bi_start.astype(np.uint32).tobytes()),
        "bi_word": array("H", bi_w.tobytes()),
        "bi_logp": array("B", bi_logp.tobytes()),
        "bi_bow": array("B", bi_bow.tobytes()),
        "tri_count": array("H", tri_per_bigram.astype(np.uint16).tobytes()),
        "tri_word": array("H", tri_w.tobytes()),
        "tri_logp": array("B", tri_logp.tobytes()),
    }
    out = Path(a.out)
    write_blob(out, parts)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB): V={V:,} bigrams={len(bk):,} trigrams={len(tk):,}")


if __name__ == "__main__":
    main()
