"""Targets, appendix tasks and responsibilities, from the outline and the rebuilt table rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib.resources import files

import yaml
from rapidfuzz import fuzz

from ..records import Deadline, Responsibility, Target, Task
from ..segment.outline import BULLET_RE, LETTER_RE, NUMBER_RE
from ..segment.table import DEADLINE_RE
from ..segment.types import Heading, TableRow
from .periods import find_period, parse_deadline
from .text import clean_space, fold, iso_date
from .vocab import UnitMatch, area_for, find_indicator, find_units

__all__ = ["find_responsibilities", "find_targets", "tasks_from_lists", "tasks_from_rows"]

ITEM_START_RE = re.compile(r"^\s*(?P<label>\(\d{1,2}\)|[a-zđ]\)|[-+•–])\s*(?=\S)")
PERCENT_RE = re.compile(r"(?P<value>\d{1,3}(?:[.,]\d+)?)\s*%")
AT_LEAST_RE = re.compile(r"(tối thiểu|ít nhất|trở lên|từ\s+\d|không dưới|trên\s+\d)", re.IGNORECASE)
AT_MOST_RE = re.compile(r"(tối đa|không quá|dưới\s+\d|trở xuống)", re.IGNORECASE)
DEADLINE_IN_TEXT_RE = re.compile(
    r"(?:trước ngày|đến ngày)\s+(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})|(?:trong|đến|năm)\s+năm\s+(?P<year>20\d\d)"
    r"|(?<!\w)(?:Trong|trong) năm (?P<year2>20\d\d)"
)


def _items_with_lines(lines: Sequence[str], start: int, end: int) -> list[tuple[str, int, list[tuple[int, str]]]]:
    items: list[tuple[str, int, list[tuple[int, str]]]] = []
    for no in range(start, end + 1):
        stripped = lines[no - 1].strip()
        if not stripped:
            continue
        m = ITEM_START_RE.match(stripped)
        if m:
            items.append((m["label"] if m["label"] not in "+•–" else "-", no, [(no, stripped[m.end():].lstrip(".: "))]))
        elif items:
            items[-1][2].append((no, stripped))
    return items


def _items(lines: Sequence[str], start: int, end: int) -> list[tuple[str, int, str]]:
    """(label, line, text) of the items (- …, (1) …, a) …) on lines start..end; an item runs over blank lines
    until the next item starts."""
    return [(label, no, clean_space(" ".join(t for _, t in parts)))
            for label, no, parts in _items_with_lines(lines, start, end)]


SENTENCE_END_RE = re.compile(r"(?<=[.;])\s+(?=[A-ZĐÀ-Ỹ])")


def _measurable_sentence(parts: list[tuple[int, str]]) -> tuple[int, str] | None:
    """In an item whose first sentence names no figure, the first sentence that does, with its line."""
    text = ""
    starts: list[tuple[int, int]] = []
    for no, t in parts:
        starts.append((len(text), no))
        text += t + " "
    pieces = SENTENCE_END_RE.split(text)
    pos = 0
    for k, piece in enumerate(pieces):
        pos = text.find(piece, pos)
        if _measurable(piece):
            if k == 0:
                return None
            line = max(no for off, no in starts if off <= pos)
            return line, clean_space(piece)
        pos += len(piece)
    return None


def _target(label: str, no: int, text: str) -> Target:
    comparator = value = unit = None
    pm = PERCENT_RE.search(text)
    if pm:
        value = float(pm["value"].replace(",", "."))
        unit = "%"
        window = text[max(0, pm.start() - 25): pm.end() + 15]
        if AT_LEAST_RE.search(window):
            comparator = "≥"
        elif AT_MOST_RE.search(window):
            comparator = "≤"
        else:
            comparator = "="
    deadline = None
    dm = DEADLINE_IN_TEXT_RE.search(text)
    if dm:
        deadline = iso_date(dm["d"], dm["m"], dm["y"]) if dm["d"] else f"{dm['year'] or dm['year2']}-12-31"
    return Target(label=label, text=text, indicator=find_indicator(text), comparator=comparator, value=value,
                  unit=unit, deadline=deadline, line=no)


def _measurable(text: str) -> bool:
    return bool(PERCENT_RE.search(text)) or "toàn bộ" in " ".join(text.lower().split()[:4])


def find_targets(lines: Sequence[str], headings: Sequence[Heading]) -> list[Target]:
    """Every item under a "chỉ tiêu" heading; the measurable items (a percentage, "toàn bộ") under a
    "Mục tiêu" heading."""
    targets: list[Target] = []
    seen: set[int] = set()
    for k, h in enumerate(headings):
        title = fold(h.title)
        if "chi tieu" in title:
            keep_all = True
        elif re.search(r"\bmuc tieu\b", title) and "nhiem vu" not in title:
            keep_all = False
        else:
            continue
        # the content before the first sub-heading
        end = h.end
        for later in headings[k + 1:]:
            if later.line > h.last:
                end = min(end, later.line - 1)
                break
        for label, no, parts in _items_with_lines(lines, h.last + 1, end):
            text = clean_space(" ".join(t for _, t in parts))
            if no in seen or (not keep_all and not _measurable(text)):
                continue
            seen.add(no)
            if not keep_all:
                later_sentence = _measurable_sentence(parts)
                if later_sentence is not None:
                    no, text = later_sentence
            targets.append(_target(label, no, text))
    targets.sort(key=lambda t: t.line)
    return targets


@cache
def _outputs() -> tuple[tuple[str, str], ...]:
    data = yaml.safe_load(files("cchc_cli.dictionaries").joinpath("task_outputs.yaml").read_text(encoding="utf-8"))
    return tuple((o, fold(o)) for o in data["outputs"])


def _output(candidate: str) -> str | None:
    folded = fold(clean_space(candidate)).strip(" |.,:;-")
    if not folded:
        return None
    for name, f in _outputs():
        if f in folded:
            return name
    best = max(_outputs(), key=lambda o: fuzz.ratio(o[1], folded))
    return best[0] if fuzz.ratio(best[1], folded) >= 55 else None


def tasks_from_rows(rows: Sequence[TableRow], warnings: list[str]) -> list[Task]:
    """One task per rebuilt table row: content, lead and cooperating units (canonical), output, time frame."""
    tasks: list[Task] = []
    for row in rows:
        named: list[tuple[int, int, str, str]] = []  # (line, start, canonical, printed)
        groups: list[tuple[int, int, str, str]] = []
        content_parts: list[str] = []
        deadline_text = None
        output = None
        for no, text in row.cells:
            body = text
            if no == row.line:
                body = re.sub(r"^\S{1,3}\s*\|?\s*", "", text, count=1)
            matches = find_units(body)
            cut = len(body)
            for m in matches:
                printed = body[m.start:m.end]
                target = groups if m.unit.kind == "group" else named
                target.append((no, m.start, m.unit.name, printed))
                cut = min(cut, m.start)
            dm = DEADLINE_RE.search(body)
            if dm:
                cut = min(cut, dm.start())
                if deadline_text is None:
                    deadline_text = dm.group(0)
            bar = body.find(" | ", 25)
            if bar != -1:
                cut = min(cut, bar)
            part = body[:cut].strip(" |")
            if part and (cut > 0 or not matches):
                content_parts.append(part)
            if no == row.line and output is None:
                tail_start = max((m.end for m in matches), default=0)
                tail = body[tail_start: dm.start() if dm and dm.start() > tail_start else len(body)]
                tail = re.sub(r"^\W*(v[iìĩ]\s*)?c\S?\s*(liên quan)?", "", tail.strip()) if "liên quan" in tail else tail
                tail = re.sub(r"^.*liên quan", "", tail)
                output = _output(tail)
        if output is None:
            for _, text in row.cells:
                folded = fold(text)
                for name, f in _outputs():
                    if f in folded and len(f) > 6:
                        output = name
                        break
                if output:
                    break
        if named:
            lead = named
            cooperating = groups
        elif groups:
            lead, cooperating = groups[:1], groups[1:]
        else:
            lead, cooperating = [], []
            warnings.append(f"line {row.line}: table row {row.stt}: no lead unit found")
        lead_units = list(dict.fromkeys(u[2] for u in lead))
        coop_units = [u for u in dict.fromkeys(u[2] for u in cooperating) if u not in lead_units]
        if deadline_text is None:
            warnings.append(f"line {row.line}: table row {row.stt}: no time frame found")
        tasks.append(Task(
            stt=row.stt, group=row.group, area=area_for(row.group), content=clean_space(" ".join(content_parts)),
            lead_unit=", ".join(dict.fromkeys(u[3] for u in lead)) or None, lead_units=lead_units,
            cooperating_units=coop_units, output=output, deadline=parse_deadline(deadline_text), line=row.line,
        ))
    return tasks


# A heading that opens a list of tasks: "Nhiệm vụ", "NHIỆM VỤ TRỌNG TÂM", "Nhiệm vụ, giải pháp chủ yếu",
# "CHỈ TIÊU, NHIỆM VỤ, GIẢI PHÁP", "MỤC TIÊU VÀ NHIỆM VỤ CỤ THỂ", "PHƯƠNG HƯỚNG, NHIỆM VỤ …", "Nội dung thực
# hiện"; the words must lead the title, so "Thực hiện nhiệm vụ được Chính phủ giao" (a report's result) is not one.
TASK_TITLE_RE = re.compile(
    r"^(?:(?:mot so|cac|muc tieu|chi tieu|phuong huong)\W+(?:va\s+)?)?(?:nhiem vu|noi dung thuc hien)\b"
)
# Sections inside a task list that are not tasks: objectives and indicators (they feed `targets`), the
# organisation of the work and the assignment of duties (they feed `responsibilities`), the budget.
TARGET_TITLE_RE = re.compile(r"\b(muc tieu|chi tieu)\b")
NOT_TASK_TITLE_RE = re.compile(r"to chuc thuc hien|trach nhiem|phan cong|kinh phi")
LEAD_CUE_RE = re.compile(r"(?:don vi|co quan)\s+(?:chu tri|thuc hien)\s*:|\bchu tri\b|\bgiao(?:\s+cho)?\s+")
COOPERATING_CUE_RE = re.compile(r"(?:don vi|co quan)\s+phoi hop\s*:|\bphoi hop(?:\s+chat che)?\s+voi\b")
TIME_CUE_RE = re.compile(r"\bthoi (?:gian|han)(?:\s+(?:thuc hien|hoan thanh))?\s*:\s*(?P<t>[^;.]+)")
TIME_PHRASE_RE = re.compile(
    r"\b(?:(?:truoc|den)\s+ngay\s+(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>20\d\d)"
    r"|(?:truoc|trong)\s+(?:quy\s+(?:i{1,3}|iv|[1-4])\s*(?:/|n\w{1,2}m\s+)20\d\d|n\w{1,2}m\s+20\d\d))\b"
)
REGULAR_RE = re.compile(r"[;,(]\s*(?:thuc hien\s+)?thuong xuyen\s*\)?\s*[.;]?$")
TASK_SENTENCE_WORDS = 8  # a leaf heading this long is itself the task ("1.1. Rà soát văn bản …")


def _item_kind(label: str) -> str:
    if label in "-•–":
        return "-"
    if label == "+":
        return "+"
    return "(n)" if label.startswith("(") else "a)"


def _list_items(lines: Sequence[str], start: int, end: int) -> list[tuple[str, int, str]]:
    """(kind, first line, text) of the bullet and lettered items on lines start..end. An item runs over its
    wrapped lines until the next item, a blank line or a paragraph of prose; a line in small letters after a
    blank line goes on with the item (the OCR left a blank line inside a sentence)."""
    items: list[tuple[str, int, list[str]]] = []
    current: list[str] | None = None
    blank = False
    for no in range(start, end + 1):
        stripped = lines[no - 1].strip()
        if not stripped:
            blank = True
            continue
        m = ITEM_START_RE.match(stripped)
        if m:
            current = [stripped[m.end():].lstrip(".: ")]
            items.append((_item_kind(m["label"]), no, current))
        elif current is not None and (not blank or stripped[:1].islower()):
            current.append(stripped)
        else:
            current = None  # prose after a blank line: not part of any item
        blank = False
    return [(kind, no, clean_space(" ".join(parts))) for kind, no, parts in items]


def _cut_clause(folded: str, start: int) -> int:
    """The end of the clause that starts at `start` (the next ';' or '.' that ends a sentence)."""
    m = re.compile(r";|\.(?:\s|$)").search(folded, start)
    return m.start() if m else len(folded)


def _units_after(matches: Sequence[UnitMatch], start: int, end: int) -> list[UnitMatch]:
    return [m for m in matches if start <= m.start < end]


def _task_units(text: str) -> tuple[str | None, list[str], list[str]]:
    """(lead unit as printed, lead units, cooperating units) named with a cue: "Đơn vị chủ trì: X",
    "X chủ trì", "giao X …", "Đơn vị phối hợp: Y", "phối hợp với Y". Nothing without a cue."""
    folded = fold(text)
    matches = find_units(text, ocr=False)
    if not matches:
        return None, [], []
    lead: list[UnitMatch] = []
    cooperating: list[UnitMatch] = []
    for cue in LEAD_CUE_RE.finditer(folded):
        if cue.group(0).endswith(":"):
            lead += _units_after(matches, cue.end(), _cut_clause(folded, cue.end()))
        elif cue.group(0).startswith("giao"):
            lead += [m for m in matches if m.start == cue.end()]
        else:  # "X chủ trì": the units of the clause that ends with the cue
            begin = max(folded.rfind(";", 0, cue.start()), folded.rfind(". ", 0, cue.start()),
                        folded.rfind(":", 0, cue.start())) + 1
            lead += [m for m in matches if begin <= m.start and m.end <= cue.start()]
    for cue in COOPERATING_CUE_RE.finditer(folded):
        cooperating += _units_after(matches, cue.end(), _cut_clause(folded, cue.end()))
    lead_units = list(dict.fromkeys(m.unit.name for m in lead))
    coop_units = [u for u in dict.fromkeys(m.unit.name for m in cooperating) if u not in lead_units]
    printed = ", ".join(dict.fromkeys(clean_space(text[m.start:m.end]) for m in lead)) or None
    return printed, lead_units, coop_units


def _task_deadline(text: str) -> Deadline | None:
    """A time frame the item states: "Thời gian thực hiện: Quý III/2025", "trong năm 2025", "trước ngày
    30/6/2025", "…; thường xuyên". A year named in passing ("Kế hoạch … năm 2025", "tầm nhìn đến năm 2030")
    is not one."""
    folded = fold(text)
    m = TIME_CUE_RE.search(folded)
    if m:
        return parse_deadline(text[m.start("t"): m.end("t")].strip(" ,)"))
    m = TIME_PHRASE_RE.search(folded)
    if m:
        printed = text[m.start(): m.end()]
        if m["d"]:
            return Deadline(text=printed, to=iso_date(m["d"], m["m"], m["y"]))
        period = find_period(printed)
        if period is not None:
            return Deadline(**{"text": printed, "from": period.from_, "to": period.to})
    m = REGULAR_RE.search(folded)
    if m:
        return Deadline(text=text[m.start(): m.end()].strip(" ;,.()"))
    return None


def _title(heading: Heading) -> str:
    return clean_space(heading.title).rstrip(" :.")


def _assignment(lines: Sequence[str], heading: Heading) -> tuple[str | None, list[str], list[str]]:
    """The units a "Phân công trách nhiệm" section names with "Cơ quan chủ trì: …" / "Cơ quan phối hợp: …"."""
    body = " ; ".join(lines[no - 1].strip() for no in range(heading.last + 1, heading.end + 1) if lines[no - 1].strip())
    return _task_units(body)


def tasks_from_lists(lines: Sequence[str], headings: Sequence[Heading]) -> list[Task]:
    """One task per leaf item of the sections whose heading names tasks ("Nhiệm vụ …", "Nội dung thực
    hiện"): a bullet or lettered item, or a numbered heading with no sub-headings and no items whose body (or
    long title) is the task. Sub-sections of objectives, indicators, organisation and budget are left out;
    so are the measurable items of a "Nội dung và mục tiêu" section (they are targets)."""
    parents: list[int | None] = []
    stack: list[int] = []
    for k, h in enumerate(headings):
        while stack and headings[stack[-1]].rank >= h.rank:
            stack.pop()
        parents.append(stack[-1] if stack else None)
        stack.append(k)

    def chain(k: int | None) -> list[int]:
        out = []
        while k is not None:
            out.append(k)
            k = parents[k]
        return out

    def excluded(k: int) -> bool:
        title = fold(clean_space(headings[k].title))
        if NOT_TASK_TITLE_RE.search(title):
            return True
        return bool(TARGET_TITLE_RE.search(title)) and not re.search(r"nhiem vu|noi dung", title)

    in_task_list = [False] * len(headings)
    skipped = [False] * len(headings)
    for k in range(len(headings)):
        up = chain(k)
        skipped[k] = any(excluded(j) for j in up)
        in_task_list[k] = any(TASK_TITLE_RE.match(fold(clean_space(headings[j].title))) for j in up)
    has_children = {p for p in parents if p is not None}

    found: list[tuple[int, str | None, list[int], str]] = []  # (line, group, heading chain, content)
    for k, h in enumerate(headings):
        if not in_task_list[k] or skipped[k]:
            continue
        up = chain(k)
        targets_here = any(TARGET_TITLE_RE.search(fold(headings[j].title)) for j in up)
        body_end = headings[k + 1].line - 1 if k + 1 < len(headings) else h.end
        body_end = min(body_end, h.end)
        items = _list_items(lines, h.last + 1, body_end)
        if not items:
            if k in has_children:
                continue
            body = clean_space(" ".join(lines[no - 1] for no in range(h.last + 1, body_end + 1)))
            if len(h.title.split()) >= TASK_SENTENCE_WORDS:
                group = _title(headings[parents[k]]) if parents[k] is not None else None
                found.append((h.line, group, up[1:], clean_space(f"{h.title} {body}")))
            elif body and not TASK_TITLE_RE.match(fold(h.title)):
                found.append((h.last + 1, _title(h), up, body))
            continue
        for i, (kind, no, text) in enumerate(items):
            following = items[i + 1] if i + 1 < len(items) else None
            if text.endswith(":") and following is not None and following[0] != kind:
                continue  # "- Phát triển các ứng dụng, dịch vụ:" heads the "+" items under it
            if targets_here and _measurable(text):
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
            elif kind == "a)" and h.kind == "letter" and parents[k] is not None:
                # "d) …" printed as an item after the lettered headings "a)" "b)" "c)": their sibling
                group_chain = up[1:]
                group = _title(headings[group_chain[0]])
            else:
                group = _title(h)
            found.append((no, group, group_chain, text))

    tasks: list[Task] = []
    for stt, (no, group, up, content) in enumerate(sorted(found, key=lambda f: f[0]), start=1):
        area = area_for(group)
        for j in up:
            if area != "other":
                break
            area = area_for(headings[j].title)
        if area == "other":
            area = area_for(content)
        lead_unit, lead_units, cooperating = _task_units(content)
        if not lead_units:
            # "1.1. Nội dung …" / "1.2. Phân công trách nhiệm: Cơ quan chủ trì: …" beside it
            for j in up:
                siblings = [s for s in range(len(headings)) if parents[s] == j
                            and re.search(r"phan cong", fold(headings[s].title))]
                if siblings:
                    lead_unit, lead_units, cooperating = _assignment(lines, headings[siblings[0]])
                    break
        tasks.append(Task(stt=stt, group=group, area=area, content=content, lead_unit=lead_unit,
                          lead_units=lead_units, cooperating_units=cooperating,
                          deadline=_task_deadline(content), line=no))
    return tasks


RESPONSIBILITY_TITLE_RE = re.compile(r"trach nhiem cu the|phan cong (trach nhiem|nhiem vu)")
ORGANISATION_TITLE_RE = re.compile(r"to chuc thuc hien")


def find_responsibilities(lines: Sequence[str], headings: Sequence[Heading]) -> list[Responsibility]:
    """The units named by "Tổ chức thực hiện" / "Trách nhiệm cụ thể" / "Phân công nhiệm vụ", each with the
    duties listed under it."""
    section = next((h for h in headings if RESPONSIBILITY_TITLE_RE.search(fold(h.title))), None)
    if section is None:
        section = next((h for h in headings if ORGANISATION_TITLE_RE.search(fold(h.title))), None)
    if section is None:
        return []
    out: list[Responsibility] = []
    starts: list[tuple[int, str, str]] = []
    for no in range(section.last + 1, section.end + 1):
        line = lines[no - 1]
        m = LETTER_RE.match(line) or NUMBER_RE.match(line)
        if not m or BULLET_RE.match(line):
            continue
        if NUMBER_RE.match(line) and not re.match(r"^\s*\d{1,2}(\.\d{1,2})*\s*\.", line):
            continue
        kind = "letter" if LETTER_RE.match(line) else "number" + "." * m["label"].count(".")
        starts.append((no, m["title"], kind))
    # Only the first level of items: "2.1. Phòng …" and not the "a) …" duties listed under it.
    if starts:
        starts = [s for s in starts if s[2] == starts[0][2]]
    for k, (no, first, _) in enumerate(starts):
        if not first[:1].isupper():
            continue  # ") năng lực …": a line the OCR began with a stray parenthesis
        nxt = starts[k + 1][0] - 1 if k + 1 < len(starts) else section.end
        text = first
        if ":" not in text and no + 1 <= nxt:
            following = lines[no].strip()
            if following and not ITEM_START_RE.match(following) and ":" in following:
                text = text + " " + following
        if ":" in text:
            unit = text.split(":", 1)[0]
        else:
            unit = text
            if no + 1 <= nxt:
                following = lines[no].strip()
                head = following.split(",", 1)[0]
                if following and following[:1].islower() and len(head.split()) <= 5:
                    unit = unit + " " + head
        unit = re.sub(r"^(Đề nghị|Bệ nghị|Đề xuất)\s+", "", clean_space(unit)).strip(" .;,")
        if len(unit.split()) > 25 or not unit:
            continue
        duties = [t for _, _, t in _items(lines, no + 1, nxt)]
        if ":" in text and len(text.split(":", 1)[1].split()) > 3:
            duties.insert(0, clean_space(text.split(":", 1)[1]))
        out.append(Responsibility(unit=unit, duties=duties, line=no))
    return out
