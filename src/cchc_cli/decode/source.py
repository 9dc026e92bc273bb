"""Documents as they arrive: PDF (scanned, or with a text layer), page images (PNG, JPEG, TIFF, …) and Word
files (DOCX), besides text. Recognised by their bytes, never by their name.

:func:`input_format` tells what a file is from its first bytes; :func:`read_source` turns a PDF, an image or
a DOCX into a :class:`SourceText`: the text (pages separated by a line holding a form feed, ``\\f``), where it
came from (``pdf-text``, ``pdf-ocr``, ``image-ocr``, ``docx``), per page the method and the OCR's mean
confidence and the lines it spans, and the OCR's confidence of every word (the repair stage's evidence).

Per PDF page (``--ocr auto``): a text layer that already reads as Vietnamese (diacritics present, words
valid syllables) is taken as it is; a layer without marks (an English-OCR layer, as most searchable scans
have) or none at all: the page is rendered at 200 dpi and read with Tesseract ``vie``. Without Tesseract,
the text layer is repaired as OCR text is (a warning says so), and a page without one is refused with the
remedy. ``--ocr always`` reads every page image, ``--ocr never`` takes the text layers only.

Memory stays bounded by a page: a PDF is opened from its path and read page by page; with ``jobs`` > 1 at
most ``jobs`` rendered pages wait for Tesseract at a time. The optional libraries (pypdfium2, Pillow,
python-docx) are imported here only, with a one-line remedy when missing.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..document import PageInfo, SourceText
from ..errors import InputError, UsageError
from ..io import read_error
from ..vietnamese import STRONG_MARKS, has_syllable_shape
from . import ocr

__all__ = ["FORMATS", "OCR_MODES", "PageInfo", "SourceOptions", "SourceText", "input_format", "read_source"]

FORMATS = ("text", "pdf-text", "pdf-ocr", "image-ocr", "docx")
OCR_MODES = ("auto", "always", "never")
PAGE_BREAK = "\f"  # the line between two pages of the text
# PDF pages are drawn at this resolution for OCR. On the scans of the corpus's training part (bench/scans.py
# on work-data/scans/dev, 96 pages): Tesseract vie alone 99.11% at 300 dpi, 99.20% at 200, 98.96% at 150; 200
# also takes 0.70 of 300's time.
DPI = 200
# A text layer reads as Vietnamese when this share of its words carry letters only Vietnamese has (outside
# Latin-1: an English OCR prints é, à, ô but never ư, ơ, ă, đ, ạ, ả, ế) ...
MARKED_SHARE = 0.15
# ... and this share of its lowercase words are syllables by their letters.
SYLLABLE_SHARE = 0.8
MIN_LAYER_WORDS = 5  # a layer with fewer words is taken as no layer (a page number, a stamp)
_PSM = ocr.PSM
MIN_SIDE = 16  # pixels: a smaller image holds no readable text

_SCANS_EXTRA = "pip install 'cchc[scans]'"
_DOCX_EXTRA = "pip install 'cchc[docx]'"
_WORD = re.compile(r"[^\W\d_]+")

InputFormat = Literal["text", "pdf", "image", "docx"]


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """How scans are read: ``ocr`` auto|always|never, the PDF ``password``, pages OCR'd at once (``jobs``),
    Tesseract's page segmentation (``psm``)."""

    ocr: str = "auto"
    password: str | None = None
    jobs: int = 1
    psm: int = _PSM
    dpi: int = DPI  # PDF pages are drawn at this resolution for OCR

    def __post_init__(self) -> None:
        if self.ocr not in OCR_MODES:
            raise UsageError(f"--ocr {self.ocr}: choose one of {', '.join(OCR_MODES)}")


