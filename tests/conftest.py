"""Shared test set-up: no test touches a real ``./cchc.db``."""

import pytest


@pytest.fixture(autouse=True)
def _private_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # `cchc ingest` stores records (default ./cchc.db or $CCHC_DB): each test gets its own store, and the
    # subprocesses it starts inherit it. Tests that need a particular store pass --db.
    monkeypatch.setenv("CCHC_DB", str(tmp_path_factory.mktemp("store") / "cchc.db"))
    monkeypatch.delenv("CCHC_DB_TIMEOUT", raising=False)
