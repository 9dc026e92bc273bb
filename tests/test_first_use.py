"""What a new user trips over (issue 13), item by item: each test does what the user did and checks what they
should have seen. Tests are named after the item they cover (``test_item01_…``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES, run_cli

from cchc_cli import ingest_text
from cchc_cli.store import open_store
from cchc_cli.validate import check_record, render

NOT_A_DOCUMENT = "Hôm nay trời đẹp, chúng tôi đi chơi công viên.\n"


def _stored_findings(db: Path) -> list:
    store = open_store(db, readonly=True)
    try:
        return [check_record(s.record, fallback_path=s.path) for s in store.records()]
    finally:
        store.close()


# --- 1. validate reports the records' own notes -------------------------------------------------------------


def test_item01_validate_reports_the_extraction_notes_of_the_samples(sample_store: Path, capsysbinary) -> None:
    code, out, _ = run_cli(capsysbinary, "validate", "--db", sample_store, "--json")
    found = json.loads(out)
    notes = [f for f in found if f["rule"] == "extraction-note"]
    # Every note the records carry is a finding, at its own line, and it says what was read.
    store = open_store(sample_store, readonly=True)
    carried = sum(len(s.record["warnings"]) for s in store.records())
    store.close()
    assert code == 0 and len(notes) == carried == 7
    # (the OCR printed 'g' for 8 there; the repair may read the letter otherwise: the note says what was read)
    assert any(f["line"] == 673 and f["message"].startswith("row number '") and f["message"].endswith("' read as 8")
               for f in notes)
    assert {f["severity"] for f in notes} == {"warning"}


def test_item01_a_text_that_is_no_document_fails_validation(tmp_path: Path, capsysbinary) -> None:
    records = [r.to_json_dict() for r in ingest_text(NOT_A_DOCUMENT, source="notadoc.txt")]
    path = tmp_path / "notadoc.json"
    path.write_text(json.dumps(records, ensure_ascii=False), "utf-8")
    code, out, _ = run_cli(capsysbinary, "validate", path, "--json")
    rules = [f["rule"] for f in json.loads(out)]
    assert code == 1 and "not-a-document" in rules
    assert "date-missing" not in rules  # the missing date of a text that is no document is no news
    code, out, _ = run_cli(capsysbinary, "validate", path)
    assert "not read as an administrative document" in out.decode()


def test_item01_ingest_calls_the_records_notes_notes_not_warnings(tmp_path: Path, capsysbinary) -> None:
    text = tmp_path / "notadoc.txt"
    text.write_text(NOT_A_DOCUMENT, "utf-8")
    code, _, err = run_cli(capsysbinary, "ingest", text, "--db", tmp_path / "n.db")
    assert code == 0
    assert "cchc: note: " in err and "warning" not in err and "2 extraction note(s)" in err


# --- 2. the validate table on a terminal --------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 100, 160])
def test_item02_the_terminal_table_keeps_every_message_whole(sample_store: Path, width: int) -> None:
    documents = _stored_findings(sample_store)
    text = render(documents, "table", rich=True, width=width, cwd=str(SAMPLES.parent))
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    flat = re.sub(r"[\s│]+", " ", text)
    for doc in documents:
        for finding in doc.findings:
            assert " ".join(finding.message.split()) in flat  # wrapped, never cut
            assert f"{finding.path and Path(finding.path).relative_to(SAMPLES.parent)}:{finding.line}" in text
    assert "QĐ 95/QĐ-UBND" in text and "KH of 95/QĐ-UBND" in text  # documents by type and number, not a hex id
    assert not re.search(r"\b[0-9a-f]{12}\b", text)
    errors = sum(f.severity == "error" for doc in documents for f in doc.findings)
    warnings = sum(f.severity == "warning" for doc in documents for f in doc.findings)
    assert warnings >= 7  # the seven extraction notes at least
    assert lines[-1] == f"{errors} error(s), {warnings} warning(s) in 6 document(s)"  # the summary comes last


def test_item02_narrow_terminal_puts_path_and_line_first(sample_store: Path) -> None:
    text = render(_stored_findings(sample_store), "table", rich=True, width=80, cwd=str(SAMPLES.parent))
    first = text.splitlines()[0]
    assert first.startswith("samples/000_8c0715b9867aa8fa.txt:335") and "extraction-note" in first


# --- 3. tasks a spreadsheet can use ----------------------------------------------------------------------------


def _csv(capsysbinary, db: Path, table: str, *flags: str) -> list[dict[str, str]]:
    import csv
    import io

    code, out, err = run_cli(capsysbinary, "export", "--db", db, "--csv", "--table", table, *flags)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out.decode("utf-8-sig"))))


def test_item03_every_task_row_says_which_plan_it_belongs_to(sample_store: Path, capsysbinary) -> None:
    rows = _csv(capsysbinary, sample_store, "tasks")
    assert len(rows) == 180
    # A plan issued with a decision has no number of its own: the decision's is carried.
    assert all(r["document_number"] or r["attached_to"] for r in rows)
    assert all(r["document_type"] and r["document_title"] and r["document_issuer"] for r in rows)
    plan_001 = [r for r in rows if "001_" in r["path"]]
    assert {r["attached_to"] for r in plan_001} == {"95/QĐ-UBND"} and {r["document_number"] for r in plan_001} == {""}


def test_item03_tasks_of_a_six_month_plan_take_its_period(sample_store: Path, capsysbinary) -> None:
    rows = _csv(capsysbinary, sample_store, "tasks")
    six_months = [r for r in rows if "000_" in r["path"]]  # "6 tháng cuối năm 2025", no task prints a time frame
    assert six_months and all((r["deadline_from"], r["deadline_to"], r["deadline_source"])
                              == ("2025-07-01", "2025-12-31", "plan period") for r in six_months)
    table = [r for r in rows if "001_" in r["path"]]  # the appendix table prints each row's time frame
    assert {r["deadline_source"] for r in table} == {"printed"}
    report = [r for r in rows if "003_" in r["path"]]  # a report's period is the one it looks back on
    assert report and {r["deadline_source"] for r in report} == {""}


def test_item03_responsibilities_carry_canonical_units(sample_store: Path, capsysbinary) -> None:
    rows = _csv(capsysbinary, sample_store, "responsibilities")
    by_printed = {r["unit"]: r["units"] for r in rows}
    assert by_printed["Phòng Văn hóa — Xã hội"] == "Phòng Văn hóa - Xã hội"  # the dash as printed, the name as known
    assert by_printed["Văn phòng HĐND và UBND phường"] == "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân"


def test_item03_excel_keeps_comparators_a_filter_can_group(sample_store: Path, capsysbinary) -> None:
    rows = _csv(capsysbinary, sample_store, "targets", "--excel")
    assert {r["comparator"] for r in rows} <= {"=", "≥", "≤", ""} and "=" in {r["comparator"] for r in rows}
    # What a spreadsheet would run is still defused.
    assert all(not r["text"].startswith(("=", "+", "-", "@")) or r["text"].startswith("'") for r in rows)


def test_item03_records_of_schema_1_2_still_read() -> None:
    """A record stored before tasks[].deadline_source and responsibilities[].units existed still reads and
    validates: the task's time frame is then of unknown source, the unit has no canonical name."""
    from cchc_cli.records import DocumentRecord
    from cchc_cli.validate import validate_record

    old = {"id": "0" * 64, "schema_version": "1.2", "source": {"path": "plan.txt", "sha256": None, "lines": [1, 9]},
           "doc_type": "KH", "date": "2025-01-02",
           "tasks": [{"stt": 1, "content": "Rà soát", "deadline": {"text": "2025", "from": None, "to": None},
                      "line": 3}],
           "responsibilities": [{"unit": "Phòng Nội vụ", "duties": [], "line": 5}]}
    record = DocumentRecord.model_validate(old)
    assert (record.tasks[0].deadline_source, record.responsibilities[0].units) == (None, [])
    assert [f.rule for f in validate_record(old)] == []


