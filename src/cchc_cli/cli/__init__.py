"""The ``cchc`` command line: argument parsing, rendering and exit codes only; the work is the library's.

One module per command (:mod:`.repair`, :mod:`.ingest`, :mod:`.export` with ``schema``, :mod:`.validate`), the
options they share (:mod:`.options`), stdin and stdout (:mod:`.streams`), the app and its entry point
(:mod:`.app`).
"""

from __future__ import annotations

from typing import Any

from .app import build_app, entry, main

__all__ = ["build_app", "entry", "main"]


def __getattr__(name: str) -> Any:
    # `from cchc_cli.cli import app` (typer.testing.CliRunner, docs tools) builds the app on demand.
    if name == "app":
        return build_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
