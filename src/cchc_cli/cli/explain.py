"""``cchc repair --explain``: the edits and flagged tokens of each file on stderr — a rich table on a
terminal, tab-separated lines otherwise."""

from __future__ import annotations

import sys

from ..document import RepairResult

HEADER = ("file", "line", "column", "kind", "before", "after", "confidence", "detail")


class Explainer:
    def __init__(self) -> None:
        self.rich = sys.stderr.isatty()
        self._header_done = False

    @staticmethod
    def rows(label: str, result: RepairResult) -> list[tuple[str, ...]]:
        rows: list[tuple[str, ...]] = []
        for e in result.edits:
            rows.append((label, str(e.line), str(e.column), "edit", e.before, e.after, f"{e.confidence:.2f}",
                         e.reason))
        for f in result.flags:
            rows.append((label, str(f.line), str(f.column), "flag", f.token, "", f"{f.confidence:.2f}",
                         ", ".join(f.candidates)))
        rows.sort(key=lambda r: (int(r[1]), int(r[2])))
        return rows

    def show(self, label: str, result: RepairResult | None) -> None:
        if result is None:
            return
        rows = self.rows(label, result)
        if self.rich:
            self._show_rich(label, rows, result)
            return
        out = sys.stderr
        if not self._header_done:
            out.write("\t".join(HEADER) + "\n")
            self._header_done = True
        for row in rows:
            out.write("\t".join(cell.replace("\t", " ") for cell in row) + "\n")
        out.flush()

    @staticmethod
    def _show_rich(label: str, rows: list[tuple[str, ...]], result: RepairResult) -> None:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(
            title=f"{label}: {len(result.edits)} edit(s), {len(result.flags)} flagged token(s)",
            title_justify="left",
        )
        for name, justify in (("line", "right"), ("col", "right"), ("kind", "left"), ("before", "left"),
                              ("after", "left"), ("conf.", "right"), ("reason / candidates", "left")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for row in rows:
            # Text(), not str: a token such as "[b]" must be shown, not read as rich markup.
            table.add_row(*(Text(cell) for cell in row[1:]), style="yellow" if row[3] == "flag" else None)
        Console(stderr=True, highlight=False).print(table)