def input_format(head: bytes) -> InputFormat:
    """What the first bytes of a file say it is; ``text`` for anything else (the decoder refuses other
    binaries)."""
    if head.startswith(b"%PDF") or (b"%PDF-" in head[:1024] and head.lstrip()[:1] in (b"%", b"")):
        return "pdf"
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a",
                        b"BM")) or head[8:12] == b"WEBP":
        return "image"
    if head.startswith(b"PK\x03\x04") and b"word/" in head[:4096]:
        return "docx"
    return "text"


def read_source(source: Path | bytes, label: str, options: SourceOptions | None = None) -> SourceText:
    """The text of a PDF, image or DOCX (`source`: its path, or its bytes), page by page. InputError names
    the file and the remedy when it cannot be read (encrypted, damaged, no pages, no text, OCR missing)."""
    options = options or SourceOptions()
    head = source[:4096] if isinstance(source, bytes) else _head(source, label)
    kind = input_format(head)
    if kind == "pdf":
        return _join(_pdf_pages(source, label, options), "pdf", label, options.ocr == "never")
    if kind == "image":
        return _join(_image_pages(source, label, options), "image-ocr", label)
    if kind == "docx":
        return _docx(source, label)
    raise InputError(f"{label}: not a PDF, an image or a Word (DOCX) file")


def _head(path: Path, label: str) -> bytes:
    try:
        with open(path, "rb") as stream:
            return stream.read(4096)
    except OSError as exc:
        raise read_error(label, exc) from None


# --- pages ------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Page:
    method: str  # text-layer | text-layer-repaired | ocr
    text: str
    words: list[ocr.OcrWord] = field(default_factory=list)
    confidence: float | None = None


def _join(pages: Iterator[_Page], kind: str, label: str, layers_only: bool = False) -> SourceText:
    """The pages' texts as one, with a form-feed line between pages. `layers_only`: --ocr never was given
    (a text layer repaired is then the user's choice, not for want of Tesseract)."""
    lines: list[str] = []
    info: list[PageInfo] = []
    confidence: dict[tuple[int, int], float] = {}
    methods: set[str] = set()
    for number, page in enumerate(pages, start=1):
        if lines:
            lines.append(PAGE_BREAK)
        first = len(lines)
        page_lines = unicodedata.normalize("NFC", page.text).split("\n")
        while page_lines and not page_lines[-1].strip():
            page_lines.pop()
        lines.extend(page_lines or [""])
        for word in page.words:
            if word.line < len(page_lines):
                confidence[(first + word.line, word.start)] = word.confidence
        methods.add(page.method)
        info.append(PageInfo(number, page.method, page.confidence, (first + 1, len(lines))))
    if not info:
        raise InputError(f"{label}: a PDF with no pages; check the file (re-download or re-export it)")
    text = "\n".join(lines) + "\n"
    if not _WORD.search(text):
        raise InputError(f"{label}: no text found on {'the page' if len(info) == 1 else 'any page'} "
                         "(an empty or unreadable scan); check it is a document scanned at 150 dpi or more")
    fmt = kind if kind != "pdf" else ("pdf-ocr" if "ocr" in methods else "pdf-text")
    out = SourceText(text, fmt, info, confidence)
    if "text-layer-repaired" in methods and not layers_only:
        out.warnings.append("the PDF's text layer has no Vietnamese marks and Tesseract is missing: the layer was "
                            f"repaired as OCR text; for better text {ocr.INSTALL_HINT}")
    return out


def _ocr_all(images: Iterator[tuple[bytes, int]], label: str, options: SourceOptions) -> Iterator[_Page]:
    """OCR page images (PNG bytes, dpi) in order, `options.jobs` at a time."""
    tesseract = ocr.require_tesseract(label, "a page image")
    if options.jobs <= 1:
        for png, dpi in images:
            yield _ocr_page(png, dpi, tesseract, label, options)
        return
    with ThreadPoolExecutor(options.jobs) as pool:  # threads wait on Tesseract processes
        pending: list[Future[_Page]] = []
        for png, dpi in images:
            pending.append(pool.submit(_ocr_page, png, dpi, tesseract, label, options))
            if len(pending) >= options.jobs:
                yield pending.pop(0).result()
        for job in pending:
            yield job.result()


