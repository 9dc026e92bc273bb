"""The work queue of a team store: files put on it by ``cchc queue add``, processed by ``cchc worker`` on any
number of machines, on **procrastinate** (PostgreSQL-based jobs, retries, heartbeats; the optional extra
``cchc[postgres]``).

- A file's bytes go into ``cchc.queue_files`` (keyed by sha256: procrastinate's job arguments are JSON), so
  workers need no shared disk, until its job is done; files over :data:`MAX_FILE_BYTES` are refused. One job
  per (file key, sha256, pipeline): procrastinate's *queueing lock* refuses a second while the first waits.
- Jobs go to the procrastinate queue of the adder's pipeline version (``cchc/<pipeline>``); a worker takes the
  jobs of its own pipeline only, and refuses to start when the queue holds work for other pipelines only
  (the remedy: the same cchc version and ``--dictionary`` files as the adder, or add the files again).
- A worker claims the file as ``cchc ingest`` does, stores its records in one transaction, then procrastinate
  marks the job done. The two are not one transaction (procrastinate marks the job on its own connection),
  so the store write is idempotent by (file key, sha256, pipeline): a job run again after a worker died between
  the two finds the file stored and does nothing more.
- A worker sends a heartbeat every quarter of ``--lease``; a job whose worker has sent none for ``--lease``
  seconds (SIGKILL, a lost machine) is put back on the queue by any other worker, as is a job procrastinate
  left aborted, or failed without an error of cchc's, when a worker's connection broke mid-job; a file whose
  worker was lost ``attempts`` times is parked, as is a file that failed ``attempts`` times (a bad input, which
  would fail the same way again, at once), with its one-line error (``cchc queue status``; ``cchc queue
  retry``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .batch import IngestInput, _process, _Task
from .errors import InputError, StoreError
from .pgstore import PostgresStore, psycopg_module
from .resources import Resources

__all__ = ["DEFAULT_ATTEMPTS", "DEFAULT_LEASE", "MAX_FILE_BYTES", "AddSummary", "QueueStatus", "WorkSummary",
           "add_files", "queue_status", "retry_parked", "run_worker"]

MAX_FILE_BYTES = 64 * 1024 * 1024
DEFAULT_LEASE = 60.0
DEFAULT_ATTEMPTS = 3
RETRY_WAIT = 2  # seconds: the n-th retry of a file waits RETRY_WAIT ** n
RECONNECT_SECONDS = float(os.environ.get("CCHC_RECONNECT_SECONDS") or 30)  # a worker's wait for a lost server
TASK_NAME = "cchc.ingest_file"
_QUEUE_PREFIX = "cchc/"


def queue_name(pipeline: str) -> str:
    return _QUEUE_PREFIX + pipeline


def _procrastinate() -> Any:
    try:
        import procrastinate
    except ImportError:
        raise StoreError("the work queue needs procrastinate: pip install 'cchc[postgres]'") from None
    return procrastinate


class _Retry(Exception):
    """A failure worth another attempt (a bug on this file, the store lost): procrastinate retries it."""


class _Parked(Exception):
    """A failure that would happen again (the bytes are not a document): parked at once."""


# --- the schema and the app ------------------------------------------------------------------------------------


def ensure_queue_schema(store: PostgresStore) -> None:
    """procrastinate's tables and functions, in the schema ``cchc``, applied once (under the migration lock)."""
    conn = store.connection
    with store._errors(), conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, 1)", (0x63636863 + 2,))
        if conn.execute("SELECT to_regclass('cchc.procrastinate_jobs')").fetchone()[0] is None:
            conn.execute("SET LOCAL search_path = cchc")
            conn.execute(_procrastinate().schema.SchemaManager.get_schema())


@dataclass
class _Job:
    """What a worker process needs to run jobs: its store (reconnected when lost) and resources."""

    url: str
    resources: Resources
    attempts: int
    store: PostgresStore | None = None
    on_result: Callable[[str, str, int, str | None], None] | None = None


_worker: _Job | None = None


