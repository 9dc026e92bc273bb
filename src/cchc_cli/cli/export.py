"""``cchc export [--db FILE] (--json | --jsonl | --csv) [--table TABLE] [-o FILE] [--excel] [--all-versions]``
and ``cchc schema``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import ExitCode, UsageError
from .common import guarded
from .options import AllVersions, Db, Help, Output, format_flag
from .streams import write_output


def register(app: typer.Typer) -> None:
    @app.command()
    def schema(output: Output = None, _help: Help = False) -> None:
        """Print the JSON Schema (draft 2020-12) of one record of 'cchc ingest --json'."""
        guarded(lambda: run_schema(output))

    @app.command()
    def export(
        db: Db = None,
        as_json: Annotated[bool, format_flag("json", "A JSON array of records (each valid against 'cchc schema').")]
        = False,
        as_jsonl: Annotated[bool, format_flag("jsonl", "One JSON record a line.")] = False,
        as_csv: Annotated[bool, format_flag("csv", "One flattened table (--table) for spreadsheets.")] = False,
        table: Annotated[str | None, typer.Option(
            "--table", metavar="TABLE",
            help="With --csv: documents (default), tasks, targets, references or responsibilities.")] = None,
        output: Output = None,
        excel: Annotated[bool, typer.Option(
            "--excel", help="With --csv: UTF-8 with a BOM, which Excel needs to read it.")] = False,
        all_versions: AllVersions = False,
        _help: Help = False,
    ) -> None:
        """Write the stored records as JSON, JSON Lines or CSV tables (the latest version of each document)."""
        guarded(lambda: run_export(db=db, as_json=as_json, as_jsonl=as_jsonl, as_csv=as_csv, table=table,
                                   output=output, excel=excel, all_versions=all_versions))


def check_output(output: Path | None, db: str | Path | None) -> None:
    """An ``-o`` that is a folder, the store or one of the files SQLite keeps beside it is a usage error."""
    from ..store import side_files

    if output is None:
        return
    if output.is_dir():
        raise UsageError(f"-o {output}: is a folder; give a file name")
    if output.resolve() in {path.resolve() for path in side_files(db)}:
        raise UsageError(f"-o {output}: is the store or one of its files; choose another file")


def check_not_a_source(output: Path | None, store: Any) -> None:
    """An ``-o`` that is a document ingested into `store` is a usage error: the export would replace it."""
    from ..io import path_text

    if output is not None and store.latest_ingest(path_text(output.resolve())) is not None:
        raise UsageError(f"-o {output}: is a document ingested into this store; choose another file")


def write_from_store(store: Any, output: Path | None, write: Any) -> int:
    """Write what `write(out)` prints from `store` to stdout or atomically to `output` (never over one of the
    store's own documents), then close the store."""
    try:
        check_not_a_source(output, store)
        write_output(write, output)
    finally:
        store.close()
    return ExitCode.OK


def run_export(*, db: str | Path | None = None, as_json: bool = False, as_jsonl: bool = False, as_csv: bool = False,
               table: str | None = None, output: Path | None = None, excel: bool = False,
               all_versions: bool = False) -> int:
    """``cchc export``: the stored records (latest version of each document) as JSON, JSONL or a CSV table,
    on stdout or atomically into `output`."""
    from .. import export
    from ..store import open_store

    if as_json + as_jsonl + as_csv != 1:
        raise UsageError("choose one output format: --json, --jsonl or --csv")
    if table is not None and not as_csv:
        raise UsageError("--table goes with --csv (the JSON formats hold whole records)")
    if excel and not as_csv:
        raise UsageError("--excel goes with --csv")
    table = table or "documents"
    if table not in export.TABLES:
        raise UsageError(f"--table {table}: choose one of {', '.join(export.TABLES)}")
    check_output(output, db)
    store = open_store(db, readonly=True)

    def write(out: Any) -> None:
        records = store.records(all_versions=all_versions)
        if as_json:
            export.write_json(records, out)
        elif as_jsonl:
            export.write_jsonl(records, out)
        else:
            export.write_csv(records, out, table, excel=excel)

    return write_from_store(store, output, write)


def run_schema(output: Path | None = None) -> int:
    """``cchc schema``: the JSON Schema of one DocumentRecord on stdout."""
    from ..records import document_record_schema

    text = json.dumps(document_record_schema(), ensure_ascii=False, indent=2) + "\n"
    write_output(lambda out: out.write(text.encode("utf-8")), output)
    return ExitCode.OK
