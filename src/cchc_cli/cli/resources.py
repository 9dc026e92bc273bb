"""Turning the options that name data (``--dictionary``, ``--encoding``) into what the library takes, with the
one-line usage errors a user can act on."""

from __future__ import annotations

from pathlib import Path

from ..data import DictionaryError
from ..errors import UsageError
from ..resources import Resources, load_resources


def checked_encoding(encoding: str | None) -> str | None:
    """`encoding` as given, once Python is known to have such a codec (else a usage error)."""
    if encoding:
        from ..decode import check_encoding

        check_encoding(encoding)
    return encoding


def resources_for(dictionaries: list[Path] | None) -> Resources:
    """The resources with the user's ``--dictionary`` files; a missing or bad file is a usage error naming it."""
    paths = list(dictionaries or [])
    for path in paths:
        if not path.is_file():
            raise UsageError(f"{path}: no such file or folder (--dictionary); check the path")
    try:
        return load_resources(paths)
    except DictionaryError as exc:  # its message names the file
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"{exc.filename}: cannot read dictionary: {exc.strerror}") from None
