"""Build the extraction dev set: real documents of the corpus, their header re-laid in several layouts,
rendered as pages and read back by Tesseract (eng model), with the truth derived from the clean text.

usage: python scripts/make_extraction_devset.py OUT_DIR [--docs 240] [--jobs 2] [--lines 34]
                                                [--layouts cols,stacked,narrow,web,source] [--truth-only]

Documents: every provincial, commune or central decision, plan, report, directive, công văn … of
``ubnd_docs`` and ``gazette_8chude`` in the corpus's *training* part (scripts/corpus.py; the held-out part
and the seeds are never read) whose header the clean text states plainly: the issuing body, ``Số: …``,
``<place>, ngày d tháng m năm y``, the type word (or ``V/v …`` for a công văn) and the title. Laws
(numbers ending /QHnn) are left out: they are not the documents cchc reads. Pages that are not documents
(``docs_other`` holds web pages) give a few "nodoc" cases whose truth is "no number, no date".

Truth (OUT_DIR/truth.jsonl, one line per page): doc_type, number, date, place, issuer, title and the
codes of the documents cited on the drawn page (from the text that was drawn, the page's own number
aside). Each document is drawn in every layout:

- ``cols``: the issuing body and the motto side by side on the same lines, ``Số: …`` beside the place and
  date (the seeds' layout);
- ``stacked``: the two columns one after the other;
- ``narrow``: the header wrapped at 14-24 characters (``Số:`` alone on a line, ``<place>, ngày`` /
  ``19 tháng 11 năm 2025``, the body split over three lines);
- ``web``: a legal web library's banner and metadata block (``Số hiệu:``, ``Loại văn bản:``, ``Nơi ban
  hành:``, ``Người ký:``, ``Ngày ban hành:``) before the stacked header;
- ``source``: the lines as the source printed them.

The page holds the header and the first body lines (``--lines`` lines before wrapping). Noise 1-3 and the
DejaVu and Liberation faces alternate. A document's half (``dev`` or ``test``) is fixed by the SHA-1 of its
source path: tune on ``dev``, report on ``test`` (bench/extraction.py). Documents past ``--tuning-docs`` form
the ``fresh`` set: rendered after the rules had been tuned on ``dev`` and the ``test`` half had been looked at
once (its first figures are in the README), so that a held-out figure remains. Runs are resumable and
deterministic. Needs ../shared/tools/ocr_roundtrip.py (or CCHC_SHARED), tesseract-ocr, fonts-dejavu-core,
fonts-liberation2 and Pillow. Provenance of the text: ../shared/corpus/README.md (official texts).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import textwrap
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from corpus import iter_documents  # noqa: E402
from make_roundtrip import roundtrip, run_all  # noqa: E402

SOURCES = ("phapluat_8chude/", "tnt305_legal_md/docs_ubnd/", "tnt305_legal_md/docs_other/", "congbot_tvpl_md/")
LAYOUTS = ("cols", "stacked", "narrow", "web", "source")

TYPE_WORDS = {  # the type word printed above the title → its code (Nghị định 30/2020/NĐ-CP, appendix III)
    "NGHỊ QUYẾT": "NQ", "QUYẾT ĐỊNH": "QĐ", "CHỈ THỊ": "CT", "QUY CHẾ": "QC", "QUY ĐỊNH": "QyĐ",
    "THÔNG CÁO": "TC", "THÔNG BÁO": "TB", "HƯỚNG DẪN": "HD", "CHƯƠNG TRÌNH": "CTr", "KẾ HOẠCH": "KH",
    "PHƯƠNG ÁN": "PA", "ĐỀ ÁN": "ĐA", "DỰ ÁN": "DA", "BÁO CÁO": "BC", "BIÊN BẢN": "BB", "TỜ TRÌNH": "TTr",
    "CÔNG ĐIỆN": "CĐ", "NGHỊ ĐỊNH": "NĐ", "THÔNG TƯ": "TT", "THÔNG TƯ LIÊN TỊCH": "TTLT", "KẾT LUẬN": "KL",
    "VĂN BẢN HỢP NHẤT": "VBHN", "NGHỊ QUYẾT LIÊN TỊCH": "NQLT", "PHÁP LỆNH": "PL", "LỆNH": None,
}
MOTTO1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO2 = "Độc lập - Tự do - Hạnh phúc"
MOTTO_RE = re.compile(r"C\s*Ộ\s*N\s*G\s+H\s*[ÒO]\s*À?\s*A?\s*X\s*Ã\s+H\s*Ộ\s*I\s+C\s*H\s*Ủ\s+N\s*G\s*H\s*Ĩ\s*A\s+"
                      r"V\s*I\s*Ệ\s*T\s+N\s*A\s*M", re.I)
MOTTO2_RE = re.compile(r"Độc\s+lập\s*[-–]\s*Tự\s+do\s*[-–]\s*Hạnh\s+phúc[\s-]*")
NUMBER_RE = re.compile(r"(?<![\wÀ-ỹ])Số\s*:\s*(\d+[\w/\-.ĐđÀ-ỹ]*[\wĐđÀ-ỹ])")
CODE_RE = re.compile(r"(?<![\w/])(\d{1,5}/(?:\d{4}/)?[A-ZĐ][A-ZĐa-z0-9]*(?:[-–][A-ZĐ0-9][A-ZĐa-z0-9]*)*)(?![\w/])")
BODY_START_RE = re.compile(r"^(Căn cứ|Thực hiện|Kính gửi|Theo đề nghị|Điều \d|I\.|1\.|Phần|PHẦN|Chương|CHƯƠNG)")
BANNER = [
    "Bản dịch này thuộc quyền sở hữu của",
    "THƯ VIỆN PHÁP LUẬT. Mọi hành vi sao chép, đăng tải lại mà không có sự đồng ý của",
    "THƯ VIỆN PHÁP LUẬT là vi phạm pháp luật về Sở hữu trí tuệ.",
    "X",
    "CÁC NỘI DUNG ĐƯỢC SỬA ĐỔI, HƯỚNG DẪN",
    "Click vào phần bôi vàng để xem chi tiết.",
    "Đang tải văn bản...",
]


@dataclass
class Truth:
    source: str
    doc_type: str | None
    number: str | None
    date: str | None
    place: str | None
    issuer: list[str]  # its lines as printed
    type_word: str | None
    title: str | None
    vv: str | None = None  # a công văn's "V/v …"
    body: list[str] = field(default_factory=list)
    source_lines: list[str] = field(default_factory=list)
    signer: str | None = None


def half(source: str) -> str:
    return "test" if int(hashlib.sha1(source.encode("utf-8")).hexdigest(), 16) % 2 else "dev"


def _iso(d: str, m: str, y: str) -> str | None:
    di, mi, yi = int(d), int(m), int(y)
    if 1 <= di <= 31 and 1 <= mi <= 12 and 1945 <= yi <= 2100:
        return f"{yi:04d}-{mi:02d}-{di:02d}"
    return None


def _start(lines: list[str]) -> int:
    """Index of the first line of the document proper: past a web banner, metadata block, gazette page head
    and a title line printed above the header."""
    for i, ln in enumerate(lines[:80]):
        if MOTTO_RE.search(" ".join(lines[i:i + 2])) or MOTTO_RE.search(ln):
            j = i
            while j > 0 and i - j < 4 and lines[j - 1].isupper() and not lines[j - 1].startswith(
                    ("VĂN BẢN QUY PHẠM", "CÔNG BÁO", "THƯ VIỆN", "CÁC NỘI DUNG")):
                j -= 1
            return j
    return -1


def _signer(lines: list[str]) -> str | None:
    for ln in lines[:60]:
        m = re.match(r"^Người ký:\s*(.*)$", ln)
        if m:
            return m[1].strip() or None
    return None


AUTHORITIES = ("ỦY BAN", "UỶ BAN", "CHỦ TỊCH", "BỘ TRƯỞNG", "HỘI ĐỒNG", "CHÍNH PHỦ", "THỦ TƯỚNG", "BAN ",
               "GIÁM ĐỐC", "CỤC TRƯỞNG", "TỔNG CỤC TRƯỞNG", "THỐNG ĐỐC", "CHÁNH", "TRƯỞNG BAN")


def _vv(after: list[str]) -> str | None:
    """A công văn's subject: the "V/v …" text (wrapped lines joined) up to the date or "Kính gửi"."""
    for i, ln in enumerate(after[:10]):
        m = re.search(r"\bV/v\s*:?\s*(.*)$", ln)
        if not m:
            continue
        parts = [m[1]]
        for nxt in after[i + 1:i + 4]:
            if ", ngày" in nxt or nxt.startswith("Kính gửi") or re.search(r",\s*$", nxt) or nxt.endswith(","):
                break
            parts.append(nxt)
        text = re.sub(r"\s+", " ", " ".join(parts)).strip()
        text = re.split(r"\s+[^\s,]+(?:\s+[^\s,]+){0,4},\s*ngày\s", text)[0]
        return text.strip(" .") or None
    return None


