"""The data every stage reads, in one immutable object: :class:`Resources`.

It holds the shipped dictionaries of ``dictionaries/`` (terms, the 2025 gazetteer, document types and codes,
unit names, task areas, indicators, task outputs, cue phrases, OCR look-alikes, English function words) and
the user's ``--dictionary`` files, each read once through the strict loader (:mod:`cchc_cli.data`,
:mod:`cchc_cli.dictionary`) when a stage first asks for it. The stages receive a ``Resources`` instead of
paths; :func:`load_resources` gives the shared one for a list of user files. The pipeline version
(:attr:`Resources.version`) digests the package's code, the shipped files and the user's files, once.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from . import data
from .data import DictionaryError
from .symbols import CodeBook, DocType, doc_type_named
from .text import fold

if TYPE_CHECKING:
    from .dictionary import Place, TermDictionary

__all__ = ["Cues", "Indicator", "OcrLookalikes", "Resources", "TaskArea", "Unit", "load_resources",
           "task_area_codes"]

OTHER_AREA = "other"


@dataclass(frozen=True)
class Unit:
    """A body or unit tasks are assigned to: its canonical name, kind (unit or group), the patterns of its
    names and variants over folded text, and the OCR patterns tried when none matches."""

    name: str
    kind: str
    patterns: tuple[re.Pattern[str], ...]
    ocr: tuple[re.Pattern[str], ...]
    forms: tuple[str, ...] = ()  # the name and its variants as written, normalised (spelled_as)

    def spelled_as(self, printed: str) -> bool:
        """`printed` spells the name or a variant exactly (case, spacing and dashes aside): readable as is."""
        return _spelling(printed) in self.forms


def _spelling(text: str) -> str:
    return " ".join(re.sub(r"\s*[-–—]\s*", " - ", text.lower()).split())


@dataclass(frozen=True)
class Indicator:
    code: str
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class TaskArea:
    code: str
    keywords: tuple[str, ...]  # folded


@dataclass(frozen=True)
class OcrLookalikes:
    letter_guess: Mapping[int, str]  # a str.translate table
    consonant_looks: Mapping[str, str]
    vowel_looks: str


@dataclass(frozen=True)
class Cues:
    """The cue patterns of dictionaries/cues.yaml, compiled (see the file for what each one finds)."""

    task_section: re.Pattern[str]
    task_content_section: re.Pattern[str]
    target_section: re.Pattern[str]
    indicator_section: re.Pattern[str]
    objective_section: re.Pattern[str]
    objective_not_target: re.Pattern[str]
    not_task_section: re.Pattern[str]
    assignment_section: re.Pattern[str]
    responsibility_section: re.Pattern[str]
    organisation_section: re.Pattern[str]
    responsibility_fallback: re.Pattern[str]
    issuing_authority: re.Pattern[str]
    lead_unit: re.Pattern[str]
    cooperating_unit: re.Pattern[str]
    responsibility_prefix: re.Pattern[str]
    unit_head: re.Pattern[str]
    unit_tail: re.Pattern[str]
    time_label: re.Pattern[str]
    time_phrase: re.Pattern[str]
    regular: re.Pattern[str]
    target_deadline: re.Pattern[str]
    at_least: re.Pattern[str]
    at_most: re.Pattern[str]
    measurable: re.Pattern[str]
    reference_kinds: tuple[str, ...]

    # the named groups the code reads, and flags, of the patterns that have them
    GROUPS: ClassVar[dict[str, tuple[str, ...]]] = {
        "time_label": ("t",), "time_phrase": ("d", "m", "y"), "target_deadline": ("d", "m", "y", "year", "year2"),
    }
    FLAGS: ClassVar[dict[str, int]] = {"at_least": re.IGNORECASE, "at_most": re.IGNORECASE}

    @classmethod
    def from_content(cls, content: Mapping[str, Any], name: str) -> Cues:
        values: dict[str, Any] = {}
        for item in fields(cls):
            if item.name == "reference_kinds":
                continue
            pattern = content.get(item.name)
            if not isinstance(pattern, str):
                raise DictionaryError(f"{name}: `{item.name}` is missing or not text — add the pattern")
            try:
                compiled = re.compile(pattern, cls.FLAGS.get(item.name, 0))
            except re.error as exc:
                raise DictionaryError(f"{name}: `{item.name}` is not a valid regular expression ({exc}) — fix it") \
                    from None
            missing = [g for g in cls.GROUPS.get(item.name, ()) if g not in compiled.groupindex]
            if missing:
                raise DictionaryError(f"{name}: `{item.name}` lacks the named group(s) {', '.join(missing)} — "
                                      "keep them")
            values[item.name] = compiled
        kinds = content.get("reference_kinds")
        if not isinstance(kinds, list) or not all(isinstance(k, str) and k for k in kinds):
            raise DictionaryError(f"{name}: `reference_kinds` must be a list of type words — fix it")
        return cls(**values, reference_kinds=tuple(kinds))


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A phrase as a pattern over folded text: its words in order, any spacing, hyphen/comma spacing free."""
    words = re.findall(r"\w+|[-&,]", fold(phrase))
    body = r"\s*".join(re.escape(w) for w in words)
    return re.compile(r"(?<!\w)" + body + r"(?!\w)")