PLAN = ("ỦY BAN NHÂN DÂN XÃ AN BÌNH\nSố: 12/KH-UBND\nAn Bình, ngày 02 tháng 01 năm 2025\nKẾ HOẠCH\n"
        "Cải cách hành chính năm 2025\nI. NHIỆM VỤ\n- Rà soát thủ tục hành chính.\n")


def test_item03_path_is_the_path_as_given_at_ingest(tmp_path: Path, capsysbinary, monkeypatch) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "plan.txt").write_text(PLAN, "utf-8")
    monkeypatch.chdir(tmp_path)
    assert run_cli(capsysbinary, "ingest", "docs", "--db", "s.db", "-q")[0] == 0
    rows = _csv(capsysbinary, Path("s.db"), "tasks")
    assert rows and {r["path"] for r in rows} == {"docs/plan.txt"}  # not /tmp/…/docs/plan.txt
    assert {r["path"] for r in _csv(capsysbinary, Path("s.db"), "documents")} == {"docs/plan.txt"}


# --- 5. deadlines: one convention ------------------------------------------------------------------------------

DEADLINE_PLAN = """ỦY BAN NHÂN DÂN XÃ AN BÌNH
Số: 12/KH-UBND
KẾ HOẠCH
Cải cách hành chính năm 2025
I. NHIỆM VỤ
- Rà soát thủ tục hành chính, hoàn thành trước quý III/2025.
- Công khai thủ tục, hoàn thành trước ngày 30/6/2025.
- Tuyên truyền pháp luật trong quý III/2025.
- Đánh giá kết quả trước năm 2026.
- Kiểm tra công vụ trong năm 2025.
- Tiếp nhận phản ánh của người dân.
"""