def _dated_line(after: list[str]) -> tuple[int, str | None, str] | None:
    """(index of the line after the date, place, ISO date) from the lines after the motto."""
    for i, ln in enumerate(after[:12]):
        nxt = after[i + 1] if i + 1 < len(after) else ""
        if not re.search(r",\s*$|, ngày", ln) or not re.search(r"ngày", ln + " " + nxt):
            continue
        joined, end = ln, i
        if not re.search(r"năm\s*\d{4}", ln) and nxt:
            joined, end = ln + " " + nxt, i + 1
        m = re.search(r",\s*ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})", joined)
        iso = _iso(m[1], m[2], m[3]) if m else None
        if iso is None:
            return None
        ln = ln if ", ngày" in ln else ln.rstrip(" ,") + ", ngày"
        place = ln.split(", ngày", 1)[0]
        if "V/v" in place or "Số" in place:  # "Số: 895/LĐTBXH-NCC V/v … Hà Nội, ngày …" on one line
            return end + 1, None, iso
        prev = after[i - 1] if i else ""
        if (len(place.split()) <= 2 and prev and not re.search(r"\d|Số|V/v|Độc lập|-", prev)
                and not prev.isupper() and len(prev.split()) <= 5):
            place = prev + " " + place  # "Thành phố Hồ" / "Chí Minh, ngày …"
        place = place.strip(" .")
        ok = place and place[0].isupper() and len(place.split()) <= 6
        return end + 1, place if ok else None, iso
    return None


