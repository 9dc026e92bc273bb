"""Repairing files and folders, as ``cchc repair`` does: :func:`repair_stream`, :func:`repair_file`,
:func:`repair_tree`.

Inputs are bytes decoded as every cchc input is (:mod:`cchc_cli.decode`). Inputs larger than
:data:`STREAM_THRESHOLD` are repaired as a stream of lines in bounded windows, so memory is bounded by the
model, not the file (no edit log is then kept). Outputs are written atomically (a temporary file renamed into
place): a reader, a crash or a bad byte deep in an input never leaves half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from ..decode import decode_bytes, iter_decoded_lines
from ..decode.source import SourceOptions, input_format, read_source
from ..document import RepairResult
from ..errors import CchcError, ExitCode, InputError, OutputError, UsageError
from ..io import (
    BinaryOut,
    atomic_open,
    display_path,
    iter_inputs,
    output_path,
    path_text,
    peek_head,
    read_error,
    text_name,
)
from ..resources import Resources, load_resources
from ..workers import run_pool

__all__ = ["STREAM_THRESHOLD", "TreeReport", "repair_bytes", "repair_file", "repair_source", "repair_stream",
           "repair_tree", "result_json"]

# Inputs larger than this are repaired as a stream of lines (no edit log): memory stays bounded by the model.
STREAM_THRESHOLD = 5 * 1024 * 1024


def result_json(result: RepairResult) -> bytes:
    """The ``--json`` form of a result: one object {"text", "edits", "flags"} and a newline."""
    return (json.dumps(result.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")


def _repairer(resources: Resources | None):  # noqa: ANN202 - the engine is imported late
    from . import get_repairer

    return get_repairer(resources or load_resources())


def _size(stream: BinaryIO) -> int:
    try:
        return os.fstat(stream.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        here = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(here)
        return end - here


def _state(stream: BinaryIO) -> tuple[int, int] | None:
    """(size, modification time) of an open regular file; None for a pipe or a device."""
    try:
        info = os.fstat(stream.fileno())
    except (OSError, AttributeError, ValueError):
        return None
    return (info.st_size, info.st_mtime_ns) if stat.S_ISREG(info.st_mode) else None


def _unchanged(stream: BinaryIO, before: tuple[int, int] | None, label: str) -> None:
    """An InputError when the file was rewritten while it was read: the text read may be cut anywhere."""
    if before is not None and _state(stream) != before:
        raise InputError(f"{label}: changed while it was read (another program is writing it); run again when "
                         "it is complete")


def _reading(lines: Iterator[str], label: str) -> Iterator[str]:
    """`lines`, with an OSError from reading the file turned into the InputError that names it."""
    try:
        yield from lines
    except OSError as exc:
        raise read_error(label, exc) from None


def _read_all(stream: BinaryIO, label: str) -> bytes:
    try:
        return stream.read()
    except OSError as exc:
        raise read_error(label, exc) from None


def repair_source(source: Path | bytes, label: str, *, options: SourceOptions | None = None,
                  resources: Resources | None = None) -> RepairResult:
    """Repair a PDF, an image or a DOCX (its path, or its bytes): its text read page by page
    (:func:`~cchc_cli.decode.source.read_source`), then repaired with the OCR's word confidences as evidence.
    The result's `source` says how each page was read."""
    scanned = read_source(source, label, options)
    result = _repairer(resources).repair_text(scanned.text, scanned.word_confidence or None)
    result.source = scanned
    return result


def repair_bytes(data: bytes, label: str, *, encoding: str | None = None, resources: Resources | None = None,
                 options: SourceOptions | None = None) -> RepairResult:
    """Repair the bytes of a whole input (decoded as every input is; `label` names it in errors): text, or a
    PDF, image or DOCX (:func:`repair_source`)."""
    if input_format(data[:4096]) != "text":
        return repair_source(data, label, options=options, resources=resources)
    return _repairer(resources).repair_text(decode_bytes(data, label, encoding))