def test_item05_before_a_quarter_is_before_like_before_a_day() -> None:
    (plan,) = ingest_text(DEADLINE_PLAN)
    got = [(t.deadline.text, t.deadline.from_, t.deadline.to, t.deadline_source) for t in plan.tasks
           if t.deadline is not None]
    assert got == [
        ("trước quý III/2025", None, "2025-06-30", "printed"),  # before: the day before the quarter starts
        ("trước ngày 30/6/2025", None, "2025-06-30", "printed"),
        ("trong quý III/2025", "2025-07-01", "2025-09-30", "printed"),  # within: the quarter itself
        ("trước năm 2026", None, "2025-12-31", "printed"),
        ("trong năm 2025", "2025-01-01", "2025-12-31", "printed"),
        ("năm 2025", "2025-01-01", "2025-12-31", "plan period"),  # none printed: the plan's period
    ]


@pytest.mark.parametrize(("cell", "start", "end"), [
    ("Trước quý III/2025", None, "2025-06-30"),
    ("Quý III/2025", "2025-07-01", "2025-09-30"),
    ("Trước ngày 30/6/2025", None, "2025-06-30"),
    ("2026-2030", "2026-01-01", "2030-12-31"),
    ("Thường xuyên", None, None),
])
def test_item05_table_cells_follow_the_same_convention(cell: str, start: str | None, end: str | None) -> None:
    from cchc_cli.extract import parse_deadline

    deadline = parse_deadline(cell)
    assert deadline is not None and (deadline.from_, deadline.to) == (start, end)


# --- 7. counts that add up --------------------------------------------------------------------------------------


def _summary_line(err: str) -> str:
    (line,) = [line for line in err.splitlines() if line.startswith("cchc: ingest: ")]
    return line


def _counts(line: str) -> tuple[int, int, int, int]:
    m = re.search(r"(\d+) file\(s\) into .*?: (\d+) stored, (\d+) unchanged, (\d+) failed", line)
    assert m, line
    return int(m[1]), int(m[2]), int(m[3]), int(m[4])


def test_item07_a_duplicate_and_a_missing_name_add_up(tmp_path: Path, capsysbinary, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text(NOT_A_DOCUMENT, "utf-8")
    Path("list.txt").write_text("a.txt\na.txt\nmissing.txt\n", "utf-8")
    code, _, err = run_cli(capsysbinary, "ingest", "--files-from", "list.txt", "--db", "x.db")
    line = _summary_line(err)
    files, stored, unchanged, failed = _counts(line)
    assert code == 3 and (files, stored, unchanged, failed) == (2, 1, 0, 1) and files == stored + unchanged + failed
    assert "1 name(s) of a file already listed, read once" in line


def test_item07_an_empty_folder_is_no_failed_file(tmp_path: Path, capsysbinary) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli(capsysbinary, "ingest", tmp_path / "empty", "--db", tmp_path / "x.db")
    line = _summary_line(err)
    assert code == 3 and _counts(line) == (0, 0, 0, 0) and "1 folder(s) with no matching file" in line


def test_item07_include_ignores_case_and_says_what_it_skipped(tmp_path: Path, capsysbinary) -> None:
    folder = tmp_path / "up"
    folder.mkdir()
    for name in ("B.TXT", "c.txt", "notes.md"):
        (folder / name).write_text(NOT_A_DOCUMENT, "utf-8")
    code, _, err = run_cli(capsysbinary, "ingest", folder, "--db", tmp_path / "x.db", "--include", "*.TXT")
    line = _summary_line(err)
    assert code == 0 and _counts(line) == (2, 2, 0, 0)
    assert "1 file(s) skipped (not matching --include *.TXT)" in line


# --- 9. one wording for a missing file; option errors in cchc's own style -------------------------------------


@pytest.mark.parametrize("argv", [
    ["repair", "{missing}"], ["ingest", "{missing}", "--db", "{db}"], ["validate", "{missing}"],
    ["repair", "--dictionary", "{missing}", "{missing}"],
])
def test_item09_a_missing_file_is_worded_once(tmp_path: Path, capsysbinary, argv: list[str]) -> None:
    args = [a.format(missing=tmp_path / "gone.txt", db=tmp_path / "x.db") for a in argv]
    code, _, err = run_cli(capsysbinary, *args)
    assert code in (2, 3)
    assert f"cchc: {tmp_path / 'gone.txt'}: no such file or folder" in err and "No such file" not in err


@pytest.mark.parametrize("argv", [["ingest", "a.txt", "--jobs", "abc"], ["repair", "a.txt", "-j", "0"],
                                  ["export", "--bogus"], ["validate", "--format"]])
def test_item09_option_errors_are_one_cchc_line(capsysbinary, argv: list[str]) -> None:
    code, out, err = run_cli(capsysbinary, *argv)
    assert code == 2 and out == b""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"cchc: {argv[0]}: "), err
    assert "Input should be" not in err and "Usage:" not in err


