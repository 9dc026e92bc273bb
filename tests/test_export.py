"""``cchc export``: JSON valid against ``cchc schema``, JSON Lines, CSV tables, --excel, -o, usage errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from conftest import store_of

from cchc_cli.cli import main
from cchc_cli.export import TABLE_COLUMNS
from cchc_cli.records import document_record_schema
from cchc_cli.store import open_store

SEEDS = ("000_8c0715b9867aa8fa.txt", "001_1f3803ca4a2b50d8.txt")  # 001: a decision, then the plan with tasks


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, sample_records) -> Path:
    return store_of(tmp_path_factory.mktemp("export") / "seeds.db", sample_records,
                    tuple(s.removesuffix(".txt") for s in SEEDS))


@pytest.fixture(scope="module")
def records(db: Path) -> list[dict]:
    store = open_store(db)
    try:
        return [r.record for r in store.records()]
    finally:
        store.close()


def export(capsysbinary, *args: str) -> tuple[int, bytes, str]:
    code = main(["export", *args])
    captured = capsysbinary.readouterr()
    return code, captured.out, captured.err.decode()


def test_json_is_an_array_of_records_valid_against_the_schema(db, records, capsysbinary) -> None:
    code, out, _ = export(capsysbinary, "--db", str(db), "--json")
    assert code == 0
    exported = json.loads(out)
    assert len(exported) == 3 == len(records)  # seed 000: one document; seed 001: two
    assert exported == records
    validator = jsonschema.Draft202012Validator(document_record_schema())
    for record in exported:
        validator.validate(record)
    assert [r["doc_type"] for r in exported] == ["KH", "QĐ", "KH"]


def test_jsonl_one_record_a_line(db, records, capsysbinary) -> None:
    code, out, _ = export(capsysbinary, "--db", str(db), "--jsonl")
    lines = out.decode("utf-8").splitlines()
    assert code == 0 and len(lines) == 3
    assert [json.loads(line) for line in lines] == records


def _table(capsysbinary, db: Path, table: str) -> list[dict[str, str]]:
    code, out, _ = export(capsysbinary, "--db", str(db), "--csv", "--table", table)
    assert code == 0
    assert out.endswith(b"\r\n") and not out.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
    assert rows[0] == TABLE_COLUMNS[table]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_csv_documents_table(db, records, capsysbinary) -> None:
    rows = _table(capsysbinary, db, "documents")
    assert [row["document_id"] for row in rows] == [r["id"] for r in records]
    decision = rows[1]
    assert (decision["doc_type"], decision["number"], decision["date"]) == ("QĐ", "95/QĐ-UBND", "2025-09-03")
    assert decision["issuer"] == "Ủy ban nhân dân đặc khu Bạch Long Vĩ"
    assert [int(row["task_count"]) for row in rows] == [len(r["tasks"]) for r in records]
    assert rows[2]["path"].endswith(SEEDS[1]) and rows[2]["position"] == "1" and rows[2]["version"] == "1"


def test_csv_tasks_targets_references_responsibilities(db, records, capsysbinary) -> None:
    tasks = _table(capsysbinary, db, "tasks")
    assert len(tasks) == sum(len(r["tasks"]) for r in records) >= 25
    plan = records[2]
    first = next(t for t in plan["tasks"] if t["cooperating_units"])
    row = next(t for t in tasks if t["line"] == str(first["line"]))
    assert row["document_id"] == plan["id"] and row["document_issuer"] == plan["issuer"]["name"]
    assert row["content"] == first["content"] and row["cooperating_units"] == "; ".join(first["cooperating_units"])
    assert row["deadline_text"] == ((first.get("deadline") or {}).get("text") or "")

    targets = _table(capsysbinary, db, "targets")
    assert len(targets) == sum(len(r["targets"]) for r in records) > 0

    def number(value: float | None) -> str:  # 95.0 is written 95, 12.5 as 12.5
        return "" if value is None else (str(int(value)) if value.is_integer() else repr(value))

    assert [(row["line"], row["value"], row["comparator"], row["indicator"]) for row in targets] == [
        (str(t["line"]), number(t["value"]), t["comparator"] or "", t["indicator"] or "")
        for r in records for t in r["targets"]]

    references = _table(capsysbinary, db, "references")
    legal = [row for row in references if row["role"] == "legal_basis"]
    assert len(legal) == sum(len(r["legal_basis"]) for r in records) > 0
    unique_refs = sum(len(r["references"]) + sum(ref not in r["references"] for ref in r["legal_basis"])
                      for r in records)
    assert len(references) == unique_refs
    assert {row["role"] for row in references} == {"legal_basis", "reference"}

    duties = _table(capsysbinary, db, "responsibilities")
    assert len(duties) == sum(len(r["responsibilities"]) for r in records) > 0
    assert duties[0]["duties"].split("\n") == records[0]["responsibilities"][0]["duties"]


def test_excel_csv_has_a_bom_and_no_live_formulas(db, capsysbinary) -> None:
    code, out, _ = export(capsysbinary, "--db", str(db), "--csv", "--table", "tasks", "--excel")
    assert code == 0 and out.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig"), newline="")))
    assert rows[0] == TABLE_COLUMNS["tasks"]
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_output_file_is_written_atomically(db, tmp_path, capsysbinary) -> None:
    target = tmp_path / "out" / "records.json"
    code, out, _ = export(capsysbinary, "--db", str(db), "--json", "-o", str(target))
    assert code == 0 and out == b""
    assert len(json.loads(target.read_text("utf-8"))) == 3
    assert sorted(p.name for p in target.parent.iterdir()) == ["records.json"]  # no temporary file left

    # A failed export leaves an existing file as it was.
    target.write_text("previous", "utf-8")
    code, _, err = export(capsysbinary, "--db", str(tmp_path / "none.db"), "--json", "-o", str(target))
    assert code == 4 and target.read_text("utf-8") == "previous"
    code, _, _ = export(capsysbinary, "--db", str(db), "--jsonl", "-o", str(target))
    assert code == 0 and len(target.read_text("utf-8").splitlines()) == 3


def test_usage_errors(db, tmp_path, capsysbinary) -> None:
    for args in ([], ["--json", "--csv"], ["--json", "--table", "tasks"], ["--csv", "--table", "people"],
                 ["--jsonl", "--excel"], ["--json", "-o", str(tmp_path)], ["--json", "-o", str(db)]):
        code, out, err = export(capsysbinary, "--db", str(db), *args)
        assert code == 2, args
        assert out == b"" and err.startswith("cchc: ") and err.count("\n") == 1, (args, err)
    assert db.stat().st_size > 0


def test_an_empty_store_exports_nothing_and_exits_0(tmp_path, capsysbinary) -> None:
    empty = tmp_path / "empty.db"
    open_store(empty).close()
    assert export(capsysbinary, "--db", str(empty), "--json")[:2] == (0, b"[]\n")
    assert export(capsysbinary, "--db", str(empty), "--jsonl")[:2] == (0, b"")
    code, out, _ = export(capsysbinary, "--db", str(empty), "--csv", "--table", "targets")
    assert code == 0 and out == (",".join(TABLE_COLUMNS["targets"]) + "\r\n").encode()
