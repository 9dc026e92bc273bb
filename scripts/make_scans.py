"""Make scanned-document test data: corpus text drawn as page images (the shared OCR round-trip tool's
``render``), bundled as the files a body publishes (image-only PDF, searchable PDF, multi-page TIFF), with
the gold text that was drawn and the English-model OCR text cchc reads today.

usage: python scripts/make_scans.py OUT_DIR --part train|heldout [--body N] [--headers N] [--jobs 2] [--seed 0]
       python scripts/make_scans.py tests/data/scans --fixture      (the committed test fixtures)

Per document NAME under OUT_DIR:

- ``NAME/page-001.png`` …: the pages as ``ocr_roundtrip.render`` draws them (2480 px wide, 300 dpi; noise
  1, 2, 3 cycled over the documents, DejaVu and Liberation Serif alternating). A page whose widest line would
  run past the right margin is drawn with a smaller font (``px`` below 50, never below 30);
- ``NAME.gold.txt``: exactly the lines drawn, NFC, pages separated by a line holding a single form feed;
- ``NAME.eng.txt``: what ``tesseract page.png stdout -l eng --psm 6`` reads, pages joined with "\\n" (as the
  tool's round trip produces it);
- ``NAME.pdf`` (image only, Pillow), ``NAME.searchable.pdf`` (the same images with Tesseract's English text
  layer: ``tesseract LIST OUT -l eng --psm 6 pdf``) and ``NAME.tif`` (multi-page, deflate);
- a line of ``OUT_DIR/scans.jsonl``: name, kind, part, source (corpus path), noise, font, pages, px (per page)
  and, for a header, the dev-set page it came from, its layout and its truth (doc_type, number, date, place).

Documents: ``--body N`` gives N two-page passages (about 50 lines a page, wrapped at 78) of the chosen
``--part`` of ../shared/corpus, chosen as scripts/make_roundtrip.py chooses its passages (half from ubnd_docs);
``--headers N`` gives N one-page documents from the extraction dev set's "fresh" pages
(``work-data/extraction/<name>.drawn.txt``, layouts cols and stacked alternating; from the corpus's train
part whatever --part says). Runs are resumable (a document whose files all exist is kept) and deterministic
for a given --seed (the date Tesseract stamps in its PDF is replaced by a fixed one).

``--fixture`` writes the small committed fixtures of tests/data/scans (see its README): a two-page excerpt of
a train-part decision drawn at noise 1 and stored 1-bit, and a DOCX of the plan it issues.

Needs ../shared/tools/ocr_roundtrip.py (or CCHC_SHARED), tesseract-ocr (eng), fonts-dejavu-core,
fonts-liberation2 (fonts-liberation 1.x has no ơ, ư, ạ, ế …: the script refuses a face that lacks them),
Pillow and (for --fixture) python-docx. Provenance of the text: ../shared/corpus/README.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from corpus import is_heldout, iter_documents  # noqa: E402
from make_roundtrip import TOOL, passages, run_all  # noqa: E402

DEVSET = Path(os.environ.get("CCHC_EXTRACTION_DEVSET", REPO / "work-data" / "extraction"))
WIDTH = 78  # the tool's wrapping width
BODY_LINES = 50  # drawn lines a body page holds at most
MIN_BODY_LINES = 80  # a passage that wraps to fewer lines is passed over (two pages of 40 lines at least)
PX, MIN_PX = 50, 30  # the tool's font size, and the smallest one a wide page is drawn with
PAGE_W, LEFT, JITTER, RIGHT_MARGIN = 2480, 180, 3, 120  # the tool draws at x = 180 ± 3 on a 2480 px page
MAX_TEXT_W = PAGE_W - LEFT - JITTER - RIGHT_MARGIN  # about 78 characters of DejaVu Serif at 50 px
DPI = 300
FIXED_DATE = datetime(2025, 1, 1, tzinfo=UTC)  # stamped in the PDFs so that reruns give the same bytes
TESS_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}
LIBERATION2 = Path("/usr/share/fonts/truetype/liberation2")
FACES: dict[str, tuple[str, str] | None] = {
    "dejavu": None,  # the tool's own DejaVu Serif
    # Liberation Serif 2 (Times New Roman's metrics). Not fonts-liberation 1.x (make_roundtrip.FONTS named it
    # until 2026-12-01): it has no ơ, ư nor any letter of Latin Extended Additional (ạ, ế, ự …) and draws boxes
    "liberation": (str(LIBERATION2 / "LiberationSerif-Regular.ttf"), str(LIBERATION2 / "LiberationSerif-Bold.ttf")),
}
VIETNAMESE = "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"


@dataclass
class Doc:
    name: str
    kind: str  # "body" or "header"
    part: str
    source: str
    noise: int
    font: str
    seed: str
    pages: list[list[str]]
    px: list[int] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "part": self.part, "source": self.source,
                "noise": self.noise, "font": self.font, "pages": len(self.pages), "px": self.px, **self.extra}


# --- the shared tool -----------------------------------------------------------------------------------

@cache
def tool(font: str) -> ModuleType:
    """The shared tool loaded once per face: a module instance of its own for each, its FONT and BOLD set,
    so that threads drawing in different faces never share (and race on) those settings."""
    spec = importlib.util.spec_from_file_location(f"ocr_roundtrip_{font}", TOOL)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {TOOL} (set CCHC_SHARED)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    faces = FACES[font]
    if faces is not None:
        module.FONT, module.BOLD = faces
    for path in (module.FONT, module.BOLD):
        if not Path(path).exists() or (missing := _missing_glyphs(path)):
            what = f"has no glyph for {''.join(missing)}" if Path(path).exists() else "is not installed"
            raise SystemExit(f"{path} {what}: apt-get install fonts-dejavu-core fonts-liberation2")
    return module


def _missing_glyphs(path: str) -> list[str]:
    """The Vietnamese letters the face draws as its missing-glyph box (that of a private-use character)."""
    face = ImageFont.truetype(path, 40)

    def drawn(ch: str) -> bytes:
        im = Image.new("L", (80, 80), 255)
        ImageDraw.Draw(im).text((10, 5), ch, font=face, fill=0)
        return im.tobytes()

    box = drawn("\U000f0000")
    return [ch for ch in VIETNAMESE + VIETNAMESE.upper() if drawn(ch) == box]


def wrap(text: str) -> list[str]:
    return list(tool("dejavu").wrap(unicodedata.normalize("NFC", text), WIDTH))


def fit_px(lines: list[str], font: str) -> int:
    """The largest font size (at most 50 px, the tool's) at which every line, in the face the tool draws it
    in (bold for an upper-case line of more than 3 characters), ends before the page's right margin."""
    t = tool(font)
    for px in range(PX, MIN_PX - 1, -1):
        regular, bold = ImageFont.truetype(t.FONT, px), ImageFont.truetype(t.BOLD, px)
        widest = max(((bold if ln.isupper() and len(ln) > 3 else regular).getlength(ln) for ln in lines),
                     default=0.0)
        if widest <= MAX_TEXT_W:
            return px
    print(f"warning: a line is wider than the page even at {MIN_PX} px: {max(lines, key=len)[:60]}…", flush=True)
    return MIN_PX


# --- one document --------------------------------------------------------------------------------------

def outputs(out_dir: Path, doc: Doc) -> list[Path]:
    pages = [out_dir / doc.name / f"page-{k:03d}.png" for k in range(1, len(doc.pages) + 1)]
    return [*pages, *(out_dir / f"{doc.name}{ext}" for ext in (".pdf", ".searchable.pdf", ".tif", ".eng.txt",
                                                               ".gold.txt"))]


def gold_text(pages: list[list[str]]) -> str:
    return unicodedata.normalize("NFC", "\n\f\n".join("\n".join(p) for p in pages) + "\n")


def tesseract(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(["tesseract", *args], check=True, capture_output=True, env=TESS_ENV, cwd=cwd)
    return done.stdout.decode("utf-8")


def make_doc(doc: Doc, out_dir: Path, binary: bool = False) -> str:
    """Draw and OCR one document into out_dir (built in a scratch folder, then moved in: the gold text last).
    binary: store the pages 1-bit (for small fixtures). "kept" when all its files exist already."""
    final = outputs(out_dir, doc)
    if all(p.exists() for p in final):
        return f"{doc.name} kept"
    started = time.monotonic()
    tmp = out_dir / f".{doc.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    rng = random.Random(doc.seed)
    draw = tool(doc.font)
    pngs: list[Path] = []
    ocr: list[str] = []
    for k, (lines, px) in enumerate(zip(doc.pages, doc.px, strict=True), 1):
        raw, png = tmp / f"raw-{k:03d}.png", tmp / f"page-{k:03d}.png"
        draw.render(lines, str(raw), rng, doc.noise, px)
        ocr.append(tesseract(str(raw), "stdout", "-l", "eng", "--psm", "6"))  # the page as the tool reads it
        with Image.open(raw) as im:
            page = im.convert("1", dither=Image.Dither.NONE) if binary else im
            page.save(png, dpi=(DPI, DPI), optimize=True)
        raw.unlink()
        pngs.append(png)
    _image_files(pngs, tmp / "doc.pdf", tmp / "doc.tif")
    listing = tmp / "pages.txt"
    listing.write_text("".join(f"{p.name}\n" for p in pngs), encoding="utf-8")
    tesseract(listing.name, "searchable", "-l", "eng", "--psm", "6", "pdf", cwd=tmp)
    searchable = tmp / "searchable.pdf"
    searchable.write_bytes(_fixed_date(searchable.read_bytes()))
    (tmp / "eng.txt").write_text("\n".join(ocr), encoding="utf-8")
    (tmp / "gold.txt").write_text(gold_text(doc.pages), encoding="utf-8")
    (out_dir / doc.name).mkdir(parents=True, exist_ok=True)
    for src, dst in zip([*pngs, *(tmp / n for n in ("doc.pdf", "searchable.pdf", "doc.tif", "eng.txt", "gold.txt"))],
                        final, strict=True):
        os.replace(src, dst)
    shutil.rmtree(tmp)
    return f"{doc.name} made, {len(doc.pages)} pages, {time.monotonic() - started:.1f} s"


def _image_files(pngs: list[Path], pdf: Path, tif: Path) -> None:
    """The image-only PDF and the multi-page TIFF of the pages (opened lazily, one decoded at a time; opened
    afresh for each file: a save leaves its encoder settings on the appended images)."""
    for path in (pdf, tif):
        images = [Image.open(p) for p in pngs]
        try:
            first, rest = images[0], images[1:]
            if path == pdf:
                first.save(pdf, "PDF", save_all=True, append_images=rest, resolution=float(DPI),
                           creationDate=FIXED_DATE.timetuple(), modDate=FIXED_DATE.timetuple())
            else:
                compression = "group4" if first.mode == "1" else "tiff_deflate"
                first.save(tif, "TIFF", save_all=True, append_images=rest, compression=compression, dpi=(DPI, DPI))
        finally:
            for im in images:
                im.close()


def _fixed_date(pdf: bytes) -> bytes:
    """Tesseract's PDF with its creation date replaced by FIXED_DATE (same length: offsets hold)."""
    stamp = FIXED_DATE.strftime("D:%Y%m%d%H%M%S").encode()
    out, n = re.subn(rb"/CreationDate \(D:\d{14}", b"/CreationDate (" + stamp, pdf, count=1)
    return out if n else pdf


# --- choosing the documents ----------------------------------------------------------------------------

def body_docs(part: str, n: int, seed: int) -> list[Doc]:
    """n two-page passages: make_roundtrip's passages of 100 lines, cut in two; half from ubnd_docs (its
    even picks), short ones (under MIN_BODY_LINES once wrapped) and repeated documents passed over."""
    want = {0: (n + 1) // 2, 1: n // 2}
    picked: dict[int, list[tuple[str, list[str]]]] = {0: [], 1: []}
    seen: set[str] = set()
    for i, (source, text) in enumerate(passages(part, 4 * n + 8, 2 * BODY_LINES, seed)):
        lines = wrap(text)
        if len(picked[i % 2]) >= want[i % 2] or len(lines) < MIN_BODY_LINES or source in seen:
            continue
        seen.add(source)
        picked[i % 2].append((source, lines))
    chosen = [picked[i % 2][i // 2] for i in range(n) if i // 2 < len(picked[i % 2])]
    if len(chosen) < n:
        print(f"warning: only {len(chosen)} passages of {MIN_BODY_LINES} lines or more", flush=True)
    docs = []
    for i, (source, lines) in enumerate(chosen):
        half = min(BODY_LINES, (len(lines) + 1) // 2)
        docs.append(Doc(f"body_{i:04d}", "body", part, source, 1 + i % 3, ("dejavu", "liberation")[i % 2],
                        f"{seed}:body:{i}", [lines[:half], lines[half:2 * half]]))
    return docs


def header_docs(n: int, seed: int, devset: Path = DEVSET) -> list[Doc]:
    """n one-page documents from the extraction dev set's fresh pages, cols and stacked alternating, each
    from a different document."""
    fresh = {}
    with open(devset / "truth.jsonl", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["half"] == "fresh" and r["layout"] in ("cols", "stacked"):
                fresh[r["layout"], r["name"].split("_", 1)[1]] = r
    numbers = sorted({k for _lay, k in fresh if ("cols", k) in fresh and ("stacked", k) in fresh})
    random.Random(seed).shuffle(numbers)
    docs = []
    for j, k in enumerate(numbers[:n]):
        r = fresh["cols" if j % 2 == 0 else "stacked", k]
        drawn = (devset / f"{r['name']}.drawn.txt").read_text(encoding="utf-8")
        lines = unicodedata.normalize("NFC", drawn).rstrip("\n").split("\n")
        docs.append(Doc(f"header_{j:04d}", "header", "train", r["source"], 1 + j % 3, ("dejavu", "liberation")[j % 2],
                        f"{seed}:header:{j}", [lines],
                        extra={"devset_page": r["name"], "layout": r["layout"],
                               "truth": {f: r[f] for f in ("doc_type", "number", "date", "place")}}))
    return docs


# --- the committed fixtures ----------------------------------------------------------------------------

# Quyết định 2623/QĐ-TTg (29/11/2025) ban hành Kế hoạch triển khai thi hành Luật Bảo vệ dữ liệu cá nhân
FIXTURE_SOURCE = "tnt305_legal_md/docs_ubnd/86367f2ddb2225cd.md"
FIXTURE_PAGE_LINES = (9, 10)  # drawn lines of its two pages at most
TASK_RE = re.compile(r"^(\d+)\.\s+(.*)$")
LEAD_RE = re.compile(r"^- Cơ quan (?:chủ trì|thực hiện):\s*(.*?)\.?$")
HEADING_RE = re.compile(r"^[IVX]+\.\s")


def _paragraphs(lines: list[str]) -> list[str]:
    """The source's hard-broken lines joined into paragraphs (blank lines separate them), Markdown's stray
    emphasis marks dropped."""
    out: list[str] = []
    buf: list[str] = []
    for ln in [*lines, ""]:
        if ln.strip():
            buf.append(ln.strip())
        elif buf:
            text = re.sub(r"\s+\*(?=\s|$)", "", " ".join(buf))
            out.append(re.sub(r"\s+", " ", text).strip())
            buf = []
    return out


def fixture_text() -> tuple[list[str], list[str], list[list[str]], list[str]]:
    """(the decision's lines as drawn: header and paragraphs up to the signature; the DOCX's paragraphs before
    its table; the table's rows; its paragraphs after the table), from FIXTURE_SOURCE."""
    from make_extraction_devset import MOTTO1, MOTTO2, derive

    assert not is_heldout(FIXTURE_SOURCE)
    text = next(t for s, t in iter_documents("train") if s == FIXTURE_SOURCE)
    t = derive(FIXTURE_SOURCE, text)
    assert t is not None and t.date and t.body
    lines = text.split("\n")
    y, m, d = t.date.split("-")
    header = [" ".join(t.issuer), MOTTO1, MOTTO2, f"Số: {t.number}", f"{t.place}, ngày {d} tháng {m} năm {y}"]
    body_at = next(i for i, ln in enumerate(lines) if i > 10 and ln.strip() == t.body[0])
    signed_at = next(i for i, ln in enumerate(lines) if ln.strip() == "Nơi nhận:")
    decision = _paragraphs(lines[body_at:signed_at])
    drawn = [*header, t.type_word or "", t.title or "", *decision]
    plan_at = next(i for i, ln in enumerate(lines) if ln.strip() == "KẾ HOẠCH")
    plan = _paragraphs(lines[plan_at + 1:])
    content = plan.index("II. NỘI DUNG")
    rows = [["STT", "Nội dung", "Đơn vị chủ trì"]]
    for i in range(content + 1, len(plan)):
        if HEADING_RE.match(plan[i]) or len(rows) > 3:
            break
        task = TASK_RE.match(plan[i])
        if task:
            lead = next((LEAD_RE.match(p) for p in plan[i + 1:] if LEAD_RE.match(p) or TASK_RE.match(p)), None)
            if lead:
                rows.append([task[1], task[2], lead[1]])
    after_at = next(i for i in range(content + 1, len(plan)) if HEADING_RE.match(plan[i]))
    article1 = next(p for p in decision if p.startswith("Điều 1."))
    before = [*header, t.type_word or "", t.title or "", article1, "KẾ HOẠCH", plan[0],
              next(p for p in plan if p.startswith("Luật ")), plan[content]]
    return drawn, before, rows, plan[after_at:after_at + 2]


def _fixture_pages(paragraphs: list[str]) -> list[list[str]]:
    """Whole paragraphs, wrapped, on two pages of FIXTURE_PAGE_LINES lines at most."""
    pages: list[list[str]] = [[] for _ in FIXTURE_PAGE_LINES]
    k = 0
    for para in paragraphs:
        wrapped = wrap(para)
        while k < len(pages) and len(pages[k]) + len(wrapped) > FIXTURE_PAGE_LINES[k]:
            k += 1
        if k == len(pages):
            break
        pages[k].extend(wrapped)
    return pages


def write_docx(path: Path, before: list[str], rows: list[list[str]], after: list[str]) -> str:
    """The DOCX (Times New Roman 13 pt, the header centred, the table gridded) and its text as extracted:
    paragraphs in order, a table row as its cells joined by " | "."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    props = document.core_properties
    props.author, props.last_modified_by, props.title = "cchc scripts/make_scans.py", "", before[6]
    props.created = props.modified = FIXED_DATE.replace(tzinfo=None)
    props.revision = 1
    for text in before:
        p = document.add_paragraph()
        run = p.add_run(text)
        if text.isupper() or text.startswith(("Độc lập", "Số:")) or ", ngày " in text[:40]:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.bold = text.isupper() or text.startswith("Độc lập")
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            cell = table.cell(r, c)
            cell.text = text
            if r == 0:
                cell.paragraphs[0].runs[0].bold = True
    for text in after:
        document.add_paragraph(text).runs[0].bold = text.isupper() or bool(HEADING_RE.match(text))
    buf = io.BytesIO()
    document.save(buf)
    _zip_fixed_times(buf.getvalue(), path)
    gold = [*before, *(" | ".join(r) for r in rows), *after]
    return unicodedata.normalize("NFC", "\n".join(gold) + "\n")


def _zip_fixed_times(data: bytes, path: Path) -> None:
    """Rewrite the DOCX's zip with fixed member times, so that reruns give the same bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type, member.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            zout.writestr(member, zin.read(info.filename))


def make_fixtures(out_dir: Path) -> None:
    drawn, before, rows, after = fixture_text()
    pages = _fixture_pages(drawn)
    doc = Doc("plan", "body", "train", FIXTURE_SOURCE, 1, "dejavu", "fixture:plan", pages,
              [fit_px(p, "dejavu") for p in pages])
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        print(make_doc(doc, Path(tmp), binary=True), flush=True)
        for name in ("plan.pdf", "plan.searchable.pdf", "plan.tif", "plan.gold.txt"):
            shutil.copyfile(Path(tmp) / name, out_dir / name)
        shutil.copyfile(Path(tmp) / "plan" / "page-001.png", out_dir / "page.png")
    (out_dir / "plan.docx.gold.txt").write_text(write_docx(out_dir / "plan.docx", before, rows, after),
                                                encoding="utf-8")
    print(f"fixtures in {out_dir}: pages of {[len(p) for p in pages]} lines at {doc.px} px, "
          f"{sum(f.stat().st_size for f in out_dir.iterdir()) // 1024} KB", flush=True)


# --- main ----------------------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--part", choices=["train", "heldout"])
    ap.add_argument("--body", type=int, default=0, help="two-page passages of the corpus part")
    ap.add_argument("--headers", type=int, default=0, help="one-page headers of the extraction dev set's fresh pages")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fixture", action="store_true", help="write the committed fixtures of tests/data/scans")
    a = ap.parse_args()
    for font in FACES:
        tool(font)  # loaded before the threads start
    if a.fixture:
        make_fixtures(a.out_dir)
        return
    if a.part is None:
        ap.error("--part is required (unless --fixture)")
    started = time.monotonic()
    docs = body_docs(a.part, a.body, a.seed) if a.body else []
    docs += header_docs(a.headers, a.seed) if a.headers else []
    for doc in docs:
        doc.px = [fit_px(p, doc.font) for p in doc.pages]
    small = [(d.name, d.px) for d in docs if min(d.px) < PX]
    print(f"{len(docs)} documents, {sum(len(d.pages) for d in docs)} pages chosen in "
          f"{time.monotonic() - started:.0f} s; drawn smaller to fit: {small or 'none'}", flush=True)
    a.out_dir.mkdir(parents=True, exist_ok=True)
    run_all(lambda d: make_doc(d, a.out_dir), docs, a.jobs, 1)
    tmp = a.out_dir / "scans.jsonl.tmp"
    tmp.write_text("".join(json.dumps(d.record(), ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    os.replace(tmp, a.out_dir / "scans.jsonl")
    print(f"done in {time.monotonic() - started:.0f} s: {a.out_dir / 'scans.jsonl'}", flush=True)


if __name__ == "__main__":
    main()
