"""The ``cchc`` application: the entry point, the root options and the commands' registration.

Startup is kept fast (``cchc --version`` and ``--help`` answer in well under 0.3 s): ``--version`` is
answered before typer is even imported; typer is imported when the app is built, rich only to draw on a
terminal, and the repair engine only when a document is actually repaired.
"""

import sys
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, NoReturn

from ..errors import ExitCode
from ..version import __version__
from .common import PROG, quiet_lost_stderr, report_exception, say, state

if TYPE_CHECKING:
    import click
    import typer

EXIT_CODES = ("Exit codes: 0 ok; 1 findings; 2 usage error; 3 an input could not be read (the others were "
              "processed); 4 store error; 5 an output could not be written; 70 internal error.")


def main(argv: list[str] | None = None) -> int:
    """Run ``cchc`` with `argv` (default: ``sys.argv[1:]``) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    state.debug = False
    state.stderr_lost = False
    if args in (["--version"], ["-V"]):
        print(_version_line())
        return ExitCode.OK
    try:
        _command().main(args=args, prog_name=PROG, standalone_mode=True)
    except SystemExit as exc:
        return _exit_status(exc.code)
    except Exception as exc:  # errors raised outside a command body (commands handle their own)
        return report_exception(exc)
    return ExitCode.OK


def _version_line() -> str:
    """``cchc 0.1.0 (repair core: compiled)``: the core is found without loading the engine (``cchc doctor``
    says more)."""
    import importlib.util
    import os

    compiled = os.environ.get("CCHC_PURE_PYTHON") != "1" and importlib.util.find_spec("cchc_cli.repair._core")
    return f"{PROG} {__version__} (repair core: {'compiled' if compiled else 'python'})"


def entry() -> NoReturn:
    """The ``cchc`` program (``python -m cchc_cli`` too): :func:`main`, then the process's exit."""
    code = main()
    quiet_lost_stderr()
    sys.exit(code)


def _exit_status(code: object) -> int:
    if code is None:
        return ExitCode.OK
    if isinstance(code, int):
        return code
    say(f"{code}\n")
    return ExitCode.USAGE


@lru_cache(maxsize=1)
def _command() -> "click.Command":
    """The app as a click command, made once a process (typer reads every command's signature to make it)."""
    import typer

    return typer.main.get_command(build_app())


def build_app() -> "typer.Typer":
    """The typer application (built on demand so that importing this module stays cheap)."""
    import typer

    from . import doctor, export, ingest, queue, repair, store, validate, worker
    from .options import Help

    app = typer.Typer(
        name=PROG,
        help="Repair OCR'd Vietnamese administrative-reform (CCHC) documents.",
        epilog=EXIT_CODES,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": []},  # our own --help (options.Help)
    )

    def show_version(value: bool) -> None:
        if value:
            print(_version_line())
            raise typer.Exit(ExitCode.OK)

    @app.callback()
    def root(
        version: Annotated[bool, typer.Option(
            "--version", "-V", is_eager=True, callback=show_version, help="Print the version and exit.")] = False,
        debug: Annotated[bool, typer.Option(
            "--debug", help="Show the full traceback of an internal error (exit 70).")] = False,
        _help: Help = False,
    ) -> None:
        state.debug = debug

    for command in (repair, ingest, export, validate, queue, worker, store, doctor):
        command.register(app)
    return app
