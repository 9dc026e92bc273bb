"""Documents per second into SQLite and PostgreSQL with 1, 2 and 4 worker processes, and the work queue's cost.

    python bench/team.py [--n 40] [--jobs 1,2,4] [--writes 2000]

Needs PostgreSQL's server binaries (``apt-get install postgresql``): a throwaway server is started for the run
(``tests/pg_server.py``: loopback, a temporary folder, stopped at the end) unless ``CCHC_TEST_POSTGRES`` names
one (a role that may create databases).

1. *End to end*: N distinct seed-size documents (``bench/batch.py``'s generator) through ``cchc ingest DIR
   --jobs J`` into a new SQLite file and a new PostgreSQL database, and through ``cchc queue add DIR`` then
   ``cchc worker --jobs J --until-empty`` into another new database. Wall time per run, documents/s, and the
   queue's overhead per document: (queue add + worker - ingest into PostgreSQL) / N at the same J.
2. *Store writes only*: the records of one real document written again and again (``store_file`` with a new
   sha256 each time: one transaction per file, as ingest does) by J processes at once, into each backend:
   files/s, which is where the bottleneck goes once repair is spread over many machines.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from batch import generate  # noqa: E402

CCHC = [sys.executable, "-m", "cchc_cli"]


def new_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # our own names
        conn.execute(f'CREATE DATABASE "{name}"')
    params = psycopg.conninfo.conninfo_to_dict(admin_url)
    password = f":{params['password']}" if params.get("password") else ""
    return f"postgresql://{params.get('user', '')}{password}@{params.get('host')}:{params.get('port')}/{name}"


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def documents_in(db: str) -> int:
    from cchc_cli.store import open_store

    store = open_store(db, readonly=True)
    try:
        return sum(1 for _ in store.records())
    finally:
        store.close()


def end_to_end(admin_url: str, folder: Path, work: Path, jobs: int) -> dict[str, float]:
    sqlite_db = str(work / f"bench-{jobs}.db")
    pg_db = new_database(admin_url, f"cchc_bench_ingest_{jobs}")
    queue_db = new_database(admin_url, f"cchc_bench_queue_{jobs}")
    row = {"jobs": jobs}
    row["sqlite"] = timed([*CCHC, "ingest", str(folder), "--db", sqlite_db, "--jobs", str(jobs), "--quiet"])
    row["postgresql"] = timed([*CCHC, "ingest", str(folder), "--db", pg_db, "--jobs", str(jobs), "--quiet"])
    row["queue_add"] = timed([*CCHC, "queue", "add", str(folder), "--db", queue_db])
    row["worker"] = timed([*CCHC, "worker", "--db", queue_db, "--jobs", str(jobs), "--until-empty", "--lease", "10",
                           "--quiet"])
    row["documents"] = documents_in(pg_db)
    if not (documents_in(sqlite_db) == row["documents"] == documents_in(queue_db)):
        raise SystemExit("the three stores do not hold the same number of documents")
    return row


def _writer(db: str, records: list[dict], count: int, offset: int, start: multiprocessing.synchronize.Event) -> None:
    from cchc_cli.store import open_store

    store = open_store(db)
    start.wait()
    try:
        for i in range(count):
            sha256 = hashlib.sha256(f"{offset}-{i}".encode()).hexdigest()
            store.store_file(f"/bench/{offset}/{i}.txt", sha256, "bench", records)
    finally:
        store.close()


def store_writes(db: str, records: list[dict], total: int, jobs: int) -> float:
    """Files per second written by `jobs` processes at once (`total` files in all)."""
    from cchc_cli.store import open_store

    open_store(db).close()  # created and migrated before the clock starts
    context = multiprocessing.get_context("fork")
    start = context.Event()
    writers = [context.Process(target=_writer, args=(db, records, total // jobs, n, start)) for n in range(jobs)]
    for writer in writers:
        writer.start()
    time.sleep(1.0)  # every writer connected
    started = time.perf_counter()
    start.set()
    for writer in writers:
        writer.join()
        if writer.exitcode:
            raise SystemExit(f"a writer failed (exit {writer.exitcode})")
    return (total // jobs * jobs) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=40, help="documents for the end-to-end runs")
    parser.add_argument("--jobs", default="1,2,4", help="worker processes, comma-separated")
    parser.add_argument("--writes", type=int, default=2000, help="files for the store-write runs")
    args = parser.parse_args()
    jobs_list = [int(j) for j in args.jobs.split(",")]
    with tempfile.TemporaryDirectory(prefix="cchc-team-bench.") as tmp:
        work = Path(tmp)
        folder = work / "docs"
        folder.mkdir()
        generate(folder, args.n)
        given = os.environ.get("CCHC_TEST_POSTGRES")
        server = None
        if not given:
            import pg_server

            server = pg_server.start_server()
        admin_url = given or server.url  # type: ignore[union-attr]
        try:
            print(f"{args.n} documents, {os.cpu_count()} cores; PostgreSQL at {admin_url.split('@')[-1]}")
            print("| jobs | SQLite ingest | PostgreSQL ingest | queue add + worker | docs/s SQLite | docs/s PostgreSQL "
                  "| docs/s queue | queue overhead per document |")
            print("|---|---|---|---|---|---|---|---|")
            for jobs in jobs_list:
                r = end_to_end(admin_url, folder, work, jobs)
                queue = r["queue_add"] + r["worker"]
                n = r["documents"]
                print(f"| {jobs} | {r['sqlite']:.1f} s | {r['postgresql']:.1f} s | {r['queue_add']:.1f} + "
                      f"{r['worker']:.1f} s | {n / r['sqlite']:.2f} | {n / r['postgresql']:.2f} | {n / queue:.2f} | "
                      f"{(queue - r['postgresql']) / n * 1000:.0f} ms |", flush=True)
            one = next(iter(sorted(folder.glob("*.txt"))))
            out = subprocess.run([*CCHC, "ingest", str(one), "--db", str(work / "one.db"), "--json", "--quiet"],
                                 check=True, capture_output=True).stdout
            records = json.loads(out)
            size = len(json.dumps(records, ensure_ascii=False).encode())
            print(f"\nstore writes only: {args.writes} files of {len(records)} document(s) each "
                  f"({size / 1024:.0f} KiB of JSON, {sum(len(r['tasks']) for r in records)} tasks)")
            print("| writer processes | SQLite files/s | PostgreSQL files/s |")
            print("|---|---|---|")
            for jobs in jobs_list:
                sqlite_rate = store_writes(str(work / f"writes-{jobs}.db"), records, args.writes, jobs)
                pg_rate = store_writes(new_database(admin_url, f"cchc_bench_writes_{jobs}"), records, args.writes,
                                       jobs)
                print(f"| {jobs} | {sqlite_rate:.0f} | {pg_rate:.0f} |", flush=True)
        finally:
            if server is not None:
                server.destroy()


if __name__ == "__main__":
    main()