# --- 6. encodings: a hint instead of "a binary file"; a warning for a wrong --encoding -------------------------

HEADER = "ỦY BAN NHÂN DÂN XÃ AN BÌNH\nKẾ HOẠCH\nCẢI CÁCH HÀNH CHÍNH NĂM 2025\nỦy ban nhân dân xã ban hành kế hoạch.\n"


@pytest.mark.parametrize(("data", "flag"), [
    (HEADER.encode("utf-16-le"), "--encoding utf-16le"),  # no byte-order mark
    (HEADER.encode("utf-16-be"), "--encoding utf-16be"),
    (b"C\x05U LONG \x11NG\n", "--encoding tcvn5712-1"),  # 'CỬU LONG ỨNG' as glibc iconv -t TCVN5712-1 writes it
    (b"C\xf6u long\n", "--encoding tcvn3"),  # 'Cửu long' in TCVN3: too short to be sure of
])
def test_item06_a_file_in_another_encoding_gets_the_flag_that_reads_it(tmp_path: Path, capsysbinary, data: bytes,
                                                                         flag: str) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(data)
    code, out, err = run_cli(capsysbinary, "repair", path)
    assert (code, out) == (3, b"") and "binary" not in err and err.strip().endswith(flag), err
    code, out, _ = run_cli(capsysbinary, "repair", path, *flag.split())
    assert code == 0 and out  # and the flag does read it


def test_item06_a_real_binary_is_still_called_one(tmp_path: Path, capsysbinary) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(256)) * 8)
    code, _, err = run_cli(capsysbinary, "repair", path)
    assert code == 3 and "a binary file" in err and "--encoding" not in err


def test_item06_a_wrong_encoding_on_utf8_text_is_warned(tmp_path: Path, capsysbinary) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(HEADER, "utf-8")
    code, _, err = run_cli(capsysbinary, "repair", path, "--encoding", "latin-1")
    assert code == 0 and f"cchc: {path}: warning: the file is valid UTF-8" in err
    code, _, err = run_cli(capsysbinary, "ingest", path, "--encoding", "latin-1", "--db", tmp_path / "e.db")
    assert code == 0 and "drop --encoding" in err
    code, out, _ = run_cli(capsysbinary, "export", "--db", tmp_path / "e.db", "--json")
    assert any("--encoding latin-1" in w for w in json.loads(out)[0]["warnings"])  # kept with the record
    code, _, err = run_cli(capsysbinary, "repair", path, "--encoding", "utf-8")
    assert code == 0 and "warning" not in err


# --- 8. repair on a folder, the same flags everywhere, --help -------------------------------------------------

OCR_PLAN = "KE HOACH\nCai cach hanh chinh nam 2025\n"


def test_item08_repair_on_a_folder_says_what_it_did(tmp_path: Path, capsysbinary) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "B.TXT", "notes.md"):
        (folder / name).write_text(OCR_PLAN, "utf-8")
    code, _, err = run_cli(capsysbinary, "repair", folder, "--out-dir", tmp_path / "out", "-j", "2")
    assert code == 0
    assert f"cchc: repair: 2 file(s) into {tmp_path / 'out'}: 2 written, 0 failed; 1 file(s) skipped" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["B.TXT", "a.txt"]
    code, _, err = run_cli(capsysbinary, "repair", folder, "--out-dir", tmp_path / "out2", "-q")
    assert code == 0 and err == ""