def _app(url: str, attempts: int) -> Any:
    procrastinate = _procrastinate()
    connector = procrastinate.PsycopgConnector(conninfo=url, kwargs={"options": "-c search_path=cchc",
                                                                     "application_name": "cchc-worker"},
                                               min_size=1, max_size=3)
    app = procrastinate.App(connector=connector)
    # a retry waits 2, 4, 8 … s: a store that went away for a moment (a server restarting) does not use up
    # a file's attempts in the seconds it takes to come back
    retry = procrastinate.RetryStrategy(max_attempts=max(attempts - 1, 0), exponential_wait=RETRY_WAIT,
                                        retry_exceptions=[_Retry])
    app.task(name=TASK_NAME, retry=retry, pass_context=True)(_ingest_job)
    return app


def _ingest_job(context: Any, key: str, label: str, sha256: str, pipeline: str, force: bool = False) -> str:
    """One queued file: its bytes → records → the store (runs in a worker process, in procrastinate's thread)."""
    job = _worker
    assert job is not None
    store = _store(job)
    conn = store.connection
    job_id = context.job.id
    last = context.job.attempts + 1 >= job.attempts  # procrastinate counts the attempts before this one
    try:
        store.claim(key, sha256, pipeline, wait=True)
        slow_down_for_tests()
        latest = store.latest_ingest(key)
        if not force and latest is not None and (latest.sha256, latest.pipeline) == (sha256, pipeline):
            outcome = "unchanged"
            result = None
        else:
            with store._errors():
                row = conn.execute("SELECT data FROM cchc.queue_files WHERE sha256 = %s", (sha256,)).fetchone()
            if row is None:
                raise _Parked(f"{label}: its bytes are no longer on the queue; add the file again")
            result = _process(_Task(0, label, label, bytes(row[0]), sha256, None, job.resources.dictionaries))
            if result.error is not None:
                raise (_Retry if result.internal else _Parked)(result.error)
            outcome = store.store_file(key, sha256, pipeline, result.records, force=force).status
        with store._errors(), conn.transaction():
            conn.execute("DELETE FROM cchc.queue_errors WHERE job_id = %s", (job_id,))
            # The bytes go once no other job waits for them (a job run again finds the file stored first).
            conn.execute("DELETE FROM cchc.queue_files AS f WHERE f.sha256 = %s AND NOT EXISTS (SELECT 1 FROM "
                         "cchc.procrastinate_jobs AS j WHERE j.args ->> 'sha256' = f.sha256 AND j.id <> %s AND "
                         "j.status IN ('todo', 'doing', 'failed'))", (sha256, job_id))
    except StoreError as exc:
        _lost(job)
        _tell(job, label, "parked" if last else "retry", 0, exc.message)
        raise _Retry(exc.message) from None
    except (_Parked, _Retry) as exc:
        with contextlib.suppress(StoreError):  # for 'cchc queue status', should it be parked
            _record_error(store, job_id, str(exc))
        _tell(job, label, "parked" if last or isinstance(exc, _Parked) else "retry", 0, str(exc))
        raise
    finally:
        with contextlib.suppress(StoreError):
            store.release(key, sha256, pipeline)
    _tell(job, label, outcome, len(result.records) if result is not None and outcome == "stored" else 0, None)
    return outcome


def _tell(job: _Job, label: str, outcome: str, documents: int, error: str | None) -> None:
    if job.on_result is not None:
        job.on_result(label, outcome, documents, error)


def _store(job: _Job) -> PostgresStore:
    if job.store is not None and job.store.connection.broken:
        _lost(job)
    if job.store is None:
        job.store = PostgresStore(job.url)
    return job.store


def _lost(job: _Job) -> None:
    if job.store is not None:
        job.store.close()
        job.store = None


def _record_error(store: PostgresStore, job_id: int, error: str) -> None:
    conn = store.connection
    with store._errors(), conn.transaction():
        conn.execute("INSERT INTO cchc.queue_errors (job_id, error) VALUES (%s, %s) ON CONFLICT (job_id) DO UPDATE "
                     "SET error = EXCLUDED.error, at = now()", (job_id, error))


# --- cchc queue add --------------------------------------------------------------------------------------------


@dataclass
class AddSummary:
    files: int = 0
    queued: int = 0
    unchanged: int = 0
    already: int = 0
    refused: int = 0


