"""``cchc worker --db postgresql://… [--jobs N] [--until-empty] [--lease SECONDS] [--attempts N]
[--dictionary FILE]... [--quiet]``: take files from the team's queue, ingest them into its store."""

from __future__ import annotations

import multiprocessing
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import CchcError, ExitCode, UsageError
from .common import error, guarded, say, stderr_is_terminal
from .options import Db, Dictionary, Help


def register(app: typer.Typer) -> None:
    @app.command()
    def worker(
        db: Db = None,
        jobs: Annotated[int, typer.Option("--jobs", "-j", metavar="N", help="Worker processes on this machine.")] = 1,
        until_empty: Annotated[bool, typer.Option(
            "--until-empty", help="Stop when nothing is waiting or in progress (instead of waiting for more).")]
        = False,
        lease: Annotated[float, typer.Option(
            "--lease", metavar="SECONDS",
            help="A file whose worker sent no heartbeat for this long goes back on the queue.")] = 60.0,
        attempts: Annotated[int, typer.Option(
            "--attempts", metavar="N", help="A file that failed (or lost its worker) N times is parked.")] = 3,
        dictionary: Dictionary = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Errors only on stderr.")] = False,
        _help: Help = False,
    ) -> None:
        """Ingest the files of the work queue ('cchc queue add') into the PostgreSQL store, on any machine."""
        guarded(lambda: run_worker(db=db, jobs=jobs, until_empty=until_empty, lease=lease, attempts=attempts,
                                   dictionaries=dictionary, quiet=quiet))


class _Report:
    """Counts what the worker processes did; a status line on a terminal, one-line summaries otherwise."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = stderr_is_terminal() and not quiet
        self.counts = dict.fromkeys(("stored", "unchanged", "retry", "parked", "documents"), 0)
        self.started = time.monotonic()

    def result(self, label: str, outcome: str, documents: int, message: str | None) -> None:
        """One job's `outcome`: stored, unchanged, retry (failed, back on the queue) or parked (for good)."""
        self.counts[outcome] += 1
        self.counts["documents"] += documents
        if message is not None:
            if self.tty:
                say("\r\x1b[K")
            text = message if message.startswith(label) else f"{label}: {message}"
            error(text + (" (parked: see 'cchc queue status')" if outcome == "parked" else " (to be retried)"))
        if self.tty:
            say(f"\rcchc: worker: {self.line()}")

    def line(self) -> str:
        c = self.counts
        return (f"{c['stored']} stored, {c['unchanged']} unchanged, {c['retry']} failed and retried, {c['parked']} "
                f"parked; {c['documents']} document(s); {time.monotonic() - self.started:.1f} s")

    def end(self, location: str) -> None:
        if self.tty:
            say("\r\x1b[K")
        if not self.quiet:
            say(f"cchc: worker: from the queue of {location}: {self.line()}\n")


def _child(url: str, lease: float, until_empty: bool, attempts: int, dictionaries: tuple[Path, ...],
           results: Any) -> None:
    """One worker process (forked after the model was loaded): its own connections; exit 4 on a store error."""
    from ..resources import load_resources
    from ..workers import _die_with_parent
    from ..workqueue import run_worker as work

    _die_with_parent()
    resources = load_resources(dictionaries)  # already loaded before the fork: shared
    try:
        work(url, resources, lease=lease, until_empty=until_empty, attempts=attempts,
             on_result=lambda *item: results.put(item))
    except CchcError as exc:
        error(exc.message)
        sys.exit(int(exc.exit_code))


def run_worker(*, db: str | Path | None = None, jobs: int = 1, until_empty: bool = False, lease: float = 60.0,
               attempts: int = 3, dictionaries: list[Path] | None = None, quiet: bool = False) -> int:
    from ..batch import _warm
    from ..workqueue import check_pipeline, ensure_queue_schema
    from ..workqueue import run_worker as work
    from .queue import team_store
    from .resources import resources_for

    if jobs < 1 or lease <= 0 or attempts < 1:
        raise UsageError("--jobs and --attempts take 1 or more, --lease a number of seconds over 0")
    resources = resources_for(dictionaries)
    store = team_store(db)
    try:
        ensure_queue_schema(store)
        check_pipeline(store, resources.version)
        url, location = store.url, store.location
    finally:
        store.close()
    report = _Report(quiet)
    if jobs == 1:
        work(url, resources, lease=lease, until_empty=until_empty, attempts=attempts,
             on_result=report.result)
        report.end(location)
        return ExitCode.INPUT if report.counts["parked"] else ExitCode.OK
    _warm(resources.dictionaries)  # loaded once here, shared by the forked workers
    context = multiprocessing.get_context("fork")
    results = context.SimpleQueue()
    args = (url, lease, until_empty, attempts, resources.dictionaries, results)
    children = [context.Process(target=_child, args=args) for _ in range(jobs)]
    for child in children:
        child.start()
    codes = _wait(children, results, report)
    report.end(location)
    if codes is None:
        error("interrupted: the workers finished the file they had; the rest stays on the queue")
        return ExitCode.INTERRUPTED
    if any(code == ExitCode.STORE for code in codes):
        return ExitCode.STORE
    return ExitCode.INPUT if report.counts["parked"] else ExitCode.OK


def _wait(children: list[Any], results: Any, report: _Report) -> list[int] | None:
    """The workers' exit codes once all have ended (None: Ctrl-C, after they finished their file)."""
    try:
        while any(child.is_alive() for child in children) or not results.empty():
            while not results.empty():
                report.result(*results.get())
            time.sleep(0.1)
    except KeyboardInterrupt:  # the workers finish their file and stop (procrastinate's signal handling)
        for child in children:
            child.join()
        return None
    return [child.exitcode or 0 for child in children]
