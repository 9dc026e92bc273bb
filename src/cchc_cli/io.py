"""Files in and out: which inputs a command sees, where their outputs go, and writing them safely.

- :func:`iter_inputs` turns the paths on the command line into (file, path relative to what was given);
- :func:`output_path` maps such a relative path under ``--out-dir``: never outside it, never onto an input;
- :func:`atomic_write_text` / :func:`atomic_open` write through a temporary file in the target's folder and
  ``os.replace`` it into place, so a reader (or a crash) never sees half a file.

Nothing in a document's content decides where a file goes: only the names on the file system do.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import tempfile
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from .errors import CchcError, InputError, UsageError

__all__ = ["DEFAULT_INCLUDE", "DOCUMENT_SUFFIXES", "STDIN_LABEL", "BinaryOut", "NoMatchError", "atomic_open",
           "atomic_write_text", "display_path", "included", "iter_inputs", "output_path", "path_text", "peek_head",
           "read_error", "text_name"]

# What folders are walked for: text, and the documents the decode stage reads (cchc_cli.decode.source).
DEFAULT_INCLUDE = "*.txt,*.pdf,*.png,*.jpg,*.jpeg,*.tif,*.tiff,*.docx"
# Inputs with these suffixes are not text: their text goes to NAME.SUFFIX.txt in an --out-dir.
DOCUMENT_SUFFIXES = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".docx", ".gif", ".webp", ".bmp"})
STDIN_LABEL = "<stdin>"  # how messages and records name a text read from stdin


class NoMatchError(InputError):
    """A folder given holds no file matching --include: nothing was read from it, though nothing failed."""


class BinaryOut(Protocol):
    """Where an output's bytes go: stdout, an atomic file, a buffer."""

    def write(self, data: bytes, /) -> Any: ...


# --- inputs ----------------------------------------------------------------------------------------------


def iter_inputs(
    paths: list[str],
    include: str | None = None,
    *,
    exclude: Path | None = None,
    on_error: Callable[[CchcError], None] | None = None,
    every_name: bool = False,
    on_skip: Callable[[Path], None] | None = None,
) -> list[tuple[Path, Path]]:
    """The input files named by `paths`, as (absolute path, path relative to the root given).

    A file stands for itself (relative path: its name), whatever its name; a folder is walked recursively in
    sorted order, keeping the files whose name (or relative path) matches one of the comma-separated patterns
    of `include` (default :data:`DEFAULT_INCLUDE`),
    skipping hidden files and folders, folders linked in by symlinks, symlinks that lead outside the folder,
    and everything under `exclude` (the output folder, when it lies inside an input folder). The same file
    named twice is listed once; with `every_name`, once under each name the walk finds it by (a symlink
    beside its target: two names, two outputs).

    Names are matched without regard to case (``*.txt`` takes ``PLAN.TXT``); each file of a folder that no
    pattern takes (hidden files aside) is passed to `on_skip`.

    A path that does not exist, a symlink that loops, or a folder with no matching file (a
    :class:`NoMatchError`), is an InputError: passed to `on_error` (and the path skipped) when given, else
    raised.
    """
    pattern = include or DEFAULT_INCLUDE
    excluded = exclude.resolve() if exclude is not None else None
    seen: set[object] = set()
    found: list[tuple[Path, Path]] = []

    def report(error: CchcError) -> None:
        if on_error is None:
            raise error
        on_error(error)

    def add(file: Path, rel: Path) -> None:
        resolved = _resolved(file)
        if resolved is None:
            report(_loop_error(file))
            return
        key = (resolved, rel) if every_name else resolved
        if key not in seen:
            seen.add(key)
            found.append((file, rel))

    for given in paths:
        path = Path(given)
        if path.is_dir():
            root = Path(os.path.abspath(path))
            files = sorted(_walk(root, pattern, excluded, report, on_skip),
                           key=lambda f: f.relative_to(root).parts)
            if not files:
                report(NoMatchError(f"{path_text(given)}: no files match --include {pattern!r}"))
            for file in files:
                add(file, file.relative_to(root))
        elif path.exists():
            add(Path(os.path.abspath(path)), Path(path.name))
        elif path.is_symlink():
            report(_loop_error(path) if _resolved(path) is None else
                   InputError(f"{path_text(given)}: a symbolic link to a file that does not exist"))
        else:
            report(missing_error(given))
    return found


