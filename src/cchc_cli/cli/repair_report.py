"""What ``cchc repair --out-dir`` tells the user on stderr while it works through a folder: a progress bar on
a terminal, then one summary line (on a terminal or not, as ``cchc ingest`` does); ``-q`` only the failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..io import DEFAULT_INCLUDE
from ..text import printable
from .common import PROG, error, say, stderr_is_terminal

HEAD_SIZE = 64 * 1024  # as much of a file as decode looks at to judge its encoding


def doubt(label: str, head: bytes, encoding: str) -> None:
    """A warning when --encoding turns a valid UTF-8 text into words that are not Vietnamese."""
    from ..decode import encoding_doubt

    reason = encoding_doubt(head, encoding)
    if reason:
        error(f"{label}: warning: {reason}")


def doubt_file(file: Path, encoding: str) -> None:
    try:
        with open(file, "rb") as stream:
            doubt(str(file), stream.read(HEAD_SIZE), encoding)
    except OSError:
        pass  # reported by the repair itself


class RepairReport:
    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self.rich = stderr_is_terminal() and not quiet
        self.written = 0
        self.failed = 0
        self._progress: Any = None
        self._task: Any = None

    def begin(self, total: int) -> None:
        if not self.rich or total < 2:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(TextColumn("repair"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                  TextColumn("{task.description}"), console=Console(stderr=True), transient=True)
        self._progress.start()
        self._task = self._progress.add_task("", total=total)

    def _advance(self, label: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=1, description=printable(label))

    def done(self, label: str) -> None:
        self.written += 1
        self._advance(label)

    def failure(self, message: str) -> None:
        self.failed += 1
        if self._progress is not None:
            from rich.text import Text

            self._progress.console.print(Text(f"{PROG}: {printable(message)}"), highlight=False, soft_wrap=True)
        else:
            error(message)
        self._advance("")

    def end(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def summary(self, out_dir: object, seconds: float, skipped: int, include: str | None) -> None:
        """``cchc: repair: 12 file(s) into fixed: 11 written, 1 failed; 3 file(s) skipped (…); 4.2 s``."""
        self.end()
        if self.quiet:
            return
        aside = f"; {skipped} file(s) skipped (not matching --include {include or DEFAULT_INCLUDE})" if skipped else ""
        say(f"{PROG}: repair: {self.written + self.failed} file(s) into {printable(str(out_dir))}: {self.written} "
            f"written, {self.failed} failed{aside}; {seconds:.1f} s\n")
