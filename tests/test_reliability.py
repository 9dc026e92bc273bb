"""Nothing lost, nothing stops a batch, bounded cost on any input: one test for each defect of the reliability
audit (issue 9), named after it (test_dNN_…), each failing on the code before its fix."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import SAMPLES, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_cli import apply_edits, repair_text
from cchc_cli.errors import ExitCode
from cchc_cli.repair.engine import Repairer

PHRASE_OCR = "Cong hoa xa hoi chu nghia Viet Nam"
PHRASE = "Cộng hòa xã hội chủ nghĩa Việt Nam"
SEED_LINES = (SAMPLES / "000_8c0715b9867aa8fa.txt").read_text("utf-8").split("\n")


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def small_doc(n: int, lines: int = 30) -> str:
    return "\n".join(SEED_LINES[:lines]) + f"\n- Nhiem vu so {n} duoc giao cho phong {n}.\n"


def stored_paths(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT path FROM ingests ORDER BY id")]


def cchc_process(*argv: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cchc_cli", *argv], **kwargs)


# --- high: data lost or a whole batch stopped ---------------------------------------------------------------


def test_d01_an_out_dir_inside_the_inputs_never_replaces_an_input(tmp_path, capsysbinary, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "in" / "a.txt", "Ke hoach goc A\n")
    original = write(tmp_path / "in" / "sub" / "a.txt", "BAN GOC\n")
    code, _, err = run_cli(capsysbinary, "repair", "in", "--out-dir", "in/sub")
    assert code == ExitCode.USAGE and "in/sub/a.txt" in err and "did not write" in err
    assert original.read_text("utf-8") == "BAN GOC\n"
    assert sorted(p.name for p in original.parent.iterdir()) == ["a.txt"]  # nothing written at all
    # An out-dir of its own inside the inputs: written, and its own outputs replaced on the next run ...
    for _ in range(2):
        assert run_cli(capsysbinary, "repair", "in", "--out-dir", "in/fixed")[0] == 0
    assert (tmp_path / "in" / "fixed" / "a.txt").read_text("utf-8").startswith("Kế hoạch")
    # ... unless someone edited one since: then it is no output of ours any more.
    write(tmp_path / "in" / "fixed" / "a.txt", "sửa bằng tay\n")
    code, _, err = run_cli(capsysbinary, "repair", "in", "--out-dir", "in/fixed")
    assert code == ExitCode.USAGE and (tmp_path / "in" / "fixed" / "a.txt").read_text("utf-8") == "sửa bằng tay\n"


def test_d02_a_long_file_is_ingested_in_parts_with_the_files_lines(tmp_path, capsysbinary, monkeypatch) -> None:
    import cchc_cli.batch as batch
    import cchc_cli.pipeline as pipeline
    from cchc_cli.batch import collect_inputs, ingest_batch
    from cchc_cli.store import open_store

    docs = [small_doc(n) for n in range(6)]  # each opens with the national motto: six documents
    big = write(tmp_path / "big.txt", "\n".join(docs))
    whole_db, parts_db = tmp_path / "whole.db", tmp_path / "parts.db"
    assert run_cli(capsysbinary, "ingest", big, "--db", whole_db, "--jobs", "1")[0] == 0  # one part: small
    repaired: list[int] = []
    real = Repairer.repair_text
    monkeypatch.setattr(Repairer, "repair_text",
                        lambda self, text, *more: repaired.append(len(text)) or real(self, text, *more))
    monkeypatch.setattr(batch, "WHOLE_FILE", 2000)  # "long" from 2 KB on: not read whole, read in parts ...
    monkeypatch.setattr(pipeline, "PART_BYTES", 1000)  # ... of about 1 KB
    heard: list[tuple[int, int]] = []
    store = open_store(parts_db)
    try:
        ingest_batch(collect_inputs([str(big)], None, on_error=print), store, jobs=1,
                     on_progress=lambda item, documents, lines: heard.append((documents, lines)))
    finally:
        store.close()
    assert len(repaired) == 6 and max(repaired) < len(big.read_text("utf-8")) / 5  # a document at a time
    assert len(heard) >= 5 and heard == sorted(heard) and heard[-1][0] >= 5  # progress within the file

    def records(db: Path) -> list[dict]:
        with sqlite3.connect(db) as conn:
            return [json.loads(r[0]) for r in conn.execute("SELECT record FROM documents ORDER BY position")]

    def where(records: list) -> list[tuple[str, list[int]]]:
        return [(r["id"], r["source"]["lines"]) for r in records]

    whole, parts = records(whole_db), records(parts_db)
    assert len(parts) == len(whole) == 6
    # the same documents, at the same lines of the file, with the same ids
    assert where(parts) == where(whole)
    assert all(t["line"] > r["source"]["lines"][0] for r in parts for t in r["targets"])
    # a text read whole (a file up to WHOLE_FILE, the library's ingest_text) is also taken a part at a time
    repaired.clear()
    in_parts = [r.to_json_dict() for r in pipeline.ingest_text(big.read_text("utf-8"), str(big))]
    assert len(repaired) == 6 and where(in_parts) == where(whole)


def test_d03_a_file_name_that_is_not_utf8_is_stored_and_the_batch_goes_on(tmp_path, capsysbinary) -> None:
    folder = tmp_path / "d"
    write(folder / "a.txt", small_doc(1))
    odd = Path(os.fsdecode(bytes(folder) + b"/b\xff.txt"))
    write(odd, small_doc(2))
    db = tmp_path / "s.db"
    code, _, err = run_cli(capsysbinary, "ingest", folder, "--db", db, "--jobs", "1")
    assert code == 0, err
    assert sorted(Path(p).name for p in stored_paths(db)) == ["a.txt", "b\\xff.txt"]
    code, out, _ = run_cli(capsysbinary, "export", "--db", db, "--json")
    assert code == 0 and sorted(Path(r["source"]["path"]).name for r in json.loads(out)) == ["a.txt", "b\\xff.txt"]
    # repair mirrors the real name
    code, _, err = run_cli(capsysbinary, "repair", folder, "--out-dir", tmp_path / "out")
    assert code == 0, err
    assert Path(os.fsdecode(bytes(tmp_path / "out") + b"/b\xff.txt")).is_file()


def test_d04_a_symlink_loop_is_an_unreadable_input_and_the_rest_goes_on(tmp_path, capsysbinary) -> None:
    folder = tmp_path / "L"
    write(folder / "good.txt", PHRASE_OCR + "\n")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    code, _, err = run_cli(capsysbinary, "repair", folder, "--out-dir", tmp_path / "out")
    assert code == ExitCode.INPUT and "loop.txt: a symbolic link that loops" in err
    assert (tmp_path / "out" / "good.txt").read_text("utf-8") == PHRASE + "\n"
    code, _, err = run_cli(capsysbinary, "ingest", folder, "--db", tmp_path / "s.db", "--jobs", "1")
    assert code == ExitCode.INPUT and "loop.txt: a symbolic link that loops" in err
    assert [Path(p).name for p in stored_paths(tmp_path / "s.db")] == ["good.txt"]
    code, _, err = run_cli(capsysbinary, "repair", folder / "loop.txt")
    assert code == ExitCode.INPUT and "symbolic links" in err


def test_d05_a_pipe_or_a_fifo_is_read_once(tmp_path, capsysbinary) -> None:
    read, written = os.pipe()  # `cchc ingest <(cat plan.txt)`

    def feed(fd: int) -> None:
        with os.fdopen(fd, "wb") as out:
            out.write(small_doc(1).encode("utf-8"))

    threading.Thread(target=feed, args=(written,)).start()
    code, out, err = run_cli(capsysbinary, "ingest", f"/dev/fd/{read}", "--db", tmp_path / "s.db", "--json")
    os.close(read)
    assert code == 0, err
    assert len(json.loads(out)) == 1  # stored the document (the hash read it; the processing read nothing)
    fifo = tmp_path / "plan.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(small_doc(2).encode("utf-8")))
    writer.start()
    code, out, err = run_cli(capsysbinary, "ingest", fifo, "--db", tmp_path / "s.db", "--json")
    writer.join(timeout=10)
    assert code == 0 and len(json.loads(out)) == 1, err  # (the second read hung for ever)


# --- medium -------------------------------------------------------------------------------------------------


def test_d06_isolated_cp1252_dashes_are_refused_with_the_hint_and_a_bug_on_one_file_stops_nothing(
        tmp_path, capsysbinary, monkeypatch) -> None:
    dash = write(tmp_path / "in" / "b_dash.txt", b"Doc lap \x96 Tu do\n")
    code, out, err = run_cli(capsysbinary, "repair", dash)
    assert (code, out) == (ExitCode.INPUT, b"") and "--encoding" in err and "internal" not in err
    write(tmp_path / "in" / "a.txt", PHRASE_OCR)
    write(tmp_path / "in" / "c.txt", PHRASE_OCR + " BOOM")
    code, _, err = run_cli(capsysbinary, "repair", tmp_path / "in", "--out-dir", tmp_path / "out")
    assert code == ExitCode.INPUT and "b_dash.txt" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt", "c.txt"]

    real = Repairer.repair_text

    def buggy(self, text):
        if "BOOM" in text:
            raise ZeroDivisionError("division by zero")
        return real(self, text)

    monkeypatch.setattr(Repairer, "repair_text", buggy)
    write(tmp_path / "in" / "d.txt", PHRASE_OCR)
    code, _, err = run_cli(capsysbinary, "repair", tmp_path / "in", "--include", "[acd].txt", "--out-dir",
                           tmp_path / "out2")
    assert code == ExitCode.INTERNAL and "c.txt: internal error: ZeroDivisionError" in err
    assert sorted(p.name for p in (tmp_path / "out2").iterdir()) == ["a.txt", "d.txt"]


# --- low ----------------------------------------------------------------------------------------------------


def test_d17_output_side_failures_take_the_output_exit_code_and_stderr_never_costs_stdout(
        tmp_path, capsysbinary, monkeypatch) -> None:
    doc = write(tmp_path / "x.txt", PHRASE_OCR + "\n")
    proc = cchc_process("repair", str(doc), stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1))  # `>&-`
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == ExitCode.OUTPUT and b"stdout is closed" in err and b"Traceback" not in err
    full = open("/dev/full", "w", encoding="utf-8", buffering=1)  # noqa: SIM115 - `2>/dev/full`
    monkeypatch.setattr(sys, "stderr", full)
    assert run_cli(capsysbinary, "repair", doc, "--explain")[:2] == (0, (PHRASE + "\n").encode("utf-8"))
    assert run_cli(capsysbinary, "repair", tmp_path / "missing.txt")[0] == ExitCode.INPUT
    with contextlib.suppress(OSError):
        full.close()
    monkeypatch.setattr(sys, "stderr", None)  # what Python makes of a closed stderr, `2>&-`
    assert run_cli(capsysbinary, "repair", doc, "--explain")[:2] == (0, (PHRASE + "\n").encode("utf-8"))
    assert run_cli(capsysbinary, "repair", tmp_path / "missing.txt")[0] == ExitCode.INPUT


def test_d18_a_file_rewritten_while_it_is_read_is_refused(tmp_path, capsysbinary, monkeypatch) -> None:
    import cchc_cli.repair.files as files

    monkeypatch.setattr(files, "STREAM_THRESHOLD", 100)
    doc = write(tmp_path / "in" / "big.txt", (PHRASE_OCR + "\n") * 40)
    real = Repairer.repair_lines

    def writer_meanwhile(self, lines, **kwargs):
        for n, line in enumerate(real(self, lines, **kwargs)):
            if n == 5:
                with open(doc, "a", encoding="utf-8") as more:
                    more.write("Them mot dong\n")
            yield line

    monkeypatch.setattr(Repairer, "repair_lines", writer_meanwhile)
    code, _, err = run_cli(capsysbinary, "repair", tmp_path / "in", "--out-dir", tmp_path / "out")
    assert code == ExitCode.INPUT and "big.txt: changed while it was read" in err
    assert not (tmp_path / "out" / "big.txt").exists()


def test_d20_control_characters_in_file_names_are_escaped_where_people_read(tmp_path, capsysbinary) -> None:
    bad = write(tmp_path / "x\x1b]0;PWNED\x07.txt", b"%PDF-1.4\n")
    code, _, err = run_cli(capsysbinary, "repair", bad)
    assert code == ExitCode.INPUT
    assert "\x1b" not in err and "\x07" not in err and "x\\x1b]0;PWNED\\x07.txt" in err


def test_d22_each_name_the_walk_finds_gets_its_output(tmp_path, capsysbinary) -> None:
    folder = tmp_path / "s"
    write(folder / "real.txt", PHRASE_OCR)
    (folder / "inside.txt").symlink_to(folder / "real.txt")
    code, _, err = run_cli(capsysbinary, "repair", folder, "--out-dir", tmp_path / "so")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "so").iterdir()) == ["inside.txt", "real.txt"]
    # ingest still stores the file once
    assert run_cli(capsysbinary, "ingest", folder, "--db", tmp_path / "s.db", "--jobs", "1")[0] == 0
    assert len(stored_paths(tmp_path / "s.db")) == 1


def test_d08_another_programs_database_is_refused_and_left_as_it_was(tmp_path, capsysbinary) -> None:
    foreign = tmp_path / "app.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
        conn.execute("INSERT INTO users VALUES ('an')")
    conn.close()
    before = foreign.read_bytes()
    for argv in (["export", "--json"], ["validate"], ["ingest", write(tmp_path / "a.txt", small_doc(1))]):
        code, _, err = run_cli(capsysbinary, *argv, "--db", foreign)
        assert code == ExitCode.STORE and "not a cchc store" in err, argv
    assert foreign.read_bytes() == before  # not even switched to WAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "app.db"]


def test_d10_readers_open_the_store_read_only(tmp_path, capsysbinary, sample_store) -> None:
    import shutil

    from cchc_cli.store import open_store

    folder = tmp_path / "archive"
    folder.mkdir()
    db = folder / "cchc.db"
    shutil.copy(sample_store, db)
    before = (db.read_bytes(), db.stat().st_mtime_ns)
    if os.geteuid() != 0:  # a real read-only store (root writes through file modes, so only the rest applies)
        db.chmod(0o444)
        folder.chmod(0o555)
    try:
        assert run_cli(capsysbinary, "export", "--db", db, "--jsonl")[0] == 0
        assert run_cli(capsysbinary, "validate", "--db", db, "--json")[0] == 0
        store = open_store(db, readonly=True)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store._db.execute("CREATE TABLE x (a)")  # type: ignore[attr-defined]
        store.close()
    finally:
        folder.chmod(0o755)
    assert (db.read_bytes(), db.stat().st_mtime_ns) == before  # no migration, no change of journal mode
    wal = folder / "cchc.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # (SQLite may open its side files where it can)


def test_d13_the_stores_side_files_are_no_outputs(tmp_path, capsysbinary, sample_store) -> None:
    import shutil

    db = tmp_path / "s.db"
    shutil.copy(sample_store, db)
    for side in ("s.db-wal", "s.db-shm", "s.db-journal", "s.db"):
        code, out, err = run_cli(capsysbinary, "export", "--db", db, "--json", "-o", tmp_path / side)
        assert (code, out) == (ExitCode.USAGE, b"") and "is the store or one of its files" in err, side
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.db"]


def test_d23_readers_never_make_a_store(tmp_path, capsysbinary) -> None:
    empty = write(tmp_path / "empty.db", b"")
    for argv in (["export", "--json"], ["validate"]):
        code, _, err = run_cli(capsysbinary, *argv, "--db", empty)
        assert code == ExitCode.STORE and "no cchc store here" in err, argv
    assert empty.read_bytes() == b""
    assert run_cli(capsysbinary, "export", "--json", "--db", tmp_path / "none.db")[0] == ExitCode.STORE
    assert not (tmp_path / "none.db").exists()


def test_d11_a_dictionary_is_parsed_once_and_a_huge_one_refused(tmp_path, capsysbinary, monkeypatch) -> None:
    import cchc_cli.dictionary as dictionary

    mine = write(tmp_path / "mine.yaml", "version: 1\nterms:\n  - text: Phòng Tư pháp\n    kind: unit\n")
    doc = write(tmp_path / "x.txt", PHRASE_OCR + "\n")
    calls = []
    real = dictionary.parse_dictionary
    monkeypatch.setattr(dictionary, "parse_dictionary", lambda data, name="": calls.append(name) or real(data, name))
    assert run_cli(capsysbinary, "repair", doc, "--dictionary", mine)[0] == 0
    assert run_cli(capsysbinary, "ingest", doc, "--dictionary", mine, "--db", tmp_path / "s.db")[0] == 0
    assert calls == [str(mine)]  # once for the whole process, not once for each stage
    monkeypatch.setattr(dictionary, "MAX_DICTIONARY_BYTES", 64)
    big = write(tmp_path / "big.yaml", "version: 1\nterms:\n" + "  - text: Phòng Tư pháp\n" * 10)
    code, _, err = run_cli(capsysbinary, "repair", doc, "--dictionary", big)
    assert code == ExitCode.USAGE and "big.yaml" in err and "a dictionary may hold" in err


def test_d12_json_nested_too_deeply_is_an_unreadable_record_file(tmp_path, capsysbinary) -> None:
    deep = write(tmp_path / "deep.json", "[" * 200000 + "]" * 200000)
    from test_validate import good_record

    record = good_record()
    record["date"] = "2020-01-01"
    good = write(tmp_path / "good.json", json.dumps([record]))
    code, out, err = run_cli(capsysbinary, "validate", deep, good, "--json")
    assert code == ExitCode.INPUT and "deep.json: JSON nested too deeply" in err and "Traceback" not in err
    assert [f["rule"] for f in json.loads(out)] == []  # good.json was checked: a record with no findings


@pytest.mark.parametrize(("encoding", "data", "code", "says"), [
    ("rot13", PHRASE_OCR.encode(), ExitCode.USAGE, "not a text encoding"),
    ("base64", PHRASE_OCR.encode(), ExitCode.USAGE, "not a text encoding"),
    ("zlib", PHRASE_OCR.encode(), ExitCode.USAGE, "not a text encoding"),
    ("hex", PHRASE_OCR.encode(), ExitCode.USAGE, "not a text encoding"),
    ("utf-7", b"+2D0-abc\n", ExitCode.INPUT, "lone surrogates"),
    ("unicode_escape", b"\\ud800 abc\n", ExitCode.INPUT, "lone surrogates"),
])
def test_d14_encodings_that_are_no_text_encodings(tmp_path, capsysbinary, encoding, data, code, says) -> None:
    doc = write(tmp_path / "x.txt", data)
    got, out, err = run_cli(capsysbinary, "repair", doc, "--encoding", encoding)
    assert (got, out) == (code, b"") and says in err and "internal" not in err


def test_d14_utf16_without_a_byte_order_mark_is_read_the_same_at_any_size(tmp_path, capsysbinary,
                                                                          monkeypatch) -> None:
    import cchc_cli.repair.files as files

    doc = write(tmp_path / "x.txt", ((PHRASE_OCR + "\n") * 30).encode("utf-16-le"))
    whole = run_cli(capsysbinary, "repair", doc, "--encoding", "utf-16")
    monkeypatch.setattr(files, "STREAM_THRESHOLD", 100)  # the streaming decoder refused a BOM-less UTF-16
    streamed = run_cli(capsysbinary, "repair", doc, "--encoding", "utf-16")
    assert whole == streamed and whole[0] == 0 and whole[1].decode("utf-8") == (PHRASE + "\n") * 30


@pytest.mark.parametrize("value", ["!!float abc", "!!timestamp 2025-13-45", "!!int 0x"])
def test_d15_a_dictionary_value_with_a_bad_tag_is_a_usage_error_with_its_line(tmp_path, capsysbinary,
                                                                            value) -> None:
    bad = write(tmp_path / "bad.yaml", f"version: 1\nterms:\n  - text: {value}\n")
    code, _, err = run_cli(capsysbinary, "repair", write(tmp_path / "x.txt", "x"), "--dictionary", bad)
    assert code == ExitCode.USAGE and f"{bad}: line 3:" in err and "Traceback" not in err


def test_d16_a_nul_byte_anywhere_makes_a_binary_file_whatever_its_size(tmp_path, capsysbinary, monkeypatch) -> None:
    import cchc_cli.repair.files as files

    doc = write(tmp_path / "x.txt", (PHRASE_OCR + "\n").encode() * 3000 + b"\x00tail\n")  # NUL after 64 KB
    small = run_cli(capsysbinary, "repair", doc)
    monkeypatch.setattr(files, "STREAM_THRESHOLD", 100)
    large = run_cli(capsysbinary, "repair", doc)
    assert small == large and small[0] == ExitCode.INPUT and "a binary file" in small[2]


def test_d07_the_work_per_token_and_per_line_is_bounded(monkeypatch) -> None:
    import cchc_cli.repair.engine as engine
    from cchc_cli import repair_lines

    started = time.perf_counter()
    result = repair_text("Ke hoach " + "a" * 20000 + " cai cach")
    assert time.perf_counter() - started < 2  # (19 s and 406 MB before: every cut of the token was tried)
    assert "a" * 20000 in result.text and any(f.token == "a" * 20000 and f.confidence == 0 for f in result.flags)
    pieces: list[int] = []
    real = Repairer._repair_window
    monkeypatch.setattr(Repairer, "_repair_window",
                        lambda self, buf: pieces.append(sum(map(len, buf))) or real(self, buf))
    monkeypatch.setattr(engine, "LINE_PIECE", 1000)
    line = "cai cach hanh chinh " * 300 + "\n"  # 6,000 characters on one line
    (out,) = repair_lines([line])
    assert out.count("\n") == 1 and out.startswith("cải cách hành chính cải cách")
    assert len(pieces) >= 6 and max(pieces) <= 1000  # the line was repaired a piece at a time


def repair_cases(name: str) -> list[dict]:
    path = Path(__file__).parent / "data" / "repair" / name
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("case", repair_cases("idempotent.jsonl"), ids=lambda c: c["note"][:50])
def test_d09_repairing_the_repaired_text_changes_nothing(case: dict) -> None:
    once = repair_text(case["ocr"]).text
    assert repair_text(once).text == once, case["note"]


ROUND_TRIP = sorted((Path(__file__).resolve().parents[1] / "bench" / "data" / "roundtrip").glob("*.ocr.txt"))


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ROUND_TRIP), st.integers(0, 120), st.integers(1, 25))
def test_d09_realistic_ocr_keeps_its_lines_and_characters_and_repairs_once(page: Path, start: int,
                                                                          size: int) -> None:
    # Windows of held-out corpus pages read by Tesseract's English model: the seeds' kind of damage.
    lines = page.read_text("utf-8").split("\n")
    text = "\n".join(lines[start: start + size])
    result = repair_text(text)
    assert result.text.count("\n") == text.count("\n")
    assert apply_edits(text, result.edits) == result.text  # every character outside the logged edits kept
    assert repair_text(result.text).text == result.text


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as stream:
        return [int(n) for n in stream.read().split()]


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stream:
            return stream.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie no one has reaped yet
    except FileNotFoundError:
        return True


# A terminal's foreground process takes SIGINT's default action; a test run started in the background of a
# script (`python -m pytest &`) passes SIGINT on ignored, and a Python started so installs no KeyboardInterrupt
# handler at all (the Ctrl-C is then lost: exit 0). The run gets the default back before it execs cchc (exec
# keeps it), so its Ctrl-C is a terminal's whoever started the tests.
_CTRL_C_AS_IN_A_TERMINAL = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                            "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])")


def _start_ingest(folder: Path, copies: int = 1) -> subprocess.Popen:
    """`cchc ingest --jobs 2` over eight documents in `folder`, in a session of its own."""
    for n in range(8):
        write(folder / "in" / f"{n}.txt", small_doc(n, lines=200) * copies)
    return subprocess.Popen([sys.executable, "-c", _CTRL_C_AS_IN_A_TERMINAL, "-m", "cchc_cli", "ingest",
                             str(folder / "in"), "--jobs", "2", "--db", str(folder / "s.db")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _busy_workers(proc: subprocess.Popen) -> list[int]:
    deadline = time.monotonic() + 60
    while len(workers := _children(proc.pid)) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    return workers


@pytest.mark.slow  # two runs of two workers each started, one interrupted and one killed
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc (Linux)")
def test_d19_ctrl_c_is_one_line_and_exit_130_and_workers_die_with_their_parent(tmp_path) -> None:
    import signal

    # Two runs at once: one is interrupted with Ctrl-C, the other (files a worker takes many seconds over)
    # killed with SIGKILL. The interrupted run's files are big enough (copies=4) that it cannot have finished
    # before the Ctrl-C arrives, even on a loaded machine (with copies=1 it sometimes had: exit 0, not 130).
    interrupted, killed = _start_ingest(tmp_path / "a", copies=4), _start_ingest(tmp_path / "b", copies=12)
    workers_a, workers_b = _busy_workers(interrupted), _busy_workers(killed)
    time.sleep(0.3)  # the workers are busy with their first files
    os.killpg(interrupted.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
    killed.kill()

    _, err = interrupted.communicate(timeout=60)
    text = err.decode("utf-8")
    assert interrupted.returncode == ExitCode.INTERRUPTED, text
    assert len(text.splitlines()) == 1 and "Traceback" not in text and "KeyboardInterrupt" not in text
    stored = int(text.split("interrupted: ")[1].split()[0])
    assert text.endswith("file(s) stored; run the same command again to finish\n")
    assert len(stored_paths(tmp_path / "a" / "s.db")) == stored  # what it says is what the store holds, whole
    assert all(_gone(pid) for pid in workers_a)

    killed.wait(timeout=60)
    deadline = time.monotonic() + 3  # they end at once; a worker left to run on would take far longer
    while not all(_gone(pid) for pid in workers_b):
        assert time.monotonic() < deadline, f"workers {workers_b} still run after their parent was killed"
        time.sleep(0.05)
    _, err = killed.communicate(timeout=10)  # the workers held the stderr pipe open until they ended
    assert err == b""  # nor did they leave tracebacks of the broken pipe to their parent


def test_d19_the_temporary_files_a_killed_run_left_are_removed(tmp_path, capsysbinary) -> None:
    write(tmp_path / "in" / "a.txt", PHRASE_OCR + "\n")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "out"
    stale = write(out / f".a.txt.cchc-{dead.pid}.k3j9.tmp", "Cong hoa xa")  # a run killed mid-write
    alive = write(out / f".a.txt.cchc-{os.getppid()}.x1y2.tmp", "")  # a run that is still writing it
    other = write(out / ".a.txt.k3j9.tmp", "")  # not cchc's
    assert run_cli(capsysbinary, "repair", tmp_path / "in", "--out-dir", out)[0] == 0
    assert (out / "a.txt").read_text("utf-8") == PHRASE + "\n"
    assert not stale.exists() and alive.exists() and other.exists()


def test_d21_soft_hyphens_and_zero_width_characters_are_part_of_the_word() -> None:
    for mark in ("\u00ad", "\u200b", "\u200c", "\u200d", "\u2060"):
        result = repair_text(f"Cai cach h{mark}anh chinh")
        assert result.text == "Cải cách hành chính", (mark, result.text)  # the word repaired whole, mark dropped
        assert apply_edits(f"Cai cach h{mark}anh chinh", result.edits) == result.text
    correct = "Cải cách h\u00adành chính nhà nước"
    assert repair_text(correct).text == correct  # a word that needs no repair keeps what it holds


# --- also noted -----------------------------------------------------------------------------------------------


def test_an_export_or_a_report_never_replaces_a_document_it_was_made_from(tmp_path, capsysbinary) -> None:
    doc = write(tmp_path / "plan.txt", small_doc(1))
    db = tmp_path / "s.db"
    assert run_cli(capsysbinary, "ingest", doc, "--db", db)[0] == 0
    for argv in (["export", "--json"], ["validate"]):
        code, _, err = run_cli(capsysbinary, *argv, "--db", db, "-o", doc)
        assert code == ExitCode.USAGE and "is a document ingested into this store" in err, argv
    assert doc.read_text("utf-8") == small_doc(1)
    records = write(tmp_path / "records.json", run_cli(capsysbinary, "export", "--json", "--db", db)[1])
    before = records.read_bytes()
    code, _, err = run_cli(capsysbinary, "validate", records, "-o", records)
    assert code == ExitCode.USAGE and "is one of the record files checked" in err
    assert records.read_bytes() == before
