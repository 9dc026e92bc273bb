"""The record store: every document ``cchc ingest`` read, with its earlier versions.

A document is identified by its source file (the path as resolved at ingest; a text read from stdin by
``<stdin>:`` and the first 16 hex digits of its sha256) and its position in that file (0-based). Each ingest
of a file is one row of ``ingests`` (its sha256 and the pipeline version that read it) and adds one version of
each of its documents; older versions are kept. The *latest* documents of a file are those of its latest
ingest, so a document that left the file no longer shows, and a file that yields no document is recorded too
(it is skipped as unchanged next time).

The store sits behind the small :class:`Store` protocol: :class:`SQLiteStore` here (the default, one file) and
:class:`~cchc_cli.pgstore.PostgresStore` (a team's database, ``--db postgresql://…``); :func:`open_store` picks
one from ``--db``. Values only ever reach SQL as parameters.

Claims: before doing the work on a file, a run claims its (key, sha256, pipeline) (:meth:`Store.claim`), so two
runs given the same file do it once; in SQLite a claim is a row of ``claims`` naming its owner (host and
process), taken over when that process is gone.

SQLite details: WAL journal (readers never wait for the writer); a busy timeout of 30 s (``CCHC_DB_TIMEOUT``
seconds to change it) before a locked store is reported (exit 4); each file's documents are written in one
``BEGIN IMMEDIATE`` transaction, so a process killed at any moment leaves whole files or nothing; the schema is
migrated forward by :data:`MIGRATIONS`, its step count kept in ``PRAGMA user_version``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from .errors import StoreError

__all__ = [
    "DEFAULT_DB",
    "DEFAULT_TIMEOUT",
    "MIGRATIONS",
    "IngestInfo",
    "IngestRow",
    "SQLiteStore",
    "Store",
    "StoreError",
    "StoredFile",
    "StoredRecord",
    "copy_store",
    "open_store",
    "resolve_db",
    "resolve_db_path",
    "side_files",
]

DEFAULT_DB = "cchc.db"
DEFAULT_TIMEOUT = 30.0
SETUP_RETRY_SECONDS = 0.05

# Ordered schema steps: step i brings a store from user_version i to i + 1. Append, never edit a shipped step.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE ingests (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            pipeline TEXT NOT NULL,
            ingested_at TEXT NOT NULL,
            document_count INTEGER NOT NULL
        )""",
        "CREATE INDEX ingests_by_path ON ingests (path, id)",
        """CREATE TABLE documents (
            path TEXT NOT NULL,
            position INTEGER NOT NULL,
            version INTEGER NOT NULL,
            ingest_id INTEGER NOT NULL REFERENCES ingests (id),
            document_id TEXT NOT NULL,
            record TEXT NOT NULL,
            PRIMARY KEY (path, position, version)
        )""",
        "CREATE INDEX documents_by_ingest ON documents (ingest_id)",
    ),
    (
        """CREATE TABLE claims (
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            pipeline TEXT NOT NULL,
            owner TEXT NOT NULL,
            PRIMARY KEY (path, sha256, pipeline)
        )""",
    ),
)
READABLE_STEP = 1  # readers need the tables of the first step only
CLAIM_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class StoredRecord:
    """One version of one document as stored."""

    record: dict[str, Any]  # the DocumentRecord JSON dict (record.to_json_dict())
    path: str  # source path as stored (the key: resolved at ingest)
    position: int  # 0-based index of the document in its file
    version: int  # 1, 2, ... per (path, position)
    ingested_at: str  # ISO 8601 UTC


@dataclass(frozen=True)
class IngestInfo:
    """The latest ingest of one file."""

    sha256: str
    pipeline: str
    ingested_at: str
    document_count: int


class IngestRow(NamedTuple):
    """One ingest as ``cchc store copy`` moves it."""

    path: str
    sha256: str
    pipeline: str
    ingested_at: str


@dataclass(frozen=True)
class StoredFile:
    """What :meth:`Store.store_file` did: ``stored`` (a new version of the file's documents) or ``unchanged``
    (the file's latest ingest already has this content and pipeline version, and ``force`` was not given)."""

    status: str
    document_count: int