def _ocr_page(png: bytes, dpi: int, tesseract: ocr.Tesseract, label: str, options: SourceOptions) -> _Page:
    page = ocr.ocr_page(png, tesseract, label, dpi=dpi, psm=options.psm)
    return _Page("ocr", page.text, page.words, page.confidence)


def reads_as_vietnamese(text: str) -> bool:
    """A text layer made by a Vietnamese reader (typed, or Vietnamese OCR), not by an English OCR."""
    words = _WORD.findall(text)
    if len(words) < MIN_LAYER_WORDS:
        return False
    marked = sum(1 for w in words if STRONG_MARKS.search(w))
    lower = [w for w in words if w.islower()]
    shaped = sum(1 for w in lower if has_syllable_shape(w))
    return marked >= MARKED_SHARE * len(words) and shaped >= SYLLABLE_SHARE * max(1, len(lower))


# --- PDF --------------------------------------------------------------------------------------------------


def _pdfium(label: str) -> Any:
    try:
        import pypdfium2
    except ImportError:
        raise InputError(f"{label}: a PDF, and reading PDFs needs pypdfium2: {_SCANS_EXTRA}") from None
    return pypdfium2


def _open_pdf(source: Path | bytes, label: str, password: str | None) -> Any:
    pdfium = _pdfium(label)
    try:
        return pdfium.PdfDocument(source if isinstance(source, bytes) else str(source), password=password)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == 4:  # FPDF_ERR_PASSWORD
            if password is None:
                raise InputError(f"{label}: an encrypted PDF: pass --password") from None
            raise InputError(f"{label}: an encrypted PDF, and --password is not its password") from None
        if code == 0:  # PDFium loads no document without pages, and says "success"
            raise InputError(f"{label}: a PDF with no pages; check the file (re-download or re-export it)") from None
        if code == 5:  # FPDF_ERR_SECURITY
            raise InputError(f"{label}: a PDF whose security handler PDFium does not support; print it to a new "
                             "PDF first") from None
        raise InputError(f"{label}: a damaged or truncated PDF, or one with no pages ({exc}); re-download or "
                         "re-export it") from None


def _pdf_pages(source: Path | bytes, label: str, options: SourceOptions) -> Iterator[_Page]:
    """The pages of a PDF, in order: the text layer where it serves, else the page image through OCR."""
    document = _open_pdf(source, label, options.password)
    try:
        tesseract = ocr.find_tesseract()
        can_ocr = tesseract is not None and tesseract.has_vietnamese
        plan: list[tuple[int, str | None]] = []  # page index, its usable text layer (None: OCR it)
        for index in range(len(document)):
            layer = _text_layer(document, index, label)
            words = len(_WORD.findall(layer))
            if options.ocr == "never" or (options.ocr == "auto" and reads_as_vietnamese(layer)):
                plan.append((index, layer))
            elif not can_ocr:
                if options.ocr == "always" or words < MIN_LAYER_WORDS:
                    ocr.require_tesseract(label, f"page {index + 1} (a scanned page without a text layer)")
                plan.append((index, layer))
            else:
                plan.append((index, None))
        yield from _pdf_plan(document, plan, label, options)  # (drawn at options.dpi)
    finally:
        document.close()


def _pdf_plan(document: Any, plan: list[tuple[int, str | None]], label: str, options: SourceOptions
              ) -> Iterator[_Page]:
    """Pages by plan, in order; the OCR'd ones rendered one at a time in this thread (PDFium is not
    thread-safe) and read by Tesseract on `options.jobs` threads."""
    ocr_pages = [index for index, layer in plan if layer is None]
    rendered = (_ocr_all(_render_pages(document, ocr_pages, label, options.dpi), label, options) if ocr_pages
                else iter(()))
    for _index, layer in plan:
        if layer is None:
            yield next(rendered)
        else:
            method = "text-layer" if reads_as_vietnamese(layer) else "text-layer-repaired"
            yield _Page(method, layer)


