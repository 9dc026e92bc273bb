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


def _builtin_forms() -> list[str]:
    """Every form of the built-in terms and place names, read straight from the shipped data.

    The shipped files are validated by the test suite; reading them without pydantic keeps the engine's
    load fast. Users' files go through cchc_cli.dictionary's validation.
    """
    from importlib import resources

    import yaml

    folder = resources.files("cchc_cli.dictionaries")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(folder.joinpath("terms.yaml").read_text("utf-8"), Loader=loader) or {}  # noqa: S506
    forms: list[str] = []
    for term in data.get("terms") or []:
        forms.append(str(term["text"]))
        if term.get("abbr"):
            forms.append(str(term["abbr"]))
        aliases = term.get("aliases") or []
        forms.extend([aliases] if isinstance(aliases, str) else [str(a) for a in aliases])
    for line in folder.joinpath("places.tsv").read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, level = line.split("\t")[:2]
        forms.append(name)
        if name[: len(level)].lower() == level and name[len(level) : len(level) + 1] == " ":
            forms.append(name[len(level) + 1 :])
    return forms


class TermMatcher:
    def __init__(self, user_files: Sequence[Path] = ()) -> None:
        self.by_first: dict[tuple[str, str], list[Phrase]] = {}
        self.user_by_bare: dict[str, list[Phrase]] = {}
        self.user_words: set[str] = set()
        seen: set[tuple[str, ...]] = set()
        sources: list[tuple[str, bool]] = [(f, False) for f in _builtin_forms()]
        if user_files:
            from ..dictionary import load_dictionary

            for path in user_files:
                for term in load_dictionary(path).terms:
                    sources += [(f, True) for f in term.forms()]
        # single-word abbreviations as printed (SIPAS, PAPI, HĐND, TTg): the decoder keeps these tokens
        self.abbreviations: set[str] = {
            form for form, _ in sources if form.isalnum() and sum(c.isupper() for c in form) >= 2
        }
        for form, is_user in sources:
            sylls = phrase_syllables(form)
            if not sylls or len(sylls) > MAX_TERM or not all(s.isalpha() for s in sylls):
                continue
            if is_user:
                self.user_words.update(sylls)
            elif len(sylls) < 2:
                continue  # single built-in syllables are the language model's business
            if sylls in seen and not is_user:
                continue
            seen.add(sylls)
            if is_user:  # found by bare letters: the user's names may be rare words the model never saw
                self.user_by_bare.setdefault(strip_marks(sylls[0]), []).append(Phrase(sylls, True))
            else:  # found through the candidates the decoder already has: first syllable, second's letters
                self.by_first.setdefault((sylls[0], strip_marks(sylls[1])), []).append(Phrase(sylls, False))

        self.first_syllables: frozenset[str] = frozenset(first for first, _ in self.by_first)

    def starting_with(self, syllable: str, next_bare: str) -> list[Phrase]:
        return self.by_first.get((syllable, next_bare), [])

    def user_starting_with(self, bare: str) -> list[Phrase]:
        return self.user_by_bare.get(bare, [])


@dataclass(frozen=True, slots=True)
class TermMatch:
    start: int  # index in the sentence
    phrase: Phrase
    logprobs: tuple[float, ...]  # ln P(observed token | phrase syllable), one per syllable
