"""Scanned PDFs, searchable PDFs, page images and Word files in: what a user running ``cchc repair scan.pdf``
or ``cchc ingest`` on a folder of scans sees. The fixtures (tests/data/scans, see its README) are pages of a
corpus plan drawn by the shared round-trip renderer; the tests that OCR need Tesseract with its Vietnamese
data and are skipped, with the reason, without it."""

from __future__ import annotations

import io
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from cchc_cli.cli import main
from cchc_cli.decode import ocr
from cchc_cli.errors import ExitCode

DATA = Path(__file__).parent / "data" / "scans"
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared" / "tools"))

pypdfium2 = pytest.importorskip("pypdfium2", reason="PDF input needs pypdfium2: pip install 'cchc[scans]'")
Image = pytest.importorskip("PIL.Image", reason="image input needs Pillow: pip install 'cchc[scans]'")
docx = pytest.importorskip("docx", reason="DOCX input needs python-docx: pip install 'cchc[docx]'")

_tesseract = ocr.find_tesseract()
needs_tesseract = pytest.mark.skipif(
    _tesseract is None or not _tesseract.has_vietnamese,
    reason=f"Tesseract with Vietnamese data is not installed: {ocr.INSTALL_HINT}",
)
# The tests that OCR real pages with Tesseract (about 0.3 s a page) are long checks, marked slow: they run with
# `python -m pytest -m slow` (and in CI); the rest of this module reads PDFs, images and DOCX without OCR.


def run(capsysbinary, *args: object) -> tuple[int, bytes, str]:
    code = main([str(a) for a in args])
    captured = capsysbinary.readouterr()
    return code, captured.out, captured.err.decode("utf-8")


def accuracy(gold: str, text: str) -> float:
    """../shared/tools/score.py's syllable accuracy, when the shared tool is there; else the same measure
    (1 − token edit distance ÷ gold syllables) without its tone-placement folding."""
    try:
        from score import score_texts
    except ImportError:
        import regex
        from rapidfuzz.distance import Levenshtein

        gold_tokens = regex.findall(r"[\p{L}\p{N}]+", gold)
        return 1 - Levenshtein.distance(gold_tokens, regex.findall(r"[\p{L}\p{N}]+", text)) / len(gold_tokens)
    return score_texts(gold, text)["exact"]["accuracy"]


@pytest.fixture
def no_tesseract(monkeypatch):
    """A machine without Tesseract."""
    monkeypatch.setenv("CCHC_TESSERACT", "/nonexistent/tesseract")


