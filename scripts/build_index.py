"""Build the observed-string → candidate-syllable index (dictionaries/ocr_index.txt.gz).

usage: python scripts/build_index.py [--per-word 80] [--per-obs 10]

For every syllable of the language model's vocabulary that is Vietnamese (in the syllable list of
../shared/wordlists) or frequent (an abbreviation or foreign word the corpus uses often), enumerate the
observed strings the channel model (dictionaries/ocr_channel.tsv) most likely makes of it, and invert.
Each observed string keeps its --per-obs best candidates by P(observed | syllable) P(syllable).
"""

from __future__ import annotations

import argparse
import gzip
import math
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from cchc_cli.repair.channel import load_channel  # noqa: E402
from cchc_cli.repair.lm import load_lm  # noqa: E402
from cchc_cli.vietnamese import normalize_syllable, strip_marks, tone_allowed  # noqa: E402

WORDLISTS = Path(REPO.parent / "shared" / "wordlists")


def vietnamese_syllables() -> set[str]:
    out: set[str] = set()
    for line in (WORDLISTS / "vietnamese-syllables.txt").read_text("utf-8").splitlines():
        w = unicodedata.normalize("NFC", line.strip().lower())
        if w:
            out.add(normalize_syllable(w))
    for line in (WORDLISTS / "Viet74K.txt").read_text("utf-8").splitlines():
        for w in unicodedata.normalize("NFC", line.strip().lower()).split():
            out.add(normalize_syllable(w))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-word", type=int, default=80)
    ap.add_argument("--per-obs", type=int, default=10)
    ap.add_argument("--frequent-rank", type=int, default=6000, help="non-syllables kept if this frequent")
    ap.add_argument("--out", default=str(REPO / "dictionaries" / "ocr_index.txt.gz"))
    a = ap.parse_args()
    lm = load_lm()
    channel = load_channel()
    sylls = vietnamese_syllables()
    words = []
    marked_bare = {strip_marks(w) for w in sylls if strip_marks(w) != w}
    for rank, w in enumerate(lm.vocab):
        if w.startswith("<") or not w.isalpha() or not tone_allowed(w):
            continue
        if w in sylls:
            words.append(w)
        elif rank < a.frequent_rank and w not in marked_bare:
            # a frequent non-syllable (an abbreviation, a foreign word), unless it is merely a Vietnamese
            # syllable stripped of its marks (URL slugs, unaccented text in the corpus: 'sach', 'phap')
            words.append(w)
    print(f"{len(words):,} candidate words")
    index: dict[str, list[tuple[float, str, float]]] = {}
    for n, w in enumerate(words):
        prior = lm.uni_logp[lm.ids[w]] * math.log(10)
        for obs, _p in channel.kbest(w, a.per_word):
            lp = math.log(channel.prob(obs, w))
            index.setdefault(obs, []).append((lp + prior, w, lp))
        if n % 2000 == 0:
            print(n, len(index), flush=True)
    lines = [
        "# observed<TAB>syllable<TAB>ln P(observed|syllable)... built by scripts/build_index.py",
        "<vocab>\t" + "\t".join(words),
    ]
    for obs in sorted(index):
        best = sorted(index[obs], reverse=True)[: a.per_obs]
        lines.append(obs + "\t" + "\t".join(f"{w}\t{lp:.2f}" for _, w, lp in best))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    Path(a.out).write_bytes(gzip.compress(data, 9, mtime=0))
    print(f"wrote {a.out}: {len(index):,} observed strings, {Path(a.out).stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
