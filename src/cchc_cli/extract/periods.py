"""Periods and time frames: "6 tháng cuối năm 2025" → 2025-07-01..2025-12-31, "giai đoạn 2026 - 2030" →
2026-01-01..2030-12-31, "năm 2025", "quý III năm 2025", "2026-2030" in a table cell."""

from __future__ import annotations

import datetime as _dt
import re

from ..records import Deadline, Period
from ..text import YEAR_RANGE_RE, fold, iso_date

__all__ = ["deadline_of", "find_period", "parse_deadline"]

_YEAR = r"(?P<year>20\d\d|19\d\d)"
HALF_RE = re.compile(
    r"\b(?P<months>6|sau|9|chin|3|ba)\s+thang\s+(?P<part>dau|cuoi)\s+n\w{1,2}m\b(?:\s+" + _YEAR + r")?"
)
RANGE_RE = re.compile(r"\bgiai\s+doan\s+(?P<a>20\d\d)\s*-\s*(?P<b>20\d\d)\b")
QUARTER_RE = re.compile(r"\bquy\s+(?P<q>i{1,3}|iv|[1-4])\s*(?:/|n\w{1,2}m\s+)(?P<year>20\d\d)\b")
YEAR_RE = re.compile(r"\bn\w{1,2}m\s+(?P<year>20\d\d)\b")
BEFORE_RE = re.compile(r"\s*truoc\b")  # "trước quý III/2025", "trước năm 2026": due before it starts
DAY_RE = re.compile(r"\b(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>20\d\d)\b")
_NUM = {"6": 6, "sau": 6, "9": 9, "chin": 9, "3": 3, "ba": 3}
_LAST_DAY = {3: 31, 6: 30, 9: 30, 12: 31}


def find_period(text: str | None) -> Period | None:
    """The period a title (or sentence) names, with the words as printed in `text`."""
    if not text:
        return None
    folded = fold(text)
    m = HALF_RE.search(folded)
    if m:
        months = _NUM[m["months"]]
        year = m["year"]
        printed = text[m.start(): m.end()]
        if year is None:
            ym = YEAR_RE.search(folded, m.end()) or re.search(r"\b(?P<year>20\d\d)\b", folded[m.end():])
            if ym is None:
                return Period(text=printed)
            year = ym["year"]
            printed = f"{printed} {year}"
        y = int(year)
        if m["part"] == "dau":
            start, end_month = 1, months
        else:
            start, end_month = 13 - months, 12
        return Period(**{"from": f"{y}-{start:02d}-01", "to": f"{y}-{end_month:02d}-{_LAST_DAY[end_month]}",
                         "text": printed})
    m = RANGE_RE.search(folded)
    if m:
        return Period(**{"from": f"{m['a']}-01-01", "to": f"{m['b']}-12-31", "text": text[m.start(): m.end()]})
    m = QUARTER_RE.search(folded)
    if m:
        q = {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(m["q"]) or int(m["q"])
        y = int(m["year"])
        end_month = 3 * q
        return Period(**{"from": f"{y}-{end_month - 2:02d}-01", "to": f"{y}-{end_month:02d}-{_LAST_DAY[end_month]}",
                         "text": text[m.start(): m.end()]})
    m = YEAR_RE.search(folded)
    if m:
        return Period(**{"from": f"{m['year']}-01-01", "to": f"{m['year']}-12-31", "text": text[m.start(): m.end()]})
    return None


def deadline_of(printed: str, period: Period | None) -> Deadline:
    """The time frame a phrase names, by the one convention of the README's table: a period it falls within
    ("trong quý III/2025", "Quý III/2025": from its first day to its last), or, after "trước", a date it must
    come before ("trước quý III/2025", "trước năm 2026": `from` null, `to` the day before the period starts,
    as "trước ngày 30/6/2025" gives `to` 2025-06-30)."""
    if period is None or period.from_ is None:
        return Deadline(text=printed.strip())
    if BEFORE_RE.match(fold(printed)):
        day_before = _dt.date.fromisoformat(period.from_) - _dt.timedelta(days=1)
        return Deadline(**{"text": printed.strip(), "from": None, "to": day_before.isoformat()})
    return Deadline(**{"text": printed.strip(), "from": period.from_, "to": period.to})


def parse_deadline(text: str | None) -> Deadline | None:
    """A table cell's time frame: '2026-2030' → 2026-01-01..2030-12-31; a cut-off '2026-20' keeps its start;
    'Quý III/2025' the quarter, 'Trước quý III/2025' → to 2025-06-30, 'Trước ngày 30/6/2025' → to 2025-06-30."""
    if not text:
        return None
    m = YEAR_RANGE_RE.search(text)
    if m:
        b = m["b"] if m["b"] and len(m["b"]) == 4 else None
        return Deadline(**{"text": m.group(0).strip(), "from": f"{m['a']}-01-01", "to": f"{b}-12-31" if b else None})
    day = DAY_RE.search(text)
    if day:
        return Deadline(text=text.strip(), to=iso_date(day["d"], day["m"], day["y"]))
    period = find_period(text)
    if period is not None:
        deadline = deadline_of(text, period)
        return deadline if BEFORE_RE.match(fold(text)) else Deadline(
            **{"text": period.text, "from": period.from_, "to": period.to})
    return Deadline(text=text.strip())
