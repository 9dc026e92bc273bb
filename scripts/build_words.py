"""Build dictionaries/words2.txt: the two-syllable words of the Viet74K word list, for the decoder's word bonus.

usage: python scripts/build_words.py [--out dictionaries/words2.txt]

Viet74K (../shared/wordlists/Viet74K.txt, from underthesea; Apache-2.0, its license beside the output as
dictionaries/NOTICE-Viet74K.txt) lists Vietnamese words and phrases one a line. Kept: entries in small letters
(names in capitals are the gazetteer's business) of exactly two syllables of letters, each syllable NFC with the
project's tone placement. Where a run of OCR tokens can be read as such a word, the decoder adds a small bonus
to its syllables (src/cchc_cli/repair/terms.py): a word-level hint the syllable trigram model lacks ('điều
chỉnh' is a word, 'diều chỉnh' is not).
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from cchc_cli.repair.terms import phrase_syllables  # noqa: E402

WORDLISTS = REPO.parent / "shared" / "wordlists"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=WORDLISTS / "Viet74K.txt")
    ap.add_argument("--out", type=Path, default=REPO / "dictionaries" / "words2.txt")
    a = ap.parse_args()
    words: set[str] = set()
    for line in a.source.read_text("utf-8").splitlines():
        entry = unicodedata.normalize("NFC", line.strip())
        if not entry or entry != entry.lower():
            continue
        sylls = phrase_syllables(entry)
        if len(sylls) == 2 and all(s.isalpha() for s in sylls) and len(entry.split()) == 2:
            words.add(" ".join(sylls))
    header = ("# cchc: two-syllable words of the Viet74K word list (underthesea; Apache-2.0, see NOTICE-Viet74K.txt),\n"
              "# in small letters, NFC with the project's tone placement. Built by scripts/build_words.py.\n")
    tmp = a.out.with_suffix(".tmp")
    tmp.write_text(header + "".join(f"{w}\n" for w in sorted(words)), "utf-8")
    tmp.replace(a.out)
    print(f"{len(words)} words -> {a.out}")


if __name__ == "__main__":
    main()