def _resolved(path: Path) -> Path | None:
    """The path with its symlinks followed; None for a symlink that loops."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # "Symlink loop" (RuntimeError before Python 3.13, OSError after)
        return None


def _loop_error(path: Path) -> InputError:
    return InputError(f"{display_path(path)}: a symbolic link that loops (it leads back to itself); remove or "
                      "fix it")


def included(name: str, rel: str, pattern: str) -> bool:
    """Whether a file named `name` (at `rel` under the folder walked) matches one of the comma-separated
    patterns of `pattern`, case aside."""
    names = (name.lower(), rel.lower())
    return any(fnmatch.fnmatchcase(n, p.strip().lower()) for p in pattern.split(",") if p.strip() for n in names)


def _walk(root: Path, pattern: str, excluded: Path | None, report: Callable[[CchcError], None],
          on_skip: Callable[[Path], None] | None = None) -> Iterator[Path]:
    real_root = root.resolve()
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(folder)
        # Prune in place so os.walk does not descend: hidden folders, symlinked folders, the output folder.
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".")
            and not (here / d).is_symlink()
            and (excluded is None or (here / d).resolve() != excluded)
        )
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            file = here / name
            rel = file.relative_to(root)
            if not included(name, rel.as_posix(), pattern):
                if on_skip is not None:
                    on_skip(file)
                continue
            if file.is_symlink():
                target = _resolved(file)
                if target is None:
                    report(_loop_error(file))
                    continue
                if not target.is_relative_to(real_root) or not target.is_file():
                    continue
            elif not file.is_file():
                continue  # sockets, fifos
            yield file


def peek_head(stream: BinaryIO, size: int = 4096) -> bytes:
    """The first bytes of `stream` without consuming them (a pipe too: through its buffer's peek)."""
    peek = getattr(stream, "peek", None)
    if peek is not None:
        try:
            return peek(size)[:size]
        except (OSError, ValueError):
            pass
    here = stream.tell()
    head = stream.read(size)
    stream.seek(here)
    return head


# --- outputs ---------------------------------------------------------------------------------------------


def text_name(rel: Path) -> Path:
    """The name of the text made from input `rel`: itself, or for a PDF, image or DOCX ``scan.pdf.txt``."""
    return rel.with_name(rel.name + ".txt") if rel.suffix.lower() in DOCUMENT_SUFFIXES else rel


def output_path(out_dir: Path, rel: Path, inputs: Collection[Path] = ()) -> Path:
    """Where the output for input `rel` goes under `out_dir`.

    A UsageError when the path would leave `out_dir` (an absolute or ``..`` path, or a symlink inside
    `out_dir` leading out) or would replace one of `inputs`.
    """
    rel = Path(rel)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise UsageError(f"{rel}: refusing to write outside --out-dir {out_dir}")
    root = Path(out_dir).resolve()
    target = (root / rel).resolve()
    if not target.is_relative_to(root) or target == root:
        raise UsageError(f"{rel}: refusing to write outside --out-dir {out_dir}")
    resolved_inputs = {Path(p).resolve() for p in inputs}
    if target in resolved_inputs:
        raise UsageError(f"--out-dir {out_dir} would overwrite the input {target}; choose another folder")
    return target


@contextlib.contextmanager
def atomic_open(path: Path | str) -> Iterator[BinaryIO]:
    """A binary file that appears at `path` complete, or not at all.

    Written to a temporary file beside `path` (``.NAME.cchc-PID.XXXX.tmp``), flushed and fsynced, then
    ``os.replace``-d over it; on any error the temporary file is removed and `path` is left as it was. Parent
    folders are created. The temporary files a killed run left beside `path` (their process is gone) are
    removed first.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.parent not in _swept:
        _remove_stale_temporaries(path.parent)
        _swept.add(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.cchc-{os.getpid()}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


# The folders whose stale temporary files this process has removed (once a folder: a run writing many outputs
# into one folder lists it once).
_swept: set[Path] = set()
_TEMPORARY = re.compile(r"\.cchc-(\d+)\.[^.]+\.tmp$")


def _remove_stale_temporaries(folder: Path) -> None:
    """The temporary files in `folder` whose process no longer runs (SIGKILL, a power cut)."""
    try:
        names = [entry.name for entry in os.scandir(folder) if entry.name.startswith(".")]
    except OSError:
        return
    for name in names:
        m = _TEMPORARY.search(name)
        if m and not _running(int(m.group(1))):
            with contextlib.suppress(OSError):
                (folder / name).unlink()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process, or a number we cannot ask about: leave its file alone
    return True


def atomic_write_text(path: Path | str, text: str) -> None:
    """Write `text` as UTF-8 to `path` atomically, with no newline translation."""
    with atomic_open(path) as handle:
        handle.write(text.encode("utf-8"))


def _mode_for(path: Path) -> int:
    # mkstemp makes 0600 files; an output should get the mode a plain open() would (or keep its old one).
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, and harmless to skip there.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it (see path_text)."""
    try:
        return path_text(path.relative_to(Path.cwd()))
    except ValueError:
        return path_text(path)


def path_text(path: Path | str) -> str:
    """A path as text that can be stored, printed and written as UTF-8 (JSON, SQL parameters): the path
    itself, or, for a name that is not valid UTF-8 (bytes the file system allows), the name with each such
    byte written as ``\\xNN`` ("b\\xff.txt"). The file is still opened by its real name."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


def missing_error(path: str) -> InputError:
    """The one wording of a file that is not there, whichever command meets it (a relative path says where
    it was looked for)."""
    where = "" if os.path.isabs(path) else f" (looked for in {display_cwd()})"
    return InputError(f"{path_text(path)}: no such file or folder{where}")


def display_cwd() -> str:
    try:
        return path_text(Path.cwd())
    except OSError:
        return "the current folder"


def read_error(path: str, exc: OSError) -> InputError:
    """The one-line InputError for a file that cannot be opened or read (a missing one worded as
    :func:`missing_error`)."""
    if isinstance(exc, FileNotFoundError):
        return missing_error(path)
    reason = exc.strerror or exc.__class__.__name__
    return InputError(f"{path}: cannot read: {reason}")
