"""Appendix task tables (``Phụ lục`` / ``Danh mục nhiệm vụ cụ thể``) whose columns the OCR interleaved.

The table has the columns STT | Nội dung công việc | Đơn vị chủ trì | Đơn vị phối hợp | Kết quả/Sản phẩm |
Thời gian hoàn thành, with group rows (``I | CẢI CÁCH THỂ CHẾ``). The OCR reads it line by line across
all columns, so one text line holds a piece of every column, and a row's STT sits on the line in the middle of
its block, usually beside its time frame. Rows are rebuilt from that:

- the row starts are the lines that begin with the next STT (or with a damaged one, "g" for 8, when the line
  also carries a time frame), in order;
- the lines between two row starts are split where the next row's content begins (a line starting with a
  capitalised word), group rows and repeated column headers are boundaries;
- each row keeps all its lines; extraction finds the units, output and time frame in them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..extract.text import clean_space, fold, is_upper_text
from .types import TableRow

__all__ = ["DEADLINE_RE", "find_table_rows"]

DEADLINE_RE = re.compile(r"\b(20\d\d)\s*[-–]\s*(20\d\d|20\d?|)(?!\d)")
GROUP_RE = re.compile(r"^\s*(?P<mark>[^|\s]{0,4})\s*(?:\|\s*)+(?P<name>[^|]+?)\s*$")
TITLE_CASE_RE = re.compile(r"^[^\W\d_][^\W\d_]*[a-zà-ỹđ]", re.UNICODE)


def _is_column_header(line: str) -> bool:
    folded = fold(line)
    return ("stt" in folded and "noi dung" in folded) or ("ket qua" in folded and "thoi gian" in folded)


def _group_name(line: str) -> str | None:
    m = GROUP_RE.match(line)
    if m and is_upper_text(m["name"], 0.85) and len(m["name"].split()) >= 2 and not DEADLINE_RE.search(line):
        return clean_space(m["name"])
    return None


def _starts_content(line: str) -> bool:
    """A line that begins a row's content: a capitalised word in small letters ("Rà soát", "Tham mưu")."""
    stripped = line.strip()
    if not stripped:
        return False
    words = stripped.split()
    if len(words) < 4:
        return False  # "Quốc gia": the end of the previous row's content, not a new row
    first = words[0]
    return bool(TITLE_CASE_RE.match(first)) and first[0].isupper() and not first.isupper()


def find_table_rows(lines: Sequence[str], start: int, end: int) -> tuple[list[TableRow], list[str]]:
    """The rows of the task table on lines start..end (1-based), and warnings for what could not be read."""
    warnings: list[str] = []
    marks: list[tuple[int, str, object]] = []  # (line, kind, payload): 'group' name / 'row' stt / 'skip'
    expected = 1
    started = False
    for no in range(start, end + 1):
        line = lines[no - 1]
        stripped = line.strip()
        if not stripped:
            continue
        if _is_column_header(line):
            started = True
            marks.append((no, "skip", None))
            continue
        if not started:
            continue
        name = _group_name(line)
        if name:
            marks.append((no, "group", name))
            continue
        token = stripped.split()[0].rstrip("|")
        rest_has_deadline = bool(DEADLINE_RE.search(stripped[len(token):]))
        stt = None
        if token.isdigit() and len(token) <= 2:
            if int(token) == expected:
                stt = expected
            elif rest_has_deadline:
                warnings.append(f"line {no}: row number '{token}' read as {expected}")
                stt = expected
        elif 0 < len(token) <= 2 and rest_has_deadline and not token.isupper():
            warnings.append(f"line {no}: row number '{token}' read as {expected}")
            stt = expected
        if stt is not None:
            marks.append((no, "row", stt))
            expected = stt + 1
    rows: list[TableRow] = []
    group: str | None = None
    prev_row_line: int | None = None
    boundary = start  # first line a row may take
    row_marks = [m for m in marks if m[1] == "row"]
    if not row_marks:
        if started:
            warnings.append(f"lines {start}-{end}: a task table whose rows could not be rebuilt")
        return rows, warnings
    skip = {m[0] for m in marks if m[1] == "skip"}
    for no, kind, payload in marks:
        if kind == "group":
            if rows and prev_row_line is not None:
                rows[-1].last = no - 1
            group = str(payload)
            boundary = no + 1
            prev_row_line = None
            continue
        if kind != "row":
            if not rows:
                boundary = no + 1
            continue
        # Split the lines between the previous row's STT line and this one.
        head = boundary
        if prev_row_line is not None:
            head = no
            for k in range(prev_row_line + 1, no):
                if k in skip:
                    continue
                if _starts_content(lines[k - 1]):
                    head = k
                    break
            rows[-1].last = head - 1
        rows.append(TableRow(stt=int(payload), group=group, line=no, first=head, last=no, cells=[]))  # type: ignore[arg-type]
        prev_row_line = no
    if rows:
        rows[-1].last = end
    for row in rows:
        row.cells = [
            (k, lines[k - 1].strip())
            for k in range(row.first, row.last + 1)
            if lines[k - 1].strip() and k not in skip and _group_name(lines[k - 1]) is None
        ]
    return rows, warnings