class Store(Protocol):
    """What the commands need from a record store."""

    location: str

    def records(self, *, all_versions: bool = False) -> Iterator[StoredRecord]:
        """The latest version of each document (every version with `all_versions`), by path, position, version."""
        ...

    def file_records(self, paths: Iterable[str]) -> Iterator[StoredRecord]:
        """The latest documents of each of `paths` (stored keys), in the order given; unknown paths give none."""
        ...

    def latest_ingest(self, path: str) -> IngestInfo | None:
        """The latest ingest of the file stored under `path`, or None."""
        ...

    def store_file(
        self, path: str, sha256: str, pipeline: str, records: Iterable[dict[str, Any]], *, force: bool = False
    ) -> StoredFile:
        """Add a version of each of `records` (the documents of one file, in order; read once, as they come) in
        one transaction, unless the file's latest ingest has the same sha256 and pipeline and not `force`."""
        ...

    def claim(self, path: str, sha256: str, pipeline: str, *, wait: bool = False) -> bool:
        """Claim the work on this content of `path` by `pipeline`: False when another live run holds it (with
        `wait`, wait until it lets go). Held until :meth:`release` or the end of the process."""
        ...

    def release(self, path: str, sha256: str, pipeline: str) -> None: ...

    def close(self) -> None: ...


def resolve_db(db: str | Path | None = None) -> str | Path:
    """`db`, else ``$CCHC_DB``, else ``./cchc.db``: a PostgreSQL URL (``postgresql://…``) as a str, else a path."""
    from .pgstore import is_postgres_url

    chosen: str | Path = db if db is not None else (os.environ.get("CCHC_DB") or DEFAULT_DB)
    return str(chosen) if is_postgres_url(str(chosen)) else Path(chosen)


def resolve_db_path(path: Path | None = None) -> Path:
    """`path`, else ``$CCHC_DB``, else ``./cchc.db`` (an SQLite store)."""
    if path is not None:
        return Path(path)
    return Path(os.environ.get("CCHC_DB") or DEFAULT_DB)


def open_store(path: str | Path | None = None, *, must_exist: bool = False, readonly: bool = False) -> Store:
    """Open (creating and migrating it if needed) the store at `path` (see :func:`resolve_db`): a PostgreSQL URL
    opens a :class:`~cchc_cli.pgstore.PostgresStore`, anything else an SQLite file.

    With `must_exist`, a missing file is a StoreError rather than a new empty store. `readonly` (export,
    validate: readers) opens an existing store without writing anything to it — no new store, no change of
    journal mode, no migration — so a store on a read-only disk or owned by another user can be read.
    Every failure is a :class:`StoreError` (exit 4) naming the file (a URL with its password masked).
    """
    chosen = resolve_db(path)
    if isinstance(chosen, str):
        from .pgstore import PostgresStore

        return PostgresStore(chosen, readonly=readonly)
    db = chosen
    if db.is_dir():
        raise StoreError(f"{db}: is a folder, not a cchc store; pass --db FILE")
    if (must_exist or readonly) and not db.exists():
        raise StoreError(f"{db}: no cchc store here; run 'cchc ingest' first or pass --db")
    return SQLiteStore(db, timeout=_timeout(), readonly=readonly)


def copy_store(source: Any, target: Any, on_copied: Any = None) -> tuple[int, int]:
    """Copy every ingest of `source` into `target` (either backend) in order, each with its documents and its
    time, one transaction each; an ingest `target` already has (same file, content, pipeline and time) is left
    alone, so a copy can be run again. Returns (copied, already there)."""
    copied = already = 0
    for row, records in source.history():
        if target.has_ingest(row):
            already += 1
            continue
        target.store_file(row.path, row.sha256, row.pipeline, records, force=True, ingested_at=row.ingested_at)
        copied += 1
        if on_copied is not None:
            on_copied(copied)
    return copied, already


