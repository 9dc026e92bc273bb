"""``cchc dictionary path|show|learn``: the built-in term file a user's dictionary imitates, and a user
dictionary made from a filled review file (``cchc review``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import ExitCode, UsageError
from .common import guarded
from .options import Help, Output
from .streams import write_output

TERMS = "terms.yaml"


def register(app: typer.Typer) -> None:
    group = typer.Typer(name="dictionary", help="Term dictionaries: the built-in one, and yours.",
                        invoke_without_command=True, context_settings={"help_option_names": []})

    @group.callback()
    def dictionary(ctx: typer.Context, _help: Help = False) -> None:
        """Term dictionaries: where the built-in one is, what it holds, and one of your own from a review."""
        if ctx.invoked_subcommand is None:
            guarded(lambda: _missing())

    @group.command("path")
    def path(_help: Help = False) -> None:
        """Print where the built-in term file is (the format --dictionary files follow)."""
        guarded(lambda: _write(f"{builtin_terms_path()}\n"))

    @group.command("show")
    def show(_help: Help = False) -> None:
        """Print the built-in term file, to copy and imitate."""
        guarded(lambda: _write(builtin_terms_path().read_text("utf-8")))

    @group.command("learn")
    def learn(
        review_file: Annotated[str | None, typer.Argument(
            metavar="REVIEW_CSV", show_default=False,
            help="A review file of 'cchc review -o review.csv' with its 'correct' column filled.")] = None,
        output: Output = None,
        _help: Help = False,
    ) -> None:
        """Turn the filled rows of a review file into a user dictionary (terms with their OCR forms)."""
        from .review import run_learn

        guarded(lambda: run_learn(review_file, output))

    app.add_typer(group, name="dictionary")


def _missing() -> int:
    raise UsageError("dictionary: give path, show or learn; see 'cchc dictionary --help'")


def builtin_terms_path() -> Path:
    """The built-in terms.yaml, where the installed package keeps it (inside site-packages)."""
    from importlib import resources

    from ..data import DATA_PACKAGE

    return Path(str(resources.files(DATA_PACKAGE) / TERMS))


def _write(text: str) -> int:
    write_output(lambda out: out.write(text.encode("utf-8")))
    return ExitCode.OK
