"""``cchc config [--json]``: the settings in effect (``cchc.toml``, ``~/.config/cchc/config.toml``,
``$CCHC_DB``, the defaults) and where each came from."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ..errors import ExitCode
from .common import guarded
from .options import Help, format_flag
from .streams import write_output


def register(app: typer.Typer) -> None:
    @app.command()
    def config(
        as_json: Annotated[bool, format_flag("json", 'The settings as {"KEY": {"value", "source"}}.')] = False,
        _help: Help = False,
    ) -> None:
        """Print the settings in effect and where each comes from.

        cchc.toml (in this folder or the nearest above) and ~/.config/cchc/config.toml may set db,
        dictionaries, include, jobs and encoding; a flag on the command line always wins.
        """
        guarded(lambda: run_config(as_json))


def run_config(as_json: bool) -> int:
    from .settings import load_settings

    settings = load_settings()
    rows = settings.rows()
    if as_json:
        data = {key: {"value": settings.values.get(key), "source": source} for key, _, source in rows}
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        width = max(len(key) for key, _, _ in rows)
        value_width = max(len(value) for _, value, _ in rows)
        files = ", ".join(map(str, settings.files)) or "none (see the README's 'Config file')"
        text = f"config files: {files}\n" + "".join(
            f"{key.ljust(width)}  {value.ljust(value_width)}  ({source})\n" for key, value, source in rows)
    write_output(lambda out: out.write(text.encode("utf-8")))
    return ExitCode.OK
