"""The ``cchc`` command line: arguments, batches of files, rendering and exit codes. The work on a document
is done by the library: decode.py (bytes → text), repair (text → text + edits), io.py (files in and out).

Startup is kept fast (``cchc --version`` and ``--help`` answer in well under 0.3 s): nothing heavy is imported
at module level. ``--version`` is answered before typer is even imported; typer is imported when the app is
built, rich only to draw an ``--explain`` table on a terminal, and the repair engine only when a document is
actually repaired.

Commands: ``repair`` (issue 2), ``ingest`` and ``schema`` (issue 3). ``validate`` and ``export`` (issue 4) are to be
registered in :func:`build_app` the same way, sharing the options defined once below (``--dictionary``,
``--encoding``, ``--include``, ``--json``) and the exit codes of :class:`cchc_cli.errors.ExitCode`.
"""

import contextlib
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, BinaryIO, NoReturn

from . import __version__
from .errors import CchcError, ExitCode, InputError, UsageError

if TYPE_CHECKING:
    import typer

    from .repair import RepairResult

__all__ = ["STREAM_THRESHOLD", "build_app", "main", "run_export", "run_ingest", "run_repair", "run_schema",
           "run_validate"]

PROG = "cchc"
# Inputs larger than this are repaired as a stream of lines (repair_lines): memory stays bounded by the
# model, not the file. --json and --explain need the whole edit log and always read the whole file.
STREAM_THRESHOLD = 5 * 1024 * 1024
STDIN_LABEL = "<stdin>"


@dataclass
class _State:
    debug: bool = False


_state = _State()


# --- entry point -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run ``cchc`` with `argv` (default: ``sys.argv[1:]``) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    _state.debug = False
    if args in (["--version"], ["-V"]):
        _print_version()
        return ExitCode.OK
    app = build_app()
    try:
        app(args=args, prog_name=PROG, standalone_mode=True)
    except SystemExit as exc:
        return _exit_status(exc.code)
    except Exception as exc:  # errors raised outside a command body (commands handle their own)
        return _report_exception(exc)
    return ExitCode.OK


def _exit_status(code: object) -> int:
    if code is None:
        return ExitCode.OK
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return ExitCode.USAGE


def _print_version() -> None:
    print(f"{PROG} {__version__}")


