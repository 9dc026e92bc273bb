"""What every command shares: the program's name, how an error becomes one line and an exit code, and the
``--debug`` switch."""

from __future__ import annotations

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


state = State()


def error(message: str) -> None:
    """``cchc: <message>`` on stderr."""
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def report_exception(exc: BaseException) -> int:
    """One line for a user error; one line (or with --debug the traceback) for a bug, exit 70."""
    if isinstance(exc, CchcError):
        error(exc.message)
        return int(exc.exit_code)
    if state.debug:
        traceback.print_exception(exc, file=sys.stderr)
    else:
        detail = " ".join(str(exc).split()) or "no message"
        error(f"internal error: {type(exc).__name__}: {detail} (run with --debug for the traceback)")
    return ExitCode.INTERNAL


def guarded(body: Callable[[], int]) -> NoReturn:
    """Run a command body and leave with its exit code, turning exceptions into one-line messages."""
    import typer

    try:
        code = body()
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        code = report_exception(exc)
    raise typer.Exit(int(code))