def test_item08_o_writes_a_file_on_every_command_that_prints_one(tmp_path: Path, capsysbinary) -> None:
    source = tmp_path / "plan.txt"
    source.write_text(OCR_PLAN, "utf-8")
    code, out, _ = run_cli(capsysbinary, "repair", source, "-o", tmp_path / "fixed.txt")
    assert (code, out) == (0, b"") and (tmp_path / "fixed.txt").read_text("utf-8").startswith("KẾ HOẠCH")
    code, out, _ = run_cli(capsysbinary, "ingest", source, "--db", tmp_path / "s.db", "-o", tmp_path / "r.json", "-q")
    assert (code, out) == (0, b"") and json.loads((tmp_path / "r.json").read_text("utf-8"))[0]["doc_type"] == "KH"
    code, out, _ = run_cli(capsysbinary, "schema", "-o", tmp_path / "schema.json")
    assert (code, out) == (0, b"") and "$id" in json.loads((tmp_path / "schema.json").read_text("utf-8"))
    assert run_cli(capsysbinary, "repair", source, "-o", source)[0] == 2  # never over its input


def test_item08_help_lists_the_workflow_and_no_python_types(capsysbinary) -> None:
    code, out, _ = run_cli(capsysbinary, "--help")
    text = out.decode()
    listed = re.findall(r"^  (\w+)\s{2,}", text.split("Commands:")[1], re.MULTILINE)
    assert code == 0 and listed[:5] == ["ingest", "validate", "export", "report", "repair"] and "doctor" in listed
    assert listed[-1] == "completion"
    for command in listed:
        code, out, _ = run_cli(capsysbinary, command, "--help")
        assert code == 0 and not re.search(r"<(?:list|str|int|float|path)", out.decode()), command


def test_item08_shell_completion_answers_the_shell(capsysbinary) -> None:
    code, out, _ = run_cli(capsysbinary, "completion", "bash")
    assert code == 0 and b"_CCHC_COMPLETE" in out
    env = {**os.environ, "COMP_WORDS": "cchc ingest --fi", "COMP_CWORD": "2",
           "_CCHC_COMPLETE": "complete_bash"}
    done = subprocess.run([sys.executable, "-m", "cchc_cli"], env=env, capture_output=True, timeout=60)
    assert done.returncode == 0 and done.stdout.split() == [b"--files-from"]


@pytest.mark.parametrize(("command", "missing"), [("repair", "PATH is missing"), ("ingest", "PATH is missing")])
def test_item08_a_command_without_its_argument_says_what_is_missing(capsysbinary, command: str,
                                                                     missing: str) -> None:
    code, out, err = run_cli(capsysbinary, command)
    assert (code, out) == (2, b"") and err.startswith(f"cchc: {command}: {missing}") and len(err.splitlines()) == 1


def test_item08_explain_shows_flags_below_a_confidence_with_a_summary(tmp_path: Path, capsysbinary,
                                                                      repaired_samples) -> None:
    from cchc_cli.cli.explain import Explainer

    result = repaired_samples["001_1f3803ca4a2b50d8"]
    rows = Explainer(flags_only=True, below=0.5).rows("001", result)
    assert rows and all(r[3] == "flag" and float(r[6]) < 0.5 for r in rows)
    assert len(rows) < len(Explainer().rows("001", result))
    source = tmp_path / "plan.txt"
    source.write_text(OCR_PLAN, "utf-8")
    code, _, err = run_cli(capsysbinary, "repair", source, "--explain", "--flags-only", "--below", "0.9")
    assert code == 0 and err.splitlines()[-1].startswith(f"cchc: explain: {source}: ")
    assert err.splitlines()[-1].endswith("shown (--flags-only --below 0.9)")


# --- 4. a place name several provinces have ---------------------------------------------------------------------

TAN_PHU = ("ỦY BAN NHÂN DÂN\nXÃ TÂN PHÚ\nSố: 12/KH-UBND\nTân Phú, ngày 02 tháng 01 năm 2025\nKẾ HOẠCH\n"
           "Cải cách hành chính năm 2025\n{extra}I. NHIỆM VỤ\n- Rà soát thủ tục hành chính.\n")


def test_item04_an_ambiguous_commune_takes_the_province_the_document_names() -> None:
    extra = "Thực hiện Kế hoạch của Ủy ban nhân dân tỉnh Đồng Nai về cải cách hành chính;\n"
    (record,) = ingest_text(TAN_PHU.format(extra=extra))
    assert (record.issuer.name, record.issuer.province) == ("Ủy ban nhân dân xã Tân Phú", "Tỉnh Đồng Nai")
    assert not any("provinces" in w for w in record.warnings)


def test_item04_without_a_named_province_it_is_left_empty_with_the_candidates() -> None:
    (record,) = ingest_text(TAN_PHU.format(extra=""))
    assert record.issuer.level == "xã" and record.issuer.province is None  # not an arbitrary one of the five
    (note,) = [w for w in record.warnings if "provinces" in w]
    assert note.startswith("line 1: 'Xã Tân Phú' is in 5 provinces (")
    assert all(p in note for p in ("Tỉnh Nghệ An", "Tỉnh Tây Ninh", "Tỉnh Đồng Nai", "Tỉnh Đồng Tháp",
                                   "Tỉnh Vĩnh Long"))


