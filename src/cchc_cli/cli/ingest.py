"""``cchc ingest PATH... [--db FILE] [--jobs N] [--include GLOB] [--files-from FILE|-] [--dictionary FILE]...
[--encoding ENC] [--ocr auto|always|never] [--password PW] [--force] [--json] [--quiet] [--fail-fast]``."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ExitCode, UsageError
from ..io import STDIN_LABEL
from .common import error, guarded
from .options import Db, Dictionary, Encoding, Help, Include, Ocr, Password, Quiet, format_flag, jobs_option
from .streams import read_stdin, write_output


def register(app: typer.Typer) -> None:
    @app.command()
    def ingest(
        paths: Annotated[list[str] | None, typer.Argument(
            metavar="PATH", show_default=False,
            help="Text, PDF, image or DOCX files, or folders (walked recursively); '-' reads one document from "
                 "stdin.")] = None,
        db: Db = None,
        jobs: Annotated[int | None, jobs_option("Worker processes (default: the machine's cores).")] = None,
        include: Include = None,
        files_from: Annotated[str | None, typer.Option(
            "--files-from", metavar="FILE",
            help="Also ingest the paths listed in FILE ('-': stdin), one a line; blank lines and # comments are "
                 "skipped.")] = None,
        dictionary: Dictionary = None,
        encoding: Encoding = None,
        ocr: Ocr = "auto",
        password: Password = None,
        force: Annotated[bool, typer.Option(
            "--force", help="Re-process files already stored unchanged (adds a new version).")] = False,
        as_json: Annotated[bool, format_flag(
            "json", "Also print the records of the files named (just made or already stored) as one JSON array "
                    "on stdout, in input order.")] = False,
        output: Annotated[Path | None, typer.Option(
            "--output", "-o", metavar="FILE", help="Write the records (as --json prints them) to FILE, "
                                                   "atomically; implies --json.")] = None,
        quiet: Quiet = False,
        fail_fast: Annotated[bool, typer.Option(
            "--fail-fast", help="Stop at the first file that cannot be read (exit 3).")] = False,
        _help: Help = False,
    ) -> None:
        """Read OCR'd document files into the record store: repair, segment, extract.

        Each file's documents are stored in one transaction (--db, default ./cchc.db); a file already stored
        with the same content by the same pipeline version is skipped (--force re-processes it), a changed
        one adds a new version. Files that cannot be read are reported and the others still stored (exit 3).
        """
        guarded(lambda: run_ingest(list(paths or []), as_json=as_json or output is not None, output=output,
                                   dictionaries=dictionary, encoding=encoding,
                                   db=db, jobs=jobs, include=include, files_from=files_from, force=force,
                                   quiet=quiet, fail_fast=fail_fast, ocr=ocr, password=password))


def _names(paths: list[str], files_from: str | None) -> list[str]:
    """The inputs named on the command line and in the --files-from list."""
    from ..batch import read_files_from

    if files_from == "-" and "-" in paths:
        raise UsageError("stdin can carry a document ('-') or the --files-from list, not both")
    listed: list[str] = []
    if files_from is not None:
        # A '-' listed in a file names a file called '-', not stdin.
        listed = [os.path.join(".", p) if p == "-" else p
                  for p in read_files_from(files_from, lambda: read_stdin(STDIN_LABEL))]
    names = [*paths, *listed]
    if not names:
        raise UsageError("ingest: PATH is missing: give files, folders, '-' for stdin, or --files-from FILE; see "
                         "'cchc ingest --help'")
    return names


def run_ingest(paths: list[str], *, as_json: bool = False, dictionaries: list[Path] | None = None,
               encoding: str | None = None, db: str | Path | None = None, jobs: int | None = None,
               include: str | None = None, files_from: str | None = None, force: bool = False,
               quiet: bool = False, fail_fast: bool = False, ocr: str = "auto", password: str | None = None,
               output: Path | None = None) -> int:
    """``cchc ingest``: files, folders and stdin into the record store (:mod:`cchc_cli.batch`); with ``--json``
    the records of the files named, as one JSON array on stdout. Returns the exit code: 3 when some input could
    not be read (the others are stored), 70 when a file hit a bug of ours; store errors raise StoreError (4)."""
    from ..batch import collect_inputs, ingest_batch
    from ..decode.source import SourceOptions
    from ..store import open_store
    from .ingest_report import IngestReport
    from .resources import checked_encoding, resources_for

    encoding = checked_encoding(encoding)
    options = SourceOptions(ocr=ocr, password=password)
    resources = resources_for(dictionaries)
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs {jobs}: give a number of worker processes, 1 or more")
    names = _names(paths, files_from)
    started = time.monotonic()
    report = IngestReport(quiet=quiet)
    stdin = read_stdin(STDIN_LABEL) if "-" in paths else None
    inputs = collect_inputs(names, include, stdin=stdin, on_error=report.missing, on_skip=report.skip,
                            on_duplicate=report.duplicate)
    if report.missing_inputs and fail_fast:
        return ExitCode.INPUT
    report.single = len(inputs) + report.missing_inputs == 1
    store = open_store(db)
    try:
        report.begin(len(inputs))
        summary = ingest_batch(inputs, store, resources=resources, encoding=encoding, force=force, jobs=jobs,
                               fail_fast=fail_fast, on_outcome=report.outcome, on_progress=report.progress,
                               options=options)
        report.end()
        if summary.interrupted:
            error(f"interrupted: {summary.stored} file(s) stored; run the same command again to finish")
            return ExitCode.INTERRUPTED
        report.summary(summary, time.monotonic() - started, store.location, include)
        if as_json:
            done = [item.key for item in inputs if item.key in report.ok_keys]
            payload = [stored.record for stored in store.file_records(done)]
            text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
            write_output(lambda out: out.write(text.encode()), output)
    finally:
        report.end()
        store.close()
    if summary.internal:
        return ExitCode.INTERNAL
    if summary.failed or report.missing_inputs or report.empty_folders:  # a folder of nothing to read: noticed
        return ExitCode.INPUT
    return ExitCode.OK
