"""``cchc completion bash|zsh|fish|powershell``: the shell completion script, to source or install.

Completion itself is typer's (click's): the shell calls ``cchc`` with ``_CCHC_COMPLETE`` set and gets the
commands, options and paths that fit. The script is made here, on demand, rather than by typer's
``--install-completion`` root option, whose parsing would load pydantic at every start of cchc.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import ExitCode, UsageError
from .common import PROG, guarded
from .options import Help
from .streams import write_output

SHELLS = ("bash", "zsh", "fish", "powershell")
COMPLETE_VAR = f"_{PROG.upper()}_COMPLETE"


def register(app: typer.Typer) -> None:
    @app.command()
    def completion(
        shell: Annotated[str | None, typer.Argument(metavar="SHELL", show_default=False,
                                                    help="bash, zsh, fish or powershell.")] = None,
        _help: Help = False,
    ) -> None:
        """Print the shell completion script: eval "$(cchc completion bash)" in ~/.bashrc (zsh, fish alike)."""
        guarded(lambda: run_completion(shell))


def run_completion(shell: str | None) -> int:
    if shell not in SHELLS:
        given = f"{shell!r} is not a shell cchc completes" if shell else "SHELL is missing"
        raise UsageError(f"completion: {given}: give one of {', '.join(SHELLS)}")
    from typer._completion_shared import get_completion_script

    script = get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell)
    write_output(lambda out: out.write((script.rstrip("\n") + "\n").encode("utf-8")))
    return ExitCode.OK
