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


def parse_count(value: str | int) -> int:
    """A whole number, 1 or more (``--jobs``): anything else is a usage error in words, not a parser's."""
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise typer.BadParameter(f"'{value}' is not a whole number of 1 or more")
    return int(text)


def parse_share(value: str | float) -> float:
    """A confidence or share between 0 and 1 (``--below 0.9``)."""
    try:
        share = float(value)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise typer.BadParameter(f"'{value}' is not a number from 0 to 1")
    return share


Below = Annotated[float | None, typer.Option(
    "--below", metavar="CONFIDENCE", parser=parse_share,
    help="Only the edits and flagged tokens with a confidence under this (0-1).")]

FlagsOnly = Annotated[bool, typer.Option("--flags-only", help="Only the flagged (doubtful) tokens, not the edits.")]


def jobs_option(help: str) -> object:
    return typer.Option("--jobs", "-j", metavar="N", parser=parse_count, help=help)


Quiet = Annotated[bool, typer.Option(
    "--quiet", "-q", help="No progress, summary or notes on stderr; errors only.")]


def format_flag(name: str, help: str) -> object:
    """An output-format flag (``--json``, ``--jsonl``, ``--csv``, ``--junit``, ``--github``): on or off."""
    return typer.Option(f"--{name}", help=help)


__all__ = ["AllVersions", "Below", "Db", "Dictionary", "Encoding", "FlagsOnly", "Help", "Include", "Ocr", "Output",
           "Password", "Quiet", "format_flag", "jobs_option", "parse_count", "parse_share"]
