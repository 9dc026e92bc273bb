"""What a reviewer sees, measured against gold: which output words are wrong, which the tool doubted, how
right its edits are at each confidence, and whether the right syllable was among its candidates.

Used by bench/accuracy.py --review. An output word is doubted when it is flagged or is an edit below 0.9
confidence (what `cchc repair --explain` and the records show a reviewer). Words are the score's syllables
(runs of letters and digits) of the repaired text, aligned to the gold syllables by token edit distance
(the score's own comparison: tone placement and, here, case ignored); an output syllable is right when the
alignment pairs it with an equal gold syllable.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import regex
from rapidfuzz.distance import Levenshtein

SYLLABLE = regex.compile(r"[\p{L}\p{N}]+")
DOUBT_BELOW = 0.9
BANDS = (0.0, 0.5, 0.7, 0.9, 0.95, 0.99, 1.0001)


def load_canon(score_path: Path) -> Callable[[str], str]:
    spec = importlib.util.spec_from_file_location("score_canon", score_path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(mod)
    return lambda tok: mod.canon(tok, fold_case=True)


@dataclass
class Review:
    words: int = 0  # output syllables
    wrong: int = 0
    doubted: int = 0
    wrong_doubted: int = 0
    bands: dict[int, list[int]] = field(default_factory=lambda: {i: [0, 0] for i in range(len(BANDS) - 1)})
    gold_wrong: int = 0  # gold syllables not produced right (substituted or missing)
    gold_offered: int = 0  # ... of which the right reading was among the token's candidates
    gold: int = 0  # gold syllables (with the lattices traced: candidate recall)
    in_lattice: int = 0  # ... whose reading was among its token's readings in the decoder's lattice
    wrong_in_lattice: int = 0  # gold syllables not produced right although their reading was in the lattice

    def add(self, other: Review) -> None:
        for name in ("words", "wrong", "doubted", "wrong_doubted", "gold_wrong", "gold_offered", "gold",
                     "in_lattice", "wrong_in_lattice"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for i, (n, right) in other.bands.items():
            self.bands[i][0] += n
            self.bands[i][1] += right


def output_words(ocr: str, result) -> list[tuple[str, str, float | None, bool, list[str], tuple[int, int]]]:
    """(syllable, kind 'edit'|'kept', edit confidence, flagged, candidates, (line, column) of its token in the
    input) of every syllable of the output, rebuilt line by line from the OCR text and the result's edits and
    flags (both at input columns)."""
    edits: dict[int, list] = {}
    for e in result.edits:
        edits.setdefault(e.line, []).append(e)
    flags = {(f.line, f.column): f for f in result.flags}
    out = []
    for n, line in enumerate(ocr.split("\n"), 1):
        pos = 0
        for e in [*sorted(edits.get(n, []), key=lambda e: e.column), None]:
            start = len(line) if e is None else e.column - 1
            for m in SYLLABLE.finditer(line, pos, start):  # kept text: a flag names its token's first column
                flag = flags.get((n, m.start() + 1))
                out.append((m.group(), "kept", None, flag is not None, flag.candidates if flag else [],
                            (n, m.start() + 1)))
            if e is not None:
                flag = flags.get((n, e.column))
                for syl in SYLLABLE.findall(e.after):
                    out.append((syl, "edit", e.confidence, flag is not None, flag.candidates if flag else [],
                                (n, e.column)))
                pos = start + len(e.before)
    return out


def rightness(words: list, gold: str, canon: Callable[[str], str]) -> tuple[list[bool], list]:
    """Whether each output syllable is paired with an equal gold syllable; and the alignment's opcodes."""
    got = [canon(w[0]) for w in words]
    want = [canon(t) for t in SYLLABLE.findall(gold)]
    right = [False] * len(got)
    ops = Levenshtein.opcodes(got, want)
    for op in ops:
        if op.tag == "equal":
            right[op.src_start:op.src_end] = [True] * (op.src_end - op.src_start)
    return right, [(op, want) for op in ops]