def _error(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def _report_exception(exc: BaseException) -> int:
    """One line for a user error; one line (or with --debug the traceback) for a bug, exit 70."""
    if isinstance(exc, CchcError):
        _error(exc.message)
        return int(exc.exit_code)
    if _state.debug:
        traceback.print_exception(exc, file=sys.stderr)
    else:
        detail = " ".join(str(exc).split()) or "no message"
        _error(
            f"internal error: {type(exc).__name__}: {detail} (run with --debug for the traceback)"
        )
    return ExitCode.INTERNAL


def _guarded(body: Callable[[], int]) -> NoReturn:
    """Run a command body and leave with its exit code, turning exceptions into one-line messages."""
    import typer

    try:
        code = body()
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        code = _report_exception(exc)
    raise typer.Exit(int(code))


# --- the typer app ---------------------------------------------------------------------------------------


def build_app() -> "typer.Typer":
    """The typer application (built on demand so that importing this module stays cheap)."""
    import typer

    app = typer.Typer(
        name=PROG,
        help="Repair OCR'd Vietnamese administrative-reform (CCHC) documents.",
        epilog=(
            "Exit codes: 0 ok; 1 findings; 2 usage error; 3 an input could not be read "
            "(the others were processed); 4 store error; 70 internal error."
        ),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        # Our own --help (below): typer's built-in one builds a pydantic validator at every start (~0.15 s).
        context_settings={"help_option_names": []},
    )

    def show_help(ctx: typer.Context, value: bool) -> None:
        if value and not ctx.resilient_parsing:
            typer.echo(ctx.get_help())
            raise typer.Exit(ExitCode.OK)

    help_option = typer.Option(
        "--help",
        "-h",
        is_eager=True,
        expose_value=False,
        callback=show_help,
        help="Show this message and exit.",
    )

    def show_version(value: bool) -> None:
        if value:
            _print_version()
            raise typer.Exit(ExitCode.OK)

    @app.callback()
    def root(
        version: Annotated[
            bool,
            typer.Option(
                "--version", "-V", is_eager=True, callback=show_version, help="Print the version and exit."
            ),
        ] = False,
        debug: Annotated[
            bool, typer.Option("--debug", help="Show the full traceback of an internal error (exit 70).")
        ] = False,
        _help: Annotated[bool, help_option] = False,
    ) -> None:
        _state.debug = debug

    @app.command(no_args_is_help=True)
    def repair(
        paths: Annotated[
            list[str],
            typer.Argument(
                metavar="PATH", help="Text files or folders to repair; '-' reads the text from stdin."
            ),
        ],
        out_dir: Annotated[
            Path | None,
            typer.Option(
                "--out-dir",
                metavar="DIR",
                help="Write repaired files here, mirroring the inputs' relative paths "
                "(required for several inputs or a folder). Inputs are never overwritten.",
            ),
        ] = None,
        include: Annotated[
            str | None,
            typer.Option("--include", metavar="GLOB", help="Files to take from folders (default: *.txt)."),
        ] = None,
        dictionary: Annotated[
            list[Path] | None,
            typer.Option(
                "--dictionary",
                metavar="FILE",
                help="A YAML term dictionary of your own (unit, place, project names); repeatable. "
                "Its terms win over the model.",
            ),
        ] = None,
        encoding: Annotated[
            str | None,
            typer.Option(
                "--encoding",
                metavar="ENC",
                help="Read inputs in this encoding (e.g. tcvn3, vni, cp1258, utf-16) instead of detecting it.",
            ),
        ] = None,
        explain: Annotated[
            bool, typer.Option("--explain", help="Print a table of the edits and flagged tokens on stderr.")
        ] = False,
        as_json: Annotated[
            bool,
            typer.Option(
                "--json",
                help='Print {"text", "edits", "flags"} as one JSON object instead of the text; '
                "with --out-dir, also write FILE.json beside each output.",
            ),
        ] = False,
        _help: Annotated[bool, help_option] = False,
    ) -> None:
        """Repair OCR'd Vietnamese text: restore diacritics and misread characters, keep the layout.

        One file or '-' prints the repaired text on stdout. Several files or a folder need --out-dir.
        """
        _guarded(
            lambda: run_repair(
                paths,
                out_dir=out_dir,
                include=include,
                dictionaries=list(dictionary or []),
                encoding=encoding,
                explain=explain,
                as_json=as_json,
            )
        )

    @app.command(no_args_is_help=True)
    def ingest(
        paths: Annotated[
            list[str] | None,
            typer.Argument(
                metavar="PATH",
                help="Text files or folders (walked recursively); '-' reads one document's text from stdin.",
            ),
        ] = None,
        db: Annotated[
            Path | None,
            typer.Option("--db", metavar="FILE", help="The record store (default: $CCHC_DB, else ./cchc.db)."),
        ] = None,
        jobs: Annotated[
            int | None,
            typer.Option("--jobs", "-j", metavar="N", help="Worker processes (default: the machine's cores)."),
        ] = None,
        include: Annotated[
            str | None,
            typer.Option("--include", metavar="GLOB", help="Files to take from folders (default: *.txt)."),
        ] = None,
        files_from: Annotated[
            str | None,
            typer.Option(
                "--files-from",
                metavar="FILE",
                help="Also ingest the paths listed in FILE ('-': stdin), one a line; blank lines and # comments "
                "are skipped.",
            ),
        ] = None,
        dictionary: Annotated[
            list[Path] | None,
            typer.Option(
                "--dictionary",
                metavar="FILE",
                help="A YAML term dictionary of your own (as for repair); repeatable.",
            ),
        ] = None,
        encoding: Annotated[
            str | None,
            typer.Option(
                "--encoding",
                metavar="ENC",
                help="Read the inputs in this encoding (e.g. tcvn3, vni, cp1258, utf-16) instead of detecting it.",
            ),
        ] = None,
        force: Annotated[
            bool,
            typer.Option("--force", help="Re-process files already stored unchanged (adds a new version)."),
        ] = False,
        as_json: Annotated[
            bool,
            typer.Option(
                "--json",
                help="Also print the records of the files named (just made or already stored) as one JSON "
                "array on stdout, in input order.",
            ),
        ] = False,
        quiet: Annotated[
            bool, typer.Option("--quiet", "-q", help="No progress bar, summary or warnings on stderr; errors only.")
        ] = False,
        fail_fast: Annotated[
            bool, typer.Option("--fail-fast", help="Stop at the first file that cannot be read (exit 3).")
        ] = False,
        _help: Annotated[bool, help_option] = False,
    ) -> None:
        """Read OCR'd document files into the record store: repair, segment, extract.

        Each file's documents are stored in one transaction (--db, default ./cchc.db); a file already stored
        with the same content by the same pipeline version is skipped (--force re-processes it), a changed
        one adds a new version. Files that cannot be read are reported and the others still stored (exit 3).
        """
        _guarded(
            lambda: run_ingest(
                list(paths or []),
                as_json=as_json,
                dictionaries=list(dictionary or []),
                encoding=encoding,
                db=db,
                jobs=jobs,
                include=include,
                files_from=files_from,
                force=force,
                quiet=quiet,
                fail_fast=fail_fast,
            )
        )

    @app.command()
    def schema(_help: Annotated[bool, help_option] = False) -> None:
        """Print the JSON Schema (draft 2020-12) of one record of 'cchc ingest --json'."""
        _guarded(run_schema)

    @app.command()
    def export(
        db: Annotated[
            Path | None,
            typer.Option("--db", metavar="FILE", help="The record store (default: $CCHC_DB, else ./cchc.db)."),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="A JSON array of records (each valid against 'cchc schema').")
        ] = False,
        as_jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON record a line.")] = False,
        as_csv: Annotated[bool, typer.Option("--csv", help="One flattened table (--table) for spreadsheets.")] = False,
        table: Annotated[
            str | None,
            typer.Option(
                "--table",
                metavar="TABLE",
                help="With --csv: documents (default), tasks, targets, references or responsibilities.",
            ),
        ] = None,
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", metavar="FILE", help="Write here (atomically) instead of stdout."),
        ] = None,
        excel: Annotated[
            bool, typer.Option("--excel", help="With --csv: UTF-8 with a BOM, which Excel needs to read it.")
        ] = False,
        all_versions: Annotated[
            bool, typer.Option("--all-versions", help="Every stored version, not only the latest of each document.")
        ] = False,
        _help: Annotated[bool, help_option] = False,
    ) -> None:
        """Write the stored records as JSON, JSON Lines or CSV tables (the latest version of each document)."""
        _guarded(
            lambda: run_export(
                db=db,
                as_json=as_json,
                as_jsonl=as_jsonl,
                as_csv=as_csv,
                table=table,
                output=output,
                excel=excel,
                all_versions=all_versions,
            )
        )

    @app.command()
    def validate(
        record_files: Annotated[
            list[str] | None,
            typer.Argument(
                metavar="RECORD_FILES",
                help="Record files to check instead of the store: a JSON array ('cchc ingest --json', "
                "'cchc export --json') or JSON Lines ('cchc export --jsonl'); '-' reads stdin.",
                show_default=False,
            ),
        ] = None,
        db: Annotated[
            Path | None,
            typer.Option("--db", metavar="FILE", help="The record store (default: $CCHC_DB, else ./cchc.db)."),
        ] = None,
        fmt: Annotated[
            str,
            typer.Option("--format", metavar="FORMAT",
                         help="table (default; a rich table on a terminal), json, junit (JUnit XML for CI "
                         "reports) or github (GitHub Actions annotations)."),
        ] = "table",
        strict: Annotated[
            bool, typer.Option("--strict", help="Warnings fail too (exit 1).")
        ] = False,
        all_versions: Annotated[
            bool, typer.Option("--all-versions", help="Check every stored version, not only the latest.")
        ] = False,
        _help: Annotated[bool, help_option] = False,
    ) -> None:
        """Check records as a reviewer would: the schema, then rules with an id and a severity.

        Errors: schema, date-impossible, period-reversed, number-malformed. Warnings: date-future,
        date-missing, number-type-mismatch, section-order, task-stt-gap, task-no-lead, task-no-deadline,
        percent-range, low-confidence. Without RECORD_FILES, the latest version of each document in the store
        is checked. Exit 0 when there are no errors (warnings allowed), 1 with errors (or any warning with
        --strict), 3 when a record file cannot be read (the others are still checked), 4 on a store error.
        """
        _guarded(lambda: run_validate(list(record_files or []), db=db, fmt=fmt, strict=strict,
                                      all_versions=all_versions))

    # Issue 4 registers `validate` and `export` here.
    return app


