"""Learn the OCR channel (dictionaries/ocr_channel.tsv) by EM from round-trip OCR token pairs.

usage: python scripts/train_channel.py PAIRS.tsv [PAIRS.tsv ...] [--iterations 8] [--base TABLE --weight W]

PAIRS.tsv comes from scripts/make_roundtrip.py (lines ``ocr<TAB>gold<TAB>kind``) run over the corpus's
training part; only 1:1 pairs of word tokens are used. Each intended character emits 0-3 observed
characters; EM (forward-backward over the cuts of the observed string) estimates the expected counts,
smoothed towards channel.prior(). The output lists intended char, observed segment (∅ = nothing) and the
expected count, so the table can be read and extended by hand.

`--base TABLE --weight W`: the output is TABLE's counts plus W times the counts learned here (each kept when
at least --min-count): new round trips added to a channel learned before, weighted by how much more they
should count (e.g. pages of a face the earlier data lacked).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from pathlib import Path

import regex
from rapidfuzz.distance import Levenshtein

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from cchc_cli.repair.channel import ChannelModel  # noqa: E402
from cchc_cli.vietnamese import normalize_syllable, strip_marks  # noqa: E402

EDGE = regex.compile(r"^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$")
GOLD_WORD = regex.compile(r"^\p{L}+$")


def clean_pair(ocr: str, gold: str) -> tuple[str, str] | None:
    o = EDGE.sub("", ocr).lower()
    g = EDGE.sub("", gold)
    if not o or not g or not GOLD_WORD.match(g) or len(o) > 10 or len(g) > 8:
        return None
    g = normalize_syllable(g.lower())
    # drop alignment accidents: the observed string must look like the intended one
    if Levenshtein.normalized_similarity(strip_marks(g), o) < 0.34:
        return None
    return o, g


def read_pairs(paths: list[str]) -> Counter[tuple[str, str]]:
    pairs: Counter[tuple[str, str]] = Counter()
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) != 3 or parts[2] != "1:1":
                    continue
                p = clean_pair(parts[0], parts[1])
                if p:
                    pairs[p] += 1
    return pairs


def read_table(path: Path) -> dict[str, dict[str, float]]:
    """The counts of a channel table written by this script (intended, observed segment, expected count)."""
    counts: dict[str, dict[str, float]] = {}
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        c, seg, n = line.split("\t")
        counts.setdefault(c, {})[seg if seg != "∅" else ""] = float(n)
    return counts


def em_step(model: ChannelModel, pairs: Counter[tuple[str, str]]) -> tuple[dict, float]:
    """Expected emission counts under `model` (its E-step) and the data's log-likelihood."""
    loglik = sum(w * math.log(p) for (o, g), w in pairs.items() if (p := model.prob(o, g)) > 0)
    return model.expected_counts(pairs), loglik


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pairs", nargs="+")
    ap.add_argument("--iterations", type=int, default=8)
    ap.add_argument("--out", default=str(REPO / "dictionaries" / "ocr_channel.tsv"))
    ap.add_argument("--min-count", type=float, default=0.5)
    ap.add_argument("--base", type=Path, help="a channel table to add the learned counts to")
    ap.add_argument("--weight", type=float, default=1.0, help="weight of the learned counts over --base's")
    ap.add_argument("--note", default="DejaVu Serif pages read back by Tesseract's English model",
                    help="what the round trips were (for the table's header)")
    a = ap.parse_args()
    pairs = read_pairs(a.pairs)
    print(f"{sum(pairs.values()):,} pairs, {len(pairs):,} distinct")
    model = ChannelModel({})
    for it in range(a.iterations):
        t0 = time.time()
        counts, ll = em_step(model, pairs)
        model = ChannelModel({c: dict(d) for c, d in counts.items()})
        print(f"iteration {it + 1}: log-likelihood {ll:,.0f} ({time.time() - t0:.0f}s)", flush=True)
    counts: dict[str, dict[str, float]] = read_table(a.base) if a.base else {}
    for c, segs in model.counts.items():
        for seg, n in segs.items():
            if n >= a.min_count:
                counts.setdefault(c, {})[seg] = counts.get(c, {}).get(seg, 0.0) + a.weight * n
    rows = []
    for c in sorted(counts):
        for seg, n in sorted(counts[c].items(), key=lambda kv: -kv[1]):
            rows.append(f"{c}\t{seg or '∅'}\t{n:.2f}")
    header = (
        "# OCR channel: intended character (lowercase) <TAB> observed segment (∅ = nothing) <TAB> expected count\n"
        "# Learned by scripts/train_channel.py (EM) from round-trip OCR of the corpus's training part\n"
        f"# (scripts/make_roundtrip.py: {a.note}).\n"
    )
    Path(a.out).write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"wrote {a.out}: {len(rows)} emissions")


if __name__ == "__main__":
    main()
