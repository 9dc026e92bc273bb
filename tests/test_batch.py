"""Batch ingest: folders, bad files among good ones, --fail-fast, --files-from, --include, symlinks, stdin,
worker processes, and a batch killed with SIGKILL then completed."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cchc_cli import pipeline
from cchc_cli.cli import main
from cchc_cli.store import open_store

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SEED_LINES = (SAMPLES / "000_8c0715b9867aa8fa.txt").read_text("utf-8").split("\n")


def small_doc(n: int, lines: int = 30) -> str:
    """A short OCR'd plan (the head of seed 000) made distinct by a last line."""
    return "\n".join(SEED_LINES[:lines]) + f"\n- Nhiem vu so {n} duoc giao cho phong {n}.\n"


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
SHIFT_JIS = "行政改革の計画。日本語のテキストです。\n".encode("shift_jis") * 4


def run(*args: str) -> int:
    return main(["ingest", "--jobs", "1", *args])


def stored_paths(db: Path) -> list[str]:
    store = open_store(db, must_exist=True)
    try:
        return [r.path for r in store.records()]
    finally:
        store.close()


def ingest_paths(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT path FROM ingests ORDER BY id")]


def test_bad_files_are_reported_and_the_good_ones_stored(tmp_path, capsys) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_good.txt").write_text(small_doc(1), "utf-8")
    (folder / "b_scan.txt").write_bytes(PDF)
    (folder / "c_japanese.txt").write_bytes(SHIFT_JIS)
    (folder / "d_good.txt").write_text(small_doc(2), "utf-8")
    db = tmp_path / "s.db"
    assert run(str(folder), "--db", str(db)) == 3
    err = capsys.readouterr().err
    lines = err.splitlines()
    pdf_line = next(line for line in lines if "b_scan.txt" in line)
    assert pdf_line.startswith(f"cchc: {folder / 'b_scan.txt'}: ") and "PDF" in pdf_line
    text_line = next(line for line in lines if "c_japanese.txt" in line)
    assert "not UTF-8" in text_line and "--encoding" in text_line
    assert "2 stored, 0 unchanged, 2 failed" in err and "Traceback" not in err
    assert stored_paths(db) == [str((folder / name).resolve()) for name in ("a_good.txt", "d_good.txt")]
    # The failures are not recorded: a second run reports them again and skips the good files.
    assert run(str(folder), "--db", str(db)) == 3
    assert "0 stored, 2 unchanged, 2 failed" in capsys.readouterr().err


def test_a_missing_path_is_exit_3_and_the_rest_is_stored(tmp_path, capsys) -> None:
    good = tmp_path / "good.txt"
    good.write_text(small_doc(3), "utf-8")
    db = tmp_path / "s.db"
    assert run(str(tmp_path / "nope.txt"), str(good), "--db", str(db)) == 3
    assert f"cchc: {tmp_path / 'nope.txt'}: no such file or folder" in capsys.readouterr().err
    assert stored_paths(db) == [str(good.resolve())]


def test_fail_fast_stops_at_the_first_failure(tmp_path, capsys) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_good.txt").write_text(small_doc(4), "utf-8")
    (folder / "b_scan.txt").write_bytes(PDF)
    (folder / "c_good.txt").write_text(small_doc(5), "utf-8")
    db = tmp_path / "s.db"
    assert run(str(folder), "--db", str(db), "--fail-fast") == 3
    err = capsys.readouterr().err
    assert "b_scan.txt" in err and "--fail-fast" in err
    assert stored_paths(db) == [str((folder / "a_good.txt").resolve())]
    # Without it, the batch goes on past the PDF.
    assert run(str(folder), "--db", str(db)) == 3
    assert len(stored_paths(db)) == 2


def test_files_from_a_list_and_from_stdin(tmp_path, monkeypatch, capsys) -> None:
    docs = []
    for i in range(3):
        doc = tmp_path / f"doc {i}.txt"  # a space in the name: one path a line, taken whole
        doc.write_text(small_doc(10 + i), "utf-8")
        docs.append(doc)
    listing = tmp_path / "list.txt"
    listing.write_text(f"# files to ingest\n\n{docs[0]}\n   \n{docs[2]}\n# {docs[1]}\n", "utf-8")
    db = tmp_path / "s.db"
    assert run("--files-from", str(listing), "--db", str(db)) == 0
    assert stored_paths(db) == sorted(str(d.resolve()) for d in (docs[0], docs[2]))

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"doc 1.txt\n"), encoding="utf-8"))
    assert run("--files-from", "-", "--db", str(db), "--json") == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["source"]["path"] == "doc 1.txt"
    assert len(stored_paths(db)) == 3

    assert run("--files-from", str(tmp_path / "missing.lst"), "--db", str(db)) == 2
    assert "missing.lst" in capsys.readouterr().err


