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
import dataclasses
import hashlib
import json
import os
import stat
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .decode.source import SourceOptions, input_format
from .errors import CchcError, InputError, UsageError
from .io import STDIN_LABEL, iter_inputs, path_text, read_error
from .resources import Resources, load_resources
from .store import Store
from .workers import run_pool

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
    interrupted: bool = False  # Ctrl-C stopped it: the files stored so far are whole

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
        except FileNotFoundError:
            raise UsageError(f"--files-from {source}: no such file or folder; check the path") from None
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
    on_skip: Callable[[Path], None] | None = None,
    on_duplicate: Callable[[str], None] | None = None,
) -> list[IngestInput]:
    """The files named by `paths` in order, each once (folders walked as ``cchc repair`` does: recursively,
    sorted, `include` (default ``*.txt``) matched, hidden files skipped, symlinks out of the tree not
    followed). ``-`` stands for `stdin`'s bytes. A path that does not exist is passed to `on_error`, a file
    of a folder that `include` leaves out to `on_skip`, a name of a file already listed to `on_duplicate`."""
    found: list[IngestInput] = []
    seen: set[str] = set()
    for given in paths:
        if given == "-":
            data = stdin or b""
            key = f"{STDIN_LABEL}:{hashlib.sha256(data).hexdigest()[:16]}"
            if key not in seen:
                seen.add(key)
                found.append(IngestInput(STDIN_LABEL, key, None, data))
            elif on_duplicate is not None:
                on_duplicate(given)
            continue
        is_dir = Path(given).is_dir()
        for file, rel in iter_inputs([given], include, on_error=on_error, on_skip=on_skip):
            key = path_text(file.resolve())
            if key in seen:
                if on_duplicate is not None:
                    on_duplicate(given)
                continue
            seen.add(key)
            label = path_text(os.path.join(given, str(rel)) if is_dir else given)
            found.append(IngestInput(label, key, file))
    return found


# --- the batch ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    index: int
    label: str
    source: str | None
    data: bytes | None  # None: a PDF, image or DOCX read by the worker from `path`, page by page
    sha256: str
    encoding: str | None
    dictionaries: tuple[Path, ...]
    path: Path | None = None
    options: SourceOptions | None = None
    state: tuple[int, int] | None = None  # the (size, mtime) of `path` when the parent hashed it


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


@dataclass
class _Read:
    """A file as the batch read it, once: its digest, and its bytes (a file up to WHOLE_FILE) or where to read
    it again in parts (a long regular file, whose state tells whether it changed meanwhile; or the spool a pipe
    was copied into)."""

    sha256: str
    data: bytes | None = None
    path: Path | None = None
    state: tuple[int, int] | None = None
    spool: IO[bytes] | None = None
    document: bool = False  # a PDF, image or DOCX (read from `path` by the worker), not text


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
    on_progress: Callable[[IngestInput, int, int], None] | None = None,
    options: SourceOptions | None = None,
) -> BatchSummary:
    """Ingest `inputs` into `store`; see the module docstring. `on_outcome` hears about each file as it is
    done (in completion order); `on_progress(input, documents, lines)` how far the reading of a long file
    (over WHOLE_FILE, read in parts) has got. Raises StoreError when the store fails."""
    resources = resources or load_resources()
    batch = _Batch(store, resources, encoding, force, fail_fast, on_outcome)
    batch.summary.files = len(inputs)
    long_files: list[tuple[IngestInput, _Read]] = []

    def task(index: int, item: IngestInput, read: _Read) -> _Task | None:
        if read.document:
            return _Task(index, item.label, item.source, None, read.sha256, encoding, resources.dictionaries,
                         read.path, page_options, read.state)
        if read.data is None:
            long_files.append((item, read))
            return None
        return _Task(index, item.label, item.source, read.data, read.sha256, encoding, resources.dictionaries,
                     options=page_options)

    def tasks() -> Iterator[_Task]:
        for index, item in enumerate(inputs):
            if batch.summary.stopped:
                return
            read = batch.read(index, item)
            made = None if read is None else task(index, item, read)
            if made is not None:
                yield made

    workers = min(jobs or os.cpu_count() or 1, len(inputs))
    # one file: its pages are OCR'd --jobs at a time; several: a file a worker, its pages one at a time
    page_options = options or SourceOptions()
    if len(inputs) == 1 and (jobs or os.cpu_count() or 1) > 1:
        page_options = dataclasses.replace(page_options, jobs=jobs or os.cpu_count() or 1)
    try:
        results = _serial(tasks()) if workers <= 1 else _parallel(tasks(), workers, resources.dictionaries)
        with contextlib.closing(results):
            for result in results:
                if batch.finish(inputs[result.index], result):
                    break
        for item, read in long_files:
            if batch.summary.stopped:
                break
            batch.finish_long(item, read, on_progress)
        long_files.clear()
        # Files another run claimed: wait for it, then take them over if it did not store them.
        for index, item, read in batch.waiting_for_others():
            made = task(index, item, read)
            if made is not None and batch.finish(item, _process(made)):
                break
            for long_item, long_read in long_files:
                batch.finish_long(long_item, long_read, on_progress)
            long_files.clear()
    except KeyboardInterrupt:  # the workers ignore it; the pool is ended on the way out
        batch.summary.interrupted = True
    finally:
        for _, read in long_files:
            if read.spool is not None:
                read.spool.close()
    return batch.summary


