"""``cchc repair --explain``: the edits and flagged tokens of each file on stderr — a rich table on a
terminal, tab-separated lines otherwise."""

from __future__ import annotations

import contextlib

from ..document import RepairResult
from ..text import printable
from .common import PROG, say, stderr_is_terminal

HEADER = ("file", "line", "column", "kind", "before", "after", "confidence", "detail")


class Explainer:
    """`flags_only`: the flagged tokens only; `below`: only what has a confidence under it."""

    def __init__(self, *, flags_only: bool = False, below: float | None = None) -> None:
        self.rich = stderr_is_terminal()
        self.flags_only = flags_only
        self.below = below
        self._header_done = False

    def rows(self, label: str, result: RepairResult) -> list[tuple[str, ...]]:
        rows: list[tuple[str, ...]] = []
        for e in () if self.flags_only else result.edits:
            rows.append((label, str(e.line), str(e.column), "edit", e.before, e.after, f"{e.confidence:.2f}",
                         e.reason))
        for f in result.flags:
            rows.append((label, str(f.line), str(f.column), "flag", f.token, "", f"{f.confidence:.2f}",
                         ", ".join(f.candidates)))
        if self.below is not None:
            rows = [r for r in rows if float(r[6]) < self.below]
        rows.sort(key=lambda r: (int(r[1]), int(r[2])))
        return rows

    def _summary(self, label: str, result: RepairResult, shown: int) -> str:
        chosen = [*(["--flags-only"] if self.flags_only else []),
                  *([f"--below {self.below:g}"] if self.below is not None else [])]
        which = f"; {shown} shown ({' '.join(chosen)})" if chosen else ""
        return f"{label}: {len(result.edits)} edit(s), {len(result.flags)} flagged token(s){which}"

    def show(self, label: str, result: RepairResult | None) -> None:
        if result is None:
            return
        rows = self.rows(label, result)
        if self.rich:
            self._show_rich(label, rows, result)
            return
        lines = [] if self._header_done else ["\t".join(HEADER)]
        self._header_done = True
        lines += ["\t".join(printable(cell) for cell in row) for row in rows]
        lines.append(f"{PROG}: explain: {printable(self._summary(label, result, len(rows)))}")
        say("".join(line + "\n" for line in lines))

    def _show_rich(self, label: str, rows: list[tuple[str, ...]], result: RepairResult) -> None:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(
            title=self._summary(label, result, len(rows)),
            title_justify="left",
        )
        for name, justify in (("line", "right"), ("col", "right"), ("kind", "left"), ("before", "left"),
                              ("after", "left"), ("conf.", "right"), ("reason / candidates", "left")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for row in rows:
            # Text(), not str: a token such as "[b]" must be shown, not read as rich markup.
            table.add_row(*(Text(printable(cell)) for cell in row[1:]), style="yellow" if row[3] == "flag" else None)
        with contextlib.suppress(OSError, ValueError):  # stderr failed: stdout carries on
            Console(stderr=True, highlight=False).print(table)
