"""cchc validate as a reviewer and a CI job see it: each rule fires on the fault it names and stays quiet on
a correct record; the four formats parse as their readers expect; the exit codes; the samples pass."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from conftest import store_of

from cchc_cli import ingest_text
from cchc_cli.cli import main
from cchc_cli.records import DocumentRecord
from cchc_cli.resources import load_resources
from cchc_cli.store import open_store
from cchc_cli.validate import RULES, check_record, escape_property, render, validate_record

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
TODAY = dt.date(2025, 9, 1)


def _section(kind: str, label: str, line: int, level: int = 1, children: list | None = None) -> dict[str, Any]:
    return {"kind": kind, "label": label, "title": f"Heading {label}", "level": level, "line": line,
            "children": children or []}


def _task(stt: int | None, line: int, group: str = "CẢI CÁCH THỂ CHẾ", lead: str | None = "Phòng Văn hóa - Xã hội",
          deadline: dict | None = None) -> dict[str, Any]:
    return {
        "stt": stt, "group": group, "area": "the_che", "content": f"Task {stt}", "lead_unit": lead,
        "lead_units": [lead] if lead else [], "cooperating_units": [], "output": "Báo cáo",
        "deadline": deadline if deadline is not None else {"text": "2026-2030", "from": "2026-01-01",
                                                           "to": "2030-12-31"},
        "line": line,
    }


def good_record() -> dict[str, Any]:
    """A plan a reviewer would pass: every rule has something to look at and finds nothing wrong."""
    data = {
        "id": "a" * 64,
        "source": {"path": "docs/plan.txt", "sha256": None, "lines": [1, 300]},
        "doc_type": "KH", "doc_type_name": "Kế hoạch",
        "number": "14/KH-UBND", "date": "2025-08-01",
        "signature_stamp": {"number": "14/KH-UBND", "signed_at": "2025-08-01T07:54:41+07:00", "line": 1},
        "title": "Kế hoạch cải cách hành chính năm 2025",
        "period": {"from": "2025-01-01", "to": "2025-12-31", "text": "năm 2025"},
        "references": [
            {"kind": "Nghị quyết", "number": "76/NQ-CP", "date": "2021-07-15", "issuer": "Chính phủ",
             "title": None, "line": 12},
            {"kind": "Nghị quyết", "number": "226/2025/QH15", "date": None, "issuer": None, "title": None,
             "line": 13},
            {"kind": "Công văn", "number": "4625/BNV-CCHC", "date": "2025-07-02", "issuer": None, "title": None,
             "line": 14},
        ],
        "sections": [
            _section("roman", "I", 20, children=[_section("number", "1", 21, 2), _section("number", "2", 30, 2)]),
            _section("roman", "II", 40, children=[
                _section("number", "1", 41, 2),
                _section("number", "2", 50, 2, children=[
                    _section("number", f"2.{i}", 50 + i, 3) for i in range(1, 4)
                ]),
                # Vietnamese letter order: d → đ → e → g is no gap.
                _section("number", "3", 60, 2, children=[
                    _section("letter", letter, 60 + i, 3) for i, letter in enumerate("abcdđegh", start=1)
                ]),
            ]),
            _section("roman", "III", 80),
        ],
        "targets": [
            {"label": "a)", "text": "100% hồ sơ", "indicator": None, "comparator": "=", "value": 100.0, "unit": "%",
             "deadline": None, "line": 42},
            {"label": "b)", "text": "Tổ chức 250 buổi", "indicator": None, "comparator": "≥", "value": 250.0,
             "unit": None, "deadline": "2025-12-31", "line": 43},
        ],
        "tasks": [_task(1, 200), _task(2, 203), _task(3, 206, group="CẢI CÁCH THỦ TỤC HÀNH CHÍNH")],
        "repair": {"edit_count": 10, "low_confidence_count": 20, "low_confidence": [], "syllables": 1000},
    }
    # Through the model: the fixture is a record the contract accepts, with every default filled in.
    return DocumentRecord.model_validate(data).to_json_dict()


def findings(record: dict[str, Any]) -> list:
    return validate_record(record, today=TODAY)


def rules_of(record: dict[str, Any]) -> list[str]:
    return [f.rule for f in findings(record)]


def test_a_correct_record_has_no_findings() -> None:
    assert findings(good_record()) == []


def test_every_rule_has_a_kebab_case_id_and_a_severity() -> None:
    for rule_id, rule in RULES.items():
        assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", rule_id) and rule.severity in ("error", "warning")


# --- schema -------------------------------------------------------------------------------------------------


def test_schema_failure_names_the_field_and_its_line() -> None:
    record = good_record()
    del record["tasks"][1]["content"]
    record["sections"][0]["line"] = "20"  # a string where the schema wants an integer
    found = findings(record)
    assert {f.rule for f in found} == {"schema"} and all(f.severity == "error" for f in found)
    messages = {f.message.split(":")[0]: f for f in found}
    assert set(messages) == {"tasks[1].content", "sections[0].line"}
    assert messages["tasks[1].content"].line == 203  # the task's own line
    assert "required" in messages["tasks[1].content"].message.lower()


def test_schema_failure_on_an_unknown_field_and_a_foreign_record() -> None:
    record = good_record()
    record["colour"] = "blue"
    (finding,) = findings(record)
    assert finding.rule == "schema" and finding.message.startswith("colour:")
    foreign = check_record({"title": "not a record"}, fallback_path="x.json", index=3)
    assert foreign.path == "x.json"
    assert {f.message.split(":")[1].strip() for f in foreign.findings} >= {"id", "source"}
    assert all(f.message.startswith("record 3: ") for f in foreign.findings)


# --- errors ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "set_it", "line"),
    [
        ("date", lambda r: r.update(date="2025-02-31"), 1),
        ("period.to", lambda r: r["period"].update(to="2025-13-01"), 1),
        ("references[0].date", lambda r: r["references"][0].update(date="2021-02-29"), 12),
        ("attached_to.date", lambda r: r.update(attached_to={"doc_type": "QĐ", "number": "1/QĐ-UBND",
                                                             "date": "2025-04-31"}), 1),
        ("signature_stamp.signed_at", lambda r: r["signature_stamp"].update(signed_at="2025-02-30T07:54:41+07:00"),
         1),
        ("tasks[1].deadline.from", lambda r: r["tasks"][1]["deadline"].update({"from": "2026-00-10"}), 203),
        ("targets[1].deadline", lambda r: r["targets"][1].update(deadline="31/12/2025"), 43),
    ],
)
def test_an_impossible_date_is_an_error_wherever_it_is_held(where: str, set_it, line: int) -> None:
    record = good_record()
    set_it(record)
    (finding,) = [f for f in findings(record) if f.rule == "date-impossible"]
    assert finding.severity == "error" and finding.message.startswith(where) and finding.line == line


def test_a_period_that_ends_before_it_starts() -> None:
    record = good_record()
    record["period"].update({"from": "2025-12-31", "to": "2025-01-01"})
    record["tasks"][0]["deadline"].update({"from": "2030-01-01", "to": "2026-12-31"})
    found = [f for f in findings(record) if f.rule == "period-reversed"]
    assert [f.line for f in found] == [1, 200] and all(f.severity == "error" for f in found)


@pytest.mark.parametrize("number", ["KH-UBND", "14 KH UBND", "14/kh-ubnd", "14/QD-UBND", "14/KH-UBND/"])
def test_a_malformed_number_is_an_error(number: str) -> None:
    record = good_record()
    record["number"] = number
    found = [f for f in findings(record) if f.rule == "number-malformed"]
    assert len(found) == 1 and found[0].severity == "error" and number in found[0].message


@pytest.mark.parametrize("number", ["14/KH-UBND", "118/2025/KH-CP", "57-KH/TW", "4009/KH-SNV-CCHC&PC"])
def test_well_formed_numbers_pass(number: str) -> None:
    record = good_record()
    record["number"] = number
    assert rules_of(record) == []


def test_a_damaged_code_is_named_with_its_reading() -> None:
    record = good_record()
    record["attached_to"] = {"doc_type": "QĐ", "number": "95/QD-UBND", "date": "2025-07-30"}
    (finding,) = findings(record)
    assert finding.rule == "number-malformed" and finding.message.startswith("attached_to.number '95/QD-UBND'")
    assert finding.message.endswith("the code QD reads as a damaged QĐ")


# --- warnings -------------------------------------------------------------------------------------------------


def test_a_date_after_today_is_a_warning_but_a_plans_period_is_not() -> None:
    record = good_record()
    record["date"] = "2025-09-02"
    record["period"].update({"from": "2026-01-01", "to": "2030-12-31"})
    (finding,) = findings(record)
    assert (finding.rule, finding.severity) == ("date-future", "warning")
    assert validate_record(record, today=dt.date(2025, 9, 2)) == []


def test_a_missing_date_warns_unless_the_decision_it_is_attached_to_has_one() -> None:
    record = good_record()
    record["date"] = None
    assert rules_of(record) == ["date-missing"]
    record["attached_to"] = {"doc_type": "QĐ", "number": "133/QĐ-UBND", "date": "2025-07-30"}
    assert rules_of(record) == []
    record["attached_to"]["date"] = None
    assert rules_of(record) == ["date-missing"]


def test_number_type_mismatch_kh_against_ke_hoach() -> None:
    record = good_record()
    assert rules_of(record) == []  # 14/KH-UBND is a Kế hoạch's symbol
    record["number"] = "14/QĐ-UBND"
    (finding,) = findings(record)
    assert (finding.rule, finding.severity) == ("number-type-mismatch", "warning")
    assert "QĐ" in finding.message and "Kế hoạch" in finding.message


def test_number_type_mismatch_in_a_citation_and_an_attachment() -> None:
    record = good_record()
    record["references"][0]["kind"] = "Kế hoạch"  # 'Kế hoạch số 76/NQ-CP'
    record["attached_to"] = {"doc_type": "QĐ", "number": "133/KH-UBND", "date": "2025-07-30"}
    found = [f for f in findings(record) if f.rule == "number-type-mismatch"]
    assert sorted(f.line for f in found) == [1, 12]


def test_symbols_without_a_type_code_match_any_type() -> None:
    record = good_record()
    record.update(doc_type="CV", doc_type_name="Công văn", number="1747/UBND-KSTTHC")
    assert rules_of(record) == []  # and 226/2025/QH15 cited as a Nghị quyết in good_record()


@pytest.mark.parametrize(
    ("labels", "kind", "message"),
    [
        (["I", "II", "IV"], "roman", "heading IV after II under 2: a gap (missing III)"),
        (["1", "2", "4"], "number", "heading 4 after 2 under 2: a gap (missing 3)"),
        (["1", "2", "2"], "number", "heading 2 after 2 under 2: out of order"),
        (["a", "b", "d"], "letter", "heading d after b under 2: a gap (missing c)"),
        (["a", "b", "c", "d", "đ", "g"], "letter", "heading g after đ under 2: a gap (missing e)"),
        (["2.1", "2.2", "2.4"], "number", "heading 2.4 after 2.2 under 2: a gap (missing 2.3)"),
        (["2", "3"], "number", "headings under 2 start at 2 (expected 1)"),
        (["3.1", "3.2"], "number", "heading 3.1 stands under 2"),
    ],
)
def test_section_gaps_and_disorder_among_siblings(labels: list[str], kind: str, message: str) -> None:
    record = good_record()
    record["sections"][1]["children"][1]["children"] = [
        _section(kind, label, 51 + i, 3) for i, label in enumerate(labels)
    ]
    found = findings(record)
    assert [f.rule for f in found] == ["section-order"] and found[0].severity == "warning"
    assert found[0].message == message


@pytest.mark.parametrize("letters", ["abcdđeg", "abcdeg", "abcdefg", "abcdđeghik"])
def test_letters_in_vietnamese_or_latin_order_are_no_gap(letters: str) -> None:
    record = good_record()
    record["sections"][1]["children"][1]["children"] = [
        _section("letter", letter, 51 + i, 3) for i, letter in enumerate(letters)
    ]
    assert rules_of(record) == []


def test_top_level_roman_gap_is_reported_with_its_line() -> None:
    record = good_record()
    record["sections"][2]["label"] = "IV"
    (finding,) = findings(record)
    assert finding.rule == "section-order" and finding.line == 80 and "missing III" in finding.message


def test_task_stt_gap_and_a_group_that_restarts_at_one() -> None:
    record = good_record()
    record["tasks"] = [_task(1, 200), _task(2, 203), _task(4, 206)]
    (finding,) = findings(record)
    assert (finding.rule, finding.line) == ("task-stt-gap", 206) and "STT 4 follows 2" in finding.message
    finance = "CẢI CÁCH TÀI CHÍNH CÔNG"
    record["tasks"] = [_task(1, 200), _task(2, 203), _task(1, 206, group=finance), _task(2, 209, group=finance)]
    assert rules_of(record) == []
    record["tasks"] = [_task(1, 200), _task(2, 203), _task(1, 206)]  # same group: disorder
    assert rules_of(record) == ["task-stt-gap"]


def test_a_task_without_lead_unit_or_deadline() -> None:
    record = good_record()
    record["tasks"][1]["lead_unit"] = None
    record["tasks"][1]["lead_units"] = []
    record["tasks"][2]["deadline"] = None
    found = findings(record)
    assert [(f.rule, f.line) for f in found] == [("task-no-lead", 203), ("task-no-deadline", 206)]
    record = good_record()
    record["tasks"][0]["lead_unit"] = None  # the canonical name alone is a lead unit
    assert rules_of(record) == []


def test_a_percentage_outside_0_to_100() -> None:
    record = good_record()
    record["targets"][0]["value"] = 120.0
    record["targets"][1]["value"] = 1200.0  # not a percentage: no warning
    (finding,) = findings(record)
    assert (finding.rule, finding.line) == ("percent-range", 42) and "120%" in finding.message


def test_low_confidence_above_two_percent_of_the_syllables() -> None:
    record = good_record()
    assert rules_of(record) == []  # 20 of 1000 is 2%, not above
    record["repair"]["low_confidence_count"] = 21
    (finding,) = findings(record)
    assert finding.rule == "low-confidence" and "21 of 1000" in finding.message
    record["repair"]["syllables"] = 0  # a record from before the count: not judged
    assert rules_of(record) == []


# --- formats ---------------------------------------------------------------------------------------------------


def checked_documents() -> list:
    bad = good_record()
    bad["id"] = "b" * 64
    bad["source"]["path"] = "docs/bad, copy.txt"
    bad["date"] = "2025-02-31"
    bad["tasks"][0]["lead_unit"] = None
    bad["tasks"][0]["lead_units"] = []
    warned = good_record()
    warned["id"] = "c" * 64
    warned["targets"][0]["value"] = 150.0
    return [check_record(r, today=TODAY) for r in (good_record(), bad, warned)]


def test_json_format_is_an_array_of_findings() -> None:
    data = json.loads(render(checked_documents(), "json"))
    assert [(d["rule"], d["severity"]) for d in data] == [
        ("date-impossible", "error"), ("task-no-lead", "warning"), ("percent-range", "warning")]
    assert all(set(d) == {"severity", "rule", "document_id", "path", "line", "message"} for d in data)
    assert data[0]["document_id"] == "b" * 64 and data[0]["path"] == "docs/bad, copy.txt"


@pytest.mark.parametrize("strict", [False, True])
def test_junit_format_has_one_testcase_per_document(strict: bool) -> None:
    root = ET.fromstring(render(checked_documents(), "junit", strict=strict).encode("utf-8"))
    (suite,) = root.iter("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == int(suite.get("tests")) == 3
    failing = [c for c in cases if c.find("failure") is not None]
    assert int(suite.get("failures")) == len(failing) == (2 if strict else 1)
    bad = cases[1].find("failure")
    assert bad.get("type") == "date-impossible" and "2025-02-31" in bad.get("message")
    if strict:
        assert "task-no-lead" in bad.text
    else:
        assert "task-no-lead" in cases[1].find("system-out").text
        assert "percent-range" in cases[2].find("system-out").text
    assert cases[0].find("failure") is None and cases[0].find("system-out") is None


COMMAND_RE = re.compile(r"^::(error|warning) file=[^,:\n]+,line=\d+,title=[a-z-]+::[^\r\n]*$")


def test_github_format_is_workflow_commands_with_escaped_values() -> None:
    docs = checked_documents()
    docs[1].findings[0] = type(docs[1].findings[0])(
        "error", "date-impossible", "b" * 64, "docs/bad, copy.txt", 1, "date '2025-02-31'\ndoes not exist: 100%")
    lines = render(docs, "github").splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == 3 and all(COMMAND_RE.match(c) for c in commands)
    assert commands[0].startswith("::error file=docs/bad%2C copy.txt,line=1,title=date-impossible::")
    assert "'2025-02-31'%0Adoes not exist%3A" not in commands[0]  # ':' is only escaped in properties
    assert commands[0].endswith("date '2025-02-31'%0Adoes not exist: 100%25 (document bbbbbbbbbbbb)")
    assert escape_property("a:b,c%\r\n") == "a%3Ab%2Cc%25%0D%0A"


def test_github_paths_are_relative_to_the_workspace(tmp_path: Path) -> None:
    record = good_record()
    record["source"]["path"] = str(tmp_path / "docs" / "plan.txt")
    record["date"] = None
    text = render([check_record(record, today=TODAY)], "github", cwd=str(tmp_path))
    assert text.startswith("::warning file=docs/plan.txt,line=1,title=date-missing::")


def test_plain_table_lists_every_finding_and_a_summary() -> None:
    text = render(checked_documents(), "table")
    lines = text.splitlines()
    assert lines[0].split() == ["location", "severity", "rule", "document", "message"]
    assert lines[1].startswith("docs/bad, copy.txt:1") and " error " in lines[1] and "KH 14/KH-UBND" in lines[1]
    assert lines[-1] == "1 error(s), 2 warning(s) in 3 document(s)"


# --- the command line -------------------------------------------------------------------------------------------


def write_records(path: Path, records: list[dict], jsonl: bool = False) -> Path:
    if jsonl:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    else:
        path.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_exit_codes(tmp_path: Path, capsys) -> None:
    clean = write_records(tmp_path / "clean.json", [good_record()])
    warned_record = good_record()
    warned_record["tasks"][0]["deadline"] = None
    warned = write_records(tmp_path / "warned.jsonl", [warned_record, good_record()], jsonl=True)
    failing_record = good_record()
    failing_record["period"]["to"] = "2024-12-31"
    failing = write_records(tmp_path / "failing.json", [failing_record])
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": "x",', encoding="utf-8")

    assert run([str(clean)], capsys)[0] == 0
    code, out, _ = run([str(warned), "--format", "json"], capsys)
    assert code == 0 and [f["rule"] for f in json.loads(out)] == ["task-no-deadline"]
    assert run([str(warned), "--strict"], capsys)[0] == 1
    code, out, _ = run([str(failing), str(clean)], capsys)
    assert code == 1 and "period-reversed" in out
    code, out, err = run([str(broken), str(failing)], capsys)  # 3 wins over 1; the other file still checked
    assert code == 3 and "period-reversed" in out
    assert err.strip().startswith(f"cchc: {broken}: not valid JSON") and len(err.strip().splitlines()) == 1
    code, _, err = run([str(tmp_path / "missing.json")], capsys)
    assert code == 3 and "missing.json: no such file or folder" in err
    code, _, err = run(["--db", str(tmp_path / "none.db")], capsys)
    assert code == 4 and "none.db" in err and "Traceback" not in err
    assert run([str(clean), "--format", "xml"], capsys)[0] == 2


def test_cli_reads_jsonl_and_a_json_array_alike(tmp_path: Path, capsys) -> None:
    record = good_record()
    record["date"] = "2025-02-31"
    outs = []
    for name, jsonl in (("a.json", False), ("a.jsonl", True)):
        code, out, _ = run([str(write_records(tmp_path / name, [record, good_record()], jsonl)), "--format", "json"],
                           capsys)
        assert code == 1
        outs.append(json.loads(out))
    assert outs[0] == outs[1] and [f["rule"] for f in outs[0]] == ["date-impossible"]


def test_cli_reads_records_from_stdin(monkeypatch, capsys) -> None:
    record = good_record()
    record["targets"][0]["value"] = -5.0
    data = json.dumps([record], ensure_ascii=False).encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, _ = run(["-", "--format", "json"], capsys)
    assert code == 0 and [f["rule"] for f in json.loads(out)] == ["percent-range"]


def test_cli_a_record_that_is_not_an_object(tmp_path: Path, capsys) -> None:
    path = tmp_path / "numbers.json"
    path.write_text("[1, 2]", encoding="utf-8")
    code, _, err = run([str(path)], capsys)
    assert code == 3 and "record 1 is int, not a JSON object" in err


def test_format_flags_as_on_export_and_an_output_file(tmp_path: Path, capsys) -> None:
    record = good_record()
    record["date"] = "2025-02-31"
    path = write_records(tmp_path / "a.json", [record])
    code, by_format, _ = run([str(path), "--format", "json"], capsys)
    assert code == 1
    assert run([str(path), "--json"], capsys)[:2] == (1, by_format)  # --format json is an alias of --json
    code, junit, _ = run([str(path), "--junit"], capsys)
    assert code == 1 and ET.fromstring(junit).find(".//failure").get("type") == "date-impossible"
    code, github, _ = run([str(path), "--github"], capsys)
    assert code == 1 and github.startswith("::error file=docs/plan.txt,line=1,title=date-impossible::")
    report = tmp_path / "out" / "findings.json"
    code, out, _ = run([str(path), "--json", "-o", str(report)], capsys)
    assert (code, out) == (1, "")  # the exit code still tells the findings
    assert report.read_text("utf-8") == by_format
    assert sorted(p.name for p in report.parent.iterdir()) == ["findings.json"]
    for conflicting in (["--json", "--junit"], ["--github", "--format", "json"]):
        code, out, err = run([str(path), *conflicting], capsys)
        assert (code, out) == (2, "") and "choose one output format" in err
    assert run([str(path), "--json", "--format", "json"], capsys)[0] == 1  # the same format twice is fine
    assert run([str(path), "--json", "-o", str(tmp_path)], capsys)[0] == 2  # -o names a folder


# --- the samples, through the store --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_samples(tmp_path_factory, sample_records) -> Path:
    return store_of(tmp_path_factory.mktemp("store") / "cchc.db", sample_records,
                    ("001_1f3803ca4a2b50d8", "003_4df792cc80223c47"))


def test_samples_in_the_store_validate_with_warnings_only(two_samples: Path, capsys) -> None:
    code, out, err = run(["--db", str(two_samples), "--json"], capsys)
    assert code == 0, err
    found = json.loads(out)
    assert found and {f["severity"] for f in found} == {"warning"}
    assert {f["path"] for f in found} <= {str(SAMPLES / "001_1f3803ca4a2b50d8.txt"),
                                          str(SAMPLES / "003_4df792cc80223c47.txt")}
    # Seed 003 prints "Quyết định số 362/KH-UBND" (line 28) and later cites it as 362/QĐ-UBND.
    assert any(f["rule"] == "number-type-mismatch" and f["line"] == 28 and "362/KH-UBND" in f["message"]
               for f in found)
    assert run(["--db", str(two_samples), "--strict"], capsys)[0] == 1


def test_all_versions_sees_each_stored_version(two_samples: Path, tmp_path: Path, capsys) -> None:
    db = tmp_path / "copy.db"
    shutil.copy(two_samples, db)
    store = open_store(db)  # 003 stored again, as `cchc ingest --force` would: a second version
    try:
        report = str((SAMPLES / "003_4df792cc80223c47.txt").resolve())
        (latest,) = (r for r in store.records() if r.path == report)
        info = store.latest_ingest(report)
        assert info is not None
        assert store.store_file(report, info.sha256, info.pipeline, [latest.record], force=True).status == "stored"
    finally:
        store.close()

    def cases(*flags: str) -> list[str]:
        code, out, err = run(["--db", str(db), "--junit", *flags], capsys)
        assert code == 0, err
        return [case.get("name") for case in ET.fromstring(out).iter("testcase")]

    assert len(cases()) == 3  # the decision and the plan of 001, the report of 003: latest versions only
    every = cases("--all-versions")
    assert len(every) == 4 and sum("205/BC-UBND" in name for name in every) == 2
    assert {name.rsplit(" ", 1)[-1] for name in every if "205/BC-UBND" in name} == {"v1", "v2"}


# --- examples/ci ------------------------------------------------------------------------------------------------------


SCRIPT = ROOT / "examples" / "ci" / "check-documents.sh"


def script_env(bin_dir: Path | None = None) -> dict[str, str]:
    cchc_bin = shutil.which("cchc")
    if cchc_bin is None:
        pytest.skip("the cchc command is not installed on PATH")
    path = os.pathsep.join(filter(None, [str(bin_dir) if bin_dir else None, str(Path(cchc_bin).parent),
                                         os.environ.get("PATH", "")]))
    env = {k: v for k, v in os.environ.items() if k not in ("CCHC_DB", "CCHC_PIP_SPEC")}
    env["PATH"] = path
    return env


@pytest.fixture()
def documents(tmp_path: Path) -> Path:
    folder = tmp_path / "documents"
    folder.mkdir()
    # The decision that opens seed 001 (lines 1-49): a small real document.
    lines = (SAMPLES / "001_1f3803ca4a2b50d8.txt").read_text(encoding="utf-8").split("\n")[:49]
    (folder / "decision.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.slow  # the example CI script end to end: four cchc processes
@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_ci_script_ingests_validates_and_keeps_the_export(documents: Path, tmp_path: Path) -> None:
    # The store the script keeps between runs (cchc.db in its folder) already holds the file, unchanged: the
    # script's `cchc ingest` skips it (no model to load), validate and export read it.
    decision = documents / "decision.txt"
    data = decision.read_bytes()
    store = open_store(tmp_path / "cchc.db")
    try:
        records = [r.to_json_dict() for r in ingest_text(data.decode("utf-8"), str(decision))]
        store.store_file(str(decision.resolve()), hashlib.sha256(data).hexdigest(), load_resources().version,
                         records)
    finally:
        store.close()
    result = subprocess.run(["bash", str(SCRIPT), str(documents)], cwd=tmp_path, env=script_env(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^::warning file=documents/decision\.txt,line=\d+,title=number-type-mismatch::",
                     result.stdout, re.M)
    records = json.loads((tmp_path / "cchc-report" / "records.json").read_text(encoding="utf-8"))
    assert len(records) == 1 and records[0]["number"] == "95/QĐ-UBND"
    DocumentRecord.model_validate(records[0])
    junit = ET.parse(tmp_path / "cchc-report" / "cchc-junit.xml").getroot()
    assert len(junit.findall(".//testcase")) == 1
    assert result.stderr == ""


# A stand-in for cchc: ingest succeeds, validate finds errors (exit 1), export writes a record; each writes
# the file its -o names.
STUB_CCHC = r"""#!/usr/bin/env bash
command=$1
out=
while [[ $# -gt 0 ]]; do
    if [[ $1 == -o ]]; then out=$2; fi
    shift
done
case $command in
    validate) if [[ -n $out ]]; then echo '<testsuites/>' > "$out"; fi; exit 1 ;;
    export) echo '[{"id": "x"}]' > "$out" ;;