def __getattr__(name: str) -> Any:
    # `from cchc_cli.cli import app` (typer.testing.CliRunner, docs tools) builds the app on demand.
    if name == "app":
        return build_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- cchc ingest / cchc schema ----------------------------------------------------------------------------


def run_ingest(
    paths: list[str],
    *,
    as_json: bool = False,
    dictionaries: list[Path] | None = None,
    encoding: str | None = None,
    db: Path | None = None,
    jobs: int | None = None,
    include: str | None = None,
    files_from: str | None = None,
    force: bool = False,
    quiet: bool = False,
    fail_fast: bool = False,
) -> int:
    """``cchc ingest``: files, folders and stdin into the record store (:mod:`cchc_cli.batch`); with ``--json``
    the records of the files named, as one JSON array on stdout. Returns the exit code: 3 when some input could
    not be read (the others are stored), 70 when a file hit a bug of ours; store errors raise StoreError (4)."""
    import time

    from .batch import collect_inputs, ingest_batch, read_files_from
    from .decode import check_encoding
    from .store import open_store

    if encoding:
        check_encoding(encoding)
    dicts = _check_dictionaries(dictionaries or [])
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs {jobs}: give a number of worker processes, 1 or more")
    if files_from == "-" and "-" in paths:
        raise UsageError("stdin can carry a document ('-') or the --files-from list, not both")
    listed: list[str] = []
    if files_from is not None:
        # A '-' listed in a file names a file called '-', not stdin.
        listed = [os.path.join(".", p) if p == "-" else p for p in read_files_from(files_from, _read_stdin)]
    names = [*paths, *listed]
    if not names:
        raise UsageError("give files, folders, '-' for stdin, or --files-from FILE")

    started = time.monotonic()
    report = _IngestReport(quiet=quiet)
    inputs = collect_inputs(names, include, stdin=_read_stdin() if "-" in paths else None, on_error=report.missing)
    if report.missing_inputs and fail_fast:
        return ExitCode.INPUT
    report.single = len(inputs) + report.missing_inputs == 1
    store = open_store(db)
    try:
        report.begin(len(inputs))
        summary = ingest_batch(inputs, store, dictionaries=dicts, encoding=encoding, force=force, jobs=jobs,
                               fail_fast=fail_fast, on_outcome=report.outcome)
        report.end()
        report.summary(summary, time.monotonic() - started, store.location)
        if as_json:
            done = [item.key for item in inputs if item.key in report.ok_keys]
            payload = [stored.record for stored in store.file_records(done)]
            out = _Stdout()
            try:
                out.write((json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
                out.flush()
            except _StdoutClosed:
                _silence_stdout()
    finally:
        report.end()
        store.close()
    if summary.internal:
        return ExitCode.INTERNAL
    if summary.failed or report.missing_inputs:
        return ExitCode.INPUT
    return ExitCode.OK


def _read_stdin() -> bytes:
    with _spool_stdin() as stream:
        return _read_all(stream, STDIN_LABEL)


class _IngestReport:
    """What ``cchc ingest`` tells the user on stderr while and after it works.

    On a terminal (and without --quiet): a rich progress bar, then a summary table. Otherwise a one-line
    summary (none with --quiet). Failures are always printed, one line each (``cchc: FILE: reason``); the
    warnings of the records are printed when the run has a single input (in batches, counted in the summary;
    they are in the records, and ``cchc validate`` reports them), never with --quiet.
    """

    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self.rich = sys.stderr.isatty() and not quiet
        self.single = False
        self.missing_inputs = 0
        self.ok_keys: set[str] = set()
        self._progress: Any = None
        self._task: Any = None

    def _print(self, message: str) -> None:
        if self._progress is not None:
            from rich.text import Text

            self._progress.console.print(Text(f"{PROG}: {message}"), highlight=False, soft_wrap=True)
        else:
            _error(message)

    def missing(self, error: CchcError) -> None:
        self.missing_inputs += 1
        _error(error.message)

    def begin(self, total: int) -> None:
        if not self.rich:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True), transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("", total=total)

    def outcome(self, outcome: Any) -> None:
        if outcome.status == "failed":
            self._print(outcome.error)
            if outcome.detail and _state.debug:
                sys.stderr.write(outcome.detail)
        else:
            self.ok_keys.add(outcome.input.key)
            if self.single and not self.quiet:
                for warning in outcome.warnings:
                    self._print(f"warning: {warning}")
        if self._progress is not None:
            self._progress.update(self._task, advance=1, description=outcome.input.label)

    def end(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def summary(self, summary: Any, seconds: float, location: str) -> None:
        failed = summary.failed + self.missing_inputs
        stopped = " (stopped at the first failure: --fail-fast)" if summary.stopped else ""
        if self.quiet:
            if summary.stopped:
                _error("stopped at the first failure (--fail-fast)")
            return
        if not self.rich:
            _error(
                f"ingest: {summary.files} file(s) into {location}: {summary.stored} stored, {summary.unchanged} "
                f"unchanged, {failed} failed{stopped}; new: {summary.documents} document(s), {summary.tasks} task(s), "
                f"{summary.targets} target(s), {summary.warnings} warning(s); {seconds:.1f} s"
            )
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"cchc ingest → {location}{stopped}", title_justify="left", show_header=False)
        table.add_column("", justify="left")
        table.add_column("", justify="right")
        for name, value in (
            ("files", summary.files + self.missing_inputs), ("stored", summary.stored),
            ("unchanged (skipped)", summary.unchanged), ("failed", failed), ("documents", summary.documents),
            ("tasks", summary.tasks), ("targets", summary.targets), ("warnings", summary.warnings),
            ("time", f"{seconds:.1f} s"),
        ):
            table.add_row(name, str(value), style="red" if name == "failed" and value else None)
        Console(stderr=True, highlight=False).print(table)


# --- cchc export -------------------------------------------------------------------------------------------


def run_export(
    *,
    db: Path | None = None,
    as_json: bool = False,
    as_jsonl: bool = False,
    as_csv: bool = False,
    table: str | None = None,
    output: Path | None = None,
    excel: bool = False,
    all_versions: bool = False,
) -> int:
    """``cchc export``: the stored records (latest version of each document) as JSON, JSONL or a CSV table,
    on stdout or atomically into `output`."""
    from . import export
    from .io import atomic_open
    from .store import open_store, resolve_db_path

    if as_json + as_jsonl + as_csv != 1:
        raise UsageError("choose one output format: --json, --jsonl or --csv")
    if table is not None and not as_csv:
        raise UsageError("--table goes with --csv (the JSON formats hold whole records)")
    if excel and not as_csv:
        raise UsageError("--excel goes with --csv")
    table = table or "documents"
    if table not in export.TABLES:
        raise UsageError(f"--table {table}: choose one of {', '.join(export.TABLES)}")
    if output is not None:
        if output.is_dir():
            raise UsageError(f"-o {output}: is a folder; give a file name")
        if output.resolve() == resolve_db_path(db).resolve():
            raise UsageError(f"-o {output}: is the store itself; choose another file")

    def write(out: Any) -> None:
        records = store.records(all_versions=all_versions)
        if as_json:
            export.write_json(records, out)
        elif as_jsonl:
            export.write_jsonl(records, out)
        else:
            export.write_csv(records, out, table, excel=excel)

    store = open_store(db, must_exist=True)
    try:
        if output is None:
            stdout = _Stdout()
            try:
                write(stdout)
                stdout.flush()
            except _StdoutClosed:
                _silence_stdout()
            return ExitCode.OK
        try:
            with atomic_open(output) as handle:
                write(handle)
        except OSError as exc:
            raise CchcError(f"{output}: cannot write: {exc.strerror or exc}") from None
    finally:
        store.close()
    return ExitCode.OK


def run_schema() -> int:
    """``cchc schema``: the JSON Schema of one DocumentRecord on stdout."""
    from .records import document_record_schema

    out = _Stdout()
    try:
        out.write((json.dumps(document_record_schema(), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        out.flush()
    except _StdoutClosed:
        _silence_stdout()
    return ExitCode.OK


# --- cchc validate ---------------------------------------------------------------------------------------


def run_validate(
    record_files: list[str],
    *,
    db: Path | None = None,
    fmt: str = "table",
    strict: bool = False,
    all_versions: bool = False,
) -> int:
    """``cchc validate``: check stored records (or RECORD_FILES) and print the findings on stdout."""
    from .validate import FORMATS, check_record, exit_code, parse_record_text, render

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt}: unknown format; choose one of {', '.join(FORMATS)}")
    documents = []
    unreadable = 0
    if record_files:
        if db is not None or all_versions:
            raise UsageError("RECORD_FILES are checked as given: --db and --all-versions apply to the store only")
        if record_files.count("-") > 1:
            raise UsageError("'-' (stdin) can be given once")
        for label in record_files:
            try:
                if label == "-":
                    with _spool_stdin() as stream:
                        data = _read_all(stream, STDIN_LABEL)
                    label = STDIN_LABEL
                else:
                    if Path(label).is_dir():
                        raise InputError(f"{label}: is a folder; give record files (JSON or JSON Lines)")
                    try:
                        with open(label, "rb") as stream:
                            data = _read_all(stream, label)
                    except OSError as exc:
                        raise _read_error(label, exc) from None
                try:
                    text = data.decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise InputError(f"{label}: not UTF-8 text; give a JSON file written by 'cchc ingest --json' "
                                     "or 'cchc export --json/--jsonl'") from None
                records = parse_record_text(text, label)
            except InputError as exc:
                _error(exc.message)
                unreadable += 1
                continue
            documents += [check_record(record, fallback_path=label, index=i)
                          for i, record in enumerate(records, start=1)]
    else:
        from .store import open_store

        store = open_store(db, must_exist=True)
        try:
            for stored in store.records(all_versions=all_versions):
                checked = check_record(stored.record, fallback_path=stored.path)
                if all_versions:
                    checked.label += f" v{stored.version}"
                documents.append(checked)
        finally:
            store.close()
    report = render(documents, fmt, strict=strict, rich=fmt == "table" and sys.stdout.isatty(), cwd=os.getcwd())
    out = _Stdout()
    try:
        out.write(report.encode("utf-8"))
        out.flush()
    except _StdoutClosed:
        _silence_stdout()
    return ExitCode.INPUT if unreadable else exit_code(documents, strict=strict)


# --- cchc repair -----------------------------------------------------------------------------------------


@dataclass
class _Batch:
    """What a repair run reports at the end."""

    failures: list[str] = field(default_factory=list)
    written: int = 0

    def failed(self, error: CchcError) -> None:
        _error(error.message)
        self.failures.append(error.message)


def run_repair(
    paths: list[str],
    *,
    out_dir: Path | None = None,
    include: str | None = None,
    dictionaries: list[Path] | None = None,
    encoding: str | None = None,
    explain: bool = False,
    as_json: bool = False,
) -> int:
    """``cchc repair``: returns the exit code. User errors are raised as CchcError subclasses."""
    from .decode import check_encoding

    if encoding:
        check_encoding(encoding)
    dicts = _check_dictionaries(dictionaries or [])
    if not paths:
        raise UsageError("give a file, a folder, or '-' for stdin")
    if "-" in paths and (len(paths) > 1 or out_dir is not None):
        raise UsageError("'-' (stdin) must be the only input, and cannot be used with --out-dir")
    explainer = _Explainer() if explain else None
    options = _Options(dicts, encoding, explainer, as_json)

    if out_dir is None:
        if len(paths) > 1 or Path(paths[0]).is_dir():
            raise UsageError(
                "several inputs or a folder need --out-dir DIR (outputs mirror the inputs' paths under it)"
            )
        if paths[0] == "-":
            with _spool_stdin() as stream:
                return _to_stdout(stream, STDIN_LABEL, options)
        try:
            stream = open(paths[0], "rb")  # noqa: SIM115 - closed just below
        except OSError as exc:
            raise _read_error(paths[0], exc) from None
        with stream:
            return _to_stdout(stream, paths[0], options)

    return _repair_batch(paths, out_dir, include, options)


@dataclass
class _Options:
    dictionaries: list[Path]
    encoding: str | None
    explainer: "_Explainer | None"
    as_json: bool

    @property
    def needs_result(self) -> bool:
        return self.as_json or self.explainer is not None


def _check_dictionaries(paths: list[Path]) -> list[Path]:
    """Each --dictionary must exist and load; a bad one is a usage error naming the file."""
    import importlib.util

    checked: list[Path] = []
    for path in paths:
        if not path.is_file():
            raise UsageError(f"{path}: no such dictionary file (--dictionary)")
        # The loader (cchc_cli.dictionary) validates the YAML; until it exists, only readability is checked.
        if importlib.util.find_spec("cchc_cli.dictionary") is None:
            try:
                path.read_bytes()
            except OSError as exc:
                raise UsageError(f"{path}: cannot read dictionary: {exc.strerror}") from None
        else:
            from .dictionary import DictionaryError, load_dictionary

            try:
                load_dictionary(path)
            except DictionaryError as exc:
                message = " ".join(str(exc).split())
                raise UsageError(message if str(path) in message else f"{path}: {message}") from None
            except OSError as exc:
                raise UsageError(f"{path}: cannot read dictionary: {exc.strerror}") from None
        checked.append(path.resolve())
    return checked


def _to_stdout(stream: BinaryIO, label: str, options: _Options) -> int:
    try:
        return _repair_to_stdout(stream, label, options)
    except _StdoutClosed:
        # The reader went away (`cchc repair big.txt | head`): not an error of ours, and nothing to report.
        _silence_stdout()
        return ExitCode.OK


def _repair_to_stdout(stream: BinaryIO, label: str, options: _Options) -> int:
    from .decode import decode_bytes, iter_decoded_lines

    out = _Stdout()
    try:
        if not options.needs_result and _size(stream) > STREAM_THRESHOLD:
            # Validate the whole input first, so a bad byte deep in the file does not cut the output short.
            for _ in iter_decoded_lines(stream, label, options.encoding):
                pass
            stream.seek(0)
            for line in _repair_lines(iter_decoded_lines(stream, label, options.encoding), options):
                out.write(line.encode("utf-8"))
            out.flush()
            return ExitCode.OK
        text = decode_bytes(_read_all(stream, label), label, options.encoding)
    except OSError as exc:  # reading: writes to stdout raise _StdoutClosed or CchcError instead
        _error(_read_error(label, exc).message)
        return ExitCode.INPUT
    except InputError as exc:
        _error(exc.message)
        return ExitCode.INPUT
    result = _repair_text(text, options)
    if options.explainer is not None:
        options.explainer.show(label, result)
    out.write(_json_bytes(result) if options.as_json else result.text.encode("utf-8"))
    out.flush()
    return ExitCode.OK


def _repair_batch(paths: list[str], out_dir: Path, include: str | None, options: _Options) -> int:
    from .decode import decode_bytes, iter_decoded_lines
    from .io import atomic_open, atomic_write_text, iter_inputs, output_path

    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out-dir {out_dir}: exists and is not a folder")
    batch = _Batch()
    inputs = iter_inputs(paths, include, exclude=out_dir, on_error=batch.failed)

    # Plan every destination before writing anything: a clash or an input in the way stops the run whole.
    all_inputs = [file for file, _ in inputs]
    planned: dict[Path, Path] = {}
    jobs: list[tuple[Path, Path, Path | None]] = []
    for file, rel in inputs:
        target = output_path(out_dir, rel, all_inputs)
        sidecar = None
        if options.as_json:
            sidecar = output_path(out_dir, rel.with_name(rel.name + ".json"), all_inputs)
        for dest in filter(None, (target, sidecar)):
            if dest in planned:
                raise UsageError(
                    f"{planned[dest]} and {file} would both be written to {dest}; "
                    "repair them in separate runs or pass their common folder"
                )
            planned[dest] = file
        jobs.append((file, target, sidecar))

    for file, target, sidecar in jobs:
        label = _display(file)
        try:
            stream = open(file, "rb")  # noqa: SIM115 - closed just below
        except OSError as exc:
            batch.failed(_read_error(label, exc))
            continue
        try:
            with stream:
                if not options.needs_result and _size(stream) > STREAM_THRESHOLD:
                    lines = _repair_lines(_reading(iter_decoded_lines(stream, label, options.encoding), label),
                                          options)
                    # Written atomically: a bad byte deep in the file discards the partial output.
                    with atomic_open(target) as handle:
                        for line in lines:
                            handle.write(line.encode("utf-8"))
                    batch.written += 1
                    continue
                text = decode_bytes(_read_all(stream, label), label, options.encoding)
            result = _repair_text(text, options)
            atomic_write_text(target, result.text)
            if sidecar is not None:
                with atomic_open(sidecar) as handle:
                    handle.write(_json_bytes(result))
        except InputError as exc:
            batch.failed(exc)
            continue
        except OSError as exc:  # reading errors arrive as InputError: this is a write failing (disk full)
            raise CchcError(f"{exc.filename or target}: cannot write: {exc.strerror or exc}") from None
        if options.explainer is not None:
            options.explainer.show(label, result)
        batch.written += 1

    if sys.stderr.isatty():
        failed = f" ({len(batch.failures)} could not be read)" if batch.failures else ""
        print(f"{PROG}: repaired {batch.written} file(s) into {out_dir}{failed}", file=sys.stderr)
    return ExitCode.INPUT if batch.failures else ExitCode.OK


def _repair_text(text: str, options: _Options) -> "RepairResult":
    from . import repair

    return repair.repair_text(text, dictionaries=options.dictionaries or None)


def _repair_lines(lines: Iterable[str], options: _Options) -> Iterator[str]:
    from . import repair

    return repair.repair_lines(lines, dictionaries=options.dictionaries or None)


def _display(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _json_bytes(result: "RepairResult") -> bytes:
    return (json.dumps(result.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")


# --- streams ---------------------------------------------------------------------------------------------


class _StdoutClosed(Exception):
    """The reader of our stdout closed the pipe."""


class _Stdout:
    """stdout as bytes (UTF-8 written exactly as given, no newline translation)."""

    def __init__(self) -> None:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        # A replaced text-only stdout (some test harnesses) is written through its text layer.
        self._out: IO[bytes] = buffer if buffer is not None else _TextAsBinary(sys.stdout)  # type: ignore[assignment]

    def write(self, data: bytes) -> None:
        self._guard(lambda: self._out.write(data))

    def flush(self) -> None:
        self._guard(self._out.flush)

    @staticmethod
    def _guard(action: Callable[[], object]) -> None:
        try:
            action()
        except BrokenPipeError:
            raise _StdoutClosed from None
        except OSError as exc:
            raise CchcError(f"cannot write to stdout: {exc.strerror or exc}") from None


def _silence_stdout() -> None:
    # Later flushes (at exit) would fail on the closed pipe again: point stdout at /dev/null.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


class _TextAsBinary:
    def __init__(self, text_stream: IO[str]) -> None:
        self._text = text_stream

    def write(self, data: bytes) -> int:
        self._text.write(data.decode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self._text.flush()


@contextlib.contextmanager
def _spool_stdin() -> Iterator[BinaryIO]:
    """stdin's bytes in a seekable file: in memory up to STREAM_THRESHOLD, then on disk."""
    with tempfile.SpooledTemporaryFile(max_size=STREAM_THRESHOLD) as spool:
        source = getattr(sys.stdin, "buffer", None)
        if source is None:  # a text-only stdin (some test harnesses)
            spool.write(sys.stdin.read().encode("utf-8"))
        else:
            while block := source.read(1024 * 1024):
                spool.write(block)
        spool.seek(0)
        yield spool  # type: ignore[misc]


def _size(stream: BinaryIO) -> int:
    try:
        return os.fstat(stream.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        here = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(here)
        return end - here


def _reading(lines: Iterator[str], label: str) -> Iterator[str]:
    """`lines`, with an OSError from reading the file turned into the InputError that names it."""
    try:
        yield from lines
    except OSError as exc:
        raise _read_error(label, exc) from None


def _read_all(stream: BinaryIO, label: str) -> bytes:
    try:
        return stream.read()
    except OSError as exc:
        raise _read_error(label, exc) from None


def _read_error(label: str, exc: OSError) -> InputError:
    from .io import read_error

    return read_error(label, exc)


# --- --explain ---------------------------------------------------------------------------------------------


class _Explainer:
    """Edits and flags on stderr: a rich table on a terminal, tab-separated lines otherwise."""

    HEADER = ("file", "line", "column", "kind", "before", "after", "confidence", "detail")

    def __init__(self) -> None:
        self.rich = sys.stderr.isatty()
        self._header_done = False

    def rows(self, label: str, result: "RepairResult") -> list[tuple[str, ...]]:
        rows: list[tuple[str, ...]] = []
        for e in result.edits:
            rows.append((label, str(e.line), str(e.column), "edit", e.before, e.after,
                         f"{e.confidence:.2f}", e.reason))
        for f in result.flags:
            rows.append((label, str(f.line), str(f.column), "flag", f.token, "",
                         f"{f.confidence:.2f}", ", ".join(f.candidates)))
        rows.sort(key=lambda r: (int(r[1]), int(r[2])))
        return rows

    def show(self, label: str, result: "RepairResult") -> None:
        rows = self.rows(label, result)
        if self.rich:
            self._show_rich(label, rows, result)
            return
        out = sys.stderr
        if not self._header_done:
            out.write("\t".join(self.HEADER) + "\n")
            self._header_done = True
        for row in rows:
            out.write("\t".join(cell.replace("\t", " ") for cell in row) + "\n")
        out.flush()

    def _show_rich(self, label: str, rows: list[tuple[str, ...]], result: "RepairResult") -> None:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(
            title=f"{label}: {len(result.edits)} edit(s), {len(result.flags)} flagged token(s)",
            title_justify="left",
        )
        for name, justify in (("line", "right"), ("col", "right"), ("kind", "left"), ("before", "left"),
                              ("after", "left"), ("conf.", "right"), ("reason / candidates", "left")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for row in rows:
            # Text(), not str: a token such as "[b]" must be shown, not read as rich markup.
            table.add_row(*(Text(cell) for cell in row[1:]), style="yellow" if row[3] == "flag" else None)
        Console(stderr=True, highlight=False).print(table)
