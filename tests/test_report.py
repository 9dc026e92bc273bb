"""``cchc report``: the HTML report across stored documents — what it holds for the five samples, Vietnamese
order and formats, the review view's marks, and the bad inputs of issue 14 (an empty store, a document of
nulls, HTML in document text, very long unit names, a store of 1,000 documents).

The samples' texts come from the session's one repair of each (conftest), handed to the report in place of
its own reading of the source files; one test runs the command's own reading on one sample."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from conftest import SAMPLES, SEEDS, run_cli, store_of

from cchc_cli.document import Edit, Flag, RepairResult
from cchc_cli.report import TEXT_LIMIT, ReportOptions, build_context, render_report
from cchc_cli.report.review import line_markup
from cchc_cli.resources import load_resources
from cchc_cli.store import open_store
from cchc_cli.vietnamese import sort_key

# The budget of README's "cchc report" for a report without texts: 32 KB a document (measured: 30.0 MB for
# 1,000 documents made of the samples' records; bench/report.py measures the store of 1,000 generated ones)
SIZE_PER_DOCUMENT = 32_000


def sample_reader(repaired_samples: dict[str, RepairResult]):  # noqa: ANN201 - a SourceReader
    """The samples' repairs by store key, as the report's reading of the source files would give them."""
    by_key = {str((SAMPLES / f"{seed}.txt").resolve()): result for seed, result in repaired_samples.items()}
    return lambda paths: {p: by_key[p] for p in paths if p in by_key}


def report_of(db: Path, **options: object) -> str:
    store = open_store(db, readonly=True)
    try:
        return render_report(build_context(store, ReportOptions(**options), load_resources().version))
    finally:
        store.close()


@pytest.fixture(scope="session")
def samples_page(sample_store: Path, repaired_samples: dict[str, RepairResult]) -> str:
    return report_of(sample_store, read_sources=sample_reader(repaired_samples))


def stored_records(db: Path) -> list[dict]:
    store = open_store(db, readonly=True)
    try:
        return [s.record for s in store.records()]
    finally:
        store.close()


def texts_of(page: str, pattern: str) -> list[str]:
    """The text (tags removed, entities decoded) of each match of `pattern`'s first group."""
    return [html.unescape(re.sub(r"<[^>]+>", "", m)) for m in re.findall(pattern, page, re.S)]


# --- Vietnamese order and formats ---------------------------------------------------------------------------


def test_vietnamese_alphabetical_order() -> None:
    words = ["đi", "Dương", "bạc", "ăn", "anh", "ba", "bá", "bà", "bả", "bã", "bạ", "ân", "Ê-đê", "em", "a", "ơn", "ôm",
             "Phòng 10", "Phòng 2", "uống", "ưa", "y", "bác"]
    assert sorted(words, key=sort_key) == [
        "a", "anh", "ăn", "ân", "ba", "bà", "bả", "bã", "bá", "bạ", "bác", "bạc", "Dương", "đi", "em", "Ê-đê",
        "ôm", "ơn", "Phòng 2", "Phòng 10", "uống", "ưa", "y"]
    # NFD input sorts as its NFC form; None and '' first
    assert sort_key(unicodedata.normalize("NFD", "Đà Nẵng"))[:2] == sort_key("Đà Nẵng")[:2]
    assert sorted(["b", None, ""], key=sort_key) == [None, "", "b"]


def test_numbers_and_dates_in_vietnamese_format() -> None:
    from cchc_cli.report.gather import vn_date
    from cchc_cli.report.views import format_number, target_value

    assert vn_date("2025-11-19") == "19/11/2025" and vn_date("2025-02-31") is None and vn_date(None) is None
    assert format_number(1234567, "vi") == "1.234.567" and format_number(90.5, "vi") == "90,5"
    assert format_number(1234.5, "en") == "1,234.5"
    assert target_value({"comparator": "≥", "value": 90.0, "unit": "%"}, "vi") == "≥ 90%"
    assert target_value({"comparator": "=", "value": 99.5, "unit": "%"}, "vi") == "99,5%"


