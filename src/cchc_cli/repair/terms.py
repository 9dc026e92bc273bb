"""Dictionary terms in the decoder: multi-syllable names and phrases the OCR damaged.

The built-in term dictionary (dictionaries/terms.yaml, the 2025 gazetteer) and the users' own files
(``--dictionary``) give phrases such as "Phòng Văn hóa - Xã hội" or "Bạch Long Vĩ". Where a run of OCR
tokens can be read as a phrase (each token is a plausible OCR reading of the phrase's syllable under the
channel model), the phrase's syllables join the candidates of those tokens with a bonus: small for built-in
terms (the language model still decides), large for user terms (the user's names win over the model).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import regex

from ..vietnamese import normalize_syllable, strip_marks

SYLLABLE = regex.compile(r"[\p{L}\p{M}\p{N}]+")
MAX_TERM = 10  # syllables


@dataclass(frozen=True, slots=True)
class Phrase:
    syllables: tuple[str, ...]  # lowercase, NFC, project tone placement
    user: bool


def phrase_syllables(text: str) -> tuple[str, ...]:
    return tuple(normalize_syllable(s.lower()) for s in SYLLABLE.findall(text))


class TermMatcher:
    def __init__(self, user_files: Sequence[Path] = ()) -> None:
        from ..dictionary import merged_terms

        self.by_first: dict[str, list[Phrase]] = {}
        self.user_words: set[str] = set()
        seen: set[tuple[str, ...]] = set()
        for term, is_user in merged_terms(list(user_files)):
            for form in term.forms():
                sylls = phrase_syllables(form)
                if not sylls or len(sylls) > MAX_TERM or not all(s.isalpha() for s in sylls):
                    continue
                if is_user:
                    self.user_words.update(sylls)
                if len(sylls) < 2 and not is_user:
                    continue  # single built-in syllables are the language model's business
                if sylls in seen and not is_user:
                    continue
                seen.add(sylls)
                self.by_first.setdefault(strip_marks(sylls[0]), []).append(Phrase(sylls, is_user))
        for phrases in self.by_first.values():
            phrases.sort(key=lambda p: (-p.user, -len(p.syllables)))

    def starting_with(self, bare: str) -> list[Phrase]:
        return self.by_first.get(bare, [])


@dataclass(frozen=True, slots=True)
class TermMatch:
    start: int  # index in the sentence
    phrase: Phrase
    logprobs: tuple[float, ...]  # ln P(observed token | phrase syllable), one per syllable
