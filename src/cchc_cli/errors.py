"""Exit codes and the errors that carry them, shared by every cchc command.

Like OCRmyPDF: each exception class knows its exit code, and its message is one line that names the file
(where there is one) and the remedy. The CLI prints ``cchc: <message>`` and exits with ``exit_code``.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (documented in the README)."""

    OK = 0
    FINDINGS = 1  # validation found errors (``cchc validate``)
    USAGE = 2  # bad arguments or options
    INPUT = 3  # an input could not be read; the other inputs were still processed
    STORE = 4  # the record store could not be opened or written
    OUTPUT = 5  # an output could not be written: a full disk, an unwritable -o or --out-dir, stdout closed
    INTERNAL = 70  # a bug: ``--debug`` shows the traceback
    INTERRUPTED = 130  # Ctrl-C (SIGINT): what was done is kept (whole files), a new run finishes the rest


class CchcError(Exception):
    """An error a user can act on: a one-line message and the exit code it leads to."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, exit_code: ExitCode | None = None) -> None:
        # One line, whatever the caller passed: the message goes to a terminal or a CI log as is.
        message = " ".join(str(message).split())
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class UsageError(CchcError):
    """Bad arguments: a missing --out-dir, an unknown --encoding, an unusable --dictionary."""

    exit_code = ExitCode.USAGE


class InputError(CchcError):
    """An input file that cannot be read as text: missing, unreadable, binary, or undecodable."""

    exit_code = ExitCode.INPUT


class StoreError(CchcError):
    """The record store failed: missing, damaged, made by a newer cchc, locked past the timeout."""

    exit_code = ExitCode.STORE


class OutputError(CchcError):
    """An output could not be written (a full disk, an unwritable file or folder, a closed stdout where
    that is an error); the inputs are untouched and an output file is either whole or not there."""

    exit_code = ExitCode.OUTPUT