# --- the review view ----------------------------------------------------------------------------------------


def test_edits_are_marked_at_their_place_in_the_repaired_line() -> None:
    # OCR "Ké hoach <b>cai" → "Kế hoạch <b>cải"; the columns are the OCR line's
    line = "Kế hoạch <b>cải cach"
    edits = [Edit(1, 1, "Ké", "Kế", 1.0, "diacritics"), Edit(1, 4, "hoach", "hoạch", 0.93, "diacritics"),
             Edit(1, 13, "cai", "cải", 0.41, "diacritics")]
    flags = [Flag(1, 13, "cai", ["cải", "cai"], 0.41), Flag(1, 17, "cach", ["cách", "cạch"], 0.3)]
    markup = line_markup(line, edits, flags)
    assert markup == ('<i title="Ké">Kế</i> <i title="hoach · 93%">hoạch</i> &lt;b&gt;'
                      '<i class="lo" title="cai · 41% · cải, cai">cải</i> '
                      '<mark title="? · cách, cạch · 30%">cach</mark>')
    # an edit that does not fit the line is left unmarked, never misplaced
    assert line_markup("abc", [Edit(1, 2, "x", "y", 1.0, "ocr-char")], []) == "abc"


def test_the_samples_report(samples_page: str, sample_store: Path) -> None:
    records = stored_records(sample_store)
    tasks = sum(len(r["tasks"]) for r in records)
    page = samples_page
    assert page.count("<tr data-a=") == tasks == 180
    for name in ("Cải cách thủ tục hành chính", "Cải cách thể chế", "Cải cách tổ chức bộ máy",
                 "Cải cách chế độ công vụ", "Cải cách tài chính công", "Chính quyền điện tử, chính quyền số",
                 "Chỉ đạo, điều hành", "Nội dung khác"):
        assert f"<td>{name}<td" in page  # in the table of tasks by area
    # the coverage matrix: one row a plan or a document with tasks; the report (003) leaves three areas out
    coverage = re.search(r'<table class="cov sortable">(.*?)</table>', page, re.S).group(1)
    assert coverage.count("<tr><td data-k=") == 5
    assert texts_of(page, r'<h2>(Báo cáo 205/BC-UBND[^<]*)</h2>') == [
        "Báo cáo 205/BC-UBND — Ủy ban nhân dân thành phố Hải Phòng"]
    # dates as Vietnamese documents write them; the findings of validate, by rule
    assert "<dt>Ngày ban hành<dd>01/08/2025" in page
    assert re.search(r"<td>number-type-mismatch \(cảnh báo\)<td class=\"n\">3", page)
    # every document's text, with every line a task or target points to
    for number, record in enumerate(records, start=1):
        first, last = record["source"]["lines"]
        assert f'id="d{number}-L{first}"' in page and f'id="d{number}-L{last}"' in page
    links = set(re.findall(r'href="#(d\d+-L\d+)"', page))
    assert len(links) > 200 and all(f'id="{target}"' in page for target in links)
    assert page.count("<i title=") + page.count("<i class=") > 20000  # the edits, marked
    assert "<mark title=" in page  # doubtful words left as printed


def test_tasks_are_listed_in_vietnamese_order_of_their_lead_unit(samples_page: str) -> None:
    # the rank the page sorts by (data-k) orders the lead units as sort_key does
    cells = re.findall(r'<td data-k="(-?\d+)">([^<]*)<td>[^<]*<td>[^<]*<td data-k', samples_page)
    by_rank = sorted({(int(k), html.unescape(name)) for k, name in cells})
    names = [name for _, name in by_rank]
    assert len(names) >= 8 and names == sorted(names, key=sort_key)


def test_english_labels(sample_store: Path) -> None:
    page = report_of(sample_store, lang="en", include_text=False)
    assert '<html lang="en">' in page and "Tasks by area" in page and "Administrative procedures" in page
    assert "The repaired texts are left out (--no-include-text)." in page
    assert "Nhiệm vụ theo lĩnh vực" not in page


