"""The team's store: PostgreSQL behind ``--db postgresql://user@host:5432/dbname`` (or ``CCHC_DB=postgresql://…``).

The same :class:`~cchc_cli.store.Store` protocol and semantics as the SQLite store (versions per file key and
position, unchanged files skipped, ``force``, every version kept, one transaction per file), through psycopg 3
(the optional extra ``cchc[postgres]``). libpq reads the standard environment variables (``PGHOST``,
``PGPASSWORD``, ``PGSSLMODE`` …) and ``~/.pgpass`` itself; every URL parameter (``sslmode``, ``sslrootcert`` …)
is passed through.

Everything lives in the database schema ``cchc`` (a database can be shared with other programs by creating
that schema empty first): ``migrations`` (the schema steps applied, so a store made by a newer cchc is
refused), ``ingests``, ``documents`` (each record as ``jsonb`` plus indexed columns: doc_type, issuer, level,
province, date, period) and ``tasks`` (area, lead unit, deadline), and the work queue's tables
(:mod:`cchc_cli.workqueue`). Values reach SQL only as parameters.

Concurrent runs: a writer serialises the versions of one file with a transaction-level advisory lock on its
key; a run *claims* a (file key, sha256, pipeline) with a session-level advisory lock before doing the work,
so two runs given the same file do it once (the lock goes with the session: a run killed or a machine lost
releases its claims).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .errors import StoreError
from .store import IngestInfo, IngestRow, StoredFile, StoredRecord, _now

if TYPE_CHECKING:
    import psycopg

__all__ = ["MIGRATIONS", "SCHEMA", "PostgresStore", "connect", "is_postgres_url", "mask_url", "psycopg_module"]

SCHEMA = "cchc"
URL_SCHEMES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT = 10
# Advisory lock classes (the first key of pg_advisory_lock(int, int)): "cchc", then one per use.
_CLAIM_CLASS = 0x63636863
_PATH_CLASS = _CLAIM_CLASS + 1
_MIGRATE_CLASS = _CLAIM_CLASS + 2

# Ordered schema steps (the same rule as SQLite's: append, never edit a shipped step). Identifiers are our own
# constants; values are always parameters.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE cchc.ingests (
            id bigserial PRIMARY KEY,
            path text NOT NULL,
            sha256 text NOT NULL,
            pipeline text NOT NULL,
            ingested_at text NOT NULL,
            document_count integer NOT NULL
        )""",
        "CREATE INDEX ingests_by_path ON cchc.ingests (path, id)",
        """CREATE TABLE cchc.documents (
            path text NOT NULL,
            position integer NOT NULL,
            version integer NOT NULL,
            ingest_id bigint NOT NULL REFERENCES cchc.ingests (id),
            document_id text NOT NULL,
            record jsonb NOT NULL,
            doc_type text,
            issuer text,
            level text,
            province text,
            date text,
            period_from text,
            period_to text,
            PRIMARY KEY (path, position, version)
        )""",
        "CREATE INDEX documents_by_ingest ON cchc.documents (ingest_id)",
        "CREATE INDEX documents_by_doc_type ON cchc.documents (doc_type)",
        "CREATE INDEX documents_by_issuer ON cchc.documents (issuer)",
        "CREATE INDEX documents_by_level ON cchc.documents (level)",
        "CREATE INDEX documents_by_province ON cchc.documents (province)",
        "CREATE INDEX documents_by_date ON cchc.documents (date)",
        "CREATE INDEX documents_by_period ON cchc.documents (period_from, period_to)",
        """CREATE TABLE cchc.tasks (
            path text NOT NULL,
            position integer NOT NULL,
            version integer NOT NULL,
            n integer NOT NULL,
            area text,
            lead_unit text,
            lead_units text[] NOT NULL,
            deadline_from text,
            deadline_to text,
            PRIMARY KEY (path, position, version, n),
            FOREIGN KEY (path, position, version) REFERENCES cchc.documents (path, position, version)
        )""",
        "CREATE INDEX tasks_by_area ON cchc.tasks (area)",
        "CREATE INDEX tasks_by_lead_unit ON cchc.tasks (lead_unit)",
        "CREATE INDEX tasks_by_lead_units ON cchc.tasks USING gin (lead_units)",
        "CREATE INDEX tasks_by_deadline ON cchc.tasks (deadline_to)",
        # the work queue's bytes, by sha256 (procrastinate's job arguments are JSON)
        """CREATE TABLE cchc.queue_files (
            sha256 text PRIMARY KEY,
            data bytea NOT NULL,
            added_at timestamptz NOT NULL DEFAULT now()
        )""",
        """CREATE TABLE cchc.queue_errors (
            job_id bigint PRIMARY KEY,
            error text NOT NULL,
            at timestamptz NOT NULL DEFAULT now()
        )""",
    ),
)


