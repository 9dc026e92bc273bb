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

A table whose cells are known — a Word table (the decode stage writes a row per line, its cells joined by
`` | ``) — is read by its columns instead: the column header names each column's role, and a row line with
as many cells gives :attr:`TableRow.columns`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..document import TableRow
from ..text import YEAR_RANGE_RE, clean_space, fold, is_upper_text

__all__ = ["find_table_rows"]

GROUP_CAPITALS = 0.85  # a group row's name is printed in capitals
ROW_START_WORDS = 4  # a line that starts a row's content has at least this many words
STT_DIGITS = 2  # a row number has at most two digits (and a damaged one at most two characters)
GROUP_RE = re.compile(r"^\s*(?P<mark>[^|\s]{0,4})\s*(?:\|\s*)+(?P<name>[^|]+?)\s*(?:\|\s*)*$")  # empty cells after
TITLE_CASE_RE = re.compile(r"^[^\W\d_][^\W\d_]*[a-zà-ỹđ]", re.UNICODE)


# Words of a column header (folded) → the column's role.
COLUMN_ROLES = (("stt", "stt"), ("noi dung", "content"), ("chu tri", "lead"), ("phoi hop", "cooperating"),
                ("ket qua", "output"), ("san pham", "output"), ("thoi gian", "deadline"), ("thoi han", "deadline"))
CELL_BAR = " | "


def header_roles(line: str) -> list[str | None] | None:
    """The role of each cell of a column header whose cells are known (joined by " | "), None otherwise."""
    if CELL_BAR not in line:
        return None
    roles = [next((role for key, role in COLUMN_ROLES if key in fold(cell)), None) for cell in line.split(CELL_BAR)]
    return roles if "content" in roles else None


def _is_column_header(line: str) -> bool:
    folded = fold(line)
    return ("stt" in folded and "noi dung" in folded) or ("ket qua" in folded and "thoi gian" in folded)


def _group_name(line: str) -> str | None:
    m = GROUP_RE.match(line)
    if (m and is_upper_text(m["name"], GROUP_CAPITALS) and len(m["name"].split()) >= 2
            and not YEAR_RANGE_RE.search(line)):
        return clean_space(m["name"])
    return None


def _starts_content(line: str) -> bool:
    """A line that begins a row's content: a capitalised word in small letters ("Rà soát", "Tham mưu")."""
    stripped = line.strip()
    if not stripped:
        return False
    words = stripped.split()
    if len(words) < ROW_START_WORDS:
        return False  # "Quốc gia": the end of the previous row's content, not a new row
    first = words[0]
    return bool(TITLE_CASE_RE.match(first)) and first[0].isupper() and not first.isupper()


def find_table_rows(lines: Sequence[str], start: int, end: int) -> tuple[list[TableRow], list[str]]:
    """The rows of the task table on lines start..end (1-based), and warnings for what could not be read."""
    warnings: list[str] = []
    marks, started = _row_marks(lines, start, end, warnings)
    if not any(kind == "row" for _, kind, _ in marks):
        if started:
            warnings.append(f"lines {start}-{end}: a task table whose rows could not be rebuilt")
        return [], warnings
    skip = {no for no, kind, _ in marks if kind == "skip"}
    rows = _rows_from_marks(lines, marks, skip, start, end)
    roles = next((r for no, kind, _ in marks if kind == "skip" and (r := header_roles(lines[no - 1]))), None)
    for row in rows:
        row.cells = [
            (k, lines[k - 1].strip())
            for k in range(row.first, row.last + 1)
            if lines[k - 1].strip() and k not in skip and _group_name(lines[k - 1]) is None
        ]
        cells = lines[row.line - 1].split(CELL_BAR)
        if roles is not None and len(cells) == len(roles):
            row.columns = {role: cell.strip() for role, cell in zip(roles, cells, strict=True) if role}
    return rows, warnings


def _row_marks(lines: Sequence[str], start: int, end: int,
               warnings: list[str]) -> tuple[list[tuple[int, str, object]], bool]:
    """(line, kind, payload) of the table's landmarks — 'group' rows (payload: the name), 'row' starts (the
    STT), repeated column headers to 'skip' — and whether a column header was seen at all."""
    marks: list[tuple[int, str, object]] = []
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
        rest_has_deadline = bool(YEAR_RANGE_RE.search(stripped[len(token):]))
        stt = None
        if token.isdigit() and len(token) <= STT_DIGITS:
            if int(token) == expected:
                stt = expected
            elif rest_has_deadline:
                warnings.append(f"line {no}: row number '{token}' read as {expected}")
                stt = expected
        elif 0 < len(token) <= STT_DIGITS and rest_has_deadline and not token.isupper():
            warnings.append(f"line {no}: row number '{token}' read as {expected}")
            stt = expected
        if stt is not None:
            marks.append((no, "row", stt))
            expected = stt + 1
    return marks, started


def _rows_from_marks(lines: Sequence[str], marks: list[tuple[int, str, object]], skip: set[int], start: int,
                     end: int) -> list[TableRow]:
    """The rows between the landmarks: the lines between two row starts are split where the next row's
    content begins."""
    rows: list[TableRow] = []
    group: str | None = None
    prev_row_line: int | None = None
    boundary = start  # first line a row may take
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
        head = boundary
        if prev_row_line is not None:
            head = no
            for k in range(prev_row_line + 1, no):
                if k not in skip and _starts_content(lines[k - 1]):
                    head = k
                    break
            rows[-1].last = head - 1
        rows.append(TableRow(stt=int(payload), group=group, line=no, first=head, last=no, cells=[]))  # type: ignore[call-overload]
        prev_row_line = no
    if rows:
        rows[-1].last = end
    return rows
