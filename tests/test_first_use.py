"""What a new user trips over (issue 13), item by item: each test does what the user did and checks what they
should have seen. Tests are named after the item they cover (``test_item01_…``)."""

from __future__ import annotations

import json
import re
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
    assert any(f["line"] == 673 and f["message"] == "row number 'g' read as 8" for f in notes)
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
    assert lines[-1] == "0 error(s), 10 warning(s) in 6 document(s)"  # the summary comes last


def test_item02_narrow_terminal_puts_path_and_line_first(sample_store: Path) -> None:
    text = render(_stored_findings(sample_store), "table", rich=True, width=80, cwd=str(SAMPLES.parent))
    first = text.splitlines()[0]
    assert first.startswith("samples/000_8c0715b9867aa8fa.txt:335") and "extraction-note" in first
