"""The ``cchc`` application: the entry point, the root options and the commands' registration.

Startup is kept fast (``cchc --version`` and ``--help`` answer in well under 0.3 s): ``--version`` is
answered before typer is even imported; typer is imported when the app is built, rich only to draw on a
terminal, and the repair engine only when a document is actually repaired.
"""

import os
import sys
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

from ..errors import ExitCode
from ..version import __version__
from .common import PROG, error, quiet_lost_stderr, report_exception, say, state

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
    click = click_module()
    import typer

    if f"_{PROG.upper()}_COMPLETE" in os.environ:  # the shell asks for completions (`cchc completion SHELL`)
        from typer.completion import completion_init

        completion_init()
    try:
        defaults = _defaults(args)
        code = _command().main(args=args, prog_name=PROG, standalone_mode=False, default_map=defaults)
    except click.exceptions.UsageError as exc:
        return _usage_error(exc, args)
    except typer.Abort:
        error("interrupted")
        return ExitCode.INTERRUPTED
    except click.exceptions.ClickException as exc:
        error(exc.format_message())
        return exc.exit_code
    except SystemExit as exc:
        return _exit_status(exc.code)
    except Exception as exc:  # errors raised outside a command body (commands handle their own)
        return report_exception(exc)
    return code if isinstance(code, int) else ExitCode.OK


def _defaults(args: list[str]) -> dict[str, Any]:
    """The options' defaults from cchc.toml and ~/.config/cchc/config.toml (flags still win); a bad file is a
    usage error naming it, except for --help, which a broken config file must not hide."""
    from ..errors import UsageError
    from .settings import load_settings

    try:
        return load_settings().default_map()
    except UsageError:
        if "--help" in args or "-h" in args:
            return {}
        raise


def click_module() -> Any:
    """The click typer runs on: its own copy (typer ≥ 0.20 vendors it as ``typer._click``), else click."""
    try:
        from typer import _click  # type: ignore[attr-defined]
    except ImportError:
        import click as _click
    return _click


def _usage_error(exc: "click.exceptions.UsageError", args: list[str]) -> int:
    """A bad option or argument in cchc's one style: ``cchc: ingest: --jobs: 'abc' is not …; see 'cchc ingest
    --help'`` (not click's usage block, nor a parser's wording)."""
    click = click_module()

    command = exc.ctx.command_path if exc.ctx is not None else PROG
    if command == PROG:  # an error the parser met before the command's context was made
        named = [a for a in args if a in getattr(_command(), "commands", {})]
        command = f"{PROG} {named[0]}" if named else PROG
    where = command.removeprefix(PROG).strip()
    if isinstance(exc, click.exceptions.BadParameter) and exc.param is not None:
        name = max(exc.param.opts, key=len) if exc.param.opts else (exc.param.name or "")
        message = f"{name}: {exc.message}" if not isinstance(exc, click.exceptions.MissingParameter) \
            else exc.format_message()
    else:
        message = exc.format_message()
    message = message.replace("Input should be a valid", "give a valid").rstrip(".")
    error(f"{where + ': ' if where else ''}{message}; see '{command} --help'")
    return ExitCode.USAGE


def _version_line() -> str:
    """``cchc 0.1.0 (repair core: compiled)``: the core is found without loading the engine (``cchc doctor``
    says more)."""
    import importlib.util

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

    command = typer.main.get_command(build_app())
    # `cchc --help` lists the commands in the order of the work: read, check, hand on; then the tools.
    rank = {name: k for k, name in enumerate(WORKFLOW)}
    subcommands = getattr(command, "commands", {})
    ordered = sorted(subcommands.items(), key=lambda item: rank.get(item[0], len(rank)))
    subcommands.clear()
    subcommands.update(ordered)
    for sub in subcommands.values():
        for param in sub.params:
            if param.param_type_name == "argument":  # help shows 'PATH...', not 'PATH <list[str]>'
                param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
    return command


def build_app() -> "typer.Typer":
    """The typer application (built on demand so that importing this module stays cheap)."""
    import typer

    from . import (
        completion,
        config,
        dictionary,
        doctor,
        export,
        ingest,
        queue,
        repair,
        report,
        review,
        store,
        validate,
        worker,
    )
    from .options import Help

    app = typer.Typer(
        name=PROG,
        help="Repair OCR'd Vietnamese administrative-reform (CCHC) documents.",
        epilog=EXIT_CODES,
        no_args_is_help=True,
        add_completion=False,  # `cchc completion SHELL` instead: typer's options would load pydantic at start
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

    for command in (repair, ingest, export, validate, report, queue, worker, store, doctor, completion, config,
                    dictionary, review):
        command.register(app)
    return app


WORKFLOW = ("ingest", "validate", "export", "report", "repair", "review", "dictionary", "queue", "worker", "store",
            "schema", "config", "doctor", "completion")
