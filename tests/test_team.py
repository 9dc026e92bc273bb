"""The team store on a real PostgreSQL server: bad URLs and roles, the records' columns, export and validate,
store copy, and the work queue (cchc queue, cchc worker) with its faults: a worker killed with SIGKILL
mid-document, a file that is not a document, another pipeline, the server restarted mid-batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from cchc_cli.cli import main
from cchc_cli.store import open_store

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed: pip install -e '.[dev]'")
from conftest import SAMPLES, store_of  # noqa: E402
from test_store import small_doc  # noqa: E402

CCHC = [sys.executable, "-m", "cchc_cli"]


def sql(url: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def with_user(url: str, user: str, password: str) -> str:
    params = psycopg.conninfo.conninfo_to_dict(url)
    return f"postgresql://{user}:{password}@{params['host']}:{params['port']}/{params['dbname']}"


def docs(folder: Path, numbers: range) -> list[Path]:
    folder.mkdir(exist_ok=True)
    files = []
    for n in numbers:
        file = folder / f"doc{n}.txt"
        file.write_text(small_doc(100 + n), "utf-8")
        files.append(file)
    return files


# --- bad URLs, foreign databases, roles ----------------------------------------------------------------------


def test_an_unreachable_server_exits_4_naming_host_and_port_with_the_password_masked(capsys) -> None:
    url = "postgresql://analyst:hunter2-secret@127.0.0.1:9/cchc"  # port 9 (discard): nothing listens on loopback
    assert main(["--debug", "export", "--db", url, "--json"]) == 4
    err = capsys.readouterr().err
    assert "127.0.0.1:9" in err and "cannot connect" in err and "analyst:***@" in err
    assert "hunter2" not in err and err.count("\n") == 1


def test_a_wrong_password_is_named_as_such_and_never_printed(pg_url, capsys) -> None:
    wrong = with_user(pg_url, "cchc_admin", "not-the-password")
    assert main(["ingest", "--db", wrong, str(SAMPLES / "000_8c0715b9867aa8fa.txt")]) == 4
    err = capsys.readouterr().err
    assert "refused the password" in err and "~/.pgpass" in err and "not-the-password" not in err


def test_libpq_environment_supplies_what_the_url_leaves_out(pg_url, monkeypatch, capsys) -> None:
    params = psycopg.conninfo.conninfo_to_dict(pg_url)
    monkeypatch.setenv("PGPASSWORD", params["password"])
    monkeypatch.setenv("PGPORT", str(params["port"]))
    bare = f"postgresql://{params['user']}@{params['host']}/{params['dbname']}"  # no password, no port
    assert main(["export", "--db", bare, "--jsonl"]) == 4  # reached (libpq took both), but no store yet
    assert "not a cchc store" in capsys.readouterr().err
    open_store(bare).close()
    assert main(["export", "--db", bare, "--jsonl"]) == 0


def test_tls_parameters_are_passed_through_to_libpq(pg_url, capsys) -> None:
    # The test server has no TLS: sslmode=require must reach libpq, which then refuses to go on without it.
    assert main(["export", "--db", pg_url + "?sslmode=require", "--json"]) == 4
    err = capsys.readouterr().err
    assert "SSL" in err and "admin-s3cret" not in err and ":***@" in err


def test_debug_output_masks_the_password(monkeypatch, capsys) -> None:
    from cchc_cli import pgstore

    def broken(url, readonly=False):
        raise RuntimeError(f"a bug while connecting to {url}")

    monkeypatch.setattr(pgstore, "connect", broken)
    monkeypatch.setitem(sys.modules, "psycopg", sys.modules.get("psycopg"))
    assert main(["--debug", "export", "--db", "postgresql://u:pw-secret@127.0.0.1/x", "--json"]) == 70
    err = capsys.readouterr().err
    assert "Traceback" in err and "u:***@127.0.0.1" in err and "pw-secret" not in err


def test_a_database_that_is_not_a_cchc_store_is_refused(pg_url, tmp_path, capsys) -> None:
    sql(pg_url, "CREATE TABLE invoices (id integer)")
    doc = docs(tmp_path / "in", range(1))[0]
    assert main(["ingest", "--quiet", "--db", pg_url, str(doc)]) == 4
    assert "not a cchc store" in capsys.readouterr().err
    assert main(["export", "--db", pg_url, "--json"]) == 4
    assert "not a cchc store" in capsys.readouterr().err
    assert sql(pg_url, "SELECT count(*) FROM pg_namespace WHERE nspname = 'cchc'") == [(0,)]  # nothing created


def test_a_store_of_a_newer_cchc_is_refused(pg_url, capsys) -> None:
    open_store(pg_url).close()
    sql(pg_url, "INSERT INTO cchc.migrations (step, cchc_version) VALUES (99, '9.0')")
    assert main(["export", "--db", pg_url, "--jsonl"]) == 4
    assert "made by a newer cchc" in capsys.readouterr().err


def test_a_reader_role_exports_and_cannot_ingest(pg_url, tmp_path, capsys) -> None:
    doc = docs(tmp_path / "in", range(1))[0]
    assert main(["ingest", "--quiet", "--db", pg_url, str(doc)]) == 0
    # The reader grants of the README.
    sql(pg_url, "CREATE ROLE cchc_reader_t LOGIN PASSWORD 'r-pass'")
    try:
        sql(pg_url, "GRANT USAGE ON SCHEMA cchc TO cchc_reader_t")
        sql(pg_url, "GRANT SELECT ON ALL TABLES IN SCHEMA cchc TO cchc_reader_t")
        reader = with_user(pg_url, "cchc_reader_t", "r-pass")
        capsys.readouterr()
        assert main(["export", "--db", reader, "--jsonl"]) == 0
        assert len(capsys.readouterr().out.splitlines()) == 1
        doc.write_text(small_doc(999), "utf-8")
        assert main(["ingest", "--quiet", "--db", reader, str(doc)]) == 4
        err = capsys.readouterr().err
        assert "cchc_reader_t may not write" in err and "r-pass" not in err
    finally:
        sql(pg_url, "DROP OWNED BY cchc_reader_t")
        sql(pg_url, "DROP ROLE cchc_reader_t")
    assert sql(pg_url, "SELECT count(*) FROM cchc.ingests") == [(1,)]  # the reader's ingest stored nothing


def test_without_psycopg_the_message_names_the_extra(monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    assert main(["export", "--db", "postgresql://u@127.0.0.1/x", "--json"]) == 4
    assert "pip install 'cchc[postgres]'" in capsys.readouterr().err


# --- what is stored, and read back -------------------------------------------------------------------------------


def test_export_and_validate_read_postgresql_as_sqlite(pg_url, tmp_path, sample_records, capsysbinary) -> None:
    sqlite_db = store_of(tmp_path / "s.db", sample_records)
    store_of(pg_url, sample_records)  # type: ignore[arg-type]
    outputs = []
    for db in (str(sqlite_db), pg_url):
        pair = []
        for argv in (["export", "--json"], ["export", "--csv", "--table", "tasks"], ["validate", "--json"]):
            main([*argv, "--db", db])
            pair.append(capsysbinary.readouterr().out)
        outputs.append(pair)
    assert outputs[0] == outputs[1] and len(outputs[0][0]) > 1000
    # the indexed columns people filter on
    every = [r for records in sample_records.values() for r in records]
    by_type = sql(pg_url, "SELECT doc_type, count(*) FROM cchc.documents GROUP BY doc_type")
    assert dict(by_type) == dict(Counter(r.doc_type for r in every))
    areas = sql(pg_url, "SELECT area, count(*) FROM cchc.tasks GROUP BY area")
    assert dict(areas) == dict(Counter(t.area for r in every for t in r.tasks)) and len(areas) > 1
    issuers = sql(pg_url, "SELECT issuer, level, province FROM cchc.documents ORDER BY path, position")
    assert sorted(issuers, key=str) == sorted(((r.issuer.name, r.issuer.level, r.issuer.province) for r in every),
                                              key=str)


def test_store_copy_moves_a_local_store_into_the_team_store(pg_url, tmp_path, sample_records, capsys) -> None:
    local = store_of(tmp_path / "s.db", sample_records)
    extra = open_store(local)
    extra.store_file("/x.txt", "a" * 64, "p", [{"id": "v1"}])
    extra.store_file("/x.txt", "b" * 64, "p", [{"id": "v2"}])
    extra.close()
    assert main(["store", "copy", "--from", str(local), "--to", pg_url]) == 0
    assert "7 ingest(s) copied" in capsys.readouterr().err
    assert main(["store", "copy", "--from", str(local), "--to", pg_url]) == 0  # again: nothing twice
    assert "0 ingest(s) copied, 7 already there" in capsys.readouterr().err
    for all_versions in (False, True):
        a, b = open_store(local), open_store(pg_url)
        try:
            assert list(a.records(all_versions=all_versions)) == list(b.records(all_versions=all_versions))
        finally:
            a.close()
            b.close()


# --- the work queue -----------------------------------------------------------------------------------------------
# The workers run in this process take --lease 1 where no job outlives its worker: a worker polls the queue every
# quarter of its lease (0.25 s at least), so each of them stops sooner once the queue is empty (0.5 s ticks with
# --lease 2). The tests that wait for a lease to run out keep 2 s.


def queue_counts(url: str, capsys: pytest.CaptureFixture[str]) -> dict:
    """`cchc queue status --json`, in this process (a subprocess would load cchc again for three SELECTs: about
    1 s each time); what was captured before is dropped."""
    capsys.readouterr()
    assert main(["queue", "status", "--db", url, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def stored_once(url: str, files: list[Path]) -> None:
    rows = sql(url, "SELECT path, count(*) FROM cchc.ingests GROUP BY path")
    assert dict(rows) == {str(f.resolve()): 1 for f in files}
    assert sql(url, "SELECT count(*) FROM cchc.documents")[0][0] == len(files)


@pytest.mark.slow  # a worker killed, then its job waited for until its lease (2 s) runs out
def test_a_worker_killed_mid_document_loses_nothing_after_the_lease(pg_url, tmp_path, capsys) -> None:
    files = docs(tmp_path / "in", range(4))
    assert main(["queue", "add", str(tmp_path / "in"), "--db", pg_url]) == 0
    # Worker A sleeps inside each job (test hook) so that it is surely killed mid-document.
    slow = subprocess.Popen([*CCHC, "worker", "--db", pg_url, "--lease", "2"], start_new_session=True,
                            env={**os.environ, "CCHC_TEST_JOB_SECONDS": "120"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60  # (watched in SQL: a `cchc queue status` a poll would slow A's start)
        while not sql(pg_url, "SELECT 1 FROM cchc.procrastinate_jobs WHERE status = 'doing'"):
            assert time.monotonic() < deadline and slow.poll() is None, "worker A never took a job"
            time.sleep(0.1)
    finally:
        os.killpg(slow.pid, signal.SIGKILL)
        slow.wait()
    assert queue_counts(pg_url, capsys)["counts"]["in_progress"] == 1  # its job: taken, not done
    # Three more workers (one process, --jobs 3) take the rest, and A's job once its lease has run out.
    done = subprocess.run([*CCHC, "worker", "--db", pg_url, "--jobs", "3", "--lease", "2", "--until-empty"],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert queue_counts(pg_url, capsys)["counts"] == {"waiting": 0, "in_progress": 0, "done": 4, "parked": 0}
    stored_once(pg_url, files)
    assert sql(pg_url, "SELECT count(*) FROM cchc.queue_files") == [(0,)]  # the bytes go with the jobs done


def test_bytes_that_are_not_a_document_are_parked_with_their_error_and_retried(pg_url, tmp_path, capsys) -> None:
    junk = tmp_path / "scan.txt"
    junk.write_bytes(b"\x00\x01binary\x00" * 10)
    good = docs(tmp_path / "in", range(1))
    assert main(["queue", "add", str(junk), *map(str, good), "--db", pg_url]) == 0
    assert main(["worker", "--db", pg_url, "--until-empty", "--lease", "1"]) == 3
    err = capsys.readouterr().err
    assert f"{junk}: a binary file" in err and "(parked: see 'cchc queue status')" in err and "1 stored" in err
    status = queue_counts(pg_url, capsys)
    assert status["counts"]["parked"] == 1 and status["counts"]["done"] == 1
    assert status["parked"] == [{"file": str(junk), "error": f"{junk}: a binary file, not text: pass a plain text "
                                                             "file (.txt, UTF-8)"}]
    assert main(["queue", "retry", "--db", pg_url]) == 0
    assert queue_counts(pg_url, capsys)["counts"]["waiting"] == 1
    stored_once(pg_url, good)
    assert sql(pg_url, "SELECT count(*) FROM cchc.queue_files") == [(1,)]  # the parked file's bytes are kept


def test_queue_add_refuses_big_files_and_skips_stored_ones(pg_url, tmp_path, monkeypatch, capsys) -> None:
    from cchc_cli import workqueue

    files = docs(tmp_path / "in", range(2))
    assert main(["ingest", "--quiet", "--db", pg_url, str(files[0])]) == 0
    monkeypatch.setattr(workqueue, "MAX_FILE_BYTES", 3000)
    big = tmp_path / "big.txt"
    big.write_text(small_doc(7) * 3, "utf-8")
    assert main(["queue", "add", str(files[0]), str(files[1]), str(big), "--db", pg_url]) == 3
    err = capsys.readouterr().err
    assert f"{big}: " in err and "over the queue's limit" in err
    assert "1 queued, 1 unchanged, 0 already queued, 1 refused" in err
    assert main(["queue", "add", str(tmp_path / "big.txt"), "--db", str(tmp_path / "s.db")]) == 2  # not a team store


def test_a_worker_of_another_pipeline_is_refused_with_the_remedy(pg_url, tmp_path, capsys) -> None:
    terms = tmp_path / "terms.yaml"
    terms.write_text("version: 1\nterms:\n  - text: Phòng Nội vụ\n", "utf-8")
    docs(tmp_path / "in", range(1))
    assert main(["queue", "add", str(tmp_path / "in"), "--db", pg_url, "--dictionary", str(terms)]) == 0
    assert main(["worker", "--db", pg_url, "--until-empty"]) == 4
    err = capsys.readouterr().err
    assert "another cchc pipeline" in err and "--dictionary" in err
    assert queue_counts(pg_url, capsys)["counts"]["waiting"] == 1


@pytest.mark.slow  # the server stopped and started again under a working worker, then a second worker
def test_the_server_restarted_mid_batch_leaves_nothing_half_stored(pg_server, tmp_path) -> None:
    _, server = pg_server
    if server is None:
        pytest.skip("needs the tests' own PostgreSQL server (to restart it): unset CCHC_TEST_POSTGRES")
    from conftest import database_url

    sql(server.url, "CREATE DATABASE cchc_restart")
    url = database_url(server.url, "cchc_restart")
    try:
        files = docs(tmp_path / "in", range(3))
        assert main(["queue", "add", str(tmp_path / "in"), "--db", url]) == 0
        worker = subprocess.Popen([*CCHC, "worker", "--db", url, "--lease", "2", "--until-empty"],
                                  env={**os.environ, "CCHC_TEST_JOB_SECONDS": "0.75"}, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not sql(url, "SELECT 1 FROM cchc.procrastinate_jobs WHERE status = 'doing'"):
            assert time.monotonic() < deadline and worker.poll() is None
            time.sleep(0.1)
        server.restart()  # (0.2-0.3 s from the job's start here, well within the worker's 0.75 s inside it)
        _, err = worker.communicate(timeout=120)
        # Either the worker got through (reconnected) or it stopped with exit 4 and the remedy.
        assert worker.returncode == 0 or (worker.returncode == 4 and "start the worker again" in err), err
        half = sql(url, "SELECT i.id FROM cchc.ingests AS i WHERE i.document_count <> "
                        "(SELECT count(*) FROM cchc.documents AS d WHERE d.ingest_id = i.id)")
        assert half == []
        again = subprocess.run([*CCHC, "worker", "--db", url, "--lease", "2", "--until-empty"], capture_output=True,
                               text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        try:
            stored_once(url, files)
        except AssertionError as exc:  # what the queue recorded, for a failure that is hard to reproduce
            jobs = sql(url, "SELECT j.id, j.args ->> 'label', j.status::text, j.attempts, e.error FROM "
                            "cchc.procrastinate_jobs AS j LEFT JOIN cchc.queue_errors AS e ON e.job_id = j.id")
            events = sql(url, "SELECT job_id, type::text, at FROM cchc.procrastinate_events ORDER BY id")
            raise AssertionError(f"{exc}\njobs: {jobs}\nevents: {events}\nfirst worker: {err}\n"
                                 f"second worker: {again.stderr}") from None
    finally:
        sql(server.url, "DROP DATABASE IF EXISTS cchc_restart WITH (FORCE)")


@pytest.mark.parametrize("status", ["aborted", "failed"])
def test_a_job_a_lost_worker_left_without_a_verdict_is_done_by_the_next_worker(pg_url, tmp_path, capsys,
                                                                                status) -> None:
    # A worker whose connection broke mid-job is torn down with the job in hand; when the server answers again
    # procrastinate records that job as aborted, or as failed without retrying it (no error of cchc's: cchc
    # parks a file only with its error). The next worker takes it.
    files = docs(tmp_path / "in", range(2))
    assert main(["queue", "add", str(tmp_path / "in"), "--db", pg_url]) == 0
    with psycopg.connect(pg_url, autocommit=True, options="-c search_path=cchc") as conn:  # its triggers' types
        for step in ("doing", status):
            conn.execute("UPDATE procrastinate_jobs SET status = %s, attempts = %s WHERE args ->> 'label' LIKE %s",
                         (step, 1 if step == "failed" else 0, "%doc0.txt"))
    assert main(["worker", "--db", pg_url, "--until-empty", "--lease", "1", "--quiet"]) == 0
    stored_once(pg_url, files)
    assert sql(pg_url, "SELECT status::text FROM cchc.procrastinate_jobs WHERE args ->> 'label' LIKE %s",
               ("%doc0.txt",)) == [("succeeded",)]


def test_a_file_parked_with_its_error_stays_parked(pg_url, tmp_path, capsys) -> None:
    files = docs(tmp_path / "in", range(1))
    assert main(["queue", "add", str(tmp_path / "in"), "--db", pg_url]) == 0
    with psycopg.connect(pg_url, autocommit=True, options="-c search_path=cchc") as conn:
        (job_id,) = conn.execute("SELECT id FROM procrastinate_jobs").fetchone()
        for step in ("doing", "failed"):
            conn.execute("UPDATE procrastinate_jobs SET status = %s, attempts = 1 WHERE id = %s", (step, job_id))
        conn.execute("INSERT INTO queue_errors (job_id, error) VALUES (%s, 'doc0.txt: not a document')", (job_id,))
    assert main(["worker", "--db", pg_url, "--until-empty", "--lease", "1", "--quiet"]) == 0
    assert sql(pg_url, "SELECT count(*) FROM cchc.ingests")[0][0] == 0 and files
    assert queue_counts(pg_url, capsys)["counts"]["parked"] == 1


def test_the_readme_grants_let_a_worker_role_work_and_a_reader_read(pg_url, tmp_path, capsys) -> None:
    # The grants of the README's team-store section, as an administrator would run them after the store's
    # owner (here the test's superuser) created it with its first command.
    assert main(["queue", "status", "--db", pg_url]) == 0
    grants = ["CREATE ROLE cchc_worker_t LOGIN PASSWORD 'w-pass'",
              "GRANT USAGE ON SCHEMA cchc TO cchc_worker_t",
              "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA cchc TO cchc_worker_t",
              "GRANT USAGE ON ALL SEQUENCES IN SCHEMA cchc TO cchc_worker_t",
              "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA cchc TO cchc_worker_t"]
    for statement in grants:
        sql(pg_url, statement)
    try:
        worker = with_user(pg_url, "cchc_worker_t", "w-pass")
        files = docs(tmp_path / "in", range(3))
        assert main(["ingest", "--quiet", "--db", worker, str(files[0])]) == 0
        assert main(["queue", "add", str(tmp_path / "in"), "--db", worker]) == 0
        assert main(["worker", "--db", worker, "--until-empty", "--lease", "1", "--quiet"]) == 0
        assert main(["queue", "retry", "--db", worker]) == 0
        stored_once(pg_url, files)
        assert "may not" not in capsys.readouterr().err
    finally:
        sql(pg_url, "DROP OWNED BY cchc_worker_t")
        sql(pg_url, "DROP ROLE cchc_worker_t")