class _Batch:
    """The parent's side of a batch: reading each file once, counting, and the one writer of the store."""

    def __init__(self, store: Store, resources: Resources, encoding: str | None, force: bool, fail_fast: bool,
                 on_outcome: Callable[[FileOutcome], None] | None) -> None:
        self.store = store
        self.resources = resources
        self.pipeline = resources.version
        self.encoding = encoding
        self.force = force
        self.fail_fast = fail_fast
        self.on_outcome = on_outcome
        self.summary = BatchSummary()
        self.deferred: list[tuple[int, IngestInput, _Read]] = []
        self.claimed: dict[str, str] = {}  # key → sha256 of the files this run claimed and has not let go

    def report(self, outcome: FileOutcome) -> bool:
        """Count and announce `outcome`; True when the batch must stop (fail_fast)."""
        self.summary.add(outcome)
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        if outcome.status == "failed" and self.fail_fast:
            self.summary.stopped = True
        return self.summary.stopped

    def read(self, index: int, item: IngestInput) -> _Read | None:
        """The file read once and claimed for this run; None when it needs no processing here (unreadable,
        stored already with this content by this pipeline, or claimed by another run: then it waits in
        `deferred`), after reporting it."""
        try:
            read = _read_once(item)
        except InputError as exc:
            self.report(FileOutcome(item, "failed", error=exc.message))
            return None
        if self.unchanged(item, read):
            return None
        if not self.store.claim(item.key, read.sha256, self.pipeline):
            self.deferred.append((index, item, read))
            return None
        self.claimed[item.key] = read.sha256
        return read

    def unchanged(self, item: IngestInput, read: _Read) -> bool:
        latest = None if self.force else self.store.latest_ingest(item.key)
        if latest is None or (latest.sha256, latest.pipeline) != (read.sha256, self.pipeline):
            return False
        if read.spool is not None:
            read.spool.close()
        self.report(FileOutcome(item, "unchanged", documents=latest.document_count))
        return True

    def waiting_for_others(self) -> Iterator[tuple[int, IngestInput, _Read]]:
        """The files other runs had claimed, each once that run let go of it, unless it stored them meanwhile."""
        while self.deferred and not self.summary.stopped:
            index, item, read = self.deferred.pop(0)
            self.store.claim(item.key, read.sha256, self.pipeline, wait=True)
            self.claimed[item.key] = read.sha256
            if not self.force and self.unchanged(item, read):
                self.let_go(item)
                continue
            yield index, item, read

    def let_go(self, item: IngestInput) -> None:
        """Release this run's claim on `item` (stored, or failed: another run may then try it)."""
        sha256 = self.claimed.pop(item.key, None)
        if sha256 is not None:
            self.store.release(item.key, sha256, self.pipeline)

    def finish(self, item: IngestInput, result: WorkerResult) -> bool:
        if result.error is not None:
            self.let_go(item)
            return self.report(FileOutcome(item, "failed", error=result.error, internal=result.internal,
                                           detail=result.detail))
        assert result.sha256 is not None
        try:
            stored = self.store.store_file(item.key, result.sha256, self.pipeline, result.records, force=self.force)
        finally:
            self.let_go(item)
        return self.report(FileOutcome(
            item, stored.status, documents=stored.document_count,
            tasks=sum(len(r.get("tasks") or ()) for r in result.records),
            targets=sum(len(r.get("targets") or ()) for r in result.records),
            warnings=list(result.warnings),
        ))

    def finish_long(self, item: IngestInput, read: _Read,
                    on_progress: Callable[[IngestInput, int, int], None] | None) -> bool:
        """A long file, read in parts here in the parent: its records spooled to disk, then stored in one
        transaction."""
        try:
            with tempfile.TemporaryFile() as spool:
                outcome = _ingest_long(item, read, self.resources, self.encoding, spool,
                                       (lambda documents, lines: on_progress(item, documents, lines))
                                       if on_progress is not None else None)
                if outcome.status == "failed":
                    return self.report(outcome)
                spool.seek(0)
                stored = self.store.store_file(item.key, read.sha256, self.pipeline,
                                               (json.loads(line) for line in spool), force=self.force)
        except CchcError as exc:
            if not isinstance(exc, InputError):
                raise
            return self.report(FileOutcome(item, "failed", error=exc.message))
        finally:
            self.let_go(item)
        outcome.status = stored.status
        return self.report(outcome)