def side_files(path: str | Path | None = None) -> list[Path]:
    """The store's file and the files SQLite keeps beside it (never an output); none for a PostgreSQL store."""
    db = resolve_db(path)
    if isinstance(db, str):
        return []
    return [db, *(db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]


def _timeout() -> float:
    raw = os.environ.get("CCHC_DB_TIMEOUT")
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise StoreError(f"CCHC_DB_TIMEOUT={raw!r}: not a number of seconds") from None
    return max(value, 0.0)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SQLiteStore:
    """The embedded store: one SQLite file (WAL), opened by each cchc process that needs it."""

    def __init__(self, path: Path, *, timeout: float = DEFAULT_TIMEOUT, readonly: bool = False) -> None:
        self.path = Path(path)
        self.location = str(path)
        self.timeout = timeout
        self.readonly = readonly
        self._claims: set[tuple[str, str, str]] = set()
        if self.path.parent and not self.path.parent.exists():
            raise StoreError(f"{path}: its folder does not exist; create it or pass another --db")
        self._db = self._connect()
        try:
            self._setup()
        except StoreError:
            self._db.close()
            if not readonly:
                raise
            # A WAL store on a read-only disk, closed cleanly, cannot even be read without creating its
            # -shm file: read it as the immutable file it is there.
            self._db = self._connect(immutable=True)
            try:
                self._setup()
            except BaseException:
                self._db.close()
                raise
        except BaseException:
            self._db.close()
            raise

    def _connect(self, *, immutable: bool = False) -> sqlite3.Connection:
        try:
            # Autocommit mode: transactions are opened explicitly (BEGIN IMMEDIATE for writes).
            if not self.readonly:
                return sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            uri = f"{self.path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
            return sqlite3.connect(uri, timeout=self.timeout, isolation_level=None, uri=True)
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    # --- setup --------------------------------------------------------------------------------------------

    def _setup(self) -> None:
        # Two runs opening a new store at the same moment both switch it to WAL: SQLite answers one of them
        # "database is locked" at once (it would deadlock waiting), without the busy timeout. Try again until
        # the timeout is spent.
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self._configure()
                return
            except sqlite3.Error as exc:
                if not _is_lock(exc) or time.monotonic() >= deadline:
                    raise self._error(exc) from None
                time.sleep(SETUP_RETRY_SECONDS)

    def _configure(self) -> None:
        # What the file is comes first: nothing is changed in a file that is not (or not yet) a cchc store.
        # One read transaction: a run migrating the new store meanwhile is seen whole or not at all.
        self._db.execute("BEGIN")
        try:
            step = self._db.execute("PRAGMA user_version").fetchone()[0]
            self._refuse_foreign(step)
        finally:
            self._rollback()
        if self.readonly:
            if step == 0:
                raise StoreError(f"{self.location}: no cchc store here (an empty database); run 'cchc ingest' "
                                 "first or pass --db")
            if step < READABLE_STEP:
                raise StoreError(f"{self.location}: a store of an older cchc; run 'cchc ingest' on it once to "
                                 "upgrade it")
            return
        self._db.execute("PRAGMA foreign_keys = ON")
        if self._db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")  # durable in WAL up to the last checkpointed commit
        if step != len(MIGRATIONS):
            self._migrate()

    def _refuse_foreign(self, step: int) -> None:
        if step > len(MIGRATIONS):
            raise StoreError(
                f"{self.location}: made by a newer cchc (schema step {step}, this one knows "
                f"{len(MIGRATIONS)}); upgrade cchc or pass another --db"
            )
        if step == 0 and self._has_foreign_tables():
            raise StoreError(f"{self.location}: an SQLite database that is not a cchc store; pass another --db")

    def _migrate(self) -> None:
        # Read again under the write lock: another process may have migrated meanwhile.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            current = self._db.execute("PRAGMA user_version").fetchone()[0]
            self._refuse_foreign(current)
            for step in range(current, len(MIGRATIONS)):
                for statement in MIGRATIONS[step]:
                    self._db.execute(statement)
                # PRAGMA takes no parameters; the value is our own integer.
                self._db.execute(f"PRAGMA user_version = {step + 1:d}")
            self._db.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _has_foreign_tables(self) -> bool:
        names = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return bool(names - {"sqlite_sequence"})

    # --- reading ------------------------------------------------------------------------------------------

    _SELECT = (
        "SELECT d.record, d.path, d.position, d.version, i.ingested_at "
        "FROM documents AS d JOIN ingests AS i ON i.id = d.ingest_id "
    )
    _LATEST = "i.id = (SELECT MAX(l.id) FROM ingests AS l WHERE l.path = d.path)"

    def records(self, *, all_versions: bool = False) -> Iterator[StoredRecord]:
        where = "" if all_versions else f"WHERE {self._LATEST} "
        yield from self._rows(self._SELECT + where + "ORDER BY d.path, d.position, d.version", ())

    def file_records(self, paths: Iterable[str]) -> Iterator[StoredRecord]:
        query = self._SELECT + f"WHERE d.path = ? AND {self._LATEST} ORDER BY d.position, d.version"
        for path in paths:
            yield from self._rows(query, (path,))

    def _rows(self, query: str, params: tuple[Any, ...]) -> Iterator[StoredRecord]:
        with self._errors():
            cursor = self._db.execute(query, params)
            # Fetched in blocks: a large store is never held in memory whole.
            while rows := cursor.fetchmany(256):
                for record, path, position, version, ingested_at in rows:
                    yield StoredRecord(json.loads(record), path, position, version, ingested_at)

    def latest_ingest(self, path: str) -> IngestInfo | None:
        with self._errors():
            row = self._db.execute(
                "SELECT sha256, pipeline, ingested_at, document_count FROM ingests WHERE path = ? "
                "ORDER BY id DESC LIMIT 1",
                (path,),
            ).fetchone()
        return IngestInfo(*row) if row else None

    def counts(self) -> dict[str, int]:
        """Files, ingests, latest documents and document versions held (for summaries and tests)."""
        with self._errors():
            files, ingests = self._db.execute("SELECT COUNT(DISTINCT path), COUNT(*) FROM ingests").fetchone()
            latest = self._db.execute(f"SELECT COUNT(*) FROM documents AS d JOIN ingests AS i "
                                      f"ON i.id = d.ingest_id WHERE {self._LATEST}").fetchone()[0]
            versions = self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        return {"files": files, "ingests": ingests, "documents": latest, "versions": versions}

    def ingests(self) -> list[tuple[str, str]]:
        """(path, pipeline) of every ingest, oldest first (for tests and ``cchc store copy``)."""
        with self._errors():
            return self._db.execute("SELECT path, pipeline FROM ingests ORDER BY id").fetchall()

    # --- writing ------------------------------------------------------------------------------------------

    def history(self) -> Iterator[tuple[IngestRow, list[dict[str, Any]]]]:
        """Every ingest, oldest first, with its documents in order (for ``cchc store copy``)."""
        with self._errors():
            ingests = self._db.execute("SELECT id, path, sha256, pipeline, ingested_at FROM ingests ORDER BY id")
            for ingest_id, path, sha256, pipeline, ingested_at in ingests.fetchall():
                rows = self._db.execute("SELECT record FROM documents WHERE ingest_id = ? ORDER BY position",
                                        (ingest_id,)).fetchall()
                yield IngestRow(path, sha256, pipeline, ingested_at), [json.loads(row[0]) for row in rows]

    def has_ingest(self, row: IngestRow) -> bool:
        with self._errors():
            return self._db.execute("SELECT 1 FROM ingests WHERE path = ? AND sha256 = ? AND pipeline = ? AND "
                                    "ingested_at = ?", tuple(row)).fetchone() is not None

    def store_file(
        self, path: str, sha256: str, pipeline: str, records: Iterable[dict[str, Any]], *, force: bool = False,
        ingested_at: str | None = None,
    ) -> StoredFile:
        with self._errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                # Checked again inside the transaction: a concurrent run may have stored this file meanwhile.
                latest = self.latest_ingest(path)
                if not force and latest is not None and (latest.sha256, latest.pipeline) == (sha256, pipeline):
                    self._db.execute("ROLLBACK")
                    return StoredFile("unchanged", latest.document_count)
                ingest_id = self._db.execute(
                    "INSERT INTO ingests (path, sha256, pipeline, ingested_at, document_count) VALUES (?, ?, ?, ?, ?)",
                    (path, sha256, pipeline, ingested_at or _now(), 0),
                ).lastrowid
                versions = dict(
                    self._db.execute(
                        "SELECT position, MAX(version) FROM documents WHERE path = ? GROUP BY position", (path,)
                    ).fetchall()
                )
                count = 0

                def rows() -> Iterator[tuple[Any, ...]]:
                    nonlocal count
                    for position, record in enumerate(records):
                        count += 1
                        yield (path, position, versions.get(position, 0) + 1, ingest_id, str(record.get("id", "")),
                               json.dumps(record, ensure_ascii=False, separators=(",", ":")))

                self._db.executemany(
                    "INSERT INTO documents (path, position, version, ingest_id, document_id, record) "
                    "VALUES (?, ?, ?, ?, ?, ?)", rows())
                self._db.execute("UPDATE ingests SET document_count = ? WHERE id = ?", (count, ingest_id))
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
        return StoredFile("stored", count)

    # --- claims -------------------------------------------------------------------------------------------

    def claim(self, path: str, sha256: str, pipeline: str, *, wait: bool = False) -> bool:
        key = (path, sha256, pipeline)
        if key in self._claims:
            return True
        while not self._try_claim(key):
            if not wait:
                return False
            time.sleep(CLAIM_POLL_SECONDS)
        self._claims.add(key)
        return True

    def _try_claim(self, key: tuple[str, str, str]) -> bool:
        with self._errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT owner FROM claims WHERE path = ? AND sha256 = ? AND pipeline = ?",
                                       key).fetchone()
                if row is not None and _owner_alive(row[0]):
                    self._db.execute("ROLLBACK")
                    return False
                self._db.execute("INSERT OR REPLACE INTO claims (path, sha256, pipeline, owner) VALUES (?, ?, ?, ?)",
                                 (*key, _owner()))
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
        return True

    def release(self, path: str, sha256: str, pipeline: str) -> None:
        key = (path, sha256, pipeline)
        if key not in self._claims:
            return
        self._claims.discard(key)
        with self._errors():
            self._db.execute("DELETE FROM claims WHERE path = ? AND sha256 = ? AND pipeline = ? AND owner = ?",
                             (*key, _owner()))

    # --- plumbing -----------------------------------------------------------------------------------------

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error, StoreError):
            for key in list(self._claims):
                self.release(*key)
        with contextlib.suppress(sqlite3.Error):
            self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _rollback(self) -> None:
        if self._db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    def _errors(self) -> _SQLiteErrors:
        return _SQLiteErrors(self)

    def _error(self, exc: sqlite3.Error) -> StoreError:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        lowered = detail.lower()
        if _is_lock(exc):
            return StoreError(
                f"{self.location}: the store stayed locked by another cchc run for {self.timeout:g} s; "
                "try again when it ends (CCHC_DB_TIMEOUT sets the wait in seconds)"
            )
        if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
            return StoreError(f"{self.location}: not a cchc store or damaged ({detail}); pass another --db")
        if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered:
            return StoreError(f"{self.location}: cannot open the store for writing ({detail}); check its "
                              "permissions or pass another --db")
        if "disk" in lowered or "full" in lowered:
            return StoreError(f"{self.location}: cannot write the store ({detail}); free some space")
        return StoreError(f"{self.location}: store error: {detail}")


def _process_start(pid: int) -> str:
    """The start time of process `pid` (Linux), so that a reused pid is not taken for the claim's owner."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat_file:
            return stat_file.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return "0"


def _owner() -> str:
    """This process as the owner of a claim: host, pid and the pid's start time."""
    return f"{socket.gethostname()}:{os.getpid()}:{_process_start(os.getpid())}"


def _owner_alive(owner: str) -> bool:
    """Whether the run that took a claim still runs (a claim of another host is taken as alive: SQLite is not
    for several machines)."""
    host, _, rest = owner.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname():
        return True
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return _process_start(pid) == started


def _is_lock(exc: sqlite3.Error) -> bool:
    detail = str(exc).lower()
    return "locked" in detail or "busy" in detail


class _SQLiteErrors:
    """Turns sqlite3 errors raised inside the block into StoreErrors naming the store."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, sqlite3.Error):
            raise self.store._error(exc) from None
        return False
