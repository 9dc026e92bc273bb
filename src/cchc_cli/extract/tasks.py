"""Tasks: one per row of an appendix task table, or, when a plan has none, one per leaf item of the sections
whose heading names tasks ("Nhiệm vụ …", "Nội dung thực hiện"), with lead and cooperating units and time
frames where the text names them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..document import Heading, TableRow
from ..records import Deadline, Task
from ..resources import Resources
from ..text import YEAR_RANGE_RE, clean_space, fold, iso_date
from .periods import deadline_of, find_period, parse_deadline
from .targets import measurable
from .vocab import UnitMatch, area_for, find_units, output_named

__all__ = ["tasks_from_lists", "tasks_from_rows"]

STT_CELL_RE = re.compile(r"^\S{1,3}\s*\|?\s*")  # the STT at the start of a row's line
COLUMN_BAR_FROM = 25  # a " | " this far into a cell separates the content from the next column
OUTPUT_NAME_CHARS = 6  # an output named anywhere in a row counts when its name is longer than this
TASK_SENTENCE_WORDS = 8  # a leaf heading this long is itself the task ("1.1. Rà soát văn bản …")
CLAUSE_END_RE = re.compile(r";|\.(?:\s|$)")


# --- appendix tables ---------------------------------------------------------------------------------------


def tasks_from_rows(rows: Sequence[TableRow], warnings: list[str], resources: Resources) -> list[Task]:
    """One task per rebuilt table row: content, lead and cooperating units (canonical), output, time frame."""
    tasks: list[Task] = []
    for row in rows:
        cells = _row_cells(row, resources) if row.columns is None else _known_cells(row.columns, row.line, resources)
        if cells.named:
            lead, cooperating = cells.named, cells.groups
        elif cells.groups:
            lead, cooperating = cells.groups[:1], cells.groups[1:]
        else:
            lead, cooperating = [], []
            warnings.append(f"line {row.line}: table row {row.stt}: no lead unit found")
        lead_units = list(dict.fromkeys(u[2] for u in lead))
        coop_units = [u for u in dict.fromkeys(u[2] for u in cooperating) if u not in lead_units]
        if cells.deadline is None:
            warnings.append(f"line {row.line}: table row {row.stt}: no time frame found")
        tasks.append(Task(
            stt=row.stt, group=row.group, area=area_for(row.group, resources),
            content=clean_space(" ".join(cells.content)),
            lead_unit=", ".join(dict.fromkeys(u[3] for u in lead)) or None, lead_units=lead_units,
            cooperating_units=coop_units, output=cells.output, deadline=parse_deadline(cells.deadline),
            line=row.line,
        ))
    return tasks


@dataclass
class _RowCells:
    """A table row read back into its columns: the content's pieces, the units named (line, start, canonical
    name, as shown: printed, or canonical where the printed words are beyond repair; groups apart), the output
    and the time frame."""

    content: list[str]
    named: list[tuple[int, int, str, str]]
    groups: list[tuple[int, int, str, str]]
    output: str | None
    deadline: str | None


def _row_cells(row: TableRow, resources: Resources) -> _RowCells:
    cells = _RowCells([], [], [], None, None)
    for no, text in row.cells:
        body = STT_CELL_RE.sub("", text, count=1) if no == row.line else text
        matches = find_units(body, resources)
        cut = len(body)
        for m in matches:
            target = cells.groups if m.unit.kind == "group" else cells.named
            # as printed where the printed words spell a name or variant of the unit; the canonical name where
            # they do not ('xạhôi', 'Phụ‘lục vi hanh', 'Phong Vắnhoa- Xạhôi'): what a reader can read
            shown = _shown(body[m.start:m.end], m)
            target.append((no, m.start, m.unit.name, shown))
            cut = min(cut, m.start)
        dm = YEAR_RANGE_RE.search(body)
        if dm:
            cut = min(cut, dm.start())
            if cells.deadline is None:
                cells.deadline = dm.group(0)
        bar = body.find(" | ", COLUMN_BAR_FROM)
        if bar != -1:
            cut = min(cut, bar)
        part = body[:cut].strip(" |")
        if part and (cut > 0 or not matches):
            cells.content.append(part)
        if no == row.line and cells.output is None:
            cells.output = _output_beside_units(body, matches, dm, resources)
    if cells.output is None:
        cells.output = next((name for _, text in row.cells for name, f in resources.task_outputs
                             if f in fold(text) and len(f) > OUTPUT_NAME_CHARS), None)
    return cells


def _known_cells(columns: dict[str, str], line: int, resources: Resources) -> _RowCells:
    """A row whose cells are known (a Word table): each column read for what its header says it holds; a lead
    cell naming no known unit is kept as printed."""
    lead = [(line, m.start, m.unit.name, _shown(columns["lead"][m.start:m.end], m))
            for m in find_units(columns.get("lead", ""), resources)]
    cooperating = [(line, m.start, m.unit.name, _shown(columns["cooperating"][m.start:m.end], m))
                   for m in find_units(columns.get("cooperating", ""), resources)]
    if not lead and columns.get("lead"):
        lead = [(line, 0, columns["lead"], columns["lead"])]
    return _RowCells([columns.get("content", "")], lead, cooperating, columns.get("output") or None,
                     columns.get("deadline") or None)


def _output_beside_units(body: str, matches: list[UnitMatch], deadline: re.Match[str] | None,
                         resources: Resources) -> str | None:
    """The output on the STT's line: what stands between the last unit and the time frame."""
    tail_start = max((m.end for m in matches), default=0)
    tail = body[tail_start: deadline.start() if deadline and deadline.start() > tail_start else len(body)]
    tail = re.sub(r"^\W*(v[iìĩ]\s*)?c\S?\s*(liên quan)?", "", tail.strip()) if "liên quan" in tail else tail
    tail = re.sub(r"^.*liên quan", "", tail)
    return output_named(tail, resources)