def task_area_codes() -> tuple[str, ...]:
    """The task area codes of dictionaries/task_areas.yaml, then ``other``."""
    return (*(entry["code"] for entry in data.read_yaml("task_areas.yaml")["areas"]), OTHER_AREA)


class Resources:
    """Everything the stages read besides the models, loaded once; read-only.

    `dictionaries` are the user's term files (``--dictionary``), validated when the object is made: a bad
    file raises :class:`~cchc_cli.data.DictionaryError` naming it. Their terms win over the built-in ones.
    """

    def __init__(self, dictionaries: Sequence[Path | str] = ()) -> None:
        from .dictionary import load_dictionary

        paths = tuple(Path(p) for p in dictionaries)
        object.__setattr__(self, "dictionaries", paths)
        object.__setattr__(self, "user_dictionaries", tuple(load_dictionary(p) for p in paths))

    dictionaries: tuple[Path, ...]
    user_dictionaries: tuple[TermDictionary, ...]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Resources are read-only")

    def __repr__(self) -> str:
        return f"Resources(dictionaries={[str(p) for p in self.dictionaries]})"

    # --- terms and places --------------------------------------------------------------------------------

    @cached_property
    def places(self) -> tuple[Place, ...]:
        from .dictionary import places

        return tuple(places())

    @cached_property
    def term_forms(self) -> tuple[tuple[str, bool], ...]:
        """Every form of every term as (form, is_user): built-in terms, the gazetteer's names and short names,
        then the user's terms in file order."""
        from .dictionary import builtin_terms

        forms = [(form, False) for term in builtin_terms().terms for form in term.forms()]
        for place in self.places:
            forms.append((place.name, False))
            if place.short_name != place.name:
                forms.append((place.short_name, False))
        forms += [(form, True) for d in self.user_dictionaries for term in d.terms for form in term.forms()]
        return tuple(forms)

    @cached_property
    def doc_types(self) -> tuple[DocType, ...]:
        """Document types, longest name first (built-in terms and the user's)."""
        from .dictionary import merge_terms

        types = [DocType(term.text, term.abbr, fold(term.text))
                 for term, _ in merge_terms(self.user_dictionaries) if term.kind == "document_type"]
        types.sort(key=lambda d: -len(d.folded))
        return tuple(types)

    @cached_property
    def type_codes(self) -> frozenset[str]:
        return frozenset(d.abbr for d in self.doc_types if d.abbr)

    def doc_type(self, word: str | None) -> DocType | None:
        """The document type a type word names ('KẾ HOẠCH' → Kế hoạch, KH)."""
        return doc_type_named(word, self.doc_types)

    def doc_type_with_code(self, code: str) -> DocType | None:
        return next((d for d in self.doc_types if d.abbr == code), None)

    # --- codes and OCR ----------------------------------------------------------------------------------

    @cached_property
    def _lookalikes(self) -> dict[str, Any]:
        return data.read_yaml("ocr_lookalikes.yaml")

    @cached_property
    def ocr_lookalikes(self) -> OcrLookalikes:
        content = self._lookalikes
        return OcrLookalikes(str.maketrans(content["letter_guess"]), dict(content["consonant_looks"]),
                             str(content["vowel_looks"]))

    @cached_property
    def codebook(self) -> CodeBook:
        codes = data.read_yaml("document_codes.yaml")
        confusions = self._lookalikes["code_confusions"]
        return CodeBook.build([str(c) for c in [*codes.get("types", []), *codes.get("issuers", [])]], confusions)

    @cached_property
    def foreign_words(self) -> frozenset[str]:
        return frozenset(data.read_words("foreign_words.txt"))

    @cached_property
    def two_syllable_words(self) -> tuple[str, ...]:
        """The word list's two-syllable words ('điều chỉnh'), for the decoder's word bonus."""
        return tuple(data.read_words("words2.txt"))

    # --- extraction vocabulary ----------------------------------------------------------------------------

    @cached_property
    def units(self) -> tuple[Unit, ...]:
        """Unit names, longer names first ("Phòng Kinh tế, Hạ tầng và Đô thị" before "Phòng Kinh tế")."""
        out: list[Unit] = []
        for entry in data.read_yaml("units.yaml")["units"]:
            forms = sorted([entry["name"], *(entry.get("variants") or [])], key=len, reverse=True)
            out.append(Unit(entry["name"], entry.get("kind", "unit"), tuple(phrase_pattern(f) for f in forms),
                            tuple(re.compile(p) for p in entry.get("ocr") or []),
                            tuple(_spelling(unicodedata.normalize("NFC", f)) for f in forms)))
        out.sort(key=lambda u: -max(len(p.pattern) for p in u.patterns))
        return tuple(out)

    @cached_property
    def indicators(self) -> tuple[Indicator, ...]:
        out = []
        for entry in data.read_yaml("indicators.yaml")["indicators"]:
            patterns = [phrase_pattern(f) for f in entry.get("forms") or []]
            patterns += [re.compile(p) for p in entry.get("ocr") or []]
            out.append(Indicator(entry["code"], tuple(patterns)))
        return tuple(out)

    @cached_property
    def task_areas(self) -> tuple[TaskArea, ...]:
        return tuple(TaskArea(entry["code"], tuple(fold(k) for k in entry.get("keywords") or []))
                     for entry in data.read_yaml("task_areas.yaml")["areas"])

    @cached_property
    def task_outputs(self) -> tuple[tuple[str, str], ...]:
        """(output as printed, folded) of dictionaries/task_outputs.yaml, longer phrases first."""
        return tuple((o, fold(o)) for o in data.read_yaml("task_outputs.yaml")["outputs"])

    @cached_property
    def cues(self) -> Cues:
        return Cues.from_content(data.read_yaml("cues.yaml"), f"{data.DATA_PACKAGE}/cues.yaml")

    # --- the pipeline version -----------------------------------------------------------------------------

    @cached_property
    def version(self) -> str:
        """``<package version>+<digest>``: the digest covers the package's own code and the shipped model and
        dictionary files, so a changed decoder or a retrained model counts as a newer pipeline even without a
        version bump; ``.d<digest>`` follows for the user's dictionary files (their content), so ingesting
        with other terms reads the files again."""
        return pipeline_version(self.dictionaries)


