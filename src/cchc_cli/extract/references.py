"""Documents cited in the text: ``Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ ban hành …``.

A citation is found by its document symbol (``76/NQ-CP``, ``118/2025/NĐ-CP``, ``57-NQ/TW``, ``3470/QĐ-UBND``;
a symbol wrapped at a hyphen, ``45-`` / ``NQ/TW``, is joined), or, for a law, by ``Luật <name>`` with its
date. Around it: the type word before (``kind``), ``ngày dd/mm/yyyy`` after (``date``), ``của <issuer>``
and what follows up to the end of the clause (``title``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ..records import Reference
from ..resources import Resources
from ..symbols import SYMBOL_RE
from ..text import clean_space, iso_date

__all__ = ["find_references", "joined_lines"]

BEFORE_CHARS = 40  # how far before a symbol its type word is looked for
AFTER_CHARS = 300  # how far after it its date, issuer and title
TITLE_CHARS = 300  # a reference's title is cut at this length
DATE_AFTER_RE = re.compile(
    r"^\s*,?\s*(?:ngày\s*)?(?:(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4})"
    r"|(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>\d{4}))",
    re.IGNORECASE,
)
ISSUER_RE = re.compile(
    r"^\s*,?\s*của\s+(?P<issuer>.+?)(?=\s+(?:về|ban hành|quy định|hướng dẫn|phê duyệt|sửa đổi|triển khai|thực hiện)\b"
    r"|[,;:.(]|$)"
)
LAW_RE = re.compile(
    r"(?<!\w)(?P<kind>Luật|Bộ luật)\s+(?P<name>[A-ZĐ][^;.,()]*?)\s+(?:ngày\s+(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})"
    r"|năm\s+(?P<year>\d{4}))"
)


def joined_lines(lines: Sequence[str], first: int, last: int) -> tuple[str, list[int]]:
    """Lines first..last joined with spaces, and the start offset of each line in the joined text."""
    offsets: list[int] = []
    parts: list[str] = []
    pos = 0
    for no in range(first, last + 1):
        offsets.append(pos)
        text = lines[no - 1]
        parts.append(text)
        pos += len(text) + 1
    return " ".join(parts), offsets


def _line_at(offsets: list[int], first: int, index: int) -> int:
    lo, hi = 0, len(offsets) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if offsets[mid] <= index:
            lo = mid
        else:
            hi = mid - 1
    return first + lo


@lru_cache(maxsize=4)
def _kind_before(kinds: tuple[str, ...]) -> re.Pattern[str]:
    """A type word ending the text before a symbol ("Nghị quyết số ")."""
    alternatives = "|".join(re.escape(k) for k in kinds)
    return re.compile(r"(?P<kind>" + alternatives + r")\s*(?:số\s*:?)?\s*$", re.IGNORECASE)


def find_references(
    lines: Sequence[str], first: int, last: int, resources: Resources, *, skip_lines: Sequence[int] = (),
    laws: bool = True,
) -> list[Reference]:
    """Every document cited on lines first..last, in order, once each (by symbol; laws by name)."""
    kinds = resources.cues.reference_kinds
    kind_before = _kind_before(kinds)
    text, offsets = joined_lines(lines, first, last)
    found: list[tuple[int, Reference]] = []
    seen: set[str] = set()
    skip = set(skip_lines)
    for m in SYMBOL_RE.finditer(text):
        symbol = re.sub(r"\s+", "", m["symbol"])
        if not re.search(r"[A-ZĐ]", symbol) or re.fullmatch(r"\d+/\d+/\d+", symbol):
            continue
        line = _line_at(offsets, first, m.start())
        if line in skip:
            continue
        before = text[max(0, m.start() - BEFORE_CHARS): m.start()]
        kind_m = kind_before.search(before)
        after = text[m.end(): m.end() + AFTER_CHARS]
        date = None
        dm = DATE_AFTER_RE.match(after)
        rest = after
        if dm:
            date = iso_date(dm["d"] or dm["d2"], dm["m"] or dm["m2"], dm["y"] or dm["y2"])
            rest = after[dm.end():]
        issuer = None
        im = ISSUER_RE.match(rest)
        if im:
            issuer = clean_space(im["issuer"])
            rest = rest[im.end():]
        if not kind_m and not dm and not symbol.count("/") + symbol.count("-") >= 2:
            continue  # a bare "12/UBND" without type word nor date: not reliably a citation
        title = _title(rest)
        if symbol in seen:
            continue
        seen.add(symbol)
        found.append((m.start(), Reference(
            kind=_kind_case(kind_m["kind"], kinds) if kind_m else None,
            number=symbol, date=date, issuer=issuer, title=title, line=line,
        )))
    if laws:
        for m in LAW_RE.finditer(text):
            line = _line_at(offsets, first, m.start())
            name = clean_space(f"{m['kind']} {m['name']}")
            if line in skip or name in seen or SYMBOL_RE.search(m.group(0)):
                continue
            seen.add(name)
            date = iso_date(m["d"], m["m"], m["y"]) if m["d"] else None
            found.append((m.start(), Reference(kind=m["kind"], number=None, date=date, issuer=None, title=name,
                                               line=line)))
    found.sort(key=lambda item: item[0])
    return [ref for _, ref in found]


def _title(rest: str) -> str | None:
    rest = rest.lstrip(" ,")
    m = re.match(r"(?P<title>(?:về|ban hành|quy định|hướng dẫn|phê duyệt|sửa đổi)\b[^;()]*?)(?=;|\.\s|\)|$)", rest)
    if not m:
        return None
    title = clean_space(m["title"])
    return title[:TITLE_CHARS] or None


def _kind_case(kind: str, kinds: Sequence[str]) -> str:
    for word in kinds:
        if word.lower() == kind.lower():
            return word
    return kind