def _shown(printed: str, match: UnitMatch) -> str:
    return printed if match.exact and match.unit.spelled_as(printed) else match.unit.name


# --- task lists --------------------------------------------------------------------------------------------


@dataclass
class _Outline:
    """The headings with what the task lists need of them: parents, and which sections hold tasks."""

    headings: Sequence[Heading]
    parents: list[int | None]
    in_task_list: list[bool]
    skipped: list[bool]
    has_children: set[int]

    def chain(self, k: int | None) -> list[int]:
        """`k` and its ancestors, nearest first."""
        out = []
        while k is not None:
            out.append(k)
            k = self.parents[k]
        return out


def _outline(headings: Sequence[Heading], resources: Resources) -> _Outline:
    cues = resources.cues
    parents: list[int | None] = []
    stack: list[int] = []
    for k, h in enumerate(headings):
        while stack and headings[stack[-1]].rank >= h.rank:
            stack.pop()
        parents.append(stack[-1] if stack else None)
        stack.append(k)
    outline = _Outline(headings, parents, [], [], {p for p in parents if p is not None})

    def excluded(k: int) -> bool:
        title = fold(clean_space(headings[k].title))
        if cues.not_task_section.search(title):
            return True
        return bool(cues.target_section.search(title)) and not cues.task_content_section.search(title)

    for k in range(len(headings)):
        up = outline.chain(k)
        outline.skipped.append(any(excluded(j) for j in up))
        outline.in_task_list.append(any(cues.task_section.match(fold(clean_space(headings[j].title))) for j in up))
    return outline


def tasks_from_lists(headings: Sequence[Heading], lines: Sequence[str], resources: Resources) -> list[Task]:
    """One task per leaf item of the sections whose heading names tasks ("Nhiệm vụ …", "Nội dung thực
    hiện"): a bullet or lettered item, or a numbered heading with no sub-headings and no items whose body (or
    long title) is the task. Sub-sections of objectives, indicators, organisation and budget are left out;
    so are the measurable items of a "Nội dung và mục tiêu" section (they are targets)."""
    outline = _outline(headings, resources)
    found: list[tuple[int, str | None, list[int], str]] = []  # (line, group, heading chain, content)
    for k in range(len(headings)):
        if outline.in_task_list[k] and not outline.skipped[k]:
            found += _tasks_under(outline, k, lines, resources)
    tasks: list[Task] = []
    for stt, (no, group, up, content) in enumerate(sorted(found, key=lambda f: f[0]), start=1):
        area = area_for(group, resources)
        for j in up:
            if area != "other":
                break
            area = area_for(headings[j].title, resources)
        if area == "other":
            area = area_for(content, resources)
        lead_unit, lead_units, cooperating = _task_units(content, resources)
        if not lead_units:
            lead_unit, lead_units, cooperating = _assigned_beside(outline, up, lines, resources) or (
                lead_unit, lead_units, cooperating)
        tasks.append(Task(stt=stt, group=group, area=area, content=content, lead_unit=lead_unit,
                          lead_units=lead_units, cooperating_units=cooperating,
                          deadline=_task_deadline(content, resources), line=no))
    return tasks


def _tasks_under(outline: _Outline, k: int, lines: Sequence[str],
                 resources: Resources) -> list[tuple[int, str | None, list[int], str]]:
    """The tasks of heading `k`'s own body: its items, or the body (or the long title) of a leaf heading."""
    headings = outline.headings
    h = headings[k]
    up = outline.chain(k)
    cues = resources.cues
    targets_here = any(cues.target_section.search(fold(headings[j].title)) for j in up)
    items = [(item.kind, item.line, clean_space(" ".join(t for _, t in item.own_parts))) for item in h.items]
    if not items:
        if k in outline.has_children:
            return []
        body_end = min(headings[k + 1].line - 1 if k + 1 < len(headings) else h.end, h.end)
        body = clean_space(" ".join(lines[no - 1] for no in range(h.last + 1, body_end + 1)))
        if len(h.title.split()) >= TASK_SENTENCE_WORDS:
            parent = outline.parents[k]
            group = _title(headings[parent]) if parent is not None else None
            return [(h.line, group, up[1:], clean_space(f"{h.title} {body}"))]
        if body and not cues.task_section.match(fold(h.title)):
            return [(h.last + 1, _title(h), up, body)]
        return []
    found = []
    for i, (kind, no, text) in enumerate(items):
        following = items[i + 1] if i + 1 < len(items) else None
        if text.endswith(":") and following is not None and following[0] != kind:
            continue  # "- Phát triển các ứng dụng, dịch vụ:" heads the "+" items under it
        if targets_here and measurable(text, cues):
            continue
        group_chain = up
        parent = None
        for p in range(i - 1, -1, -1):
            if items[p][0] == kind:
                continue
            # the item that heads this one: ends with ':' and its first sub-item is of this kind
            if items[p][2].endswith(":") and items[p + 1][0] == kind:
                parent = items[p]
            break
        if parent is not None:
            group = parent[2].rstrip(" :")
        elif kind == "a)" and h.kind == "letter" and outline.parents[k] is not None:
            # "d) …" printed as an item after the lettered headings "a)" "b)" "c)": their sibling
            group_chain = up[1:]
            group = _title(headings[group_chain[0]])
        else:
            group = _title(h)
        found.append((no, group, group_chain, text))
    return found


