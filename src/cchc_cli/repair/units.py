"""How text is cut into the units the language model sees (shared by the model builder and the decoder).

A sentence is a run of syllables; it ends at . ; : ! ? … ( ) [ ] and quotes, and at a blank line. Line
breaks inside a paragraph do not end a sentence (OCR'd text wraps anywhere). Numbers and codes become the
single unit NUM; letters are lowercased and tone placement normalised.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

from ..vietnamese import normalize_syllable

UNK, BOS, EOS, NUM = "<unk>", "<s>", "</s>", "<num>"
SPECIALS = (UNK, BOS, EOS, NUM)

_UNIT = regex.compile(
    r"(?P<num>[\p{L}\p{N}]*\p{N}[\p{L}\p{N}]*(?:[./,:\-][\p{L}\p{N}]+)*)"
    r"|(?P<word>\p{L}[\p{L}\p{M}]*)"
    r"|(?P<stop>[.;:!?…()\[\]{}“”\"]|\n[ \t\r]*\n)"
)


def lm_word(token: str) -> str:
    return normalize_syllable(token.lower())


def lm_sentences(text: str) -> Iterator[list[str]]:
    """Sentences of LM units from correct Vietnamese text (used to build the model)."""
    sentence: list[str] = []
    for m in _UNIT.finditer(text):
        kind = m.lastgroup
        if kind == "word":
            sentence.append(lm_word(m.group()))
        elif kind == "num":
            sentence.append(NUM)
        elif sentence:
            yield sentence
            sentence = []
    if sentence:
        yield sentence