def _text_layer(document: Any, index: int, label: str) -> str:
    pdfium = _pdfium(label)
    try:
        page = document[index]
        try:
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_bounded()
            finally:
                textpage.close()
        finally:
            page.close()
    except pdfium.PdfiumError as exc:
        raise InputError(f"{label}: page {index + 1} of the PDF cannot be read ({exc}); re-export the PDF") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _render_pages(document: Any, indexes: list[int], label: str, dpi: int) -> Iterator[tuple[bytes, int]]:
    pdfium = _pdfium(label)
    for index in indexes:
        try:
            page = document[index]
            try:
                image = page.render(scale=dpi / 72, grayscale=True).to_pil()
            finally:
                page.close()
        except pdfium.PdfiumError as exc:
            raise InputError(f"{label}: page {index + 1} of the PDF cannot be drawn ({exc}); re-export the PDF") \
                from None
        yield _png(image), dpi


def _png(image: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


# --- images -----------------------------------------------------------------------------------------------


def _pillow(label: str) -> Any:
    try:
        from PIL import Image
    except ImportError:
        raise InputError(f"{label}: an image, and reading images needs Pillow: {_SCANS_EXTRA}") from None
    return Image


def _image_pages(source: Path | bytes, label: str, options: SourceOptions) -> Iterator[_Page]:
    image_module = _pillow(label)
    try:
        image = image_module.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (OSError, image_module.DecompressionBombError, ValueError) as exc:
        raise InputError(f"{label}: a damaged or unsupported image ({exc}); save it again as PNG or TIFF") from None
    with image:
        yield from _ocr_all(_frames(image, label), label, options)  # (Tesseract is looked for there)


def _frames(image: Any, label: str) -> Iterator[tuple[bytes, int]]:
    """Each frame of the image (the pages of a multi-page TIFF) as grayscale PNG bytes and its dpi."""
    frames = getattr(image, "n_frames", 1)
    for index in range(frames):
        try:
            image.seek(index)
            if min(image.size) < MIN_SIDE:
                raise InputError(f"{label}: an image of {image.size[0]}×{image.size[1]} pixels is too small to hold "
                                 "text; scan the page at 150 dpi or more")
            frame = image.convert("L")
        except (OSError, ValueError, EOFError) as exc:
            raise InputError(f"{label}: page {index + 1} of the image cannot be read ({exc}); save it again") \
                from None
        dpi = image.info.get("dpi", (DPI, DPI))[0] or DPI
        yield _png(frame), max(70, min(1200, round(float(dpi))))


# --- DOCX -------------------------------------------------------------------------------------------------


def _docx(source: Path | bytes, label: str) -> SourceText:
    lines = list(_docx_lines(source, label))
    while lines and not lines[-1].strip():
        lines.pop()
    if not any(_WORD.search(line) for line in lines):
        raise InputError(f"{label}: a Word document with no text (no paragraphs or table cells); check the file")
    text = unicodedata.normalize("NFC", "\n".join(lines) + "\n")
    return SourceText(text, "docx", [PageInfo(1, "docx", None, (1, len(lines)))])


def _docx_lines(source: Path | bytes, label: str) -> Iterator[str]:
    """Paragraphs and tables in document order; a table row as its cells joined by `` | ``."""
    try:
        import docx
    except ImportError:
        raise InputError(f"{label}: Word (DOCX) input needs python-docx: {_DOCX_EXTRA}") from None
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
        blocks = list(document.iter_inner_content())
    except Exception as exc:  # python-docx raises many kinds on a damaged package
        raise InputError(f"{label}: a damaged Word (DOCX) file ({type(exc).__name__}); open and save it again") \
            from None
    for block in blocks:
        if isinstance(block, Table):
            yield from _table_lines(block)
        else:
            yield from block.text.split("\n")


def _table_lines(table: Any) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once for each grid column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        yield " | ".join(cells)