def _title(heading: Heading) -> str:
    return clean_space(heading.title).rstrip(" :.")


def _units_after(matches: Sequence[UnitMatch], start: int, end: int) -> list[UnitMatch]:
    return [m for m in matches if start <= m.start < end]


def _cut_clause(folded: str, start: int) -> int:
    """The end of the clause that starts at `start` (the next ';' or '.' that ends a sentence)."""
    m = CLAUSE_END_RE.search(folded, start)
    return m.start() if m else len(folded)


def _task_units(text: str, resources: Resources) -> tuple[str | None, list[str], list[str]]:
    """(lead unit as printed, lead units, cooperating units) named with a cue: "Đơn vị chủ trì: X",
    "X chủ trì", "giao X …", "Đơn vị phối hợp: Y", "phối hợp với Y". Nothing without a cue."""
    cues = resources.cues
    folded = fold(text)
    matches = find_units(text, resources, ocr=False)
    if not matches:
        return None, [], []
    lead: list[UnitMatch] = []
    cooperating: list[UnitMatch] = []
    for cue in cues.lead_unit.finditer(folded):
        if cue.group(0).endswith(":"):
            lead += _units_after(matches, cue.end(), _cut_clause(folded, cue.end()))
        elif cue.group(0).startswith("giao"):
            lead += [m for m in matches if m.start == cue.end()]
        else:  # "X chủ trì": the units of the clause that ends with the cue
            begin = max(folded.rfind(";", 0, cue.start()), folded.rfind(". ", 0, cue.start()),
                        folded.rfind(":", 0, cue.start())) + 1
            lead += [m for m in matches if begin <= m.start and m.end <= cue.start()]
    for cue in cues.cooperating_unit.finditer(folded):
        cooperating += _units_after(matches, cue.end(), _cut_clause(folded, cue.end()))
    lead_units = list(dict.fromkeys(m.unit.name for m in lead))
    coop_units = [u for u in dict.fromkeys(m.unit.name for m in cooperating) if u not in lead_units]
    printed = ", ".join(dict.fromkeys(_shown(clean_space(text[m.start:m.end]), m) for m in lead)) or None
    return printed, lead_units, coop_units


def _assigned_beside(outline: _Outline, up: list[int], lines: Sequence[str],
                     resources: Resources) -> tuple[str | None, list[str], list[str]] | None:
    """The units a sibling "Phân công trách nhiệm" section names with "Cơ quan chủ trì: …" / "Cơ quan phối
    hợp: …" ("1.1. Nội dung …" / "1.2. Phân công trách nhiệm: …" beside it); None without such a section."""
    headings = outline.headings
    for j in up:
        siblings = [s for s in range(len(headings)) if outline.parents[s] == j
                    and resources.cues.assignment_section.search(fold(headings[s].title))]
        if siblings:
            section = headings[siblings[0]]
            body = " ; ".join(lines[no - 1].strip() for no in range(section.last + 1, section.end + 1)
                              if lines[no - 1].strip())
            return _task_units(body, resources)
    return None


def _task_deadline(text: str, resources: Resources) -> Deadline | None:
    """A time frame the item states: "Thời gian thực hiện: Quý III/2025", "trong năm 2025", "trước ngày
    30/6/2025", "…; thường xuyên". A year named in passing ("Kế hoạch … năm 2025", "tầm nhìn đến năm 2030")
    is not one."""
    cues = resources.cues
    folded = fold(text)
    m = cues.time_label.search(folded)
    if m:
        return parse_deadline(text[m.start("t"): m.end("t")].strip(" ,)"))
    m = cues.time_phrase.search(folded)
    if m:
        printed = text[m.start(): m.end()]
        if m["d"]:
            return Deadline(text=printed, to=iso_date(m["d"], m["m"], m["y"]))
        period = find_period(printed)
        if period is not None:
            return deadline_of(printed, period)
    m = cues.regular.search(folded)
    if m:
        return Deadline(text=text[m.start(): m.end()].strip(" ;,.()"))
    return None
