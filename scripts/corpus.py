"""Read ../shared/corpus: documents, cleaned of Markdown, split into training and held-out parts.

Every document starts with a line ``=== <source path>``. The split is by document and deterministic:
a document is held out when the SHA-1 of its source path is 0 modulo 20 (about 5 %). The held-out list is
committed as bench/heldout_docs.txt; nothing built by scripts/ ever reads a held-out document.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("CCHC_CORPUS", REPO.parent / "shared" / "corpus"))
HELDOUT_MODULUS = 20

_FRONT_MATTER = re.compile(r"\A\s*---\n.*?\n---\n", re.S)
_MD_MARKS = re.compile(r"\*\*|__|(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)|^#{1,6}\s*|^>\s?|`", re.M)
_RULE = re.compile(r"^\s*[-=_*]{3,}\s*$", re.M)
_PIPES = re.compile(r"\s*\|\s*")


def is_heldout(source: str) -> bool:
    return int(hashlib.sha1(source.encode("utf-8")).hexdigest(), 16) % HELDOUT_MODULUS == 0


def clean(text: str) -> str:
    """NFC text with front matter, Markdown emphasis, rules and table pipes removed (cells become lines)."""
    text = unicodedata.normalize("NFC", text)
    text = _FRONT_MATTER.sub("", text)
    text = _RULE.sub("", text)
    text = _MD_MARKS.sub("", text)
    text = _PIPES.sub("\n", text)
    text = _RULE.sub("", text)
    text = text.replace("\u00a0", " ")
    lines = [ln.strip() for ln in text.split("\n")]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    return "\n".join(out).strip() + "\n"


def iter_documents(part: str = "train") -> Iterator[tuple[str, str]]:
    """Yield (source path, cleaned text) for part 'train', 'heldout' or 'all'."""
    for gz in sorted(CORPUS.glob("*.txt.gz")):
        source: str | None = None
        buf: list[str] = []
        with gzip.open(gz, "rt", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("=== "):
                    if source is not None:
                        yield from _emit(source, buf, part)
                    source, buf = line[4:].strip(), []
                else:
                    buf.append(line)
        if source is not None:
            yield from _emit(source, buf, part)


def _emit(source: str, buf: list[str], part: str) -> Iterator[tuple[str, str]]:
    held = is_heldout(source)
    if part == "all" or (part == "heldout") == held:
        yield source, clean("".join(buf))


if __name__ == "__main__":
    heldout = [src for src, _ in iter_documents("heldout")]
    out = REPO / "bench" / "heldout_docs.txt"
    out.write_text(
        "# Corpus documents never used to build any model (SHA-1 of the path = 0 mod 20); see scripts/corpus.py\n"
        + "\n".join(heldout) + "\n",
        encoding="utf-8",
    )
    print(f"{len(heldout)} held-out documents written to {out}")