# --- URLs and connections ------------------------------------------------------------------------------------


def is_postgres_url(db: object) -> bool:
    return isinstance(db, str) and db.startswith(URL_SCHEMES)


_URL_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/@\s]*:)([^@\s]*)(@)")
_PARAM_PASSWORD = re.compile(r"((?:^|[?&\s])password=)([^&\s]*)", re.IGNORECASE)


def mask_url(text: str) -> str:
    """`text` with the password of every PostgreSQL URL in it (``user:PASSWORD@``, ``password=…``) as ``***``."""
    return _PARAM_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***\3", text))


def psycopg_module() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError("PostgreSQL stores need psycopg: pip install 'cchc[postgres]'") from None
    return psycopg


def _endpoint(url: str) -> str:
    """host:port the URL (or libpq's environment) names, for messages."""
    psycopg = psycopg_module()
    try:
        params = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        params = {}
    host = str(params.get("host") or os.environ.get("PGHOST") or "localhost")
    port = str(params.get("port") or os.environ.get("PGPORT") or "5432")
    return f"{host}:{port}"


def connect(url: str, *, readonly: bool = False) -> psycopg.Connection[Any]:
    """A connection (autocommit; transactions opened explicitly) or a StoreError naming host and port, the
    password masked."""
    psycopg = psycopg_module()
    location = mask_url(url)
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT, application_name="cchc")
    except psycopg.ProgrammingError as exc:  # a URL libpq cannot parse
        raise StoreError(f"{location}: not a usable PostgreSQL URL ({_detail(exc, url)}); use "
                         "postgresql://user@host:5432/dbname") from None
    except psycopg.OperationalError as exc:
        detail = _detail(exc, url)
        where = _endpoint(url)
        if "password authentication failed" in detail or "no password supplied" in detail:
            raise StoreError(f"{location}: PostgreSQL at {where} refused the password ({detail}); check the "
                             "URL, PGPASSWORD or ~/.pgpass") from None
        if "does not exist" in detail:
            raise StoreError(f"{location}: PostgreSQL at {where}: {detail}; create it (createdb) or pass another "
                             "--db") from None
        raise StoreError(f"{location}: cannot connect to PostgreSQL at {where} ({detail}); check that the server "
                         "runs and the URL, or pass another --db") from None
    if readonly:
        conn.read_only = True
    return conn


def _detail(exc: BaseException, url: str) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = text.removeprefix("connection failed: ")
    psycopg = psycopg_module()
    with contextlib.suppress(psycopg.ProgrammingError):
        password = psycopg.conninfo.conninfo_to_dict(url).get("password")
        if password:
            text = text.replace(str(password), "***")
    return mask_url(text)


def _key32(*parts: str) -> int:
    """A signed 32-bit key for an advisory lock (a collision only makes two claims wait for each other)."""
    digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


# --- the key order of records --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _record_schema() -> dict[str, Any]:
    from .records import document_record_schema

    return document_record_schema()


def in_record_order(value: Any, node: dict[str, Any] | None = None) -> Any:
    """A record read back from ``jsonb`` (which keeps its keys in its own order) with its keys in the order of
    the record's schema, as ``cchc ingest`` wrote it; keys the schema does not name follow in their order."""
    schema = _record_schema()
    node = schema if node is None else node
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    if isinstance(value, dict):
        properties = node.get("properties") or {}
        if not properties and "anyOf" in node:
            options = [o for o in node["anyOf"] if o.get("type") != "null"]
            return in_record_order(value, options[0]) if options else value
        ordered = {key: in_record_order(value[key], properties[key]) for key in properties if key in value}
        ordered.update((key, item) for key, item in value.items() if key not in ordered)
        return ordered
    if isinstance(value, list):
        if "anyOf" in node:
            options = [o for o in node["anyOf"] if o.get("type") == "array"]
            node = options[0] if options else node
        items = node.get("items") or {}
        return [in_record_order(item, items) if isinstance(items, dict) else item for item in value]
    return value


