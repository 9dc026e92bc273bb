"""What every command shares: the program's name, how an error becomes one line and an exit code, and the
``--debug`` switch."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from ..errors import CchcError, ExitCode

PROG = "cchc"


@dataclass
class State:
    debug: bool = False  # --debug: an internal error shows its traceback
    stderr_lost: bool = False  # stderr is closed or failed: nothing more is written there


state = State()


def say(text: str) -> None:
    """Write `text` to stderr. A stderr that is closed, full or gone is given up silently: it must never
    lose what goes to stdout nor change the exit code."""
    stream = sys.stderr
    if stream is None or state.stderr_lost:
        return
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):
        state.stderr_lost = True


def quiet_lost_stderr() -> None:
    """At the end of the ``cchc`` process: when stderr failed, point file descriptor 2 at /dev/null, so that
    the interpreter's last flush of what stayed buffered neither fails nor turns the exit code into 120."""
    if not state.stderr_lost:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


def error(message: str) -> None:
    """``cchc: <message>`` on stderr, control characters shown as escapes."""
    from ..pgstore import mask_url
    from ..text import printable  # not at start-up: text.py loads regex, and --help must stay fast

    say(f"{PROG}: {printable(mask_url(message))}\n")


def stderr_is_terminal() -> bool:
    try:
        return sys.stderr is not None and not state.stderr_lost and sys.stderr.isatty()
    except (OSError, ValueError):
        return False


def report_exception(exc: BaseException) -> int:
    """One line for a user error; one line (or with --debug the traceback) for a bug, exit 70."""
    if isinstance(exc, CchcError):
        error(exc.message)
        return int(exc.exit_code)
    if state.debug:
        from ..pgstore import mask_url  # a PostgreSQL URL's password never reaches the terminal

        say(mask_url("".join(traceback.format_exception(exc))))
    else:
        detail = " ".join(str(exc).split()) or "no message"
        error(f"internal error: {type(exc).__name__}: {detail} (run with --debug for the traceback)")
    return ExitCode.INTERNAL


def guarded(body: Callable[[], int]) -> NoReturn:
    """Run a command body and leave with its exit code, turning exceptions into one-line messages."""
    import typer

    try:
        code = body()
    except (typer.Exit, typer.Abort):
        raise
    except KeyboardInterrupt:
        error("interrupted")
        code = ExitCode.INTERRUPTED
    except Exception as exc:
        code = report_exception(exc)
    raise typer.Exit(int(code))