# Files up to this size are read whole, hashed, and sent to a worker; longer ones are read in parts.
WHOLE_FILE = 5 * 1024 * 1024


def _read_once(item: IngestInput) -> _Read:
    """Read an input once: its bytes and digest, or for a long file its digest and how to read it again."""
    if item.data is not None:
        return _Read(hashlib.sha256(item.data).hexdigest(), data=item.data)
    assert item.path is not None
    try:
        with open(item.path, "rb") as stream:
            info = os.fstat(stream.fileno())
            if stat.S_ISREG(info.st_mode):
                if input_format(stream.read(4096)) != "text":  # read by the worker, page by page
                    stream.seek(0)
                    return _Read(_sha256_of(stream), path=item.path, state=(info.st_size, info.st_mtime_ns),
                                 document=True)
                stream.seek(0)
                if info.st_size <= WHOLE_FILE:
                    data = stream.read()
                    _same_file(stream, (info.st_size, info.st_mtime_ns), item.label)
                    return _Read(hashlib.sha256(data).hexdigest(), data=data)
                return _Read(_sha256_of(stream), path=item.path, state=(info.st_size, info.st_mtime_ns))
            return _spooled(stream)  # a pipe (`cchc ingest <(…)`), a FIFO, a device: it can be read only once
    except OSError as exc:
        raise read_error(item.label, exc) from None


def _spooled(stream: IO[bytes]) -> _Read:
    digest = hashlib.sha256()
    spool = tempfile.SpooledTemporaryFile(max_size=WHOLE_FILE)  # noqa: SIM115 - closed by the batch
    while block := stream.read(_HASH_BLOCK):
        digest.update(block)
        spool.write(block)
    if spool.tell() <= WHOLE_FILE:
        spool.seek(0)
        data = spool.read()
        spool.close()
        return _Read(digest.hexdigest(), data=data)
    spool.seek(0)
    return _Read(digest.hexdigest(), spool=spool)  # type: ignore[arg-type]


