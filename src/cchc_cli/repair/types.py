"""Result types of the repair stage."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Reason codes an Edit may carry (documented in the README).
REASONS = {
    "diacritics": "only the diacritics (tone or vowel marks, đ) changed",
    "ocr-char": "letters the OCR misread were replaced (1→l, 6→ó, w→ư, ii→ủ, ...)",
    "split": "one OCR token was split into several syllables (Caicach → Cải cách)",
    "merge": "several OCR tokens were joined into one",
    "code": "a document symbol, date or other code repaired by its own grammar (0D → QĐ)",
    "case": "only the letter case changed",
    "term": "letters were replaced to fit a user or built-in dictionary term (a place, unit or phrase)",
}


@dataclass(frozen=True, slots=True)
class Edit:
    """One change: `before` at (line, column) became `after`. Line and column are 1-based code points."""

    line: int
    column: int
    before: str
    after: str
    confidence: float
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Flag:
    """A token left as it was but doubtful, with the candidates the engine weighed."""

    line: int
    column: int
    token: str
    candidates: list[str]
    confidence: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class RepairResult:
    text: str
    edits: list[Edit] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "edits": [e.to_dict() for e in self.edits],
            "flags": [f.to_dict() for f in self.flags],
        }