def test_the_page_makes_no_request(samples_page: str) -> None:
    csp = html.unescape(re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">',
                                  samples_page).group(1))
    assert csp.startswith("default-src 'none'; ")
    assert re.findall(r"\b(?:src|srcset|action|data)\s*=", re.sub(r"<pre class=\"tx\">.*?</pre>", "", samples_page,
                                                                 flags=re.S)) == []
    assert all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', samples_page))
    assert "@import" not in samples_page and "url(" not in samples_page and "@font-face" not in samples_page
    assert samples_page.count("<script") == 1  # ours, named by its hash in the policy


# --- bad input ----------------------------------------------------------------------------------------------


def _store(tmp_path: Path, records: list[dict], path: str = "/nonexistent/plan.txt") -> Path:
    db = tmp_path / "bad.db"
    store = open_store(db)
    try:
        store.store_file(path, "0" * 64, "test", records)
    finally:
        store.close()
    return db


def test_an_empty_store_says_so(tmp_path: Path, capsysbinary) -> None:
    open_store(tmp_path / "empty.db").close()
    code, _, err = run_cli(capsysbinary, "report", "--db", tmp_path / "empty.db", "-o", tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text("utf-8")
    assert code == 0 and err == ""
    assert 'id="empty"' in page and "Kho dữ liệu chưa có văn bản nào" in page and "cchc ingest" in page


def test_a_document_whose_fields_are_all_null(tmp_path: Path) -> None:
    record = {key: None for key in ("id", "schema_version", "source", "doc_type", "doc_type_name", "number", "date",
                                    "place", "issuer", "signer", "recipients", "title", "period", "attached_to",
                                    "legal_basis", "references", "sections", "targets", "tasks", "responsibilities",
                                    "repair", "warnings")}
    page = report_of(_store(tmp_path, [record, {}]), read_sources=lambda paths: {})
    assert page.count('<article class="doc"') == 2
    assert "<h2>plan.txt #1</h2>" in page and "<h2>plan.txt #2</h2>" in page
    assert "<code>schema</code>" in page  # what validate says of it
    assert "Không còn tệp nguồn /nonexistent/plan.txt" in page  # no text to show, and why


def test_html_and_script_in_document_text_show_as_text(tmp_path: Path) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    source = tmp_path / "evil.txt"
    source.write_text(f"line one\n{evil}\n", "utf-8")
    record = {"id": "e", "title": evil, "doc_type": evil, "issuer": {"name": evil, "level": evil, "province": evil},
              "source": {"path": str(source), "lines": [1, 2],
                         "sha256": hashlib.sha256(source.read_bytes()).hexdigest()},
              "tasks": [{"stt": 1, "area": "the_che", "content": evil, "lead_units": [evil],
                         "cooperating_units": [evil],
                         "deadline": {"text": evil, "from": None, "to": "2025-12-31"}, "line": 2}],
              "targets": [{"text": evil, "indicator": evil, "value": 90, "unit": "%", "line": 2}],
              "references": [{"kind": evil, "number": evil, "title": evil, "line": 2}],
              "responsibilities": [{"unit": evil, "duties": [evil], "line": 2}],
              "sections": [{"label": evil, "title": evil, "line": 2, "children": []}], "warnings": [evil]}
    result = RepairResult(f"line one\n{evil}\n", [Edit(2, 2, "script", "script", 0.5, "case")],
                          [Flag(2, 10, "alert", [evil], 0.2)])
    page = report_of(_store(tmp_path, [record], str(source)), read_sources=lambda paths: {p: result for p in paths})
    assert page.count("<script") == 1 and "<img" not in page and "onerror=alert" not in page.replace(
        "onerror=alert(1)&gt;", "")
    assert page.count("&lt;script&gt;") >= 15  # in every place it was printed: header, tables, charts, text


def test_very_long_unit_names_are_cut_in_charts_and_kept_in_tables(tmp_path: Path) -> None:
    unit = "Phòng " + "Văn hóa - Xã hội và Khoa học, Công nghệ " * 12
    record = {"id": "u", "doc_type": "KH", "tasks": [{"stt": i, "content": "Rà soát", "lead_units": [unit]}
                                                    for i in range(1, 4)]}
    page = report_of(_store(tmp_path, [record]))
    chart = re.search(r'<figure class="fig" id="tasks-by-lead">.*?</figure>', page, re.S).group()
    assert f">{unit[:29].rstrip()}…</text>" in chart and f"<td>{unit}<td" in chart


def test_a_store_over_the_text_limit(tmp_path: Path, sample_records) -> None:
    # (1,000 documents take some 20 s: bench/report.py measures them; the limit and the size a document are
    # what this checks)
    count = TEXT_LIMIT + 1
    records = [r.to_json_dict() for seed in SEEDS for r in sample_records[seed]]
    db = tmp_path / "many.db"
    store = open_store(db)
    try:
        for i in range(count):
            record = dict(records[i % len(records)], id=f"{i:064x}")
            store.store_file(f"/nonexistent/doc{i:04d}.txt", f"{i:064x}", "test", [record])
    finally:
        store.close()
    started = time.perf_counter()
    page = report_of(db, read_sources=lambda paths: pytest.fail("a text was read above the limit"))
    elapsed = time.perf_counter() - started
    assert page.count('<article class="doc"') == count
    assert f"Báo cáo có {count} văn bản, nhiều hơn {TEXT_LIMIT}" in page and '<pre class="tx">' not in page
    assert len(page.encode("utf-8")) <= SIZE_PER_DOCUMENT * count
    print(f"{count} documents: {len(page.encode()) / 1e6:.1f} MB in {elapsed:.1f} s", file=sys.stderr)


# --- the command --------------------------------------------------------------------------------------------


def test_cchc_report_reads_the_source_again(tmp_path: Path, sample_records, capsysbinary) -> None:
    seed = SEEDS[3]  # the report of 003: 18 KB, the shortest sample
    folder = tmp_path / "samples"
    folder.mkdir()
    shutil.copy(SAMPLES / f"{seed}.txt", folder)
    db = store_of(tmp_path / "one.db", sample_records, (seed,))
    code, _, err = run_cli(capsysbinary, "report", "--db", db, "-o", tmp_path / "r.html", "--jobs", 1,
                           "--title", "Báo cáo <thử>")
    page = (tmp_path / "r.html").read_text("utf-8")
    assert (code, err) == (0, "")
    assert "<title>Báo cáo &lt;thử&gt;</title>" in page
    first, last = sample_records[seed][0].source.lines
    assert page.count('<span id="d1-L') == last - first + 1
    assert "khác phiên bản đã nhập" not in page  # the same pipeline read it


@pytest.mark.parametrize(("args", "expected", "message"), [
    (["--lang", "fr"], 2, "--lang fr: choose one of vi, en"),
    (["--db", "/nonexistent/x.db"], 4, "no cchc store here"),
])
def test_usage_and_store_errors(args: list[str], expected: int, message: str, capsysbinary) -> None:
    code, out, err = run_cli(capsysbinary, "report", *args)
    assert code == expected and message in err and out == b""


def test_an_output_that_is_a_folder_or_the_store(sample_store: Path, tmp_path: Path, capsysbinary) -> None:
    for target in (tmp_path, sample_store):
        code, _, err = run_cli(capsysbinary, "report", "--db", sample_store, "-o", target)
        assert code == 2 and "-o" in err


def test_without_jinja2_the_remedy_is_named(sample_store: Path, monkeypatch, capsysbinary) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)
    code, out, err = run_cli(capsysbinary, "report", "--db", sample_store)
    assert code == 3 and out == b""
    assert err == "cchc: cchc report needs Jinja2: pip install 'cchc[report]'\n"
