"""``cchc queue add PATH... --db postgresql://…``, ``cchc queue status``, ``cchc queue retry``: the team's work
queue (:mod:`cchc_cli.workqueue`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import ExitCode, UsageError
from .common import error, guarded, say
from .options import Db, Dictionary, Help, Include, format_flag
from .streams import write_output


def register(app: typer.Typer) -> None:
    queue = typer.Typer(name="queue", help="The work queue of a PostgreSQL store: add files, see, retry.",
                        no_args_is_help=True, add_completion=False, rich_markup_mode=None,
                        context_settings={"help_option_names": []})

    @queue.callback()
    def root(_help: Help = False) -> None:
        """The work queue of a team's PostgreSQL store ('cchc worker' takes its files)."""

    @queue.command(no_args_is_help=True)
    def add(
        paths: Annotated[list[str], typer.Argument(metavar="PATH", help="Files or folders (walked recursively).")],
        db: Db = None,
        include: Include = None,
        dictionary: Dictionary = None,
        force: Annotated[bool, typer.Option("--force", help="Queue files already stored unchanged too.")] = False,
        _help: Help = False,
    ) -> None:
        """Put files on the queue (their bytes, so workers need no shared disk), for the workers to ingest."""
        guarded(lambda: run_add(paths, db=db, include=include, dictionaries=dictionary, force=force))

    @queue.command()
    def status(
        db: Db = None,
        as_json: Annotated[bool, format_flag("json", "One JSON object: counts, parked files, pipelines.")] = False,
        _help: Help = False,
    ) -> None:
        """Counts of the queue's files (waiting, in progress, done, parked) and the parked ones with their errors."""
        guarded(lambda: run_status(db=db, as_json=as_json))

    @queue.command()
    def retry(db: Db = None, _help: Help = False) -> None:
        """Put the parked files back on the queue (one more attempt each)."""
        guarded(lambda: run_retry(db=db))

    app.add_typer(queue)


def team_store(db: str | Path | None) -> Any:
    """The PostgreSQL store `db` names (the queue lives there), or a usage error."""
    from ..store import open_store, resolve_db

    if not isinstance(resolve_db(db), str):
        raise UsageError("the work queue lives in a PostgreSQL store: pass --db postgresql://user@host/dbname "
                         "(or set CCHC_DB)")
    return open_store(db)


def run_add(paths: list[str], *, db: str | Path | None = None, include: str | None = None,
            dictionaries: list[Path] | None = None, force: bool = False) -> int:
    from ..batch import collect_inputs
    from ..workqueue import add_files
    from .resources import resources_for

    missing: list[str] = []

    def on_error(exc: Any) -> None:
        missing.append(exc.message)
        error(exc.message)

    if "-" in paths:
        raise UsageError("cchc queue add takes files and folders, not stdin")
    pipeline = resources_for(dictionaries).version
    inputs = collect_inputs(paths, include, on_error=on_error)
    store = team_store(db)
    try:
        summary = add_files(store, inputs, pipeline, force=force, on_refused=error)
        say(f"cchc: queue add: {summary.files} file(s) into {store.location}: {summary.queued} queued, "
            f"{summary.unchanged} unchanged, {summary.already} already queued, {summary.refused} refused\n")
    finally:
        store.close()
    return ExitCode.INPUT if summary.refused or missing else ExitCode.OK


def run_status(*, db: str | Path | None = None, as_json: bool = False) -> int:
    from ..workqueue import queue_status

    store = team_store(db)
    try:
        status = queue_status(store)
    finally:
        store.close()
    if as_json:
        payload = {"counts": status.counts, "parked": [{"file": f, "error": e} for f, e in status.parked],
                   "pipelines": status.pipelines}
        text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    else:
        counts = status.counts
        lines = [f"waiting {counts['waiting']}, in progress {counts['in_progress']}, done {counts['done']}, "
                 f"parked {counts['parked']}"]
        lines += [f"parked: {error_line}" if error_line.startswith(label) else f"parked: {label}: {error_line}"
                  for label, error_line in status.parked]
        lines += [f"pipeline {name}: {count} waiting or in progress" for name, count in status.pipelines.items()]
        text = "\n".join(lines) + "\n"
    write_output(lambda out: out.write(text.encode("utf-8")))
    return ExitCode.OK


def run_retry(*, db: str | Path | None = None) -> int:
    from ..workqueue import retry_parked

    store = team_store(db)
    try:
        count = retry_parked(store)
        say(f"cchc: queue retry: {count} parked file(s) back on the queue of {store.location}\n")
    finally:
        store.close()
    return ExitCode.OK