def derive(source: str, text: str) -> Truth | None:
    """The header fields a reader sees in the clean text, or None when the text states no plain header."""
    lines = [unicodedata.normalize("NFC", ln.strip()) for ln in text.split("\n")]
    lines = [ln for ln in lines if ln]
    start = _start(lines)
    if start < 0:
        return None
    head = lines[start:start + 30]
    issuer: list[str] = []
    k = 0
    while k < len(head) and not head[k].upper().startswith("CỘNG") and head[k].isupper():
        issuer.append(head[k])
        k += 1
    # "ỦY BAN NHÂN DÂN TỈNH X --------": the source's rule marks
    issuer = [re.sub(r"\s*-{3,}\s*$", "", x).strip() for x in issuer]
    issuer = [x for x in issuer if x and not x.startswith("VĂN BẢN")]
    words = " ".join(issuer).split()
    if len(words) % 2 == 0 and words[: len(words) // 2] == words[len(words) // 2:]:
        # the gazette's page head repeats the body ("BỘ X" / "BỘ X"): keep the lines of the second
        while len(" ".join(issuer).split()) > len(words) // 2:
            issuer.pop(0)
        if not issuer:
            issuer = [" ".join(words[: len(words) // 2])]
    if not issuer or not MOTTO_RE.search(" ".join(head)):
        return None
    # the number, the place and date, the type word, the title: in the lines after the motto
    after = [ln for ln in head[k:] if re.search(r"[\wÀ-ỹ]", ln)]  # "* *" marks dropped
    flat = re.sub(r"\s+", " ", " ".join(after))
    flat = MOTTO2_RE.sub("", MOTTO_RE.sub("", flat, count=1), count=1)
    num = NUMBER_RE.search(flat)
    if not num or "/" not in num[1] or re.search(r"/QH\d*$", num[1]):
        return None
    number = num[1]
    dated = _dated_line(after)
    if dated is None:
        return None
    pos, place, iso = dated
    vv = None
    m_vv = _vv(after)
    type_word = None
    title_lines: list[str] = []
    body_at = pos
    word = after[pos].rstrip(" *") if pos < len(after) else ""
    if word not in TYPE_WORDS and pos + 1 < len(after) and f"{word} {after[pos + 1]}" in TYPE_WORDS:
        word = f"{word} {after[pos + 1]}"  # "QUYẾT" / "ĐỊNH"
        pos += 1
    if word in TYPE_WORDS:
        type_word = word
        j = pos + 1
        while j < len(after) and len(title_lines) < 6:
            ln = after[j]
            if BODY_START_RE.match(ln) or (title_lines and ln.isupper() and not " ".join(title_lines).isupper()):
                break
            if ln.isupper() and title_lines and ln.startswith(AUTHORITIES):
                break
            cut = re.search(r"\s(?:Căn cứ|" + "|".join(AUTHORITIES) + r")\b", ln)
            cut_here = cut is not None and (bool(title_lines) or cut.start() > 10)
            title_lines.append(ln[: cut.start()] if cut is not None and cut_here else ln)
            if cut_here:
                break
            j += 1
        body_at = j
    elif m_vv:
        vv = m_vv
        while body_at < len(after) and not after[body_at].startswith("Kính gửi"):
            body_at += 1
        if body_at >= len(after):
            return None
    else:
        return None
    if type_word is not None and not title_lines:
        return None
    doc_type = TYPE_WORDS.get(type_word) if type_word else "CV"
    if type_word and doc_type is None:
        return None
    title = " ".join(title_lines) if title_lines else vv
    body_first = after[body_at] if body_at < len(after) else None
    body = lines[lines.index(body_first, start + k):] if body_first else []
    return Truth(source, doc_type, number, iso, place or None, issuer, type_word, title, vv, body,
                 lines[start:], _signer(lines[:start]))


# --- layouts -------------------------------------------------------------------------------------------

def _date_line(t: Truth) -> str:
    y, m, d = t.date.split("-")  # type: ignore[union-attr]
    day = d if random.Random(t.source).random() < 0.7 else str(int(d))
    month = m if int(m) < 3 else str(int(m))
    return f"{t.place}, ngày {day} tháng {month} năm {y}"


def _issuer_lines(t: Truth) -> list[str]:
    """The issuing body as two or three short lines, as a left column prints it (`derive` has already
    dropped the gazette's repetition of it)."""
    text = " ".join(" ".join(t.issuer).split())
    return textwrap.wrap(text, 30) or [text]


def _title_block(t: Truth, width: int = 70) -> list[str]:
    if t.type_word:
        return [t.type_word, *textwrap.wrap(t.title or "", width)]
    return []


def _two_columns(left: list[str], right: list[str], width: int = 34) -> list[str]:
    rows = []
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else ""
        b = right[i] if i < len(right) else ""
        rows.append((a.ljust(width) + "  " + b).rstrip() if b else a)
    return rows


def layout(t: Truth, name: str, rng: random.Random) -> list[str]:
    number = f"Số: {t.number}"
    vv = textwrap.wrap(f"V/v {t.vv}", 32) if t.vv else []
    date = _date_line(t)
    if name == "cols":
        left = [*_issuer_lines(t), number, *vv]
        right = [MOTTO1, MOTTO2]
        right += [""] * max(0, len(left) - len(vv) - 1 - len(right)) + textwrap.wrap(date, 42)
        head = _two_columns(left, right)
    elif name in ("stacked", "web"):
        head = [*_issuer_lines(t), MOTTO1, MOTTO2, number, *vv, date]
    elif name == "narrow":
        w = rng.randint(14, 24)
        head = [*textwrap.wrap(" ".join(_issuer_lines(t)), w), *textwrap.wrap(MOTTO1, w + 4), MOTTO2,
                "Số:", t.number or "", *(textwrap.wrap(f"V/v {t.vv}", w + 6) if t.vv else [])]
        place, when = date.split(", ngày ", 1)
        day, month_year = when.split(" ", 1)
        # "<place>, ngày 19" / "tháng 11 năm 2025", or "<place>, ngày" / "19 tháng 11 năm 2025"
        head += ([f"{place}, ngày {day}", month_year] if rng.random() < 0.5 else [f"{place}, ngày", when])
        return [*head, *_title_block(t, 40), *t.body]
    elif name == "source":
        return t.source_lines
    else:
        raise ValueError(name)
    if name == "web":
        meta_same_line = rng.random() < 0.5
        meta = [("Số hiệu:", t.number or ""), ("Loại văn bản:", _type_name(t)),
                ("Nơi ban hành:", _meta_place(t)), ("Người ký:", t.signer or "Đang cập nhật"),
                ("Ngày ban hành:", "/".join(reversed((t.date or "").split("-"))))]
        block = [f"{k} {v}" for k, v in meta] if meta_same_line else [x for kv in meta for x in kv]
        head = [*BANNER, *block, "Tình trạng: Đã biết", *head]
    return [*head, *_title_block(t), *t.body]


def _type_name(t: Truth) -> str:
    return (t.type_word or "CÔNG VĂN").capitalize()


def _meta_place(t: Truth) -> str:
    words = " ".join(_issuer_lines(t)).split()
    for lead in ("TỈNH", "THÀNH PHỐ", "XÃ", "PHƯỜNG", "ĐẶC KHU"):
        text = " ".join(words)
        if f" {lead} " in f" {text} ":
            return lead.capitalize() + text.split(f"{lead}", 1)[1].title()
    return " ".join(words).title()


# --- responsibilities ----------------------------------------------------------------------------------

# The section that assigns the work: "IV. TỔ CHỨC THỰC HIỆN", "Điều 3. Trách nhiệm thi hành", "PHÂN CÔNG …"
RESP_HEADING_RE = re.compile(
    r"^(?P<label>(?:[IVX]+|\d+(?:\.\d+)*)\.|Điều\s+\d+\.?)?\s*(?P<title>TỔ CHỨC THỰC HIỆN|Tổ chức thực hiện|"
    r"TRÁCH NHIỆM(?: [A-ZÀ-Ỹ ]+)?|Trách nhiệm (?:thi hành|thực hiện|của các cơ quan[^.]*)|PHÂN CÔNG[^.]*|"
    r"Phân công (?:nhiệm vụ|trách nhiệm)[^.]*)\s*:?$")
UNIT_HEAD = (r"(?:Sở|Phòng|Ban (?:Quản lý|Chỉ đạo|Chỉ huy|Dân tộc|Tuyên giáo|Tổ chức|Thường vụ|Dân vận|Quản trị)|"
             r"Ủy ban|Uỷ ban|UBND|Văn phòng|Bộ(?! luật)|Công an|Trung tâm|Đài|Báo [A-ZĐ]|Hội (?:Nông dân|Liên hiệp|"
             r"Cựu chiến binh|Chữ thập)|Mặt trận|Đoàn|Liên đoàn|Cục|Chi cục|Tổng cục|Kho bạc|Ngân hàng|Thuế|"
             r"Bảo hiểm xã hội|Thủ trưởng|Chủ tịch|Giám đốc|Chánh Văn phòng|Bệnh viện|Viện|Quỹ|Hội đồng|Tòa án|"
             r"Bộ Chỉ huy|Đảng ủy|Người đứng đầu|Thanh tra|Trường (?:Đại học|Cao đẳng|Chính trị)|"
             r"Các (?:sở|Sở|cơ quan|đơn vị|phòng|Phòng|bộ|Bộ|địa phương|xã|phường|Ủy ban|UBND|tổ chức))")
# "1. Sở Nội vụ: …", "a) Ủy ban nhân dân các xã:", "- Công an tỉnh:" — or the unit as a sub-heading of its
# own ("2. Sở Tài chính"), a line of a few words
ENTRY_RE = re.compile(r"^(?:\d+(?:\.\d+)*\.|[a-zđ]\)|[-+•])\s*(?P<unit>" + UNIT_HEAD + r"\b[^:;.]{0,110}?)\s*"
                      r"(?P<end>:|$)")
UNIT_TAIL_RE = re.compile(r"\s+(?:có trách nhiệm|chịu trách nhiệm|chủ trì|phối hợp|hướng dẫn|thực hiện|chỉ đạo|"
                          r"tổ chức|triển khai|theo dõi)\b.*$")
GIAO_RE = re.compile(r"\b[Gg]iao (?:cho )?(?P<unit>" + UNIT_HEAD + r"\b[^,;.:]{0,90}?)\s+(?=chủ trì|phối hợp|"
                     r"thực hiện|hướng dẫn|theo dõi|tổ chức|có trách nhiệm|triển khai|xây dựng)")
SECTION_END_RE = re.compile(r"^(?:[IVX]+\.\s|Điều\s+\d+|Chương\s|TM\.|KT\.|Nơi nhận|PHỤ LỤC|Phụ lục)")
RESP_LINES = 46  # the page: the section's heading and this many lines of it at most ...
RESP_PAGE_LINES = 80  # ... as long as they fit this many lines once wrapped


def responsibility_page(source: str, text: str) -> tuple[list[str], list[str]] | None:
    """(the lines of a page holding a document's responsibilities section, the units it names) or None."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    for i, ln in enumerate(lines):
        if not RESP_HEADING_RE.match(ln):
            continue
        page = [ln]
        for nxt in lines[i + 1:i + 1 + RESP_LINES]:
            if SECTION_END_RE.match(nxt) and len(page) > 1:
                break
            page.append(nxt)
        page = _page(page, RESP_PAGE_LINES)  # the units on the page as drawn
        units: list[str] = []
        for body in page[1:]:
            found = []
            m = ENTRY_RE.match(body)
            if m and (m["end"] == ":" or (len(m["unit"].split()) <= 12 and not body.endswith((",", ";")))):
                found.append(UNIT_TAIL_RE.sub("", m["unit"]))
            found += [m["unit"] for m in GIAO_RE.finditer(body)]
            for unit in found:
                unit = re.sub(r"\s+", " ", unit).strip(" ,")
                if 1 < len(unit.split()) <= 16 and unit not in units:
                    units.append(unit)
        return (page, units) if len(units) >= 2 else None
    return None


def choose_responsibilities(limit: int) -> list[tuple[str, list[str], list[str]]]:
    found = []
    for source, text in iter_documents("train"):
        if source.startswith(SOURCES) and (page := responsibility_page(source, text)) is not None:
            found.append((source, *page))
    random.Random(1).shuffle(found)
    return found[:limit]


# --- rendering -----------------------------------------------------------------------------------------

def run_one(job: tuple[Path, str, list[str], int, int, str, int]) -> str:
    out_dir, name, lines, noise, seed, font, max_lines = job
    text = "\n".join(_page(lines, max_lines)) + "\n"
    return roundtrip(text, noise, seed, font, out_dir / f"{name}.txt", out_dir / f"{name}.drawn.txt")


def _page(lines: list[str], max_lines: int) -> list[str]:
    """The first lines of the document, up to ``max_lines`` once wrapped at the page's 78 characters."""
    out: list[str] = []
    used = 0
    for ln in lines:
        used += 1 + len(ln) // 78
        if used > max_lines:
            break
        out.append(ln)
    return out


def cited(drawn: str, own: str | None) -> list[str]:
    codes = {m[1].replace("–", "-") for m in CODE_RE.finditer(re.sub(r"(?m)^Số hiệu:.*$", "", drawn))}
    codes.discard(own or "")
    return sorted(codes)


def choose(limit: int) -> tuple[list[Truth], list[tuple[str, list[str]]], dict[str, int]]:
    truths: list[Truth] = []
    nodoc: list[tuple[str, list[str]]] = []
    counts = {"read": 0, "no plain header": 0, "metadata disagrees": 0}
    for source, text in iter_documents("train"):
        if not source.startswith(SOURCES):
            continue
        counts["read"] += 1
        t = derive(source, text)
        if t is None:
            counts["no plain header"] += 1
            if (source.startswith("tnt305_legal_md/docs_other/") and "Số hiệu" not in text
                    and "Độc lập - Tự do" not in text and not re.search(r"(?m)^Số\s*:", text)):
                nodoc.append((source, [ln for ln in text.split("\n") if ln.strip()]))  # a web page, no document
            continue
        if not _metadata_agrees(text, t):
            counts["metadata disagrees"] += 1
            continue
        truths.append(t)
    rng = random.Random(0)
    rng.shuffle(truths)
    counts["with a plain header"] = len(truths)
    return truths[:limit], nodoc[:8], counts


def _metadata_agrees(text: str, t: Truth) -> bool:
    """A web library's metadata block, where the source has one, must agree with the header read."""
    flat = re.sub(r"\s+", " ", text[:4000])
    m = re.search(r"Số hiệu: (\S+)", flat)
    if m and m[1] != t.number:
        return False
    d = re.search(r"Ngày ban hành: (\d{1,2})/(\d{1,2})/(\d{4})", flat)
    return not (d and _iso(d[1], d[2], d[3]) != t.date)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--docs", type=int, default=340)
    ap.add_argument("--tuning-docs", type=int, default=240,
                    help="the first N documents are split into dev and test halves; the rest form the 'fresh' set, "
                         "rendered after the rules were tuned and measured once")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--lines", type=int, default=34)
    ap.add_argument("--layouts", default=",".join(LAYOUTS))
    ap.add_argument("--resp", type=int, default=150, help="pages of responsibilities sections")
    ap.add_argument("--truth-only", action="store_true", help="write truth.jsonl and the drawn pages, no OCR")
    a = ap.parse_args()
    a.out_dir.mkdir(parents=True, exist_ok=True)
    layouts = a.layouts.split(",")
    truths, nodoc, counts = choose(a.docs)
    print(", ".join(f"{k}: {v}" for k, v in counts.items()), flush=True)
    jobs = []
    records = []
    for i, t in enumerate(truths):
        for j, lay in enumerate(layouts):
            rng = random.Random(f"{t.source}:{lay}")
            noise = 1 + (i + j) % 3
            font = "dejavu" if (i + j) % 2 == 0 else "liberation"
            name = f"{lay}_{i:04d}"
            lines = layout(t, lay, rng)
            page = _page(lines, a.lines)
            drawn = "\n".join(page)
            truth = {k: v for k, v in asdict(t).items() if k not in ("body", "source_lines")}
            records.append({"name": name, "layout": lay, "half": half(t.source) if i < a.tuning_docs else "fresh",
                            "noise": noise, "font": font,
                            **truth, "cited": cited(drawn, t.number)})
            jobs.append((a.out_dir, name, lines, noise, i * 1009 + j, font, a.lines))
    for i, (source, lines) in enumerate(nodoc):
        name = f"nodoc_{i:04d}"
        records.append({"name": name, "layout": "nodoc", "half": half(source), "noise": 2, "font": "dejavu",
                        "source": source, "doc_type": None, "number": None, "date": None, "place": None,
                        "issuer": [], "type_word": None, "title": None, "cited": None})
        jobs.append((a.out_dir, name, lines, 2, 7919 + i, "dejavu", a.lines))
    for i, (source, page, units) in enumerate(choose_responsibilities(a.resp)):
        name = f"resp_{i:04d}"
        records.append({"name": name, "layout": "resp", "half": half(source), "noise": 1 + i % 3,
                        "font": "dejavu" if i % 2 else "liberation", "source": source, "units": units,
                        "cited": None})
        jobs.append((a.out_dir, name, page, 1 + i % 3, 4099 + i, "dejavu" if i % 2 else "liberation",
                     RESP_PAGE_LINES))
    tmp = a.out_dir / "truth.jsonl.tmp"
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    os.replace(tmp, a.out_dir / "truth.jsonl")
    if a.truth_only:
        for out_dir, name, lines, *_rest in jobs:
            (out_dir / f"{name}.page.txt").write_text("\n".join(_page(lines, a.lines)) + "\n", encoding="utf-8")
        print(f"{len(records)} pages' truth written")
        return
    run_all(run_one, jobs, a.jobs, 50)


if __name__ == "__main__":
    main()