def add_files(store: PostgresStore, inputs: Sequence[IngestInput], pipeline: str, *, force: bool = False,
              on_refused: Callable[[str], None] | None = None) -> AddSummary:
    """Put `inputs` on the queue of `pipeline` (their bytes into the store); see the module docstring."""
    import hashlib

    ensure_queue_schema(store)
    summary = AddSummary(files=len(inputs))
    app = _app(store.url, DEFAULT_ATTEMPTS)
    procrastinate = _procrastinate()
    conn = store.connection

    async def defer(item: IngestInput, sha256: str) -> bool:
        try:
            await app.configure_task(TASK_NAME, queue=queue_name(pipeline),
                                     queueing_lock=f"{item.key}|{sha256}|{pipeline}").defer_async(
                key=item.key, label=item.label, sha256=sha256, pipeline=pipeline, force=force)
        except procrastinate.exceptions.AlreadyEnqueued:
            return False
        return True

    async def add_all() -> None:
        async with app.open_async():
            for item in inputs:
                try:
                    data = _read_for_queue(item)
                except InputError as exc:
                    summary.refused += 1
                    if on_refused:
                        on_refused(exc.message)
                    continue
                sha256 = hashlib.sha256(data).hexdigest()
                latest = None if force else store.latest_ingest(item.key)
                if latest is not None and (latest.sha256, latest.pipeline) == (sha256, pipeline):
                    summary.unchanged += 1
                    continue
                with store._errors(), conn.transaction():
                    conn.execute("INSERT INTO cchc.queue_files (sha256, data) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                                 (sha256, data))
                if await defer(item, sha256):
                    summary.queued += 1
                else:
                    summary.already += 1

    _run_async(add_all(), store)
    return summary


def _read_for_queue(item: IngestInput) -> bytes:
    from .io import read_error

    if item.data is not None:
        data = item.data
    else:
        assert item.path is not None
        try:
            size = os.stat(item.path).st_size
            if size > MAX_FILE_BYTES:
                raise InputError(f"{item.label}: {size:,} bytes, over the queue's limit of {MAX_FILE_BYTES:,}; "
                                 "ingest it with 'cchc ingest' on a machine that has it")
            data = item.path.read_bytes()
        except OSError as exc:
            raise read_error(item.label, exc) from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{item.label}: over the queue's limit of {MAX_FILE_BYTES:,} bytes")
    return data


def _run_async(coroutine: Any, store: PostgresStore) -> Any:
    psycopg = psycopg_module()
    try:
        return asyncio.run(coroutine)
    except (psycopg.Error, OSError) as exc:
        raise store.error(exc) from None


# --- status and retry ------------------------------------------------------------------------------------------


@dataclass
class QueueStatus:
    counts: dict[str, int]  # waiting, in_progress, done, parked
    parked: list[tuple[str, str]]  # (label, one-line error)
    pipelines: dict[str, int]  # pipeline → files waiting or in progress


def queue_status(store: PostgresStore) -> QueueStatus:
    ensure_queue_schema(store)
    conn = store.connection
    names = {"todo": "waiting", "aborted": "waiting", "doing": "in_progress", "succeeded": "done", "failed": "parked"}
    with store._errors():
        rows = conn.execute("SELECT status::text, count(*) FROM cchc.procrastinate_jobs WHERE task_name = %s "
                            "GROUP BY status", (TASK_NAME,)).fetchall()
        parked = conn.execute(
            "SELECT j.args ->> 'label', coalesce(e.error, 'failed (no error recorded)') FROM cchc.procrastinate_jobs "
            "AS j LEFT JOIN cchc.queue_errors AS e ON e.job_id = j.id WHERE j.task_name = %s AND j.status = 'failed' "
            "ORDER BY j.id", (TASK_NAME,)).fetchall()
        pending = conn.execute("SELECT queue_name, count(*) FROM cchc.procrastinate_jobs WHERE task_name = %s AND "
                               "status IN ('todo', 'doing', 'aborted') GROUP BY queue_name", (TASK_NAME,)).fetchall()
    counts = dict.fromkeys(names.values(), 0)
    for status, count in rows:
        if status in names:
            counts[names[status]] += count
    return QueueStatus(counts, [(label, error) for label, error in parked],
                       {name.removeprefix(_QUEUE_PREFIX): count for name, count in pending})


def retry_parked(store: PostgresStore) -> int:
    """Put every parked file back on the queue (one more attempt each); how many."""
    ensure_queue_schema(store)
    conn = store.connection
    with store._errors(), conn.transaction():
        conn.execute("SET LOCAL search_path = cchc")  # procrastinate's functions name its tables unqualified
        ids = [row[0] for row in conn.execute("SELECT id FROM cchc.procrastinate_jobs WHERE task_name = %s AND "
                                              "status = 'failed' ORDER BY id FOR UPDATE", (TASK_NAME,))]
        for job_id in ids:
            conn.execute("SELECT cchc.procrastinate_retry_job_v2(%s, now(), NULL, NULL, NULL)", (job_id,))
            conn.execute("DELETE FROM cchc.queue_errors WHERE job_id = %s", (job_id,))
    return len(ids)


# --- cchc worker -----------------------------------------------------------------------------------------------


@dataclass
class WorkSummary:
    files: int = 0
    stored: int = 0
    unchanged: int = 0
    failed: int = 0
    documents: int = 0


def check_pipeline(store: PostgresStore, pipeline: str) -> None:
    """Refuse a worker whose pipeline has no work when the queue holds work for other pipelines only."""
    pending = queue_status(store).pipelines
    others = {name: count for name, count in pending.items() if name != pipeline}
    if others and not pending.get(pipeline):
        listed = ", ".join(f"{count} for {name}" for name, count in sorted(others.items()))
        raise StoreError(f"{store.location}: the queue holds files for another cchc pipeline ({listed}), none for "
                         f"this worker's {pipeline}; run the worker with the cchc version and --dictionary files "
                         "that added them, or add the files again with this one")


def run_worker(url: str, resources: Resources, *, lease: float = DEFAULT_LEASE, until_empty: bool = False,
               attempts: int = DEFAULT_ATTEMPTS,
               on_result: Callable[[str, str, int, str | None], None] | None = None) -> None:
    """Run one worker in this process until stopped (SIGINT, SIGTERM) or, with `until_empty`, until the queue of
    this pipeline has nothing waiting and nothing in progress (a stalled job is first put back and done)."""
    global _worker
    _worker = _Job(url, resources, attempts, on_result=on_result)
    lost_since: float | None = None
    try:
        while True:
            try:
                asyncio.run(_work(url, resources.version, lease, until_empty, attempts))
                return
            except (OSError, psycopg_module().Error, _procrastinate().exceptions.ConnectorException) as exc:
                # The server went away (a restart, the network): connect again, for RECONNECT_SECONDS at most.
                lost_since = lost_since or time.monotonic()
                if time.monotonic() - lost_since > RECONNECT_SECONDS:
                    raise StoreError(_lost_message(url, exc.__cause__ or exc)) from None
                _lost(_worker)
                time.sleep(1.0)
    finally:
        _lost(_worker)
        _worker = None


def _lost_message(url: str, exc: BaseException) -> str:
    from .pgstore import _detail, _endpoint, mask_url

    return (f"{mask_url(url)}: lost the connection to PostgreSQL at {_endpoint(url)} ({_detail(exc, url)}); the "
            "file in progress was not stored and goes back on the queue after the lease; start the worker again "
            "when the server is back")


async def _work(url: str, pipeline: str, lease: float, until_empty: bool, attempts: int) -> None:
    procrastinate = _procrastinate()
    # procrastinate logs each failed job with its traceback; cchc reports it in one line (and in queue status)
    for name in ("procrastinate", "psycopg"):  # psycopg's pool logs each failed reconnection
        quiet = logging.getLogger(name)
        quiet.propagate = False
        quiet.addHandler(logging.NullHandler())
    from procrastinate.worker import Worker

    app = _app(url, attempts)
    queue = queue_name(pipeline)
    tick = max(lease / 4, 0.25)
    async with app.open_async():
        worker = Worker(app, queues=[queue], concurrency=1, wait=True, name=f"cchc-{os.getpid()}",
                        update_heartbeat_interval=tick, stalled_worker_timeout=lease,
                        fetch_job_polling_interval=tick, abort_job_polling_interval=max(tick, 1.0),
                        shutdown_graceful_timeout=None, listen_notify=True)
        running = asyncio.ensure_future(worker.run())
        while not running.done():
            await _recover(app, procrastinate, queue, lease, attempts)
            if until_empty and await _idle(app, queue):
                worker.stop()
                break
            await asyncio.wait({running}, timeout=tick)
        await running


async def _recover(app: Any, procrastinate: Any, queue: str, lease: float, attempts: int) -> None:
    """Put back on the queue the jobs of workers silent for `lease` seconds, and the jobs a worker lost without
    a verdict of cchc's (see _requeue_lost); park a file lost `attempts` times."""
    await _requeue_lost(app, queue, attempts)
    for job in await app.job_manager.get_stalled_jobs(queue=queue, seconds_since_heartbeat=lease):
        with contextlib.suppress(procrastinate.exceptions.ProcrastinateException, Exception):
            if job.attempts + 1 >= attempts:
                await _record_lost(app, job.id, job.task_kwargs.get("label"), job.attempts + 1,
                                   "killed, out of memory, or a lost machine")
                await app.job_manager.finish_job(job, status=procrastinate.jobs.Status.FAILED, delete_job=False)
            else:
                await app.job_manager.retry_job(job)


async def _requeue_lost(app: Any, queue: str, attempts: int) -> None:
    """A worker whose connection broke in the middle of a job is torn down with the job in hand, and when the
    server answers again procrastinate records that job as aborted, or as failed without retrying it. cchc
    aborts no job, and parks a file only with its error in queue_errors (but after its last attempt): such a
    job goes back on the queue, for one more attempt."""
    rows = await app.connector.execute_query_all_async(
        "SELECT j.id, j.attempts, j.args ->> 'label' AS label FROM cchc.procrastinate_jobs AS j "
        "WHERE j.queue_name = %(queue)s AND j.task_name = %(task)s AND (j.status = 'aborted' OR (j.status = 'failed' "
        "AND j.attempts < %(attempts)s AND NOT EXISTS (SELECT 1 FROM cchc.queue_errors AS e WHERE e.job_id = j.id)))",
        queue=queue, task=TASK_NAME, attempts=attempts)
    for row in rows:
        with contextlib.suppress(Exception):  # another todo job holds the file's queueing lock: it does the work
            if row["attempts"] + 1 >= attempts:
                await _record_lost(app, row["id"], row["label"], row["attempts"] + 1,
                                   "its connection to the store broke")
                await app.connector.execute_query_async(
                    "UPDATE cchc.procrastinate_jobs SET status = 'failed' WHERE id = %(id)s AND status = 'aborted'",
                    id=row["id"])
            else:
                await app.connector.execute_query_async(
                    "UPDATE cchc.procrastinate_jobs SET status = 'todo', attempts = attempts + 1, scheduled_at = now() "
                    "WHERE id = %(id)s AND status IN ('aborted', 'failed')", id=row["id"])


async def _record_lost(app: Any, job_id: int, label: str | None, times: int, cause: str) -> None:
    """The one-line error of a file parked because its worker was lost `times` times."""
    error = (f"{label}: its worker was lost {times} time(s) while processing it ({cause}); 'cchc queue retry' "
             "tries again")
    await app.connector.execute_query_async(
        "INSERT INTO cchc.queue_errors (job_id, error) VALUES (%(id)s, %(error)s) ON CONFLICT (job_id) "
        "DO UPDATE SET error = EXCLUDED.error", id=job_id, error=error)


async def _idle(app: Any, queue: str) -> bool:
    row = await app.connector.execute_query_one_async(
        "SELECT count(*) AS pending FROM cchc.procrastinate_jobs WHERE queue_name = %(queue)s AND "
        "status IN ('doing', 'todo', 'aborted')", queue=queue)  # a retry scheduled ahead, an aborted job: still work
    return not row["pending"]


def slow_down_for_tests() -> None:
    """``CCHC_TEST_JOB_SECONDS``: how long a worker sleeps before each job, so a test can kill it mid-job."""
    delay = os.environ.get("CCHC_TEST_JOB_SECONDS")
    if delay:
        time.sleep(float(delay))