def repair_stream(stream: BinaryIO, label: str, sink: BinaryOut, *, encoding: str | None = None,
                  resources: Resources | None = None, options: SourceOptions | None = None) -> RepairResult | None:
    """Repair the bytes of `stream` (`label` names it in errors) and write the repaired text to `sink` as
    UTF-8. An input over STREAM_THRESHOLD bytes is streamed and None returned; otherwise the
    :class:`RepairResult` is returned (and its text written). A streamed input is decoded once first, so a
    bad byte deep in it raises InputError before anything is written."""
    if _size(stream) > STREAM_THRESHOLD and _is_text(stream):
        repairer = _repairer(resources)
        start = stream.tell()
        for _ in _reading(iter_decoded_lines(stream, label, encoding), label):
            pass
        stream.seek(start)
        for line in repairer.repair_lines(_reading(iter_decoded_lines(stream, label, encoding), label)):
            sink.write(line.encode("utf-8"))
        return None
    result = repair_bytes(_read_all(stream, label), label, encoding=encoding, resources=resources, options=options)
    sink.write(result.text.encode("utf-8"))
    return result


def _is_text(stream: BinaryIO) -> bool:
    """Whether a stream holds text (not a PDF, an image or a DOCX); nothing is consumed."""
    return input_format(peek_head(stream)) == "text"


def repair_file(path: Path | str, destination: Path | str | None = None, *, encoding: str | None = None,
                resources: Resources | None = None, sidecar: Path | str | None = None,
                label: str | None = None, options: SourceOptions | None = None) -> RepairResult | None:
    """Repair the file at `path` and return the result. With a `destination`, the repaired text is written
    there atomically, and with a `sidecar` the JSON edit log beside it; an input over STREAM_THRESHOLD is then
    streamed (without a sidecar) and None returned. `label` names the file in messages (default: `path`).
    Raises InputError (unreadable, binary, undecodable) or OutputError (an output that cannot be written)."""
    label = label or path_text(path)
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed just below
    except OSError as exc:
        raise read_error(label, exc) from None
    with stream:
        before = _state(stream)
        if not _is_text(stream):  # a PDF, image or DOCX: read from its path, page by page
            result = repair_source(Path(path) if before is not None else _read_all(stream, label), label,
                                   options=options, resources=resources)
            _unchanged(stream, before, label)
        elif destination is not None and sidecar is None and _size(stream) > STREAM_THRESHOLD:
            try:
                with atomic_open(destination) as handle:
                    repair_stream(stream, label, handle, encoding=encoding, resources=resources)
                    _unchanged(stream, before, label)  # else the output is discarded
            except OSError as exc:  # reading errors arrive as InputError: this is a write failing
                raise _write_error(exc, destination) from None
            return None
        else:
            data = _read_all(stream, label)
            _unchanged(stream, before, label)
            result = repair_bytes(data, label, encoding=encoding, resources=resources)
    if destination is not None:
        _write(Path(destination), result.text.encode("utf-8"))
    if sidecar is not None:
        _write(Path(sidecar), result_json(result))
    return result


@dataclass
class TreeReport:
    """What :func:`repair_tree` did: the outputs written, the inputs that could not be read, and the files
    on which cchc itself failed (a bug: exit 70), each with its traceback."""

    written: list[Path] = field(default_factory=list)
    failures: list[CchcError] = field(default_factory=list)
    internal: list[tuple[CchcError, str]] = field(default_factory=list)


# In an --out-dir that lies inside an input folder, the files cchc repair wrote there (one JSON object a line:
# path relative to the folder, sha256): a file there that is not one of them is an input of its own, never
# replaced.
LEDGER = ".cchc-repair-outputs"


