"""The record store: versions, skipping unchanged files, --force, migrations, concurrent runs, locks, damage."""

from __future__ import annotations

import functools
import json
import multiprocessing
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cchc_cli import resources, version
from cchc_cli.cli import main
from cchc_cli.errors import StoreError
from cchc_cli.store import MIGRATIONS, open_store

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SEED_LINES = (SAMPLES / "000_8c0715b9867aa8fa.txt").read_text("utf-8").split("\n")[:30]


def small_doc(n: int) -> str:
    """A short OCR'd plan (the head of seed 000) made distinct by a last line."""
    return "\n".join(SEED_LINES) + f"\n- Nhiem vu so {n} duoc giao cho phong {n}.\n"


def ingest(*args: str) -> int:
    return main(["ingest", "--quiet", "--jobs", "1", *args])


def stored(db: Path | str, *, all_versions: bool = False) -> list[tuple[str, int, int, str]]:
    store = open_store(db, must_exist=True)
    try:
        return [(r.path, r.position, r.version, r.record["id"]) for r in store.records(all_versions=all_versions)]
    finally:
        store.close()


def ingests(db: Path | str) -> list[tuple[str, str]]:
    store = open_store(db, must_exist=True)
    try:
        return [tuple(row) for row in store.ingests()]  # type: ignore[attr-defined]
    finally:
        store.close()


# The tests taking `any_db` run on both backends: an SQLite file and a PostgreSQL database (conftest.py).