def pipeline_version(dictionaries: Sequence[Path] = ()) -> str:
    from importlib import resources

    from . import version

    digest = hashlib.sha256()
    for name, content in data.shipped_files():
        digest.update(f"{name}\0".encode())
        digest.update(hashlib.sha256(content).digest())
    folders = [("", resources.files("cchc_cli"))]
    while folders:  # the package's modules, sub-packages included
        prefix, folder = folders.pop()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.is_dir() and entry.name not in {"dictionaries", "__pycache__"}:
                folders.append((f"{prefix}{entry.name}/", entry))
            elif entry.is_file() and entry.name.endswith(".py"):
                digest.update(f"{prefix}{entry.name}\0".encode())
                digest.update(hashlib.sha256(entry.read_bytes()).digest())
    version = f"{version.__version__}+{digest.hexdigest()[:12]}"
    if dictionaries:
        user = hashlib.sha256()
        for path in dictionaries:
            user.update(Path(path).read_bytes())
            user.update(b"\0")
        version += f".d{user.hexdigest()[:8]}"
    return version


@lru_cache(maxsize=8)
def _load(dictionaries: tuple[Path, ...]) -> Resources:
    return Resources(dictionaries)


def load_resources(dictionaries: Sequence[Path | str] | None = None) -> Resources:
    """The shared :class:`Resources` for these user dictionary files (none: the built-in data only)."""
    return _load(tuple(Path(p) for p in dictionaries or ()))