# --- the store -------------------------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _document_columns(record: dict[str, Any]) -> tuple[str | None, ...]:
    issuer = record.get("issuer") if isinstance(record.get("issuer"), dict) else {}
    period = record.get("period") if isinstance(record.get("period"), dict) else {}
    return (_text(record.get("doc_type")), _text(issuer.get("name")), _text(issuer.get("level")),
            _text(issuer.get("province")), _text(record.get("date")), _text(period.get("from")),
            _text(period.get("to")))


def _task_rows(record: dict[str, Any], key: tuple[str, int, int]) -> Iterator[tuple[Any, ...]]:
    for n, task in enumerate(record.get("tasks") or ()):
        if not isinstance(task, dict):
            continue
        deadline = task.get("deadline") if isinstance(task.get("deadline"), dict) else {}
        yield (*key, n, _text(task.get("area")), _text(task.get("lead_unit")),
               [str(u) for u in task.get("lead_units") or ()], _text(deadline.get("from")), _text(deadline.get("to")))


class PostgresStore:
    """The shared store: one PostgreSQL database, opened by every cchc process of a team."""

    def __init__(self, url: str, *, readonly: bool = False) -> None:
        self.url = url
        self.location = mask_url(url)
        self.readonly = readonly
        self.psycopg = psycopg_module()
        self._db = connect(url, readonly=readonly)
        self._claims: set[tuple[int, int]] = set()
        try:
            with self._errors():
                self._setup()
        except BaseException:
            self.close()
            raise

    # --- setup --------------------------------------------------------------------------------------------

    def _step(self) -> int | None:
        """The schema steps applied; None when the database has no cchc schema."""
        found = self._db.execute("SELECT to_regclass('cchc.migrations') IS NOT NULL, "
                                 "EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)", (SCHEMA,)).fetchone()
        assert found is not None
        has_migrations, has_schema = found
        if not has_schema:
            return None
        if not has_migrations:
            tables = self._db.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", (SCHEMA,)).fetchone()
            if tables and tables[0]:
                raise StoreError(f"{self.location}: a PostgreSQL database whose schema 'cchc' is not a cchc store; "
                                 "pass another --db")
            return 0
        row = self._db.execute("SELECT coalesce(max(step), 0) FROM cchc.migrations").fetchone()
        return int(row[0]) if row else 0

    def _setup(self) -> None:
        step = self._step()
        if step is not None and step > len(MIGRATIONS):
            raise StoreError(f"{self.location}: made by a newer cchc (schema step {step}, this one knows "
                             f"{len(MIGRATIONS)}); upgrade cchc or pass another --db")
        if self.readonly:
            if not step:
                raise StoreError(f"{self.location}: not a cchc store (no cchc schema in this database); run "
                                 "'cchc ingest --db URL' first or pass another --db")
            if step < len(MIGRATIONS):
                raise StoreError(f"{self.location}: a store of an older cchc; run 'cchc ingest' on it once to "
                                 "upgrade it")
            return
        if step != len(MIGRATIONS):
            self._migrate()

    def _refuse_foreign_database(self) -> None:
        row = self._db.execute(
            "SELECT string_agg(schemaname || '.' || tablename, ', ' ORDER BY schemaname, tablename) "
            "FROM (SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') LIMIT 3) AS t").fetchone()
        if row and row[0]:
            raise StoreError(f"{self.location}: a PostgreSQL database that is not a cchc store (it holds {row[0]} "
                             "…); create a database for cchc (createdb), or 'CREATE SCHEMA cchc' in this one to "
                             "share it")

    def _migrate(self) -> None:
        from .version import __version__

        with self._db.transaction():
            # One migrating run at a time; the others read the step again after it.
            self._db.execute("SELECT pg_advisory_xact_lock(%s, 0)", (_MIGRATE_CLASS,))
            # read under the lock: a run that migrated meanwhile has left a cchc store, not a foreign database
            step = self._step()
            if step is None:
                self._refuse_foreign_database()
            self._db.execute("CREATE SCHEMA IF NOT EXISTS cchc")
            current = step or 0
            if current > len(MIGRATIONS):
                raise StoreError(f"{self.location}: made by a newer cchc (schema step {current}); upgrade cchc")
            if current == 0:
                self._db.execute("CREATE TABLE cchc.migrations (step integer PRIMARY KEY, cchc_version text NOT "
                                 "NULL, applied_at timestamptz NOT NULL DEFAULT now())")
            for step in range(current, len(MIGRATIONS)):
                for statement in MIGRATIONS[step]:
                    self._db.execute(statement)
                self._db.execute("INSERT INTO cchc.migrations (step, cchc_version) VALUES (%s, %s)",
                                 (step + 1, __version__))

    # --- reading ------------------------------------------------------------------------------------------

    _SELECT = ("SELECT d.record, d.path, d.position, d.version, i.ingested_at "
               "FROM cchc.documents AS d JOIN cchc.ingests AS i ON i.id = d.ingest_id ")
    _LATEST = "i.id = (SELECT max(l.id) FROM cchc.ingests AS l WHERE l.path = d.path)"

    def records(self, *, all_versions: bool = False) -> Iterator[StoredRecord]:
        where = "" if all_versions else f"WHERE {self._LATEST} "
        yield from self._rows(self._SELECT + where + "ORDER BY d.path, d.position, d.version", ())

    def file_records(self, paths: Iterable[str]) -> Iterator[StoredRecord]:
        query = self._SELECT + f"WHERE d.path = %s AND {self._LATEST} ORDER BY d.position, d.version"
        for path in paths:
            yield from self._rows(query, (path,))

    def _rows(self, query: str, params: tuple[Any, ...]) -> Iterator[StoredRecord]:
        with self._errors(), self._db.transaction(), self._db.cursor(name="cchc_records") as cursor:
            cursor.itersize = 256  # a server-side cursor: a large store is never held in memory whole
            cursor.execute(query, params)
            for record, path, position, version, ingested_at in cursor:
                yield StoredRecord(in_record_order(record), path, position, version, ingested_at)

    def latest_ingest(self, path: str) -> IngestInfo | None:
        with self._errors():
            row = self._db.execute("SELECT sha256, pipeline, ingested_at, document_count FROM cchc.ingests "
                                   "WHERE path = %s ORDER BY id DESC LIMIT 1", (path,)).fetchone()
        return IngestInfo(*row) if row else None

    def counts(self) -> dict[str, int]:
        """Files, ingests, latest documents and document versions held (for summaries and tests)."""
        with self._errors():
            files, ingests = self._db.execute("SELECT count(DISTINCT path), count(*) FROM cchc.ingests").fetchone()
            latest = self._db.execute(f"SELECT count(*) FROM cchc.documents AS d JOIN cchc.ingests AS i "
                                      f"ON i.id = d.ingest_id WHERE {self._LATEST}").fetchone()[0]
            versions = self._db.execute("SELECT count(*) FROM cchc.documents").fetchone()[0]
        return {"files": files, "ingests": ingests, "documents": latest, "versions": versions}

    def ingests(self) -> list[tuple[str, str]]:
        """(path, pipeline) of every ingest, oldest first (for tests and ``cchc store copy``)."""
        with self._errors():
            return [tuple(row) for row in self._db.execute("SELECT path, pipeline FROM cchc.ingests ORDER BY id")]

    # --- claims -------------------------------------------------------------------------------------------

    def claim(self, path: str, sha256: str, pipeline: str, *, wait: bool = False) -> bool:
        """Claim the work on this content of `path` by `pipeline` for this run: False when another run holds
        it (with `wait`, wait until it lets go). Held until :meth:`release`, or the end of the session."""
        key = (_CLAIM_CLASS, _key32(path, sha256, pipeline))
        if key in self._claims:
            return True
        with self._errors():
            if wait:
                self._db.execute("SELECT pg_advisory_lock(%s, %s)", key)
            else:
                row = self._db.execute("SELECT pg_try_advisory_lock(%s, %s)", key).fetchone()
                if not (row and row[0]):
                    return False
        self._claims.add(key)
        return True

    def release(self, path: str, sha256: str, pipeline: str) -> None:
        key = (_CLAIM_CLASS, _key32(path, sha256, pipeline))
        if key in self._claims:
            self._claims.discard(key)
            with self._errors():
                self._db.execute("SELECT pg_advisory_unlock(%s, %s)", key)

    # --- writing ------------------------------------------------------------------------------------------

    def history(self) -> Iterator[tuple[IngestRow, list[dict[str, Any]]]]:
        """Every ingest, oldest first, with its documents in order (for ``cchc store copy``)."""
        with self._errors():
            rows = self._db.execute("SELECT id, path, sha256, pipeline, ingested_at FROM cchc.ingests "
                                    "ORDER BY id").fetchall()
            for ingest_id, path, sha256, pipeline, ingested_at in rows:
                records = self._db.execute("SELECT record FROM cchc.documents WHERE ingest_id = %s ORDER BY "
                                           "position", (ingest_id,)).fetchall()
                yield IngestRow(path, sha256, pipeline, ingested_at), [in_record_order(r[0]) for r in records]

    def has_ingest(self, row: IngestRow) -> bool:
        with self._errors():
            return self._db.execute("SELECT 1 FROM cchc.ingests WHERE path = %s AND sha256 = %s AND pipeline = %s "
                                    "AND ingested_at = %s", tuple(row)).fetchone() is not None

    def store_file(
        self, path: str, sha256: str, pipeline: str, records: Iterable[dict[str, Any]], *, force: bool = False,
        ingested_at: str | None = None,
    ) -> StoredFile:
        with self._errors(), self._db.transaction():
            # Writers of one file take turns (its version numbers); other files are written side by side.
            self._db.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_PATH_CLASS, _key32(path)))
            latest = self.latest_ingest(path)
            if not force and latest is not None and (latest.sha256, latest.pipeline) == (sha256, pipeline):
                return StoredFile("unchanged", latest.document_count)
            row = self._db.execute(
                "INSERT INTO cchc.ingests (path, sha256, pipeline, ingested_at, document_count) "
                "VALUES (%s, %s, %s, %s, 0) RETURNING id", (path, sha256, pipeline, ingested_at or _now())).fetchone()
            assert row is not None
            ingest_id = row[0]
            versions = dict(self._db.execute("SELECT position, max(version) FROM cchc.documents WHERE path = %s "
                                             "GROUP BY position", (path,)).fetchall())
            count = self._insert(path, ingest_id, versions, records)
            self._db.execute("UPDATE cchc.ingests SET document_count = %s WHERE id = %s", (count, ingest_id))
        return StoredFile("stored", count)

    def _insert(self, path: str, ingest_id: int, versions: dict[int, int], records: Iterable[dict[str, Any]]) -> int:
        jsonb = self.psycopg.types.json.Jsonb
        count = 0
        with self._db.cursor() as cursor:
            for position, record in enumerate(records):
                count += 1
                version = versions.get(position, 0) + 1
                cursor.execute(
                    "INSERT INTO cchc.documents (path, position, version, ingest_id, document_id, record, doc_type, "
                    "issuer, level, province, date, period_from, period_to) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (path, position, version, ingest_id, str(record.get("id", "")), jsonb(record),
                     *_document_columns(record)))
                tasks = list(_task_rows(record, (path, position, version)))
                if tasks:
                    cursor.executemany(
                        "INSERT INTO cchc.tasks (path, position, version, n, area, lead_unit, lead_units, "
                        "deadline_from, deadline_to) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", tasks)
        return count

    # --- plumbing -----------------------------------------------------------------------------------------

    @property
    def connection(self) -> psycopg.Connection[Any]:
        """The store's connection (the work queue writes its bookkeeping through it)."""
        return self._db

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._db.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _errors(self) -> _PostgresErrors:
        return _PostgresErrors(self)

    def error(self, exc: BaseException) -> StoreError:
        psycopg = self.psycopg
        detail = _detail(exc, self.url)
        if isinstance(exc, psycopg.errors.InsufficientPrivilege | psycopg.errors.ReadOnlySqlTransaction) \
                and not self.readonly:
            user = self._db.info.user if not self._db.closed else "this role"
            return StoreError(f"{self.location}: the role {user} may not write to this store ({detail}); use a role "
                              "with the writer grants (README: the team store)")
        if isinstance(exc, psycopg.errors.InsufficientPrivilege):
            return StoreError(f"{self.location}: the role may not read this store ({detail}); grant it the reader "
                              "role (README: the team store)")
        if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
            return StoreError(f"{self.location}: lost the connection to PostgreSQL at {_endpoint(self.url)} "
                              f"({detail}); nothing of the file in progress was stored; run the same command again "
                              "when the server is back")
        return StoreError(f"{self.location}: store error: {detail}")


class _PostgresErrors:
    """Turns psycopg errors raised inside the block into StoreErrors naming the store (password masked)."""

    def __init__(self, store: PostgresStore) -> None:
        self.store = store

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, self.store.psycopg.Error):
            raise self.store.error(exc) from None
        return False
