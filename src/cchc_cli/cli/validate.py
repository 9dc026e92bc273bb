"""``cchc validate [--db FILE] [RECORD_FILES...] [--json | --junit | --github | --format FORMAT] [-o FILE]
[--strict] [--all-versions]``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ExitCode, InputError, UsageError
from ..io import STDIN_LABEL
from .common import error, guarded
from .options import AllVersions, Db, Help, Output, format_flag
from .streams import read_stdin, write_output


def register(app: typer.Typer) -> None:
    @app.command()
    def validate(
        record_files: Annotated[list[str] | None, typer.Argument(
            metavar="RECORD_FILES",
            help="Record files to check instead of the store: a JSON array ('cchc ingest --json', "
                 "'cchc export --json') or JSON Lines ('cchc export --jsonl'); '-' reads stdin.",
            show_default=False)] = None,
        db: Db = None,
        as_json: Annotated[bool, format_flag("json", "The findings as a JSON array.")] = False,
        as_junit: Annotated[bool, format_flag("junit", "JUnit XML, one test case a document, for CI reports.")]
        = False,
        as_github: Annotated[bool, format_flag("github", "GitHub Actions annotations.")] = False,
        fmt: Annotated[str | None, typer.Option(
            "--format", metavar="FORMAT",
            help="table (default; a rich table on a terminal), json, junit or github: the same as the flags.")]
        = None,
        output: Output = None,
        strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
        all_versions: AllVersions = False,
        _help: Help = False,
    ) -> None:
        """Check records as a reviewer would: the schema, then rules with an id and a severity.

        Errors: schema, date-impossible, period-reversed, number-malformed, not-a-document. Warnings:
        date-future, date-missing, number-type-mismatch, section-order, task-stt-gap, task-no-lead,
        task-no-deadline, percent-range, low-confidence, extraction-note (the records' own notes).
        Without RECORD_FILES, the latest version of each document in the store is checked. Exit 0 when there
        are no errors (warnings allowed), 1 with errors (or any warning with --strict), 3 when a record file
        cannot be read (the others are still checked), 4 on a store error, 5 when the report cannot be
        written.
        """
        flags = [name for name, on in (("json", as_json), ("junit", as_junit), ("github", as_github)) if on]
        guarded(lambda: run_validate(list(record_files or []), db=db, fmt=_format(flags, fmt), output=output,
                                     strict=strict, all_versions=all_versions))


def _format(flags: list[str], fmt: str | None) -> str:
    """The one output format asked for (default: table)."""
    chosen = [*flags, *([fmt.lower()] if fmt else [])]
    if len(set(chosen)) > 1:
        raise UsageError("choose one output format: --json, --junit, --github or --format FORMAT")
    return chosen[0] if chosen else "table"


def run_validate(record_files: list[str], *, db: str | Path | None = None, fmt: str = "table",
                 output: Path | None = None, strict: bool = False, all_versions: bool = False) -> int:
    """``cchc validate``: check stored records (or RECORD_FILES) and write the findings (stdout or `output`)."""
    from ..validate import FORMATS, check_record, exit_code, read_record_file, render
    from .export import check_not_a_source, check_output

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt}: unknown format; choose one of {', '.join(FORMATS)}")
    check_output(output, db)
    documents = []
    unreadable = 0
    if record_files:
        if db is not None or all_versions:
            raise UsageError("RECORD_FILES are checked as given: --db and --all-versions apply to the store only")
        if record_files.count("-") > 1:
            raise UsageError("'-' (stdin) can be given once")
        if output is not None and output.resolve() in {Path(f).resolve() for f in record_files if f != "-"}:
            raise UsageError(f"-o {output}: is one of the record files checked; choose another file")
        for label in record_files:
            try:
                if label == "-":
                    label = STDIN_LABEL
                    records = read_record_file(label, read_stdin(label))
                else:
                    records = read_record_file(label)
            except InputError as exc:
                error(exc.message)
                unreadable += 1
                continue
            documents += [check_record(record, fallback_path=label, index=i)
                          for i, record in enumerate(records, start=1)]
    else:
        from ..store import open_store

        store = open_store(db, readonly=True)
        try:
            check_not_a_source(output, store)
            for stored in store.records(all_versions=all_versions):
                checked = check_record(stored.record, fallback_path=stored.path)
                if all_versions:
                    checked.label += f" v{stored.version}"
                documents.append(checked)
        finally:
            store.close()
    rich = fmt == "table" and output is None and sys.stdout is not None and sys.stdout.isatty()
    report = render(documents, fmt, strict=strict, rich=rich, cwd=os.getcwd())
    write_output(lambda out: out.write(report.encode("utf-8")), output)
    return ExitCode.INPUT if unreadable else exit_code(documents, strict=strict)
