"""The options several commands share, each defined once (typer ``Annotated`` aliases), and the flags of the
output formats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def _show_help(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


# Our own --help: typer's built-in one builds a pydantic validator at every start (~0.15 s).
Help = Annotated[bool, typer.Option("--help", "-h", is_eager=True, expose_value=False, callback=_show_help,
                                    help="Show this message and exit.")]

Db = Annotated[str | None, typer.Option(
    "--db", metavar="FILE|URL",
    help="The record store: an SQLite file, or a team's PostgreSQL database as postgresql://user@host:5432/dbname "
         "(default: $CCHC_DB, else ./cchc.db).")]

Dictionary = Annotated[list[Path] | None, typer.Option(
    "--dictionary", metavar="FILE",
    help="A YAML term dictionary of your own (unit, place, project names); repeatable. Its terms win over the "
         "model.")]

Encoding = Annotated[str | None, typer.Option(
    "--encoding", metavar="ENC",
    help="Read the inputs in this encoding (e.g. tcvn3, vni, cp1258, utf-16) instead of detecting it.")]

Include = Annotated[str | None, typer.Option(
    "--include", metavar="GLOB",
    help="Files to take from folders, comma-separated patterns (default: "
         "*.txt,*.pdf,*.png,*.jpg,*.jpeg,*.tif,*.tiff,*.docx).")]

Ocr = Annotated[str, typer.Option(
    "--ocr", metavar="auto|always|never",
    help="PDF pages: auto reads a page image with Tesseract vie unless its text layer is already Vietnamese; "
         "always OCRs every page; never takes the text layers only.")]

Password = Annotated[str | None, typer.Option(
    "--password", metavar="PASSWORD", help="The password of an encrypted PDF.")]

Output = Annotated[Path | None, typer.Option(
    "--output", "-o", metavar="FILE", help="Write here (atomically) instead of stdout.")]

AllVersions = Annotated[bool, typer.Option(
    "--all-versions", help="Every stored version, not only the latest of each document.")]


def format_flag(name: str, help: str) -> object:
    """An output-format flag (``--json``, ``--jsonl``, ``--csv``, ``--junit``, ``--github``): on or off."""
    return typer.Option(f"--{name}", help=help)


__all__ = ["AllVersions", "Db", "Dictionary", "Encoding", "Help", "Include", "Ocr", "Output", "Password",
           "format_flag"]