def test_include_and_symlinks_out_of_the_tree(tmp_path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "plan.txt").write_text(small_doc(20), "utf-8")
    (folder / "sub" / "notes.md").write_text(small_doc(21), "utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text(small_doc(22), "utf-8")
    (folder / "escape.txt").symlink_to(outside)
    (folder / "inside.txt").symlink_to(folder / "plan.txt")  # inside the tree: the same file, read once
    (folder / "linked_dir").symlink_to(tmp_path, target_is_directory=True)
    db = tmp_path / "s.db"
    assert run(str(folder), "--db", str(db)) == 0
    assert stored_paths(db) == [str((folder / "plan.txt").resolve())]
    assert run(str(folder), "--db", str(db), "--include", "*.md") == 0
    assert stored_paths(db) == sorted(str((folder / p).resolve()) for p in ("plan.txt", "sub/notes.md"))
    assert str(outside.resolve()) not in ingest_paths(db)


def test_stdin_is_stored_by_its_content(tmp_path, monkeypatch, capsys) -> None:
    db = tmp_path / "s.db"

    def feed(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8"))

    feed(small_doc(30))
    assert run("-", "--db", str(db), "--json") == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["source"]["path"] is None
    (key,) = stored_paths(db)
    assert key.startswith("<stdin>:")
    feed(small_doc(30))
    assert run("-", "--db", str(db)) == 0
    assert "1 unchanged" in capsys.readouterr().err
    feed(small_doc(31))  # another text on stdin is another document, not a version of the first
    assert run("-", "--db", str(db)) == 0
    assert len(stored_paths(db)) == 2


def test_worker_processes_store_the_same_records_as_one_process(tmp_path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        (folder / f"d{i}.txt").write_text(small_doc(40 + i), "utf-8")
    serial, parallel = tmp_path / "serial.db", tmp_path / "parallel.db"
    assert main(["ingest", str(folder), "--db", str(serial), "--jobs", "1", "--quiet"]) == 0
    assert main(["ingest", str(folder), "--db", str(parallel), "--jobs", "2", "--quiet"]) == 0

    def records(db: Path) -> list[tuple[str, dict]]:
        store = open_store(db)
        try:
            return [(r.path, r.record) for r in store.records()]
        finally:
            store.close()

    assert len(records(parallel)) == 4 and records(parallel) == records(serial)


def test_a_bug_on_one_file_is_reported_and_the_batch_goes_on(tmp_path, monkeypatch, capsys) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(small_doc(50), "utf-8")
    (folder / "b.txt").write_text(small_doc(51) + "BOOM\n", "utf-8")
    real = pipeline.ingest_bytes

    def buggy(data: bytes, *args, **kwargs):
        if b"BOOM" in data:
            raise ZeroDivisionError("division by zero")
        return real(data, *args, **kwargs)

    monkeypatch.setattr(pipeline, "ingest_bytes", buggy)
    db = tmp_path / "s.db"
    assert run(str(folder), "--db", str(db)) == 70
    err = capsys.readouterr().err
    assert "b.txt: internal error: ZeroDivisionError" in err and "Traceback" not in err
    assert stored_paths(db) == [str((folder / "a.txt").resolve())]


def test_usage_errors(tmp_path, capsys) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text(small_doc(60), "utf-8")
    assert run(str(doc), "--jobs", "0") == 2
    assert main(["ingest", "-", "--files-from", "-"]) == 2
    assert main(["ingest", "--quiet"]) == 2
    assert main(["ingest", str(doc), "--encoding", "no-such-codec"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def _count_stored_files(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT COUNT(*) FROM ingests").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0  # not created or not migrated yet


@pytest.mark.slow  # a cchc process started, killed mid-batch, and the batch run again
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_batch_killed_with_sigkill_leaves_whole_files_and_the_next_run_completes_it(tmp_path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        (folder / f"doc{i}.txt").write_text(small_doc(70 + i, lines=80), "utf-8")
    db = tmp_path / "s.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "cchc_cli", "ingest", str(folder), "--db", str(db), "--jobs", "1", "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    try:
        while _count_stored_files(db) < 1:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "no file stored in 120 s"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        done = conn.execute(
            "SELECT i.path, i.document_count, COUNT(d.path) FROM ingests AS i "
            "LEFT JOIN documents AS d ON d.ingest_id = i.id GROUP BY i.id"
        ).fetchall()
    assert 1 <= len(done) < 6, "the kill came after the whole batch: make the files bigger"
    # Every stored file has all its documents (each of these files holds one).
    assert all(count == rows == 1 for _, count, rows in done)

    assert main(["ingest", str(folder), "--db", str(db), "--jobs", "1", "--quiet"]) == 0
    paths = ingest_paths(db)
    assert sorted(paths) == sorted(str(f.resolve()) for f in folder.glob("*.txt"))  # each file exactly once
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT MAX(version), COUNT(*) FROM documents").fetchone() == (1, 6)