def _sha256_of(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while block := stream.read(_HASH_BLOCK):
        digest.update(block)
    return digest.hexdigest()


def _same_file(stream: IO[bytes], before: tuple[int, int], label: str) -> None:
    info = os.fstat(stream.fileno())
    if (info.st_size, info.st_mtime_ns) != before:
        raise InputError(f"{label}: changed while it was read (another program is writing it); run again when "
                         "it is complete")


class _Hashing:
    """A binary stream that digests what is read through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        block = self.stream.read(size)
        self.digest.update(block)
        return block


def _ingest_long(item: IngestInput, read: _Read, resources: Resources, encoding: str | None, spool: IO[bytes],
                 on_part: Callable[[int, int], None] | None) -> FileOutcome:
    """Read a long file in parts (pipeline.ingest_lines), each record written to `spool` as a JSON line."""
    from . import pipeline
    from .decode import iter_decoded_lines

    outcome = FileOutcome(item, "stored")
    try:
        with contextlib.ExitStack() as stack:
            raw = read.spool if read.spool is not None else stack.enter_context(open(read.path, "rb"))  # type: ignore[arg-type]
            hashing = _Hashing(raw)
            lines = iter_decoded_lines(hashing, item.label, encoding)  # type: ignore[arg-type]
            for record in pipeline.ingest_lines(lines, item.source, sha256=read.sha256, resources=resources,
                                                on_part=on_part):
                data = record.to_json_dict()
                spool.write((json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8"))
                outcome.documents += 1
                outcome.tasks += len(record.tasks)
                outcome.targets += len(record.targets)
                outcome.warnings += [f"{item.label}: {w}" for w in record.warnings]
            if read.state is not None:
                _same_file(raw, read.state, item.label)
            if hashing.digest.hexdigest() != read.sha256:
                raise InputError(f"{item.label}: changed while it was read (another program is writing it); "
                                 "run again when it is complete")
    except CchcError as exc:
        return FileOutcome(item, "failed", error=exc.message)
    except OSError as exc:
        return FileOutcome(item, "failed", error=read_error(item.label, exc).message)
    except Exception as exc:  # a bug on this file: reported, and the batch goes on
        outcome = FileOutcome(item, "failed", internal=True, detail="".join(traceback.format_exception(exc)))
        outcome.error = _internal_message(item.label, exc)
        return outcome
    if not outcome.documents:
        outcome.warnings.append(f"{item.label}: empty, no document read")
    return outcome


def _serial(tasks: Iterator[_Task]) -> Iterator[WorkerResult]:
    for task in tasks:
        yield _process(task)


def _parallel(tasks: Iterator[_Task], workers: int, dictionaries: tuple[Path, ...]) -> Iterator[WorkerResult]:
    """Results of `tasks` from a pool of `workers` processes (:func:`cchc_cli.workers.run_pool`), in
    completion order; the model is loaded once for them (`_warm`)."""
    return run_pool(tasks, _process, workers, warm=_warm, warm_args=(dictionaries,), failed=_internal)


def _warm(dictionaries: tuple[Path, ...]) -> None:
    """Load everything a document needs (engine, dictionaries, extraction tables) by ingesting a tiny text."""
    from .pipeline import ingest_text

    ingest_text("Số: 1/KH-UBND\nKẾ HOẠCH\nCải cách hành chính năm 2025\n- Tổ chức thực hiện.\n",
                resources=load_resources(dictionaries))


def _process(task: _Task) -> WorkerResult:
    """One file's bytes → its records as JSON dicts (in a worker, or in-process for ``--jobs 1``)."""
    from . import pipeline

    try:
        records = pipeline.ingest_bytes(task.path if task.data is None else task.data, task.label, task.source,
                                        resources=load_resources(task.dictionaries), sha256=task.sha256,
                                        encoding=task.encoding, options=task.options)
        if task.path is not None and task.state is not None:
            info = os.stat(task.path)
            if (info.st_size, info.st_mtime_ns) != task.state:  # the records would not be of the bytes hashed
                raise InputError(f"{task.label}: changed while it was read (another program is writing it); run "
                                 "again when it is complete")
    except CchcError as exc:
        return WorkerResult(task.index, error=exc.message)
    except Exception as exc:  # a bug on this file: reported, and the batch goes on
        return _internal(task, exc)
    warnings = [f"{task.label}: {w}" for r in records for w in r.warnings]
    if not records:
        warnings.append(f"{task.label}: empty, no document read")
    return WorkerResult(task.index, sha256=task.sha256, records=tuple(record.to_json_dict() for record in records),
                        warnings=tuple(warnings))


def _internal_message(label: str, exc: BaseException) -> str:
    detail = " ".join(str(exc).split()) or "no message"
    return (f"{label}: internal error: {type(exc).__name__}: {detail} (run with --debug for the traceback; "
            "please report it)")


def _internal(task: _Task, exc: BaseException) -> WorkerResult:
    return WorkerResult(task.index, internal=True, error=_internal_message(task.label, exc),
                        detail="".join(traceback.format_exception(exc)))