esac
"""


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_ci_script_still_exports_when_validation_fails(documents: Path, tmp_path: Path) -> None:
    # validate finds errors: the script must still export the records and keep the report.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "cchc"
    fake.write_text(STUB_CCHC, encoding="utf-8")
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("CCHC_DB", "CCHC_PIP_SPEC")}
    env["PATH"] = os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])
    result = subprocess.run(["bash", str(SCRIPT), str(documents)], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert json.loads((tmp_path / "cchc-report" / "records.json").read_text(encoding="utf-8"))
    assert (tmp_path / "cchc-report" / "cchc-junit.xml").is_file()


def test_ci_workflow_runs_the_script_and_uploads_the_report() -> None:
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "cchc.yml").read_text(encoding="utf-8"))
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    (install,) = [s for s in steps if "pip install" in s.get("run", "")]
    assert "CCHC_PIP_SPEC" in install["env"]  # where cchc is installed from is a parameter
    (upload,) = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert upload.get("if") == "always()"  # the records are kept when validation fails too
    path = str(upload["with"]["path"]).replace("${{ env.CCHC_REPORT_DIR }}", job["env"]["CCHC_REPORT_DIR"])
    assert path.rstrip("/") == "cchc-report"  # the script's report folder (records.json, cchc-junit.xml)


def test_lead_and_deadline_rules_look_at_task_tables_not_bullet_lists() -> None:
    record = good_record()
    for task in record["tasks"]:  # tasks read from a plan's bullets: no output, rarely a unit or a time frame
        task.update({"output": None, "lead_unit": None, "lead_units": [], "deadline": None})
    assert rules_of(record) == []
    record["tasks"][0]["output"] = "Báo cáo"  # a table: every row should name its lead unit and time frame
    assert sorted(rules_of(record)) == ["task-no-deadline"] * 3 + ["task-no-lead"] * 3