def _folder_of(tmp_path: Path, monkeypatch, *names: str) -> Path:
    """A folder `in` under the current folder `tmp_path`, holding copies of these fixtures."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in names:
        (folder / name).write_bytes((DATA / name).read_bytes())
    return folder


def gold() -> str:
    return (DATA / "plan.gold.txt").read_text("utf-8")


# --- OCR with Tesseract vie ---------------------------------------------------------------------------------


@needs_tesseract
@pytest.mark.slow
def test_repair_of_a_scanned_pdf_prints_its_pages_in_vietnamese(capsysbinary) -> None:
    code, out, err = run(capsysbinary, "repair", DATA / "plan.pdf")
    assert (code, err) == (0, "")
    text = out.decode("utf-8")
    assert text.count("\n\f\n") == 1  # two pages, one form-feed line between them
    assert accuracy(gold(), text) >= 0.98


@needs_tesseract
@pytest.mark.slow
def test_repair_json_says_how_each_page_was_read(capsysbinary) -> None:
    code, out, _ = run(capsysbinary, "repair", DATA / "plan.searchable.pdf", "--json")
    assert code == 0
    source = json.loads(out)["source"]
    assert source["format"] == "pdf-ocr"  # the English text layer was not taken: the pages were re-read
    assert [p["method"] for p in source["pages"]] == ["ocr", "ocr"]
    assert all(p["confidence"] > 50 for p in source["pages"])
    first, second = (p["lines"] for p in source["pages"])
    assert first[0] == 1 and second[0] == first[1] + 2  # the form-feed line lies between them


@needs_tesseract
@pytest.mark.slow
def test_the_pages_of_a_tiff_and_a_png_are_read(capsysbinary) -> None:
    code, out, _ = run(capsysbinary, "repair", DATA / "plan.tif", "--json")
    assert code == 0 and json.loads(out)["source"]["format"] == "image-ocr"
    assert len(json.loads(out)["source"]["pages"]) == 2
    code, out, _ = run(capsysbinary, "repair", DATA / "page.png")
    first_page = gold().split("\n\f\n")[0]
    assert code == 0 and accuracy(first_page, out.decode("utf-8")) >= 0.98


@needs_tesseract
@pytest.mark.slow
def test_pages_ocrd_in_parallel_give_the_same_text(capsysbinary) -> None:
    _, one, _ = run(capsysbinary, "repair", DATA / "plan.pdf", "--jobs", "1")
    _, two, _ = run(capsysbinary, "repair", DATA / "plan.pdf", "--jobs", "2")
    assert one == two


@needs_tesseract
@pytest.mark.slow
def test_ingest_stores_scans_images_and_word_files_with_their_source(tmp_path: Path, capsysbinary,
                                                                     monkeypatch) -> None:
    folder = _folder_of(tmp_path, monkeypatch, "plan.pdf", "page.png", "plan.docx")
    (folder / "notes.md").write_text("not taken: not in the default --include\n", "utf-8")
    code, _, err = run(capsysbinary, "ingest", "in", "--db", "s.db")
    assert code == 0, err
    code, out, _ = run(capsysbinary, "export", "--db", "s.db", "--json")
    formats = {Path(r["source"]["path"]).name: r["source"]["format"] for r in json.loads(out)}
    assert formats == {"plan.pdf": "pdf-ocr", "page.png": "image-ocr", "plan.docx": "docx"}
    code, _, _ = run(capsysbinary, "validate", "--db", "s.db")
    assert code in (0, 1)  # the records read back and validate (findings are the documents' own)


@needs_tesseract
@pytest.mark.slow
def test_an_image_without_text_is_refused_and_the_batch_goes_on(tmp_path: Path, capsysbinary,
                                                                monkeypatch) -> None:
    folder = _folder_of(tmp_path, monkeypatch, "page.png")
    Image.new("L", (600, 800), 255).save(folder / "blank.png")
    code, _, err = run(capsysbinary, "ingest", "in", "--db", "s.db")
    assert code == ExitCode.INPUT
    assert "blank.png: no text found on the page" in err
    with sqlite3.connect(tmp_path / "s.db") as db:
        stored = [Path(p).name for (p,) in db.execute("SELECT DISTINCT path FROM documents")]
    assert stored == ["page.png"]


# --- without OCR --------------------------------------------------------------------------------------------


def test_a_word_file_is_read_in_order_with_its_table_rows(capsysbinary) -> None:
    code, out, err = run(capsysbinary, "repair", DATA / "plan.docx")
    assert (code, err) == (0, "")
    assert out.decode("utf-8") == (DATA / "plan.docx.gold.txt").read_text("utf-8")  # correct text passes through


def test_without_tesseract_a_searchable_pdf_has_its_text_layer_repaired(capsysbinary, no_tesseract) -> None:
    code, out, err = run(capsysbinary, "repair", DATA / "plan.searchable.pdf", "--json")
    assert code == 0
    assert "text layer has no Vietnamese marks and Tesseract is missing" in err
    result = json.loads(out)
    assert result["source"]["format"] == "pdf-text"
    assert {p["method"] for p in result["source"]["pages"]} == {"text-layer-repaired"}
    assert result["edits"]  # the English layer was repaired: diacritics came back
    assert accuracy(gold(), result["text"]) > accuracy(gold(), _layer_text())


def _layer_text() -> str:
    document = pypdfium2.PdfDocument(str(DATA / "plan.searchable.pdf"))
    try:
        return "\n".join(document[i].get_textpage().get_text_bounded() for i in range(len(document)))
    finally:
        document.close()


def test_without_tesseract_a_scan_is_refused_with_the_remedy(capsysbinary, no_tesseract) -> None:
    for name in ("plan.pdf", "page.png"):
        code, out, err = run(capsysbinary, "repair", DATA / name)
        assert (code, out) == (ExitCode.INPUT, b"")
        assert err.startswith(f"cchc: {DATA / name}: ") and "apt-get install tesseract-ocr tesseract-ocr-vie" in err
        assert len(err.strip().splitlines()) == 1


def test_ocr_never_takes_the_text_layer_even_with_tesseract(capsysbinary) -> None:
    code, out, err = run(capsysbinary, "repair", DATA / "plan.searchable.pdf", "--json", "--ocr", "never")
    assert (code, err) == (0, "")
    assert {p["method"] for p in json.loads(out)["source"]["pages"]} == {"text-layer-repaired"}


def test_doctor_says_whether_tesseract_is_there(capsysbinary, no_tesseract) -> None:
    code, out, _ = run(capsysbinary, "doctor")
    assert code == 0
    assert "tesseract: not found" in out.decode() and "tesseract-ocr-vie" in out.decode()
    code, out, _ = run(capsysbinary, "doctor", "--json")
    assert json.loads(out)["tesseract"] is None


# --- bad input: one line naming the file and what to do, the rest of the batch goes on -----------------------


def _no_pages() -> bytes:
    """A well-formed PDF whose page tree is empty (PDFium cannot write one)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 3\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