# --- 10. benchmarks without ../shared -------------------------------------------------------------------------

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.parametrize(("argv", "env", "needed"), [
    (["accuracy.py", "--score", "{gone}/score.py"], {}, "the shared scorer"),
    (["accuracy.py", "--gold-dir", "{gone}", "--score", "{here}/score.py"], {}, "the folder of hand-restored gold"),
    (["lm_perplexity.py"], {"CCHC_CORPUS": "{gone}"}, "the corpus"),
])
def test_item10_a_benchmark_without_its_shared_data_says_what_it_needs(tmp_path: Path, argv: list[str],
                                                                        env: dict[str, str], needed: str) -> None:
    gone = str(tmp_path / "shared")
    (tmp_path / "score.py").write_text("def score_texts(gold, text):\n    return {}\n", "utf-8")  # a scorer
    args = [a.format(gone=gone, here=tmp_path) for a in argv]
    done = subprocess.run([sys.executable, str(BENCH / args[0]), *args[1:]], capture_output=True, timeout=60,
                          env={**os.environ, **{k: v.format(gone=gone) for k, v in env.items()}}, cwd=tmp_path)
    err = done.stderr.decode()
    assert done.returncode == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.startswith(f"bench/{args[0]}: {gone}") and needed in err and "../shared" in err


# --- 11. the README's examples are what the samples give --------------------------------------------------------


def test_item11_readme_examples_match_the_samples(sample_records) -> None:
    sys.path.insert(0, str(SAMPLES.parent / "scripts"))
    try:
        import readme_examples
    finally:
        sys.path.pop(0)
    records = {seed: [r.to_json_dict() for r in recs] for seed, recs in sample_records.items()}
    readme = (SAMPLES.parent / "README.md").read_text("utf-8")
    for name, body in readme_examples.render(records).items():
        assert readme_examples.section(readme, name) == body, (
            f"README.md's '{name}' example is stale: run python scripts/readme_examples.py")
    assert '"edit_count": 4021' not in readme  # the stale figure the issue found


# --- 12. the CI example: a cached store, annotations for unreadable files, paths without ./ ----------------------

CI = SAMPLES.parent / "examples" / "ci"


def test_item12_the_workflow_caches_the_store_by_pipeline_version() -> None:
    yaml = pytest.importorskip("yaml")
    (job,) = yaml.safe_load((CI / "cchc.yml").read_text("utf-8"))["jobs"].values()
    steps = job["steps"]
    names = [s.get("uses", s.get("run", "")) for s in steps]
    restore = next(s for s in steps if str(s.get("uses", "")).startswith("actions/cache/restore@"))
    save = next(s for s in steps if str(s.get("uses", "")).startswith("actions/cache/save@"))
    check = next(k for k, s in enumerate(steps) if "check-documents.sh" in s.get("run", ""))
    assert steps.index(restore) < check < steps.index(save) and save.get("if") == "always()"
    assert restore["with"]["path"] == save["with"]["path"] == "${{ env.CCHC_DB }}"
    assert "steps.pipeline.outputs.version" in restore["with"]["key"] == save["with"]["key"]
    assert restore["with"]["restore-keys"].startswith("cchc-store-${{ steps.pipeline.outputs.version }}")
    assert any("cchc doctor --json" in str(n) for n in names)


def test_item12_doctor_gives_the_pipeline_version_the_store_keys_by(capsysbinary) -> None:
    from cchc_cli.resources import load_resources

    code, out, _ = run_cli(capsysbinary, "doctor", "--json")
    assert code == 0 and json.loads(out)["pipeline"] == load_resources().version


def test_item12_annotation_paths_have_no_leading_dot() -> None:
    record = {"id": "a" * 64, "schema_version": "1.3", "source": {"path": "./docs/plan.txt", "lines": [1, 5]},
              "doc_type": "KH", "number": "1/KH-UBND"}
    documents = [check_record(record)]
    assert render(documents, "github").startswith("::warning file=docs/plan.txt,line=1,title=date-missing::")
    assert 'file="docs/plan.txt"' in render(documents, "junit")


