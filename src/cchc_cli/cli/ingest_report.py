"""What ``cchc ingest`` tells the user on stderr while and after it works.

On a terminal (and without --quiet): a rich progress bar, then a summary table. Otherwise a one-line summary
(none with --quiet). Failures are always printed, one line each (``cchc: FILE: reason``). The extraction's
notes (the records' ``warnings``) are printed as ``note: …`` when the run has a single input (in batches,
counted in the summary; ``cchc validate`` reports them as ``extraction-note`` findings), never with --quiet.
"Warning" is kept for the severity of ``cchc validate``'s findings.
"""

from __future__ import annotations

from typing import Any

from ..batch import BatchSummary, FileOutcome
from ..errors import CchcError
from ..io import DEFAULT_INCLUDE, NoMatchError
from ..text import printable
from .common import PROG, error, say, state, stderr_is_terminal


class IngestReport:
    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self.rich = stderr_is_terminal() and not quiet
        self.single = False
        self.missing_inputs = 0  # named, and not there: failed
        self.empty_folders = 0  # folders with no file matching --include: nothing read, nothing failed
        self.skipped = 0  # files of the folders given that --include leaves out
        self.duplicates = 0  # names of a file already listed: read once
        self.ok_keys: set[str] = set()
        self._progress: Any = None
        self._task: Any = None

    def _print(self, message: str) -> None:
        if self._progress is not None:
            from rich.text import Text

            self._progress.console.print(Text(f"{PROG}: {printable(message)}"), highlight=False, soft_wrap=True)
        else:
            error(message)

    def missing(self, exc: CchcError) -> None:
        if isinstance(exc, NoMatchError):
            self.empty_folders += 1
        else:
            self.missing_inputs += 1
        error(exc.message)

    def skip(self, _file: object) -> None:
        self.skipped += 1

    def duplicate(self, _name: str) -> None:
        self.duplicates += 1

    def _aside(self, include: str | None) -> str:
        """What was named but not read, so that the counts add up: files = stored + unchanged + failed."""
        parts = []
        if self.duplicates:
            parts.append(f"{self.duplicates} name(s) of a file already listed, read once")
        if self.skipped:
            parts.append(f"{self.skipped} file(s) skipped (not matching --include {include or DEFAULT_INCLUDE})")
        if self.empty_folders:
            parts.append(f"{self.empty_folders} folder(s) with no matching file")
        return "".join(f"; {part}" for part in parts)

    def begin(self, total: int) -> None:
        if not self.rich:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True), transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("", total=total)

    def outcome(self, outcome: FileOutcome) -> None:
        if outcome.status == "failed":
            self._print(outcome.error or "failed")
            if outcome.detail and state.debug:
                say(outcome.detail)
        else:
            self.ok_keys.add(outcome.input.key)
            if self.single and not self.quiet:
                for warning in outcome.warnings:
                    self._print(f"note: {warning}")
        if self._progress is not None:
            self._progress.update(self._task, advance=1, description=outcome.input.label)

    def progress(self, item: Any, documents: int, lines: int) -> None:
        """How far the reading of a long file has got."""
        if self._progress is not None:
            self._progress.update(self._task, description=f"{printable(item.label)}: {documents} document(s), "
                                                          f"{lines:,} lines")

    def end(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def summary(self, summary: BatchSummary, seconds: float, location: str, include: str | None = None) -> None:
        failed = summary.failed + self.missing_inputs
        files = summary.files + self.missing_inputs
        stopped = " (stopped at the first failure: --fail-fast)" if summary.stopped else ""
        if self.quiet:
            if summary.stopped:
                error("stopped at the first failure (--fail-fast)")
            return
        if not self.rich:
            error(
                f"ingest: {files} file(s) into {location}: {summary.stored} stored, {summary.unchanged} "
                f"unchanged, {failed} failed{stopped}{self._aside(include)}; new: {summary.documents} document(s), "
                f"{summary.tasks} task(s), {summary.targets} target(s), {summary.warnings} extraction note(s); "
                f"{seconds:.1f} s"
            )
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"cchc ingest → {printable(location)}{stopped}", title_justify="left", show_header=False)
        table.add_column("", justify="left")
        table.add_column("", justify="right")
        for name, value in (
            ("files", files), ("stored", summary.stored),
            ("unchanged (skipped)", summary.unchanged), ("failed", failed), ("documents", summary.documents),
            ("tasks", summary.tasks), ("targets", summary.targets), ("extraction notes", summary.warnings),
            ("time", f"{seconds:.1f} s"),
        ):
            table.add_row(name, str(value), style="red" if name == "failed" and value else None)
        Console(stderr=True, highlight=False).print(table)
        if self._aside(include):
            say(f"{PROG}: {self._aside(include)[2:]}\n")
