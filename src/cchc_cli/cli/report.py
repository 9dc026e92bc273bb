"""``cchc report [--db FILE] [-o FILE] [--title TEXT] [--lang vi|en] [--include-text/--no-include-text]
[--dictionary FILE]... [--jobs N]``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import UsageError
from .common import guarded
from .options import Db, Dictionary, Help, Output, jobs_option


def register(app: typer.Typer) -> None:
    @app.command()
    def report(
        db: Db = None,
        output: Output = None,
        title: Annotated[str | None, typer.Option(
            "--title", metavar="TEXT", help="The report's title (default: a title in the chosen language).")] = None,
        lang: Annotated[str, typer.Option(
            "--lang", metavar="vi|en", help="The language of the interface (the documents stay as they are).")]
        = "vi",
        include_text: Annotated[bool | None, typer.Option(
            "--include-text/--no-include-text",
            help="Show each document's repaired text, read again from its source file (default: when the "
                 "report holds at most 60 documents).")] = None,
        dictionaries: Dictionary = None,
        jobs: Annotated[int | None, jobs_option(
            "Source files repaired again at once, for the texts (default: the machine's cores).")] = None,
        _help: Help = False,
    ) -> None:
        """Write one self-contained HTML report across the stored documents: figures across plans (charts
        with their tables), then each document's tasks, targets, responsibilities, references and repaired
        text for review. No request to any network; opens from disk and prints."""
        guarded(lambda: run_report(db=db, output=output, title=title, lang=lang, include_text=include_text,
                                   dictionaries=list(dictionaries or []), jobs=jobs))


def run_report(*, db: str | Path | None = None, output: Path | None = None, title: str | None = None, lang: str = "vi",
               include_text: bool | None = None, dictionaries: list[Path] | None = None,
               jobs: int | None = None) -> int:
    """``cchc report``: the HTML report of the store's latest documents, on stdout or atomically in `output`."""
    from ..pgstore import mask_url
    from ..report import LANGUAGES, ReportOptions, require_jinja, write_report
    from ..report.review import read_sources
    from ..resources import load_resources
    from ..store import open_store, resolve_db
    from .export import check_output, write_from_store

    if lang not in LANGUAGES:
        raise UsageError(f"--lang {lang}: choose one of {', '.join(LANGUAGES)}")
    require_jinja()
    check_output(output, db)
    resources = load_resources(dictionaries or None)
    store = open_store(db, readonly=True)
    options = ReportOptions(title=title, lang=lang, include_text=include_text,
                            read_sources=read_sources(tuple(dictionaries or ()), jobs or os.cpu_count() or 1),
                            store_label=mask_url(str(resolve_db(db))))  # a team's URL without its password

    def write(out: Any) -> None:
        write_report(store, options, out.write, resources.version)

    return write_from_store(store, output, write)