def test_changed_content_adds_a_version_and_keeps_the_old_one(any_db, tmp_path, monkeypatch, capsys) -> None:
    db = any_db
    doc = tmp_path / "plan.txt"
    doc.write_text(small_doc(1), "utf-8")
    key = str(doc.resolve())

    assert ingest(str(doc), "--db", db) == 0
    (first,) = stored(db)
    assert first[:3] == (key, 0, 1)

    # Unchanged content, same pipeline: nothing is done (no new ingest row, no new version).
    assert main(["ingest", str(doc), "--db", str(db), "--jobs", "1"]) == 0
    assert "0 stored, 1 unchanged" in capsys.readouterr().err
    assert len(ingests(db)) == 1 and stored(db, all_versions=True) == [first]

    # Changed content → version 2; the latest view shows it alone, --all-versions both.
    doc.write_text(small_doc(2), "utf-8")
    assert ingest(str(doc), "--db", str(db)) == 0
    (latest,) = stored(db)
    assert latest[:3] == (key, 0, 2) and latest[3] != first[3]
    assert stored(db, all_versions=True) == [first, latest]

    # --force re-processes unchanged content → version 3.
    assert ingest(str(doc), "--db", str(db), "--force") == 0
    assert [v for _, _, v, _ in stored(db, all_versions=True)] == [1, 2, 3]

    # A newer pipeline (here: a new package version, in what stands for a new process: the resources, which
    # digest the pipeline once, loaded afresh) reads the unchanged file again → version 4.
    # The loaded resources are set aside, not dropped, and come back after: the tests after this one keep the
    # engine already built for them (dropping them made the next test build another, about 0.3 s).
    current, loaded = version.__version__, resources._load
    monkeypatch.setattr(version, "__version__", "99.0.0")
    monkeypatch.setattr(resources, "_load", functools.lru_cache(maxsize=8)(loaded.__wrapped__))
    try:
        assert ingest(str(doc), "--db", str(db)) == 0
    finally:
        monkeypatch.setattr(version, "__version__", current)
        monkeypatch.setattr(resources, "_load", loaded)
    assert [v for _, _, v, _ in stored(db, all_versions=True)] == [1, 2, 3, 4]
    assert ingests(db)[-1][1].startswith("99.0.0+")

    capsys.readouterr()
    assert main(["export", "--db", str(db), "--jsonl", "--all-versions"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4
    assert main(["export", "--db", str(db), "--jsonl"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_a_document_that_left_the_file_is_no_longer_latest(any_db) -> None:
    db = any_db
    store = open_store(db)
    try:
        store.store_file("/f.txt", "a" * 64, "p", [{"id": "one"}, {"id": "two"}])
        store.store_file("/f.txt", "b" * 64, "p", [{"id": "three"}])
        assert [(r.position, r.version, r.record["id"]) for r in store.records()] == [(0, 2, "three")]
        assert len(list(store.records(all_versions=True))) == 3
        # Same content and pipeline again: unchanged, nothing written.
        assert store.store_file("/f.txt", "b" * 64, "p", [{"id": "x"}]).status == "unchanged"
        # Back to the first content: that is a change relative to the latest ingest, so it is stored.
        assert store.store_file("/f.txt", "a" * 64, "p", [{"id": "one"}]).status == "stored"
        assert [(r.position, r.version) for r in store.records()] == [(0, 3)]
    finally:
        store.close()


def test_an_empty_file_is_recorded_and_skipped_next_time(any_db, tmp_path, capsys) -> None:
    db = any_db
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n", "utf-8")
    assert main(["ingest", str(blank), "--db", str(db)]) == 0
    assert "empty, no document read" in capsys.readouterr().err
    assert stored(db) == [] and ingests(db)[0][0] == str(blank.resolve())
    assert main(["ingest", str(blank), "--db", str(db)]) == 0
    assert "1 unchanged" in capsys.readouterr().err


def test_migrations_bring_an_empty_file_to_the_current_schema(tmp_path) -> None:
    db = tmp_path / "empty.db"
    db.write_bytes(b"")
    open_store(db).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"ingests", "documents"} <= tables
    open_store(db).close()  # opening again is a no-op


def test_a_store_from_a_newer_cchc_or_a_foreign_database_is_refused(tmp_path, capsys) -> None:
    newer = tmp_path / "newer.db"
    open_store(newer).close()
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer cchc"):
        open_store(newer)

    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    assert main(["export", "--db", str(foreign), "--json"]) == 4
    err = capsys.readouterr().err
    assert str(foreign) in err and "not a cchc store" in err


def test_a_corrupt_or_missing_store_exits_4_naming_the_file(tmp_path, capsys) -> None:
    doc = tmp_path / "plan.txt"
    doc.write_text(small_doc(1), "utf-8")
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database\n" * 200)
    assert ingest(str(doc), "--db", str(bad)) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(bad) in err and "Traceback" not in err
    assert main(["export", "--db", str(bad), "--jsonl"]) == 4
    assert str(bad) in capsys.readouterr().err

    missing = tmp_path / "none.db"
    assert main(["export", "--db", str(missing), "--json"]) == 4
    assert capsys.readouterr().err.strip() == (
        f"cchc: {missing}: no cchc store here; run 'cchc ingest' first or pass --db"
    )
    assert not missing.exists()


def test_cchc_db_environment_variable_chooses_the_store(any_db, tmp_path, monkeypatch) -> None:
    db = any_db
    monkeypatch.setenv("CCHC_DB", str(db))
    doc = tmp_path / "plan.txt"
    doc.write_text(small_doc(3), "utf-8")
    assert ingest(str(doc)) == 0
    assert len(stored(db)) == 1


def _hold_write_lock(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO ingests (path, sha256, pipeline, ingested_at, document_count) "
                 "VALUES ('/held', 'x', 'p', 't', 0)")
    return conn


def test_a_locked_store_waits_then_exits_4_after_the_timeout(tmp_path, monkeypatch, capsys) -> None:
    db = tmp_path / "s.db"
    open_store(db).close()
    doc = tmp_path / "plan.txt"
    doc.write_text(small_doc(4), "utf-8")

    # Another writer holds the store for half a second: with a 20 s timeout, ingest waits for it and succeeds.
    monkeypatch.setenv("CCHC_DB_TIMEOUT", "20")
    holder = _hold_write_lock(db)
    threading.Timer(0.5, lambda: holder.execute("COMMIT")).start()
    assert ingest(str(doc), "--db", str(db)) == 0
    holder.close()
    assert len(stored(db)) == 1

    # Held for longer than the timeout: exit 4 with a message that says so.
    monkeypatch.setenv("CCHC_DB_TIMEOUT", "0.3")
    doc.write_text(small_doc(5), "utf-8")
    holder = _hold_write_lock(db)
    try:
        assert ingest(str(doc), "--db", str(db)) == 4
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    assert str(db) in err and "locked" in err and "CCHC_DB_TIMEOUT" in err
    assert len(stored(db, all_versions=True)) == 1  # the run that timed out stored nothing


@pytest.mark.slow  # two cchc processes, each loading the engine, on each backend
def test_two_ingest_runs_on_one_store_at_once_both_succeed(any_db, tmp_path) -> None:
    db = any_db
    shared, own_a, own_b = (tmp_path / name for name in ("shared", "a", "b"))
    for n, folder in enumerate((shared, own_a, own_b)):
        folder.mkdir()
        for i in range(3):
            (folder / f"doc{i}.txt").write_text(small_doc(10 * n + i), "utf-8")
    cmd = [sys.executable, "-m", "cchc_cli", "ingest", "--db", str(db), "--jobs", "1"]
    runs = [subprocess.Popen([*cmd, str(shared), str(own)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for own in (own_a, own_b)]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
    # Every file stored, and each exactly once: the shared folder was not stored twice.
    paths = [path for path, _ in ingests(db)]
    assert sorted(paths) == sorted({str(f.resolve()) for f in tmp_path.glob("*/*.txt")})
    assert len(stored(db)) == 9
    if not db.startswith("postgresql://"):
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _open_at_once(db: str, barrier, results) -> None:
    barrier.wait()
    try:
        open_store(Path(db)).close()
        results.put("ok")
    except StoreError as exc:
        results.put(exc.message)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_runs_that_open_a_new_store_at_the_same_moment_all_get_it(tmp_path) -> None:
    # Each one switches the new file to WAL; SQLite refuses all but one at once, past any busy timeout
    # (it would deadlock): before the fix, about one round in four had a run fail with "locked".
    context = multiprocessing.get_context("fork")
    for round_ in range(4):
        db = tmp_path / f"new{round_}.db"
        barrier, results = context.Barrier(6), context.Queue()
        runs = [context.Process(target=_open_at_once, args=(str(db), barrier, results)) for _ in range(6)]
        for run in runs:
            run.start()
        for run in runs:
            run.join(timeout=60)
        assert sorted(results.get(timeout=5) for _ in runs) == ["ok"] * 6
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_ingest_json_output_is_what_the_store_holds(any_db, tmp_path, capsys) -> None:
    db = any_db
    a, b = tmp_path / "b.txt", tmp_path / "a.txt"
    a.write_text(small_doc(6), "utf-8")
    b.write_text(small_doc(7), "utf-8")
    assert ingest(str(a), str(b), "--db", str(db), "--json") == 0
    printed = json.loads(capsys.readouterr().out)
    store = open_store(db)
    try:
        by_path = {r.path: r.record for r in store.records()}
    finally:
        store.close()
    # In the order named (b.txt first), each record exactly as stored, source.path as given.
    assert printed == [by_path[str(a.resolve())], by_path[str(b.resolve())]]
    assert [r["source"]["path"] for r in printed] == [str(a), str(b)]
    # Already stored: the same records are printed again.
    assert ingest(str(a), str(b), "--db", str(db), "--json") == 0
    assert json.loads(capsys.readouterr().out) == printed


def _wait_until_it_waits_for_the_claim(run: subprocess.Popen, db: str) -> None:
    """Return once `run` is seen waiting for the claim (it must not finish meanwhile). PostgreSQL: its session
    waits for the claim's advisory lock. SQLite: the run sleeps between its polls of the claims table (state S,
    no CPU time spent, for 0.6 s); a run that ignored the claim would be loading the model and repairing the
    file (running) until it ended."""
    deadline = time.monotonic() + 60
    if db.startswith("postgresql://"):
        import psycopg

        while True:
            assert run.poll() is None, run.communicate()
            assert time.monotonic() < deadline, "the run never waited for the claim"
            with psycopg.connect(db, autocommit=True) as conn:
                if conn.execute("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = "
                                "(SELECT oid FROM pg_database WHERE datname = current_database())").fetchone():
                    return
            time.sleep(0.05)
    idle_since, last = None, None
    while True:
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "the run never waited for the claim"
        with open(f"/proc/{run.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        state, cpu = fields[0], (int(fields[11]), int(fields[12]))  # state, utime, stime (clock ticks)
        now = time.monotonic()
        if state != "S" or cpu != last:
            idle_since, last = None, cpu
        elif idle_since is None:
            idle_since = now
        elif now - idle_since >= 0.6:
            return
        time.sleep(0.02)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the run's state from /proc (Linux)")
def test_a_file_another_run_has_claimed_is_left_to_it(any_db, tmp_path) -> None:
    # Two runs given the same file do the work once: while this test holds the claim on plan.txt (as a run
    # processing it would), `cchc ingest plan.txt` waits instead of repairing it; once the holder has stored it
    # and let go, the run finds it stored (unchanged) and does nothing more.
    import hashlib

    doc = tmp_path / "plan.txt"
    doc.write_text(small_doc(42), "utf-8")
    key, sha256 = str(doc.resolve()), hashlib.sha256(doc.read_bytes()).hexdigest()
    pipeline = resources.load_resources().version
    holder = open_store(any_db)
    try:
        assert holder.claim(key, sha256, pipeline)
        run = subprocess.Popen([sys.executable, "-m", "cchc_cli", "ingest", str(doc), "--db", any_db, "--jobs", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _wait_until_it_waits_for_the_claim(run, any_db)
        assert holder.store_file(key, sha256, pipeline, [{"id": "stored-by-the-holder"}]).status == "stored"
        holder.release(key, sha256, pipeline)
        _, err = run.communicate(timeout=60)
    finally:
        holder.close()
    assert run.returncode == 0, err.decode()
    assert "0 stored, 1 unchanged" in err.decode()
    assert [r[3] for r in stored(any_db, all_versions=True)] == ["stored-by-the-holder"]


def test_a_claim_of_a_run_that_is_gone_is_taken_over(any_db) -> None:
    # A run killed while it held a claim must not block the file for ever: the claim goes with its process
    # (PostgreSQL: its session; SQLite: its pid).
    code = ("import sys; from cchc_cli.store import open_store; s = open_store(sys.argv[1]); "
            "assert s.claim('/f.txt', 'a' * 64, 'p'); import os; os._exit(0)")
    subprocess.run([sys.executable, "-c", code, any_db], check=True, timeout=60)
    store = open_store(any_db)
    try:
        assert store.claim("/f.txt", "a" * 64, "p")
        other = open_store(any_db)
        try:
            assert not other.claim("/f.txt", "a" * 64, "p")  # held by a live run: refused
            store.release("/f.txt", "a" * 64, "p")
            assert other.claim("/f.txt", "a" * 64, "p")
        finally:
            other.close()
    finally:
        store.close()
