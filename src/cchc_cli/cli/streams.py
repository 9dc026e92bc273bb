"""stdin and stdout as the commands use them: stdin spooled into a seekable file, and the one writer of
every output, to stdout or atomically to ``-o FILE``.

A reader that closes the pipe (``cchc repair big.txt | head``) is not an error: the output stops and the
command exits 0. Any other failure to write (a full disk, ``> /dev/full``, an unwritable ``-o``) is an
:class:`~cchc_cli.errors.OutputError`, exit 5.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, BinaryIO

from ..errors import OutputError
from ..io import atomic_open, read_error

__all__ = ["STDIN_SPOOL", "Stdout", "StdoutClosed", "read_stdin", "spool_stdin", "write_output"]

STDIN_SPOOL = 5 * 1024 * 1024  # stdin is held in memory up to this size, then on disk


class StdoutClosed(Exception):
    """The reader of our stdout closed the pipe."""


class Stdout:
    """stdout as bytes (UTF-8 written exactly as given, no newline translation)."""

    def __init__(self) -> None:
        if sys.stdout is None:  # started with stdout closed (`cchc … >&-`)
            raise OutputError("stdout is closed; redirect it to a file (> FILE) or use -o FILE where there is one")
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
            raise StdoutClosed from None
        except OSError as exc:
            raise OutputError(f"cannot write to stdout: {exc.strerror or exc}") from None


class _TextAsBinary:
    def __init__(self, text_stream: IO[str]) -> None:
        self._text = text_stream

    def write(self, data: bytes) -> int:
        self._text.write(data.decode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self._text.flush()


def _silence_stdout() -> None:
    # Later flushes (at exit) would fail on the closed pipe again: point stdout at /dev/null.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def write_output(write: Callable[[BinaryIO | Stdout], object], output: Path | None = None) -> None:
    """Run `write` on stdout (`output` None) or on a file that appears at `output` whole (atomically)."""
    if output is not None:
        try:
            with atomic_open(output) as handle:
                write(handle)
        except OSError as exc:
            raise OutputError(f"{output}: cannot write: {exc.strerror or exc}") from None
        return
    out = Stdout()
    try:
        write(out)
        out.flush()
    except StdoutClosed:
        _silence_stdout()


@contextlib.contextmanager
def spool_stdin() -> Iterator[BinaryIO]:
    """stdin's bytes in a seekable file: in memory up to STDIN_SPOOL, then on disk."""
    with tempfile.SpooledTemporaryFile(max_size=STDIN_SPOOL) as spool:
        source = getattr(sys.stdin, "buffer", None)
        if source is None:  # a text-only stdin (some test harnesses)
            spool.write(sys.stdin.read().encode("utf-8"))
        else:
            while block := source.read(1024 * 1024):
                spool.write(block)
        spool.seek(0)
        yield spool  # type: ignore[misc]


def read_stdin(label: str) -> bytes:
    """All of stdin's bytes (`label` names it in a read error)."""
    with spool_stdin() as stream:
        try:
            return stream.read()
        except OSError as exc:
            raise read_error(label, exc) from None
