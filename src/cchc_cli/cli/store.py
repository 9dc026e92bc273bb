"""``cchc store copy --from FILE|URL --to FILE|URL``: an analyst's local store into the team's (or back)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import ExitCode, UsageError
from .common import guarded, say
from .options import Help


def register(app: typer.Typer) -> None:
    store = typer.Typer(name="store", help="Whole stores: copy one into another.", no_args_is_help=True,
                        add_completion=False, rich_markup_mode=None, context_settings={"help_option_names": []})

    @store.callback()
    def root(_help: Help = False) -> None:
        """Whole stores: copy one into another."""

    @store.command(no_args_is_help=True)
    def copy(
        source: Annotated[str, typer.Option("--from", metavar="FILE|URL", help="The store to read.")],
        target: Annotated[str, typer.Option("--to", metavar="FILE|URL", help="The store to add to.")],
        _help: Help = False,
    ) -> None:
        """Copy every ingest of one store (all versions, with their times) into another, e.g. a local
        cchc.db into the team's postgresql://…; ingests already there are left alone, so it can be run again."""
        guarded(lambda: run_copy(source, target))

    app.add_typer(store)


def run_copy(source: str, target: str) -> int:
    from ..store import copy_store, open_store, resolve_db

    if str(resolve_db(source)) == str(resolve_db(target)):
        raise UsageError("--from and --to name the same store")
    reader = open_store(source, readonly=True)
    try:
        writer = open_store(target)
        try:
            copied, already = copy_store(reader, writer)
        finally:
            writer.close()
    finally:
        reader.close()
    say(f"cchc: store copy: {reader.location} into {writer.location}: {copied} ingest(s) copied, {already} already "
        "there\n")
    return ExitCode.OK
