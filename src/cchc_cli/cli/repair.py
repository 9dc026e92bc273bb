"""``cchc repair PATH... [--out-dir DIR] [--include GLOB] [--dictionary FILE]... [--encoding ENC]
[--ocr auto|always|never] [--password PW] [--jobs N] [--explain] [--json]``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from ..errors import ExitCode, InputError, UsageError
from ..io import STDIN_LABEL, peek_head, read_error
from .common import error, guarded, say, state
from .options import (
    Below,
    Dictionary,
    Encoding,
    FlagsOnly,
    Help,
    Include,
    Ocr,
    Output,
    Password,
    Quiet,
    format_flag,
    jobs_option,
)
from .streams import spool_stdin, write_output

if TYPE_CHECKING:
    from ..decode.source import SourceOptions
    from ..document import RepairResult
    from ..resources import Resources
    from .explain import Explainer


def register(app: typer.Typer) -> None:
    @app.command()
    def repair(
        paths: Annotated[list[str] | None, typer.Argument(
            metavar="PATH", show_default=False,
            help="Text, PDF, image or DOCX files, or folders, to repair; '-' reads stdin.")] = None,
        output: Output = None,
        out_dir: Annotated[Path | None, typer.Option(
            "--out-dir", metavar="DIR",
            help="Write repaired files here, mirroring the inputs' relative paths (required for several inputs "
                 "or a folder). Inputs are never overwritten.")] = None,
        include: Include = None,
        dictionary: Dictionary = None,
        encoding: Encoding = None,
        ocr: Ocr = "auto",
        password: Password = None,
        jobs: Annotated[int | None, jobs_option(
            "Files repaired at once in a folder, or pages of one scan OCR'd at once (default: the machine's "
            "cores).")] = None,
        explain: Annotated[bool, typer.Option(
            "--explain", help="Print a table of the edits and flagged tokens on stderr.")] = False,
        flags_only: FlagsOnly = False,
        below: Below = None,
        quiet: Quiet = False,
        as_json: Annotated[bool, format_flag(
            "json", 'Print {"text", "edits", "flags"} as one JSON object instead of the text; with --out-dir, '
                    "also write FILE.json beside each output.")] = False,
        _help: Help = False,
    ) -> None:
        """Repair OCR'd Vietnamese text: restore diacritics and misread characters, keep the layout.

        One file or '-' prints the repaired text on stdout (a scan's pages separated by a line holding a form
        feed). Several files or a folder need --out-dir.
        """
        if (flags_only or below is not None) and not explain:
            explain = True  # asking what --explain shows is asking for it
        explainer = (flags_only, below) if explain else None
        guarded(lambda: run_repair(list(paths or []), out_dir=out_dir, include=include, dictionaries=dictionary,
                                   encoding=encoding, explain=explainer, as_json=as_json, ocr=ocr,
                                   password=password, jobs=jobs, output=output, quiet=quiet))


def run_repair(paths: list[str], *, out_dir: Path | None = None, include: str | None = None,
               dictionaries: list[Path] | None = None, encoding: str | None = None,
               explain: bool | tuple[bool, float | None] | None = None, as_json: bool = False, ocr: str = "auto",
               password: str | None = None, jobs: int | None = None, output: Path | None = None,
               quiet: bool = False) -> int:
    """``cchc repair``: returns the exit code; user errors are raised as CchcError subclasses."""
    from ..decode.source import SourceOptions
    from .explain import Explainer
    from .resources import checked_encoding, resources_for

    options = SourceOptions(ocr=ocr, password=password, jobs=jobs or os.cpu_count() or 1)
    encoding = checked_encoding(encoding)
    resources = resources_for(dictionaries)
    if not paths:
        raise UsageError("repair: PATH is missing: give a file, a folder, or '-' for stdin; see 'cchc repair --help'")
    if "-" in paths and (len(paths) > 1 or out_dir is not None):
        raise UsageError("'-' (stdin) must be the only input, and cannot be used with --out-dir")
    flags_only, below = explain if isinstance(explain, tuple) else (False, None)
    explainer = Explainer(flags_only=flags_only, below=below) if explain else None
    if out_dir is not None:
        if output is not None:
            raise UsageError("-o FILE is for one input; with --out-dir each output goes beside its input's path")
        return _to_folder(paths, out_dir, include, encoding, resources, explainer, as_json, options,
                          jobs or os.cpu_count() or 1, quiet)
    if len(paths) > 1 or Path(paths[0]).is_dir():
        raise UsageError("several inputs or a folder need --out-dir DIR (outputs mirror the inputs' paths under it)")
    if paths[0] == "-":
        with spool_stdin() as stream:
            return _to_stdout(stream, STDIN_LABEL, encoding, resources, explainer, as_json, options, None, output)
    try:
        stream = open(paths[0], "rb")  # noqa: SIM115 - closed just below
    except OSError as exc:
        raise read_error(paths[0], exc) from None
    if output is not None and output.resolve() == Path(paths[0]).resolve():
        raise UsageError(f"-o {output}: is the input; choose another file")
    with stream:
        return _to_stdout(stream, paths[0], encoding, resources, explainer, as_json, options, Path(paths[0]),
                          output)


def _to_stdout(stream: BinaryIO, label: str, encoding: str | None, resources: Resources,
               explainer: Explainer | None, as_json: bool, options: SourceOptions, path: Path | None = None,
               output: Path | None = None) -> int:
    """One input's repaired text (or its JSON) on stdout, or atomically into `output`."""
    from ..decode.source import input_format
    from ..repair.files import repair_bytes, repair_source, repair_stream, result_json
    from .repair_report import HEAD_SIZE, doubt

    if encoding is not None:
        doubt(label, peek_head(stream, HEAD_SIZE), encoding)
    try:
        if input_format(peek_head(stream)) != "text":  # a PDF, image or DOCX: read from its path, page by page
            source = path if path is not None and path.is_file() else stream.read()
            result = repair_source(source, label, options=options, resources=resources)
            _warn(label, result)
        elif not as_json and explainer is None:
            write_output(lambda out: repair_stream(stream, label, out, encoding=encoding, resources=resources), output)
            return ExitCode.OK
        else:
            try:
                data = stream.read()
            except OSError as exc:
                raise read_error(label, exc) from None
            result = repair_bytes(data, label, encoding=encoding, resources=resources)
    except OSError as exc:
        error(read_error(label, exc).message)
        return ExitCode.INPUT
    except InputError as exc:
        error(exc.message)
        return ExitCode.INPUT
    if explainer is not None:
        explainer.show(label, result)
    write_output(lambda out: out.write(result_json(result) if as_json else result.text.encode("utf-8")), output)
    return ExitCode.OK


