"""The settings a user keeps in a file rather than on every command line: ``cchc.toml`` in the current folder
or the nearest one above it, and ``~/.config/cchc/config.toml`` (``$XDG_CONFIG_HOME/cchc/config.toml``).

Keys: ``db`` (the store), ``dictionaries`` (term files, a list), ``include`` (patterns, a string or a list),
``jobs`` (worker processes), ``encoding``. Paths are relative to the file that names them. Precedence, first
wins: the command line, ``$CCHC_DB`` (for ``db``), ``cchc.toml``, the user's file, the built-in default. The
values reach the commands as click's ``default_map``: a flag given always wins, and no command reads files of
its own. Read with the standard library's ``tomllib``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..io import DEFAULT_INCLUDE

PROJECT_FILE = "cchc.toml"
KEYS = ("db", "dictionaries", "include", "jobs", "encoding")
# Which option of which command each key fills (the commands' parameter names).
APPLIES = {
    "db": ("db", ("ingest", "validate", "export", "review", "report")),
    "dictionaries": ("dictionary", ("ingest", "repair", "review", "report")),
    "include": ("include", ("ingest", "repair")),
    "jobs": ("jobs", ("ingest", "repair", "report")),
    "encoding": ("encoding", ("ingest", "repair")),
}
DEFAULTS: dict[str, Any] = {"db": "./cchc.db", "dictionaries": [], "include": DEFAULT_INCLUDE,
                            "jobs": "the machine's cores", "encoding": "detected"}


@dataclass
class Settings:
    """The effective values and, for each, where it came from (a file's path, ``$CCHC_DB`` or ``default``)."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def default_map(self) -> dict[str, dict[str, Any]]:
        """click's defaults per command, from the values set in files ($CCHC_DB is read by the store itself)."""
        out: dict[str, dict[str, Any]] = {}
        for key, value in self.values.items():
            if self.sources.get(key) in (None, "default", "$CCHC_DB"):
                continue
            name, commands = APPLIES[key]
            for command in commands:
                out.setdefault(command, {})[name] = value
        return out

    def rows(self) -> list[tuple[str, str, str]]:
        """(key, value, source) for every key, as ``cchc config`` prints them."""
        rows = []
        for key in KEYS:
            value = self.values.get(key, DEFAULTS[key])
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            rows.append((key, shown or "(none)", self.sources.get(key, "default")))
        return rows


def config_files(cwd: Path | None = None) -> list[Path]:
    """The files read, lowest precedence first: the user's, then the nearest cchc.toml at or above `cwd`."""
    home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    found = [home / "cchc" / "config.toml"] if (home / "cchc" / "config.toml").is_file() else []
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_FILE).is_file():
            found.append(folder / PROJECT_FILE)
            break
    return found


def load_settings(cwd: Path | None = None) -> Settings:
    """The settings of the config files, then $CCHC_DB over their `db`. Raises UsageError naming the file
    for a file that is not TOML, an unknown key or a value of the wrong kind."""
    settings = Settings()
    for path in config_files(cwd):
        for key, value in _read(path).items():
            settings.values[key] = value
            settings.sources[key] = str(path)
        settings.files.append(path)
    if os.environ.get("CCHC_DB"):
        settings.values["db"] = os.environ["CCHC_DB"]
        settings.sources["db"] = "$CCHC_DB"
    return settings


def _read(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        data = tomllib.loads(path.read_text("utf-8-sig"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text; save the config file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc}); see the README's 'Config file'") from None
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise UsageError(f"{path}: unknown setting {', '.join(unknown)}; the settings are {', '.join(KEYS)}")
    return {key: _checked(path, key, value) for key, value in data.items()}


def _checked(path: Path, key: str, value: Any) -> Any:
    """A value in the form the command's option takes; paths made relative to the config file's folder."""
    def wrong(kind: str) -> UsageError:
        return UsageError(f"{path}: {key} = {value!r}: give {kind}")

    if key == "jobs":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise wrong("a whole number of worker processes, 1 or more")
        return value
    if key == "dictionaries":
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise wrong("a list of term files, e.g. dictionaries = [\"my_terms.yaml\"]")
        return [str(path.parent / v) for v in value]
    if key == "include" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if not isinstance(value, str) or not value:
        raise wrong("a text" + (" (a file name)" if key == "db" else ""))
    if key == "db" and "://" in value:
        return value  # a team's PostgreSQL store: a URL, not a file beside the config
    return str(path.parent / value) if key == "db" else value
