"""Batch ingest: many files → records → the store, in parallel worker processes, one writer.

:func:`collect_inputs` expands the command line (files, folders, ``-``, ``--files-from``) into
:class:`IngestInput` items; :func:`ingest_batch` then

1. reads each file once in the parent and skips it when its latest ingest in the store has the same sha256
   and pipeline version (:func:`pipeline_version`), before any repair is done (``force`` re-processes);
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
from .store import Store

__all__ = [
    "STDIN_LABEL",
    "BatchSummary",
    "FileOutcome",
    "IngestInput",
    "collect_inputs",
    "ingest_batch",
    "pipeline_version",
    "read_files_from",
]

STDIN_LABEL = "<stdin>"
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
    from .io import iter_inputs

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


# --- the pipeline version ----------------------------------------------------------------------------------


def pipeline_version(dictionaries: Sequence[Path] = ()) -> str:
    """``<package version>+<digest>``: the digest covers the package's own code and the shipped model and
    dictionary files, so a changed decoder or a retrained model counts as a newer pipeline even without a
    version bump, and the user's ``--dictionary`` files (their content), so ingesting with other terms
    re-reads the files. Hashing the ~5 MB takes a few milliseconds."""
    from importlib import resources

    from . import __version__

    digest = hashlib.sha256()
    folder = resources.files("cchc_cli.dictionaries")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_file() and not entry.name.endswith((".py", ".pyc")):
            digest.update(f"{entry.name}\0".encode())
            digest.update(hashlib.sha256(entry.read_bytes()).digest())
    folders = [("", resources.files("cchc_cli"))]
    while folders:  # the package's modules, sub-packages included
        prefix, folder = folders.pop()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.is_dir() and entry.name not in {"dictionaries", "__pycache__"}:
                folders.append((f"{prefix}{entry.name}/", entry))
            elif entry.is_file() and entry.name.endswith(".py"):
                digest.update(f"{prefix}{entry.name}\0".encode())
                digest.update(hashlib.sha256(entry.read_bytes()).digest())
    version = f"{__version__}+{digest.hexdigest()[:12]}"
    if dictionaries:
        user = hashlib.sha256()
        for path in dictionaries:
            user.update(Path(path).read_bytes())
            user.update(b"\0")
        version += f".d{user.hexdigest()[:8]}"
    return version


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


def ingest_batch(
    inputs: Sequence[IngestInput],
    store: Store,
    *,
    dictionaries: Sequence[Path] = (),
    encoding: str | None = None,
    force: bool = False,
    jobs: int | None = None,
    fail_fast: bool = False,
    pipeline: str | None = None,
    on_outcome: Callable[[FileOutcome], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> BatchSummary:
    """Ingest `inputs` into `store`; see the module docstring. `on_outcome` hears about each file as it is
    done (in completion order); `on_start` is told how many files need processing once the unchanged ones
    are known. Raises StoreError when the store fails."""
    pipeline = pipeline or pipeline_version(dictionaries)
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

    todo: list[_Task] = []
    items: list[IngestInput] = []  # items[i] is the input of todo[i]
    for item in inputs:
        try:
            sha256 = _sha256_of(item)
        except InputError as exc:
            if report(FileOutcome(item, "failed", error=exc.message)):
                return summary
            continue
        latest = None if force else store.latest_ingest(item.key)
        if latest is not None and (latest.sha256, latest.pipeline) == (sha256, pipeline):
            if report(FileOutcome(item, "unchanged", documents=latest.document_count)):
                return summary
            continue
        items.append(item)
        todo.append(_Task(len(todo), item.label, item.source, None if item.path is None else str(item.path),
                          item.data, encoding, tuple(dictionaries)))
    if on_start is not None:
        on_start(len(todo))

    def finish(result: dict[str, Any]) -> bool:
        item = items[result["index"]]
        if not result["ok"]:
            return report(FileOutcome(item, "failed", error=result["error"], internal=result.get("internal", False),
                                      detail=result.get("detail")))
        records = result["records"]
        stored = store.store_file(item.key, result["sha256"], pipeline, records, force=force)
        return report(FileOutcome(
            item, stored.status, documents=len(records),
            tasks=sum(len(r.get("tasks") or ()) for r in records),
            targets=sum(len(r.get("targets") or ()) for r in records),
            warnings=result["warnings"],
        ))

    workers = min(jobs or os.cpu_count() or 1, len(todo))
    if workers <= 1:
        for task in todo:
            if finish(_process(task)):
                break
        return summary
    with contextlib.closing(_parallel(todo, workers, tuple(dictionaries))) as results:
        for result in results:
            if finish(result):
                break
    return summary


def _sha256_of(item: IngestInput) -> str:
    from .io import read_error

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


def _parallel(tasks: list[_Task], workers: int, dictionaries: tuple[Path, ...]) -> Iterator[dict[str, Any]]:
    """Results of `tasks` from a pool of `workers` processes, in completion order, with at most two tasks per
    worker in flight. Leaving the iterator early terminates the pool."""
    if "fork" in multiprocessing.get_all_start_methods():
        # Load the model here, once: the forked workers share its pages (gc.freeze keeps the collector from
        # touching, and so copying, them).
        _warm(dictionaries)
        gc.freeze()
        context = multiprocessing.get_context("fork")
        pool = context.Pool(workers)
    else:
        context = multiprocessing.get_context("spawn")
        pool = context.Pool(workers, initializer=_warm, initargs=(dictionaries,))
    results: queue.Queue[dict[str, Any]] = queue.Queue()

    def failed(task: _Task) -> Callable[[BaseException], None]:
        def put(exc: BaseException) -> None:
            results.put(_internal(task, exc))

        return put

    pending = iter(tasks)
    in_flight = 0
    try:
        for task in pending:
            pool.apply_async(_process, (task,), callback=results.put, error_callback=failed(task))
            in_flight += 1
            if in_flight >= 2 * workers:
                break
        while in_flight:
            result = results.get()
            in_flight -= 1
            task = next(pending, None)
            if task is not None:
                pool.apply_async(_process, (task,), callback=results.put, error_callback=failed(task))
                in_flight += 1
            yield result
        pool.close()
        pool.join()
    finally:
        pool.terminate()
        if "fork" in multiprocessing.get_all_start_methods():
            gc.unfreeze()


def _warm(dictionaries: tuple[Path, ...]) -> None:
    """Load everything a document needs (engine, dictionaries, extraction tables) by ingesting a tiny text."""
    from .ingest import ingest_text

    ingest_text("Số: 1/KH-UBND\nKẾ HOẠCH\nCải cách hành chính năm 2025\n- Tổ chức thực hiện.\n",
                dictionaries=list(dictionaries) or None)


def _process(task: _Task) -> dict[str, Any]:
    """One file → its records as JSON dicts (runs in a worker, or in-process for one file or ``--jobs 1``)."""
    from .decode import decode_bytes
    from .io import read_error

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
        text = decode_bytes(data, task.label, task.encoding)
        from .ingest import ingest_text

        sha256 = hashlib.sha256(data).hexdigest()
        records = ingest_text(text, task.source, dictionaries=list(task.dictionaries) or None, sha256=sha256)
    except CchcError as exc:
        return {"ok": False, "index": task.index, "error": exc.message}
    except Exception as exc:  # a bug on this file: reported, and the batch goes on
        return _internal(task, exc)
    warnings = [f"{task.label}: {w}" for r in records for w in r.warnings]
    if not records:
        warnings.append(f"{task.label}: empty, no document read")
    return {
        "ok": True,
        "index": task.index,
        "sha256": sha256,
        "records": [record.to_json_dict() for record in records],
        "warnings": warnings,
    }


def _internal(task: _Task, exc: BaseException) -> dict[str, Any]:
    detail = " ".join(str(exc).split()) or "no message"
    return {
        "ok": False,
        "index": task.index,
        "internal": True,
        "error": f"{task.label}: internal error: {type(exc).__name__}: {detail} (run with --debug for the "
                 "traceback; please report it)",
        "detail": "".join(traceback.format_exception(exc)),
    }
