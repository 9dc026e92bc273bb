"""Term dictionaries: the built-in one (dictionaries/terms.yaml plus the 2025 gazetteer places.tsv) and the
files users pass with ``--dictionary FILE``.

A dictionary file is YAML (format in the header of dictionaries/terms.yaml)::

    version: 1
    terms:
      - text: Ủy ban nhân dân
        kind: body
        abbr: UBND
        aliases: [UB nhân dân]

Files are data, never code: they are read with YAML's safe loader, so a tag such as
``!!python/object/apply`` is refused rather than run. Text is stored NFC with the project's tone placement
(``hòa``, ``thủy``, ``Ủy``), whatever the file used. Every problem is reported as one
:class:`DictionaryError` line naming the file, the line and the remedy.

This module is imported lazily (``import cchc_cli`` does not load it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, get_args

import yaml

from .data import DictionaryError, load_yaml, read_bytes, read_tsv
from .vietnamese import normalize_syllable

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = [
    "TERM_KINDS",
    "DictionaryError",
    "Place",
    "Term",
    "TermDictionary",
    "TermKind",
    "builtin_dictionary",
    "builtin_terms",
    "load_dictionary",
    "merge_terms",
    "merged_terms",
    "parse_dictionary",
    "places",
]

TermKind = Literal["body", "unit", "position", "vocabulary", "abbreviation", "place", "indicator", "document_type"]
TERM_KINDS: tuple[str, ...] = get_args(TermKind)
TERMS_RESOURCE = "terms.yaml"
# A user's dictionary file may hold up to this many bytes (some 200,000 terms): YAML takes about 3 s a MB.
MAX_DICTIONARY_BYTES = 16 * 1024 * 1024
PLACES_RESOURCE = "places.tsv"


_LETTER_RUN = re.compile(r"[^\W\d_]+")


def _normalize_word(word: str) -> str:
    if word.isascii():
        return word
    if word.isalpha():
        return normalize_syllable(word)
    return _LETTER_RUN.sub(lambda m: normalize_syllable(m.group()), word)


def _clean(value: str) -> str:
    """NFC, single spaces, the project's tone placement: 'Uỷ  ban' → 'Ủy ban'.

    Same result as vietnamese.normalize_tones, word by word, without its per-call regex cost (loading the
    built-in dictionary must stay fast)."""
    return " ".join(_normalize_word(word) for word in unicodedata.normalize("NFC", value).split())


@dataclass(frozen=True)
class Term:
    """One entry: the correct form as printed, what it is, its abbreviation and other correct spellings
    (all NFC, single spaces, the project's tone placement)."""

    text: str
    kind: TermKind = "vocabulary"
    abbr: str | None = None
    aliases: list[str] = field(default_factory=list)

    def forms(self) -> list[str]:
        """Every string this term may appear as: text, abbreviation, aliases (no duplicates)."""
        return list(dict.fromkeys([self.text, *([self.abbr] if self.abbr else []), *self.aliases]))


@dataclass(frozen=True)
class TermDictionary:
    """The content of one dictionary file."""

    version: int = 1
    terms: list[Term] = field(default_factory=list)


def _clean_abbr(value: str | None) -> str | None:
    return None if value is None else (_clean(value) or None)


def _clean_aliases(value: list[str]) -> list[str]:
    cleaned = [_clean(alias) for alias in value]
    if not all(cleaned):
        raise ValueError("an alias must not be empty")
    return list(dict.fromkeys(cleaned))


def _aliases_shape(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return value


@cache
def _schema() -> Any:
    """The pydantic model a user's file is validated with. Built (and pydantic imported) only when a user's
    file is read: the built-in terms, tested against it, are read without it, which keeps start-up fast."""
    from pydantic import BaseModel, ConfigDict, field_validator

    class TermEntry(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

        text: str
        kind: TermKind = "vocabulary"
        abbr: str | None = None
        aliases: list[str] = []

        @field_validator("text", mode="after")
        @classmethod
        def _text(cls, value: str) -> str:
            value = _clean(value)
            if not value:
                raise ValueError("must not be empty")
            return value

        @field_validator("abbr", mode="after")
        @classmethod
        def _abbr(cls, value: str | None) -> str | None:
            return _clean_abbr(value)

        @field_validator("aliases", mode="before")
        @classmethod
        def _shape(cls, value: Any) -> Any:
            return _aliases_shape(value)

        @field_validator("aliases", mode="after")
        @classmethod
        def _aliases(cls, value: list[str]) -> list[str]:
            return _clean_aliases(value)

    class DictionaryFile(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

        version: int = 1
        terms: list[TermEntry] = []

        @field_validator("version", mode="after")
        @classmethod
        def _version(cls, value: int) -> int:
            if value != 1:
                raise ValueError("only version 1 is known")
            return value

        @field_validator("terms", mode="before")
        @classmethod
        def _terms_shape(cls, value: Any) -> Any:
            return [] if value is None else value

    return DictionaryFile


class Place(NamedTuple):
    """A 2025 administrative unit: 'Phường Dương Kinh', 'phường', 'Thành phố Hải Phòng'."""

    name: str
    level: str
    province: str

    @property
    def short_name(self) -> str:
        """The name without its level word: 'Phường Dương Kinh' → 'Dương Kinh'."""
        prefix = self.name[: len(self.level)]
        if prefix.lower() == self.level and self.name[len(self.level) : len(self.level) + 1] == " ":
            return self.name[len(self.level) + 1 :]
        return self.name


# --- validation errors -------------------------------------------------------------------------------------


def _node_at(root: yaml.Node | None, loc: tuple[int | str, ...]) -> yaml.Node | None:
    """The deepest YAML node along a pydantic error location (for its line number)."""
    node = root
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if getattr(key_node, "value", None) == part:
                    child = value_node
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
    return node


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _explain(error: Any) -> tuple[str, str]:
    """(problem, remedy) for one pydantic error."""
    kind = error["type"]
    loc = error["loc"]
    if kind == "literal_error":
        return f"must be one of {', '.join(TERM_KINDS)}", "fix the entry or remove it"
    if kind == "extra_forbidden":
        keys = "text, kind, abbr, aliases" if len(loc) > 1 else "version, terms"
        return f"unknown key (the keys are {keys})", "fix the spelling or remove the key"
    if kind == "missing":
        return "is required", "add it or remove the entry"
    if kind == "string_type":
        return "must be text", "put the value in quotes"
    if kind == "list_type":
        return "must be a list", "write it as [first, second] or as lines starting with '- '"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        if loc and loc[0] == "terms":
            return "must be an entry with at least `text:`", "see the format in the built-in terms.yaml"
        return "must be a mapping with `version:` and `terms:`", "see the format in the built-in terms.yaml"
    if loc == ("version",):
        return "must be 1", "write `version: 1`"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"])), "fix the entry or remove it"
    return error["msg"][:1].lower() + error["msg"][1:], "fix the entry or remove it"


def _validation_problem(name: str, exc: ValidationError, root: yaml.Node | None) -> DictionaryError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = tuple(first["loc"])
    node = _node_at(root, loc)
    where = f"line {node.start_mark.line + 1}: " if node is not None else ""
    problem, remedy = _explain(first)
    field = f"{_format_loc(loc)}: " if loc else ""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return DictionaryError(f"{name}: {where}{field}{problem} — {remedy}{more}")


# --- loading -----------------------------------------------------------------------------------------------


def parse_dictionary(data: bytes | str, name: str = "<dictionary>") -> TermDictionary:
    """Validate dictionary YAML already in memory; `name` is used in error messages."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DictionaryError(
                f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}) — save the file as UTF-8"
            ) from None
    content, root = load_yaml(data.removeprefix("\ufeff"), name)
    if content is None:
        return TermDictionary()
    if not isinstance(content, dict):
        raise DictionaryError(
            f"{name}: the file must be a mapping with `version: 1` and `terms:` "
            "— see the format in the built-in terms.yaml"
        )
    from pydantic import ValidationError

    try:
        checked = _schema().model_validate(content)
    except ValidationError as exc:
        raise _validation_problem(name, exc, root) from None
    return TermDictionary(checked.version, [Term(t.text, t.kind, t.abbr, list(t.aliases)) for t in checked.terms])


def load_dictionary(path: Path) -> TermDictionary:
    """Read and validate a user's dictionary file; any problem raises a one-line DictionaryError."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_DICTIONARY_BYTES:
            raise DictionaryError(f"{path}: {size / 1024 / 1024:.0f} MB, more than the "
                                  f"{MAX_DICTIONARY_BYTES // 1024 // 1024} MB a dictionary may hold — keep the terms "
                                  "you need, or split them over several --dictionary files")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DictionaryError(f"{path}: no such file or folder — check the path given to --dictionary") from None
    except IsADirectoryError:
        raise DictionaryError(f"{path}: is a folder, not a file — give the path of a .yaml file") from None
    except OSError as exc:
        raise DictionaryError(f"{path}: cannot be read ({exc.strerror}) — check the file") from None
    return parse_dictionary(raw, str(path))


@cache
def builtin_terms() -> TermDictionary:
    """The terms of dictionaries/terms.yaml (without the gazetteer's places). Cached: treat as read-only.

    Read without the validation of a user's file (tests/test_dictionary.py checks the file against it and that
    both readings give the same terms), cleaned the same way."""
    content = yaml.load(read_bytes(TERMS_RESOURCE), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return TermDictionary(content.get("version", 1), [
        Term(_clean(entry["text"]), entry.get("kind", "vocabulary"), _clean_abbr(entry.get("abbr")),
             _clean_aliases(_aliases_shape(entry.get("aliases"))))
        for entry in content.get("terms") or ()
    ])


@cache
def _places() -> tuple[Place, ...]:
    rows = list(read_tsv(PLACES_RESOURCE, 3))
    if rows and rows[0] == ["name", "level", "province"]:
        rows = rows[1:]
    return tuple(Place(*row) for row in rows)


def places() -> list[Place]:
    """The 2025 provinces, communes, wards and special zones of dictionaries/places.tsv (provinces first)."""
    return list(_places())


@cache
def builtin_dictionary() -> TermDictionary:
    """terms.yaml plus one kind-"place" term per distinct place name (its short name as an alias).

    Cached and shared: treat the result as read-only.
    """
    base = builtin_terms()
    known = {term.text for term in base.terms}
    place_terms: dict[str, Term] = {}
    for place in _places():
        if place.name in known or place.name in place_terms:
            continue
        short = place.short_name
        place_terms[place.name] = Term(place.name, "place", None, [short] if short != place.name else [])
    return TermDictionary(1, [*base.terms, *place_terms.values()])


def merged_terms(user_files: Sequence[Path]) -> list[tuple[Term, bool]]:
    """Built-in terms, then the users' terms in file order, as (term, is_user).

    A user term replaces a built-in term (or an earlier user term) with the same text.
    """
    return merge_terms([load_dictionary(path) for path in user_files])


def merge_terms(user_dictionaries: Sequence[TermDictionary]) -> list[tuple[Term, bool]]:
    """:func:`merged_terms` over dictionaries already loaded."""
    merged: dict[str, tuple[Term, bool]] = {term.text: (term, False) for term in builtin_dictionary().terms}
    for dictionary in user_dictionaries:
        for term in dictionary.terms:
            merged.pop(term.text, None)
            merged[term.text] = (term, True)
    return list(merged.values())