def _to_folder(paths: list[str], out_dir: Path, include: str | None, encoding: str | None, resources: Resources,
               explainer: Explainer | None, as_json: bool, options: SourceOptions, workers: int,
               quiet: bool = False) -> int:
    """Each input repaired into `out_dir` (a progress bar on a terminal, a summary line after); the unreadable
    ones reported and skipped."""
    import time

    from ..io import iter_inputs
    from ..repair.files import repair_tree
    from .repair_report import RepairReport, doubt_file

    started = time.monotonic()
    skipped: list[Path] = []
    files = iter_inputs(paths, include, exclude=out_dir, on_error=lambda _exc: None, on_skip=skipped.append)
    for file, _ in files if encoding else ():
        doubt_file(file, encoding)  # type: ignore[arg-type]
    progress = RepairReport(quiet=quiet)

    def done(label: str, result: RepairResult | None) -> None:
        progress.done(label)
        _warn(label, result)
        if explainer is not None:
            explainer.show(label, result)

    progress.begin(len(files))
    try:
        report = repair_tree(paths, out_dir, include=include, encoding=encoding, resources=resources,
                             with_json=as_json, keep_results=explainer is not None,
                             on_error=lambda exc: progress.failure(exc.message), on_done=done, options=options,
                             workers=workers)
    finally:
        progress.end()
    if state.debug:
        for _, detail in report.internal:
            say(detail)
    progress.summary(out_dir, time.monotonic() - started, len(skipped), include)
    if report.internal:
        return ExitCode.INTERNAL
    return ExitCode.INPUT if report.failures else ExitCode.OK


def _warn(label: str, result: RepairResult | None) -> None:
    """How a PDF was read, when the user should know (a text layer repaired for want of Tesseract)."""
    for warning in result.source.warnings if result is not None and result.source else ():
        error(f"{label}: {warning}")