@pytest.mark.slow  # the example CI script end to end: four cchc processes
@pytest.mark.skipif(not __import__("shutil").which("bash"), reason="bash is not installed")
def test_item12_the_script_annotates_a_file_cchc_cannot_read(tmp_path: Path) -> None:
    docs = tmp_path / "documents"
    docs.mkdir()
    (docs / "bad.txt").write_bytes("Kế hoạch cải cách hành chính năm 2025\n".encode("utf-16-le"))
    env = {k: v for k, v in os.environ.items() if k not in ("CCHC_DB", "CCHC_PIP_SPEC")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    done = subprocess.run(["bash", str(CI / "check-documents.sh"), "documents"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    assert re.search(r"^::error file=documents/bad\.txt,title=unreadable::not UTF-8 text; it looks like UTF-16",
                     done.stdout, re.M), done.stdout
    assert "cchc: documents/bad.txt: not UTF-8 text" in done.stderr  # still said on stderr too


# --- 14. a config file; the built-in dictionary's place --------------------------------------------------------


@pytest.fixture()
def project(tmp_path: Path, monkeypatch) -> Path:
    """A project folder with a cchc.toml, worked in from a sub-folder, no $CCHC_DB."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "plan.md").write_text(PLAN, "utf-8")
    (tmp_path / "docs" / "other.txt").write_text(PLAN, "utf-8")
    (tmp_path / "cchc.toml").write_text('db = "data/cchc.db"\ninclude = ["*.md"]\njobs = 1\n', "utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    monkeypatch.delenv("CCHC_DB")
    return tmp_path


def test_item14_cchc_toml_above_the_current_folder_sets_the_defaults(project: Path, capsysbinary) -> None:
    code, _, err = run_cli(capsysbinary, "ingest", project / "docs")
    assert code == 0 and "1 file(s) skipped (not matching --include *.md)" in err
    assert (project / "data" / "cchc.db").is_file()  # db relative to the file that names it
    code, out, _ = run_cli(capsysbinary, "export", "--json")  # the same store, with no --db
    assert [r["source"]["path"] for r in json.loads(out)] == [str(project / "docs" / "plan.md")]
    code, _, err = run_cli(capsysbinary, "ingest", project / "docs", "--db", project / "other.db",
                           "--include", "*.txt")
    assert code == 0 and (project / "other.db").is_file()  # flags win


def test_item14_config_says_each_value_and_where_it_came_from(project: Path, capsysbinary, monkeypatch) -> None:
    user = project / "xdg" / "cchc"
    user.mkdir(parents=True)
    (user / "config.toml").write_text('encoding = "tcvn3"\njobs = 4\n', "utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(project / "xdg"))
    code, out, _ = run_cli(capsysbinary, "config", "--json")
    got = json.loads(out)
    assert code == 0
    assert got["db"] == {"value": str(project / "data" / "cchc.db"), "source": str(project / "cchc.toml")}
    assert got["jobs"] == {"value": 1, "source": str(project / "cchc.toml")}  # the project's file wins
    assert got["encoding"] == {"value": "tcvn3", "source": str(user / "config.toml")}
    assert got["dictionaries"]["source"] == "default"
    monkeypatch.setenv("CCHC_DB", "/elsewhere.db")
    code, out, _ = run_cli(capsysbinary, "config")
    assert "/elsewhere.db" in out.decode() and "($CCHC_DB)" in out.decode()


def test_item14_a_team_store_url_in_the_config_is_kept_as_a_url(project: Path, capsysbinary) -> None:
    # db = "postgresql://…" names the team's server, not a file beside cchc.toml
    (project / "cchc.toml").write_text('db = "postgresql://analyst@db.example:5432/cchc"\n', "utf-8")
    code, out, _ = run_cli(capsysbinary, "config", "--json")
    assert code == 0 and json.loads(out)["db"]["value"] == "postgresql://analyst@db.example:5432/cchc"


def test_item14_a_bad_config_file_is_named_with_the_remedy(project: Path, capsysbinary) -> None:
    (project / "cchc.toml").write_text('db = "x.db"\nthreads = 4\n', "utf-8")
    code, _, err = run_cli(capsysbinary, "config")
    assert code == 2 and err == (f"cchc: {project / 'cchc.toml'}: unknown setting threads; the settings are db, "
                                 "dictionaries, include, jobs, encoding\n")
    (project / "cchc.toml").write_text('jobs = "many"\n', "utf-8")
    code, _, err = run_cli(capsysbinary, "ingest", "x")
    assert code == 2 and "jobs = 'many': give a whole number" in err
    (project / "cchc.toml").write_text('db = \n', "utf-8")
    assert "not valid TOML" in run_cli(capsysbinary, "export", "--json")[2]


def test_item14_the_built_in_term_file_is_shown_where_it_is(capsysbinary) -> None:
    code, out, _ = run_cli(capsysbinary, "dictionary", "path")
    path = Path(out.decode().strip())
    assert code == 0 and path.name == "terms.yaml" and path.is_file()
    code, out, _ = run_cli(capsysbinary, "dictionary", "show")
    assert code == 0 and out.decode() == path.read_text("utf-8")
    code, _, err = run_cli(capsysbinary, "dictionary")
    assert code == 2 and "give path, show or learn" in err


# --- 13. the review loop: review → fill → learn → ingest again ---------------------------------------------------


def _fill(review: Path, token: str, correct: str) -> int:
    import csv

    with review.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    filled = 0
    for row in rows:
        if row["token"] == token:
            row["correct"] = correct
            filled += 1
    with review.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return filled


def test_item13_review_fill_learn_and_the_corrected_word_is_right(tmp_path: Path, capsysbinary,
                                                                   monkeypatch) -> None:
    # Seed 000's line 41 prints "phuong." (phường., the end of "thuộc phường"); the repair reads "phương." and
    # flags it. The reviewer's word, alone at the end of a sentence, is learned and read there.
    doc = tmp_path / "doc.txt"
    doc.write_text("".join((SAMPLES / "000_8c0715b9867aa8fa.txt").read_text("utf-8").splitlines(True)[:60]), "utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsysbinary, "repair", "doc.txt")
    assert code == 0 and out.decode().splitlines()[40] == "phương."
    code, _, err = run_cli(capsysbinary, "review", "doc.txt", "-o", "review.csv")
    assert code == 0 and "row(s) into review.csv" in err
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(Path("review.csv").read_text("utf-8-sig"), newline="")))
    (row,) = [r for r in rows if r["token"] == "phuong"]
    assert (row["line"], row["kind"], row["chosen"], row["correct"]) == ("41", "flag", "phương", "")
    assert "[phương]." in row["context"] and "phường" in row["candidates"].split(" | ")
    assert _fill(Path("review.csv"), "phuong", "phường") == 1
    code, _, _ = run_cli(capsysbinary, "dictionary", "learn", "review.csv", "-o", "my_terms.yaml")
    learned = Path("my_terms.yaml").read_text("utf-8")
    assert code == 0 and '- text: "phường"' in learned and "# OCR: phuong (doc.txt:41)" in learned
    code, out, _ = run_cli(capsysbinary, "repair", "doc.txt", "--dictionary", "my_terms.yaml")
    assert code == 0 and out.decode().splitlines()[40] == "phường."
    Path("cchc.toml").write_text('dictionaries = ["my_terms.yaml"]\n', "utf-8")  # the config file applies it too
    code, out, _ = run_cli(capsysbinary, "ingest", "doc.txt", "--db", "s.db", "--json", "-q")
    (record,) = json.loads(out)
    assert code == 0 and not [t for t in record["repair"]["low_confidence"] if t["line"] == 41]
    # The store's files are reviewed the same way (with the dictionary the config file names: no row for 41).
    code, out, _ = run_cli(capsysbinary, "review", "--db", "s.db")
    store_rows = list(csv.DictReader(io.StringIO(out.decode("utf-8-sig"), newline="")))
    assert code == 0 and store_rows and {r["file"] for r in store_rows} == {"doc.txt"}
    assert not [r for r in store_rows if r["line"] == "41" and r["kind"] == "flag"]
    doc.write_text("changed\n", "utf-8")
    code, _, err = run_cli(capsysbinary, "review", "--db", "s.db")
    assert code == 3 and "doc.txt: changed since it was ingested" in err


def test_item13_a_learned_word_takes_its_neighbour_in_its_own_sentence() -> None:
    from cchc_cli.review import learn_terms

    rows = [{"token": "mé", "chosen": "mở", "correct": "mẽ", "context": "chuyển biến mạnh [mở] trong", "line": "43"},
            {"token": "Gén", "chosen": "Gồm", "correct": "Gắn", "context": "của địa phương. [Gồm] việc đánh",
             "line": "38"}]
    text, count = learn_terms(rows)
    assert count == 2 and '- text: "mạnh mẽ"' in text and '- text: "Gắn việc"' in text, text


def test_item13_review_options(tmp_path: Path, capsysbinary, sample_store: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text(OCR_PLAN + "Tao su chuyen bien manh mé trong hien dai hoa\n", "utf-8")
    code, out, _ = run_cli(capsysbinary, "review", doc, "--flags-only")
    lines = out.decode("utf-8-sig").splitlines()
    assert code == 0 and lines[0].split(",")[-1] == "correct"
    assert all(",flag," in line for line in lines[1:])
    code, _, err = run_cli(capsysbinary, "review", doc, "--db", sample_store)
    assert code == 2 and "--db reviews the store's files" in err
    code, _, err = run_cli(capsysbinary, "dictionary", "learn", tmp_path / "nope.csv")
    assert code == 3 and "no such file or folder" in err
