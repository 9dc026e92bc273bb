"""Shared test set-up: no test touches a real ``./cchc.db``; each sample is repaired and ingested once per run.

The samples are repaired once (:func:`repaired_samples`) and ingested once from those repairs
(:func:`sample_records`); stores holding them are written with the store's own writer, keyed as ``cchc
ingest`` keys a file (:func:`store_of`), so the tests of validate and export read what ingest stores without
repairing the samples again. ``cchc`` runs in-process through :func:`run_cli`.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cchc_cli.document import Edit, Flag, RepairResult

if TYPE_CHECKING:
    from cchc_cli.records import DocumentRecord

# (cchc's CLI, pipeline, records and store are imported where they are used: xdist's controller process, which
# runs no test, imports this file before it starts the workers, and need not load them)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
GOLD = ROOT / "tests" / "data" / "gold"
SEEDS = tuple(sorted(p.stem for p in SAMPLES.glob("*.txt")))


def pytest_configure(config: pytest.Config) -> None:
    _cache_bytecode_outside_the_checkout()


def _cache_bytecode_outside_the_checkout() -> None:
    """Let Python keep compiled bytecode, in a folder outside the checkout, where PYTHONDONTWRITEBYTECODE says
    not to write it beside the sources (this machine's environment and .ci/run set it). Without a cache every
    process compiles every module again, and pytest rewrites every test module's asserts again: about 3 s of
    collection in each xdist worker and 0.1-0.2 s in each of the ~60 `cchc` subprocesses the tests start.
    What runs is the same: Python checks each cached file against its source's size and time, as it does
    everywhere the variable is not set. Set here, before xdist starts its workers, so that they and every
    subprocess inherit it; PYTHONPYCACHEPREFIX, when set, chooses the folder."""
    if not sys.dont_write_bytecode and "PYTHONDONTWRITEBYTECODE" not in os.environ:
        return  # the usual __pycache__ folders
    prefix = os.environ.get("PYTHONPYCACHEPREFIX") or str(Path(tempfile.gettempdir()) / f"cchc-pycache-{os.getuid()}")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = prefix
    sys.pycache_prefix = prefix
    sys.dont_write_bytecode = False


@pytest.fixture(autouse=True)
def _private_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # `cchc ingest` stores records (default ./cchc.db or $CCHC_DB): each test gets its own store, and the
    # subprocesses it starts inherit it. Tests that need a particular store pass --db.
    monkeypatch.setenv("CCHC_DB", str(tmp_path_factory.mktemp("store") / "cchc.db"))
    monkeypatch.delenv("CCHC_DB_TIMEOUT", raising=False)
    # Nor does a user's ~/.config/cchc/config.toml change what a test sees (tests that need one make it).
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


def run_cli(capsysbinary: pytest.CaptureFixture[bytes], *argv: object) -> tuple[int, bytes, str]:
    """Run cchc in-process: (exit code, stdout bytes, stderr text)."""
    from cchc_cli.cli import main

    code = main([str(a) for a in argv])
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8")


@pytest.fixture(scope="session")
def repaired_samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RepairResult]:
    """Each sample repaired once: seed stem → result (in two forked processes where there are two cores: the
    engine is loaded here first and shared with them). Under pytest-xdist, once for all the workers: the first
    that asks repairs them and leaves them as JSON beside the workers' temporary folders for the others."""
    try:
        import fcntl
    except ImportError:  # not POSIX: each worker repairs them
        fcntl = None
    if os.environ.get("PYTEST_XDIST_WORKER") is None or fcntl is None:
        return _repair_samples()
    shared = tmp_path_factory.getbasetemp().parent / "repaired_samples.json"  # this run's, for all workers
    with open(shared.with_suffix(".lock"), "wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if shared.exists():
            return {seed: RepairResult(r["text"], [Edit(**e) for e in r["edits"]], [Flag(**f) for f in r["flags"]])
                    for seed, r in json.loads(shared.read_text("utf-8")).items()}
        repaired = _repair_samples()
        assert all(r.source is None for r in repaired.values())  # text files: nothing else to keep
        shared.write_text(json.dumps({seed: r.to_dict() for seed, r in repaired.items()}), "utf-8")
        return repaired


def _repair_samples() -> dict[str, RepairResult]:
    from cchc_cli.repair import repair_text

    texts = [(SAMPLES / f"{seed}.txt").read_text("utf-8") for seed in SEEDS]
    repair_text("")
    if "fork" not in multiprocessing.get_all_start_methods() or (os.cpu_count() or 1) < 2:
        return dict(zip(SEEDS, map(repair_text, texts), strict=True))
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        return dict(zip(SEEDS, pool.map(repair_text, texts), strict=True))


@pytest.fixture(scope="session")
def sample_records(repaired_samples: dict[str, RepairResult]) -> dict[str, list[DocumentRecord]]:
    """Each sample's records (source.path: the sample's absolute path), from its one repair."""
    from cchc_cli.document import Document
    from cchc_cli.pipeline import ingest_document

    out = {}
    for seed in SEEDS:
        path = SAMPLES / f"{seed}.txt"
        data = path.read_bytes()
        document = Document(data.decode("utf-8"), str(path), hashlib.sha256(data).hexdigest(),
                            repair=repaired_samples[seed])
        out[seed] = ingest_document(document)
    return out


def store_of(path: Path, sample_records: dict[str, list[DocumentRecord]], seeds: tuple[str, ...] = SEEDS) -> Path:
    """A store at `path` holding `seeds` as ``cchc ingest SAMPLES/<seed>.txt`` would store them."""
    from cchc_cli.resources import load_resources
    from cchc_cli.store import open_store

    store = open_store(path)
    try:
        for seed in seeds:
            file = SAMPLES / f"{seed}.txt"
            sha256 = hashlib.sha256(file.read_bytes()).hexdigest()
            records = [r.to_json_dict() for r in sample_records[seed]]
            store.store_file(str(file.resolve()), sha256, load_resources().version, records)
    finally:
        store.close()
    return path


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory, sample_records: dict[str, list[DocumentRecord]]) -> Path:
    """A store holding the five samples (read-only: copy it to change it)."""
    return store_of(tmp_path_factory.mktemp("samples") / "samples.db", sample_records)


# --- PostgreSQL ---------------------------------------------------------------------------------------------
# The tests of the team store run against a real server: $CCHC_TEST_POSTGRES (the URL of a role that may
# create databases, on a server of your own), else a throwaway server started here (tests/pg_server.py:
# initdb into a temporary folder, loopback only, stopped at the end), else they are skipped with the reason.


@pytest.fixture(scope="session")
def pg_server():
    """The server's admin URL and, when it is our own throwaway server, the Server (else None)."""
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install -e '.[dev]'")
    import pg_server as servers

    given = os.environ.get("CCHC_TEST_POSTGRES")
    if given:
        yield given, None
        return
    if servers.server_bin() is None:
        pytest.skip(servers.MISSING)
    server = servers.start_server(os.environ.get("CCHC_TEST_PG_DIR") or None)
    try:
        yield server.url, server
    finally:
        server.destroy()


_databases = iter(range(1, 1_000_000))


def database_url(admin_url: str, name: str) -> str:
    import psycopg

    params = psycopg.conninfo.conninfo_to_dict(admin_url)
    params["dbname"] = name
    user = params.get("user", "")
    password = f":{params['password']}" if params.get("password") else ""
    return f"postgresql://{user}{password}@{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}/{name}"


@pytest.fixture
def pg_url(pg_server) -> str:
    """The URL of a new, empty database on the test server (dropped afterwards)."""
    import psycopg

    admin_url, _ = pg_server
    name = f"cchc_test_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # our own name: digits and letters
    yield database_url(admin_url, name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store on each backend: an SQLite file's path, or a PostgreSQL database's URL."""
    if request.param == "sqlite":
        return str(tmp_path / "s.db")
    return request.getfixturevalue("pg_url")