class _Ledger:
    def __init__(self, out_dir: Path, active: bool) -> None:
        self.root = out_dir.resolve()
        self.path = out_dir / LEDGER
        self.active = active
        self.entries: dict[str, str] = {}
        if active and self.path.is_file():
            for line in self.path.read_text("utf-8", errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                    self.entries[entry["path"]] = entry["sha256"]
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a crash

    def _key(self, target: Path) -> str:
        return path_text(target.relative_to(self.root).as_posix())

    def check(self, target: Path, out_dir: Path) -> None:
        """A UsageError when `target` exists and is not an output of an earlier run."""
        if not self.active or not target.is_file():
            return
        if self.entries.get(self._key(target)) != _sha256(target):
            raise UsageError(
                f"--out-dir {path_text(out_dir)} lies inside the inputs and already holds {display_path(target)}, "
                "which cchc repair did not write (it is an input, or was edited): it would be replaced; choose "
                "an --out-dir outside the input folders"
            )

    def record(self, target: Path) -> None:
        if self.active:
            with open(self.path, "a", encoding="utf-8") as ledger:
                ledger.write(json.dumps({"path": self._key(target), "sha256": _sha256(target)}) + "\n")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def plan_outputs(inputs: Sequence[tuple[Path, Path]], out_dir: Path,
                 with_json: bool) -> list[tuple[Path, Path, Path | None]]:
    """(input, output, sidecar) for each input, before anything is written: an output outside `out_dir`, onto
    an input, or shared by two inputs is a UsageError and the whole run stops."""
    all_inputs = [file for file, _ in inputs]
    planned: dict[Path, Path] = {}
    jobs: list[tuple[Path, Path, Path | None]] = []
    for file, rel in inputs:
        rel = text_name(rel)
        target = output_path(out_dir, rel, all_inputs)
        sidecar = output_path(out_dir, rel.with_name(rel.name + ".json"), all_inputs) if with_json else None
        for dest in filter(None, (target, sidecar)):
            if dest in planned:
                raise UsageError(
                    f"{planned[dest]} and {file} would both be written to {dest}; "
                    "repair them in separate runs or pass their common folder"
                )
            planned[dest] = file
        jobs.append((file, target, sidecar))
    return jobs


def repair_tree(
    paths: Sequence[str],
    out_dir: Path | str,
    *,
    include: str | None = None,
    encoding: str | None = None,
    resources: Resources | None = None,
    with_json: bool = False,
    keep_results: bool = False,
    on_error: Callable[[CchcError], None] | None = None,
    on_done: Callable[[str, RepairResult | None], None] | None = None,
    options: SourceOptions | None = None,
    workers: int = 1,
) -> TreeReport:
    """Repair files and folders (walked for `include`, default ``*.txt``) into `out_dir`, mirroring the inputs'
    relative paths. `with_json` writes FILE.json beside each output; `keep_results` keeps each file's edit
    log (no streaming of large inputs). A file that cannot be read is reported to `on_error` and skipped;
    `on_done(label, result)` hears of each file written. `workers` > 1: files repaired in that many processes
    (:func:`cchc_cli.workers.run_pool`; messages and `on_done` then come in completion order). Raises
    UsageError for an unusable `out_dir` or plan, OutputError when an output cannot be written."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out-dir {out_dir}: exists and is not a folder")
    report = TreeReport()

    def failed(error: CchcError) -> None:
        report.failures.append(error)
        if on_error is not None:
            on_error(error)

    inputs = iter_inputs(list(paths), include, exclude=out_dir, on_error=failed, every_name=True)
    jobs = plan_outputs(inputs, out_dir, with_json)
    inside = any(out_dir.resolve().is_relative_to(Path(p).resolve()) for p in paths if Path(p).is_dir())
    ledger = _Ledger(out_dir, inside)
    for _, target, sidecar in jobs:
        for dest in filter(None, (target, sidecar)):
            ledger.check(dest, out_dir)
    work = [_Job(file, target, sidecar, display_path(file), encoding, options, keep_results,
                 resources.dictionaries if resources is not None else ()) for file, target, sidecar in jobs]
    for job, outcome in _outcomes(work, resources, workers):
        if outcome.error is not None and outcome.kind == "input":
            failed(InputError(outcome.error))
        elif outcome.kind == "output":
            raise OutputError(outcome.error or f"{job.target}: cannot write")  # the run stops
        elif outcome.kind == "internal":  # a bug on this file: reported, and the other files still repaired
            report.internal.append((_internal_error(outcome.error or ""), outcome.detail or ""))
            if on_error is not None:
                on_error(report.internal[-1][0])
        else:
            for dest in filter(None, (job.target, job.sidecar)):
                ledger.record(dest)
            report.written.append(job.target)
            if on_done is not None:
                on_done(job.label, outcome.result)
    return report


def _internal(label: str, exc: BaseException) -> str:
    detail = " ".join(str(exc).split()) or "no message"
    return (f"{label}: internal error: {type(exc).__name__}: {detail} (run with --debug for the traceback; "
            "please report it)")


def _internal_error(message: str) -> CchcError:
    return CchcError(message, exit_code=ExitCode.INTERNAL)


@dataclass(frozen=True)
class _Job:
    """One file of a tree to repair (plain data: it goes to a worker process)."""

    file: Path
    target: Path
    sidecar: Path | None
    label: str
    encoding: str | None
    options: SourceOptions | None
    keep_results: bool
    dictionaries: tuple[Path, ...]


@dataclass
class _Outcome:
    kind: str  # written | input (the file cannot be read) | output (an output cannot be written) | internal
    result: RepairResult | None = None
    error: str | None = None
    detail: str | None = None  # the traceback of an internal error


def _repair_job(job: _Job, resources: Resources | None = None) -> _Outcome:
    """Repair one file of a tree and write its outputs (in a worker, or in-process)."""
    resources = resources or load_resources(job.dictionaries or None)
    try:
        if job.keep_results and job.sidecar is None:
            result = repair_file(job.file, label=job.label, encoding=job.encoding, resources=resources,
                                 options=job.options)
            _write(job.target, result.text.encode("utf-8") if result is not None else b"")
        else:
            result = repair_file(job.file, job.target, encoding=job.encoding, resources=resources,
                                 sidecar=job.sidecar, label=job.label, options=job.options)
    except InputError as exc:
        return _Outcome("input", error=exc.message)
    except CchcError as exc:
        return _Outcome("output", error=exc.message)
    except Exception as exc:
        return _Outcome("internal", error=_internal(job.label, exc), detail="".join(traceback.format_exception(exc)))
    return _Outcome("written", result)


def _failed_job(job: _Job, exc: BaseException) -> _Outcome:
    return _Outcome("internal", error=_internal(job.label, exc), detail="".join(traceback.format_exception(exc)))


def _warm_repair(dictionaries: tuple[Path, ...]) -> None:
    """Load the engine and the dictionaries once, before the workers fork (or in each spawned one)."""
    _repairer(load_resources(dictionaries or None)).repair_text("Cong hoa xa hoi chu nghia Viet Nam")


def _outcomes(work: list[_Job], resources: Resources | None, workers: int) -> Iterator[tuple[_Job, _Outcome]]:
    if workers <= 1 or len(work) <= 1:
        for job in work:
            yield job, _repair_job(job, resources)
        return
    indexed = [(i, _one_page_at_a_time(job)) for i, job in enumerate(work)]
    dictionaries = work[0].dictionaries
    for index, outcome in run_pool(iter(indexed), _indexed_job, min(workers, len(work)), warm=_warm_repair,
                                   warm_args=(dictionaries,), failed=_indexed_failure):
        yield work[index], outcome


def _one_page_at_a_time(job: _Job) -> _Job:
    """A job for a worker: its scan's pages OCR'd one at a time (the files are what run in parallel)."""
    if job.options is None or job.options.jobs == 1:
        return job
    return replace(job, options=replace(job.options, jobs=1))


def _indexed_job(item: tuple[int, _Job]) -> tuple[int, _Outcome]:
    return item[0], _repair_job(item[1])


def _indexed_failure(item: tuple[int, _Job], exc: BaseException) -> tuple[int, _Outcome]:
    return item[0], _failed_job(item[1], exc)


def _write(target: Path, data: bytes) -> None:
    try:
        with atomic_open(target) as handle:
            handle.write(data)
    except OSError as exc:
        raise _write_error(exc, target) from None


def _write_error(exc: OSError, target: Path | str) -> OutputError:
    return OutputError(f"{exc.filename or target}: cannot write: {exc.strerror or exc}")
