"""Batch ingest: many files → records → the store, in parallel worker processes, one writer.

:func:`collect_inputs` expands the command line (files, folders, ``-``, ``--files-from``) into
:class:`IngestInput` items; :func:`ingest_batch` then

1. reads each file once in the parent and skips it when its latest ingest in the store has the same sha256
   and pipeline version (:attr:`Resources.version <cchc_cli.resources.Resources.version>`), before any
   repair is done (``force`` re-processes);
2. sends the others to worker processes (``multiprocessing`` with ``fork`` where the OS has it: the repair
   engine and dictionaries are loaded in the parent first and shared copy-on-write; ``spawn`` with an
   initializer that loads them elsewhere), at most a few files in flight, so memory stays flat;
3. writes each file's records in the parent (the only writer), one transaction per file.

A file that cannot be read, is binary, or does not decode is a failed :class:`FileOutcome` and the batch goes
on (unless ``fail_fast``); a store error stops it (:class:`~cchc_cli.errors.StoreError`, exit 4).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing
import os
import queue
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CchcError, InputError, UsageError
from .io import STDIN_LABEL, iter_inputs, read_error
from .resources import Resources, load_resources
from .store import Store

__all__ = [
    "BatchSummary",
    "FileOutcome",
    "IngestInput",
    "WorkerResult",
    "collect_inputs",
    "ingest_batch",
    "read_files_from",
]

_HASH_BLOCK = 1024 * 1024
IN_FLIGHT_PER_WORKER = 2  # files handed to each worker ahead, so memory stays flat


@dataclass(frozen=True)
class IngestInput:
    """One file to ingest.

    `label` is the path as the user would type it (the name given, or the folder given joined with the path
    found under it): messages name it and records carry it as ``source.path``. `key` identifies the file in
    the store: the resolved path, or for stdin ``<stdin>:`` + the first 16 hex digits of its sha256 (a text on
    stdin has no name, so its content is its identity). `data` holds stdin's bytes.
    """

    label: str
    key: str
    path: Path | None = None
    data: bytes | None = None

    @property
    def source(self) -> str | None:
        return None if self.path is None else self.label


@dataclass
class FileOutcome:
    """What happened to one input: ``stored``, ``unchanged`` (already in the store) or ``failed``."""

    input: IngestInput
    status: str
    documents: int = 0
    tasks: int = 0
    targets: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    internal: bool = False  # the failure is a bug of ours (exit 70), not a bad input
    detail: str | None = None  # the traceback of an internal error


@dataclass
class BatchSummary:
    files: int = 0
    stored: int = 0
    unchanged: int = 0
    failed: int = 0
    internal: int = 0
    documents: int = 0
    tasks: int = 0
    targets: int = 0
    warnings: int = 0
    stopped: bool = False  # fail_fast stopped the batch early

    def add(self, outcome: FileOutcome) -> None:
        if outcome.status == "failed":
            self.failed += 1
            self.internal += outcome.internal
            return
        if outcome.status == "unchanged":
            self.unchanged += 1
            return
        self.stored += 1
        self.documents += outcome.documents
        self.tasks += outcome.tasks
        self.targets += outcome.targets
        self.warnings += len(outcome.warnings)


# --- inputs ----------------------------------------------------------------------------------------------


def read_files_from(source: str, read_stdin: Callable[[], bytes]) -> list[str]:
    """The paths listed in `source` (a file, or '-' for stdin): one a line, blank lines and # comments skipped."""
    if source == "-":
        data = read_stdin()
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise UsageError(f"--files-from {source}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"--files-from {source}: not UTF-8 text; list one path a line in UTF-8") from None
    paths = []
    for line in text.splitlines():
        entry = line.rstrip("\r\n")
        if entry.strip() and not entry.lstrip().startswith("#"):
            paths.append(entry)
    return paths


def collect_inputs(
    paths: Sequence[str],
    include: str | None,
    *,
    stdin: bytes | None = None,
    on_error: Callable[[CchcError], None],
) -> list[IngestInput]:
    """The files named by `paths` in order, each once (folders walked as ``cchc repair`` does: recursively,
    sorted, `include` (default ``*.txt``) matched, hidden files skipped, symlinks out of the tree not
    followed). ``-`` stands for `stdin`'s bytes. A path that does not exist is passed to `on_error`."""
    found: list[IngestInput] = []
    seen: set[str] = set()
    for given in paths:
        if given == "-":
            data = stdin or b""
            key = f"{STDIN_LABEL}:{hashlib.sha256(data).hexdigest()[:16]}"
            if key not in seen:
                seen.add(key)
                found.append(IngestInput(STDIN_LABEL, key, None, data))
            continue
        is_dir = Path(given).is_dir()
        for file, rel in iter_inputs([given], include, on_error=on_error):
            key = str(file.resolve())
            if key in seen:
                continue
            seen.add(key)
            label = os.path.join(given, str(rel)) if is_dir else given
            found.append(IngestInput(label, key, file))
    return found


# --- the batch ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    index: int
    label: str
    source: str | None
    path: str | None
    data: bytes | None
    encoding: str | None
    dictionaries: tuple[Path, ...]


@dataclass(frozen=True)
class WorkerResult:
    """What a worker sends back for one file: its records as JSON dicts, or the failure."""

    index: int
    sha256: str | None = None
    records: tuple[dict[str, Any], ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None
    internal: bool = False  # the failure is a bug of ours (exit 70), not a bad input
    detail: str | None = None  # the traceback of an internal error


def ingest_batch(
    inputs: Sequence[IngestInput],
    store: Store,
    *,
    resources: Resources | None = None,
    encoding: str | None = None,
    force: bool = False,
    jobs: int | None = None,
    fail_fast: bool = False,
    on_outcome: Callable[[FileOutcome], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> BatchSummary:
    """Ingest `inputs` into `store`; see the module docstring. `on_outcome` hears about each file as it is
    done (in completion order); `on_start` is told how many files need processing once the unchanged ones
    are known. Raises StoreError when the store fails."""
    resources = resources or load_resources()
    pipeline = resources.version
    summary = BatchSummary(files=len(inputs))

    def report(outcome: FileOutcome) -> bool:
        """Count and announce `outcome`; True when the batch must stop (fail_fast)."""
        summary.add(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
        if outcome.status == "failed" and fail_fast:
            summary.stopped = True
            return True
        return False

    todo: list[tuple[IngestInput, _Task]] = []
    for item in inputs:
        outcome = _unchanged_or_unreadable(item, store, pipeline, force)
        if outcome is not None:
            if report(outcome):
                return summary
            continue
        todo.append((item, _Task(len(todo), item.label, item.source, None if item.path is None else str(item.path),
                                 item.data, encoding, resources.dictionaries)))
    if on_start is not None:
        on_start(len(todo))

    def finish(result: WorkerResult) -> bool:
        item = todo[result.index][0]
        if result.error is not None:
            return report(FileOutcome(item, "failed", error=result.error, internal=result.internal,
                                      detail=result.detail))
        assert result.sha256 is not None
        stored = store.store_file(item.key, result.sha256, pipeline, result.records, force=force)
        return report(FileOutcome(
            item, stored.status, documents=len(result.records),
            tasks=sum(len(r.get("tasks") or ()) for r in result.records),
            targets=sum(len(r.get("targets") or ()) for r in result.records),
            warnings=list(result.warnings),
        ))

    tasks = [task for _, task in todo]
    workers = min(jobs or os.cpu_count() or 1, len(tasks))
    if workers <= 1:
        for task in tasks:
            if finish(_process(task)):
                break
        return summary
    with contextlib.closing(_parallel(tasks, workers, resources.dictionaries)) as results:
        for result in results:
            if finish(result):
                break
    return summary


def _unchanged_or_unreadable(item: IngestInput, store: Store, pipeline: str, force: bool) -> FileOutcome | None:
    """The outcome of a file that needs no processing: unreadable, or stored already with this content by
    this pipeline; None for a file to process."""
    try:
        sha256 = _sha256_of(item)
    except InputError as exc:
        return FileOutcome(item, "failed", error=exc.message)
    latest = None if force else store.latest_ingest(item.key)
    if latest is not None and (latest.sha256, latest.pipeline) == (sha256, pipeline):
        return FileOutcome(item, "unchanged", documents=latest.document_count)
    return None


def _sha256_of(item: IngestInput) -> str:
    if item.data is not None:
        return hashlib.sha256(item.data).hexdigest()
    assert item.path is not None
    digest = hashlib.sha256()
    try:
        with open(item.path, "rb") as stream:
            while block := stream.read(_HASH_BLOCK):
                digest.update(block)
    except OSError as exc:
        raise read_error(item.label, exc) from None
    return digest.hexdigest()


def _parallel(tasks: list[_Task], workers: int, dictionaries: tuple[Path, ...]) -> Iterator[WorkerResult]:
    """Results of `tasks` from a pool of `workers` processes, in completion order, with at most
    IN_FLIGHT_PER_WORKER tasks per worker in flight. Leaving the iterator early terminates the pool."""
    forking = "fork" in multiprocessing.get_all_start_methods()
    if forking:
        # Load the model here, once: the forked workers share its pages (gc.freeze keeps the collector from
        # touching, and so copying, them).
        _warm(dictionaries)
        gc.freeze()
        pool = multiprocessing.get_context("fork").Pool(workers)
    else:
        pool = multiprocessing.get_context("spawn").Pool(workers, initializer=_warm, initargs=(dictionaries,))
    results: queue.Queue[WorkerResult] = queue.Queue()

    def submit(task: _Task) -> None:
        def failed(exc: BaseException) -> None:
            results.put(_internal(task, exc))

        pool.apply_async(_process, (task,), callback=results.put, error_callback=failed)

    pending = iter(tasks)
    in_flight = 0
    try:
        for task in pending:
            submit(task)
            in_flight += 1
            if in_flight >= IN_FLIGHT_PER_WORKER * workers:
                break
        while in_flight:
            result = results.get()
            in_flight -= 1
            task = next(pending, None)
            if task is not None:
                submit(task)
                in_flight += 1
            yield result
        pool.close()
        pool.join()
    finally:
        pool.terminate()
        if forking:
            gc.unfreeze()


def _warm(dictionaries: tuple[Path, ...]) -> None:
    """Load everything a document needs (engine, dictionaries, extraction tables) by ingesting a tiny text."""
    from .pipeline import ingest_text

    ingest_text("Số: 1/KH-UBND\nKẾ HOẠCH\nCải cách hành chính năm 2025\n- Tổ chức thực hiện.\n",
                resources=load_resources(dictionaries))


def _process(task: _Task) -> WorkerResult:
    """One file → its records as JSON dicts (runs in a worker, or in-process for one file or ``--jobs 1``)."""
    from . import pipeline
    from .decode import decode_bytes

    try:
        if task.data is not None:
            data = task.data
        else:
            assert task.path is not None
            try:
                with open(task.path, "rb") as stream:
                    data = stream.read()
            except OSError as exc:
                raise read_error(task.label, exc) from None
        sha256 = hashlib.sha256(data).hexdigest()
        records = pipeline.ingest_text(decode_bytes(data, task.label, task.encoding), task.source,
                                       resources=load_resources(task.dictionaries), sha256=sha256)
    except CchcError as exc:
        return WorkerResult(task.index, error=exc.message)
    except Exception as exc:  # a bug on this file: reported, and the batch goes on
        return _internal(task, exc)
    warnings = [f"{task.label}: {w}" for r in records for w in r.warnings]
    if not records:
        warnings.append(f"{task.label}: empty, no document read")
    return WorkerResult(task.index, sha256=sha256,
                        records=tuple(record.to_json_dict() for record in records), warnings=tuple(warnings))


def _internal(task: _Task, exc: BaseException) -> WorkerResult:
    detail = " ".join(str(exc).split()) or "no message"
    return WorkerResult(
        task.index, internal=True,
        error=f"{task.label}: internal error: {type(exc).__name__}: {detail} (run with --debug for the "
              "traceback; please report it)",
        detail="".join(traceback.format_exception(exc)),
    )