def review(ocr: str, result, gold: str, canon: Callable[[str], str],
           lattice: dict[tuple[int, int], set[str]] | None = None) -> Review:
    """`lattice`: the readings the decoder weighed for each word (Repairer.lattice_trace), for candidate
    recall: a gold syllable is reached when it is produced right or its reading was among the readings of
    the token it is aligned with (or, where the alignment is not one to one, of the tokens it falls among)."""
    words = output_words(ocr, result)
    right, ops = rightness(words, gold, canon)
    r = Review(words=len(words))
    readings: dict[tuple[int, int], set[str]] = {}

    def weighed(i: int) -> set[str]:
        pos = words[i][5]
        if pos not in readings:
            readings[pos] = {canon(syl) for w in (lattice or {}).get(pos, ()) for syl in w.split(" ")}
        return readings[pos]

    for op, want in ops:
        if lattice is not None:
            r.gold += op.dest_end - op.dest_start
            if op.tag == "equal":
                r.in_lattice += op.dest_end - op.dest_start
            else:
                one_to_one = op.src_end - op.src_start == op.dest_end - op.dest_start
                around = set().union(*(weighed(i) for i in range(op.src_start, op.src_end)))
                for j in range(op.dest_start, op.dest_end):
                    pool = weighed(op.src_start + j - op.dest_start) if one_to_one else around
                    if want[j] in pool:
                        r.in_lattice += 1
                        r.wrong_in_lattice += 1
        if op.tag == "equal":
            continue
        r.gold_wrong += op.dest_end - op.dest_start
        if op.tag == "replace" and op.src_end - op.src_start == op.dest_end - op.dest_start:
            for i, j in zip(range(op.src_start, op.src_end), range(op.dest_start, op.dest_end), strict=True):
                if want[j] in {canon(c) for c in words[i][4]}:
                    r.gold_offered += 1
    for (_, kind, conf, flagged, _, _), ok in zip(words, right, strict=True):
        doubted = flagged or (kind == "edit" and conf is not None and conf < DOUBT_BELOW)
        r.wrong += not ok
        r.doubted += doubted
        r.wrong_doubted += doubted and not ok
        if kind == "edit" and conf is not None:
            band = next(i for i in range(len(BANDS) - 1) if BANDS[i] <= conf < BANDS[i + 1])
            r.bands[band][0] += 1
            r.bands[band][1] += ok
    return r


def render(r: Review, title: str) -> list[str]:
    lines = [f"{title}: {r.words} output syllables, {r.wrong} wrong"]
    if r.wrong:
        lines.append(f"  of the wrong ones, doubted (flagged or an edit below {DOUBT_BELOW}): "
                     f"{r.wrong_doubted / r.wrong:.1%}  (target >= 70%)")
    if r.doubted:
        lines.append(f"  of the doubted ones, wrong: {r.wrong_doubted / r.doubted:.1%}  (target >= 50%)")
    if r.gold_wrong:
        lines.append(f"  gold syllables not produced right: {r.gold_wrong}; of the 1:1 substitutions among them, "
                     f"the right reading was a flagged candidate in {r.gold_offered}")
    if r.gold:
        lines.append(f"  candidate recall: {r.in_lattice / r.gold:.2%} of the gold syllables were produced right or "
                     f"among their token's readings in the lattice (target >= 97%); of the {r.gold_wrong} not "
                     f"produced right, {r.wrong_in_lattice} were (decoding errors), "
                     f"{r.gold_wrong - r.wrong_in_lattice} were not (recall errors)")
    sure = [r.bands[i] for i in range(len(BANDS) - 1) if BANDS[i] >= 0.95]
    n, ok = sum(b[0] for b in sure), sum(b[1] for b in sure)
    if n:
        lines.append(f"  edits at >= 0.95: {n}, right {ok / n:.2%}  (target >= 99.5%)")
    lines.append("  edits by confidence: band, edits, right")
    for i, (n, ok) in r.bands.items():
        if n:
            lines.append(f"    [{BANDS[i]:.2f}, {min(BANDS[i + 1], 1):.2f}{')' if BANDS[i + 1] <= 1 else ']'}"
                         f"  {n:>6}  {ok / n:.2%}")
    return lines