def _pdf(pages: int) -> bytes:
    document = pypdfium2.PdfDocument.new()
    for _ in range(pages):
        document.new_page(200, 200)
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    return buffer.getvalue()


def _docx_without_text() -> bytes:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


def _tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (1, 1), 255).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "says"),
    [
        ("truncated.pdf", lambda: (DATA / "plan.pdf").read_bytes()[:3000], "a damaged or truncated PDF"),
        ("empty.pdf", _no_pages, "no pages"),
        ("encrypted.pdf", lambda: (DATA / "encrypted.pdf").read_bytes(), "an encrypted PDF: pass --password"),
        ("tiny.png", _tiny_png, "too small to hold text"),
        ("empty.docx", _docx_without_text, "a Word document with no text"),
        ("letter.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "save it as DOCX or plain text"),
        ("notes.rtf", lambda: b"{\\rtf1\\ansi Hello}", "an RTF document"),
        ("bundle.zip", lambda: b"PK\x03\x04" + bytes(100), "a ZIP archive (not a Word DOCX): unpack it"),
    ],
)
def test_bad_documents_are_refused_in_one_line(tmp_path: Path, capsysbinary, name: str, make, says: str) -> None:
    if name == "tiny.png" and (_tesseract is None or not _tesseract.has_vietnamese):
        pytest.skip(f"the size check runs once Tesseract is found: {ocr.INSTALL_HINT}")
    bad = tmp_path / name
    bad.write_bytes(make())
    code, out, err = run(capsysbinary, "repair", bad)
    assert (code, out) == (ExitCode.INPUT, b"")
    (line,) = err.strip().splitlines()
    assert line.startswith(f"cchc: {bad}: ") and says in line


def test_an_encrypted_pdf_opens_with_its_password(capsysbinary) -> None:
    code, out, err = run(capsysbinary, "repair", DATA / "encrypted.pdf", "--password", "wrong", "--ocr", "never")
    assert code == ExitCode.INPUT and "not its password" in err
    code, out, err = run(capsysbinary, "repair", DATA / "encrypted.pdf", "--password", "cchc", "--ocr", "never",
                         "--json")
    assert code == 0, err
    assert json.loads(out)["source"]["format"] == "pdf-text"


def test_a_long_pdf_is_read_a_page_at_a_time(monkeypatch) -> None:
    """A 300-page scan: the pages go to OCR one after the other, and memory does not grow with them."""
    import tracemalloc

    from cchc_cli.decode import source

    seen: list[int] = []

    def fake_ocr(png: bytes, tesseract, label, *, dpi, psm):  # noqa: ANN001 - Tesseract's stand-in
        seen.append(len(png))
        return ocr.OcrPage("Trang có chữ", [ocr.OcrWord(0, 0, 5, 90.0)])

    monkeypatch.setattr(ocr, "ocr_page", fake_ocr)
    monkeypatch.setattr(ocr, "require_tesseract", lambda label, what: ocr.Tesseract("t", "5", ("vie",)))
    monkeypatch.setattr(ocr, "find_tesseract", lambda: ocr.Tesseract("t", "5", ("vie",)))

    def peak(pages: int) -> int:
        data = _pdf(pages)
        tracemalloc.start()
        scanned = source.read_source(data, "long.pdf", source.SourceOptions(ocr="always"))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert len(scanned.pages) == pages
        return top - len(data)

    small, large = peak(10), peak(300)
    assert len(seen) == 310
    assert large < 3 * small  # held: one page at a time, not 300


def test_a_folder_of_documents_is_repaired_beside_its_text_files(tmp_path: Path, capsysbinary) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "plan.docx").write_bytes((DATA / "plan.docx").read_bytes())
    (folder / "scan.pdf").write_bytes((DATA / "plan.searchable.pdf").read_bytes())
    (folder / "scan.txt").write_text("Ke hoach cai cach hanh chinh\n", "utf-8")  # the scan's old OCR text
    code, _, err = run(capsysbinary, "repair", folder, "--out-dir", tmp_path / "out", "--ocr", "never", "--json")
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["plan.docx.txt", "plan.docx.txt.json", "scan.pdf.txt", "scan.pdf.txt.json", "scan.txt",
                     "scan.txt.json"]
    assert (tmp_path / "out" / "plan.docx.txt").read_text("utf-8") == (DATA / "plan.docx.gold.txt").read_text("utf-8")
    assert json.loads((tmp_path / "out" / "scan.pdf.txt.json").read_text("utf-8"))["source"]["format"] == "pdf-text"


def test_records_of_schema_1_1_still_read() -> None:
    """A record stored before source.format and source.pages existed reads as a text file's record."""
    from cchc_cli.records import DocumentRecord

    old = {"id": "0" * 64, "schema_version": "1.1", "source": {"path": "plan.txt", "sha256": None, "lines": [1, 9]}}
    record = DocumentRecord.model_validate(old)
    assert (record.source.format, record.source.pages) == ("text", [])


@pytest.mark.parametrize(("module", "name"), [("pypdfium2", "plan.pdf"), ("PIL", "page.png"), ("docx", "plan.docx")])
def test_a_missing_optional_library_is_named_with_its_extra(capsysbinary, monkeypatch, module: str,
                                                            name: str) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
    code, out, err = run(capsysbinary, "repair", DATA / name)
    assert (code, out) == (ExitCode.INPUT, b"")
    assert err.startswith(f"cchc: {DATA / name}: ") and "pip install 'cchc[" in err


def test_ingest_without_tesseract_says_in_the_record_how_the_layer_was_read(tmp_path: Path, capsysbinary,
                                                                             no_tesseract) -> None:
    code, _, err = run(capsysbinary, "ingest", DATA / "plan.searchable.pdf", "--db", tmp_path / "s.db")
    assert code == 0, err
    code, out, _ = run(capsysbinary, "export", "--db", tmp_path / "s.db", "--json")
    (record,) = json.loads(out)
    assert record["source"]["format"] == "pdf-text"
    assert any("text layer has no Vietnamese marks" in w for w in record["warnings"])
    code, _, err = run(capsysbinary, "repair", DATA, "--include", "plan.searchable.pdf", "--out-dir", tmp_path / "o")
    assert code == 0 and "text layer has no Vietnamese marks" in err


def test_a_word_table_of_tasks_is_read_by_its_columns(tmp_path: Path, capsysbinary) -> None:
    """An appendix task table in a Word file: each cell goes to the field its column header names."""
    document = docx.Document()
    for text in ("ỦY BAN NHÂN DÂN XÃ TÂN PHÚ", "Số: 45/KH-UBND", "Tân Phú, ngày 10 tháng 01 năm 2025", "KẾ HOẠCH",
                 "Cải cách hành chính năm 2025", "Phụ lục", "DANH MỤC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2025"):
        document.add_paragraph(text)
    table = document.add_table(rows=0, cols=6)
    for values in (("STT", "Nội dung công việc", "Đơn vị chủ trì", "Đơn vị phối hợp", "Kết quả/Sản phẩm",
                    "Thời gian hoàn thành"),
                   ("I", "CẢI CÁCH THỂ CHẾ", "", "", "", ""),
                   ("1", "Rà soát văn bản quy phạm pháp luật", "Văn phòng HĐND và UBND xã", "Các cơ quan, đơn vị",
                    "Báo cáo", "Quý II/2025"),
                   ("2", "Kiểm tra công tác cải cách hành chính", "Phòng Văn hóa - Xã hội", "Công an xã", "Kế hoạch",
                    "Năm 2025")):
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    document.save(tmp_path / "plan.docx")
    code, out, err = run(capsysbinary, "ingest", tmp_path / "plan.docx", "--db", tmp_path / "s.db", "--json")
    assert code == 0, err
    (record,) = json.loads(out)
    tasks = [(t["stt"], t["group"], t["content"], t["lead_units"], t["cooperating_units"], t["output"],
              t["deadline"]["from"], t["deadline"]["to"]) for t in record["tasks"]]
    assert tasks == [
        (1, "CẢI CÁCH THỂ CHẾ", "Rà soát văn bản quy phạm pháp luật",
         ["Văn phòng Hội đồng nhân dân và Ủy ban nhân dân"], [], "Báo cáo", "2025-04-01", "2025-06-30"),
        (2, "CẢI CÁCH THỂ CHẾ", "Kiểm tra công tác cải cách hành chính", ["Phòng Văn hóa - Xã hội"], ["Công an"],
         "Kế hoạch", "2025-01-01", "2025-12-31"),
    ]
