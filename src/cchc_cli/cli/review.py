"""``cchc review [FILE...] [--db FILE] [--below C] [--flags-only] [-o review.csv]`` and the ``learn`` step of
``cchc dictionary``: the rows a person corrects, and the user dictionary made from them
(:mod:`cchc_cli.review`)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import ExitCode, InputError, UsageError
from ..io import path_text, read_error
from .common import PROG, error, guarded, say
from .options import Below, Db, Dictionary, Encoding, FlagsOnly, Help, Output, Quiet
from .streams import read_stdin, write_output

DEFAULT_BELOW = 0.9


def register(app: typer.Typer) -> None:
    @app.command()
    def review(
        files: Annotated[list[str] | None, typer.Argument(
            metavar="FILE", show_default=False,
            help="Text, PDF, image or DOCX files to review; without them, the files of the store (--db).")] = None,
        db: Db = None,
        below: Below = None,
        flags_only: FlagsOnly = False,
        output: Output = None,
        dictionary: Dictionary = None,
        encoding: Encoding = None,
        quiet: Quiet = False,
        _help: Help = False,
    ) -> None:
        """List the words the repair doubted, as CSV rows to correct (fill the 'correct' column).

        One row per flagged token and per edit with a confidence under --below (default 0.9): file, line,
        column, the repaired context with the chosen reading in [brackets], the OCR token, the chosen reading,
        the candidates, its confidence and an empty 'correct' column. Then 'cchc dictionary learn review.csv
        -o my_terms.yaml' makes a dictionary of the corrections for --dictionary.
        """
        guarded(lambda: run_review(list(files or []), db=db, below=DEFAULT_BELOW if below is None else below,
                                   flags_only=flags_only, output=output, dictionaries=dictionary,
                                   encoding=encoding, quiet=quiet))


def _store_files(db: str | Path | None) -> list[tuple[str, Path, str | None]]:
    """(label, path, sha256 at ingest) of each file in the store, once."""
    from ..store import open_store

    store = open_store(db, readonly=True)
    try:
        seen: dict[str, tuple[str, Path, str | None]] = {}
        for stored in store.records():
            source = stored.record.get("source") or {}
            if stored.path not in seen and not stored.path.startswith("<stdin>"):
                seen[stored.path] = (source.get("path") or stored.path, Path(stored.path), source.get("sha256"))
        return list(seen.values())
    finally:
        store.close()


def run_review(files: list[str], *, db: str | Path | None = None, below: float = DEFAULT_BELOW,
               flags_only: bool = False, output: Path | None = None, dictionaries: list[Path] | None = None,
               encoding: str | None = None, quiet: bool = False) -> int:
    from ..repair.files import repair_bytes
    from ..review import review_rows, write_review
    from .resources import checked_encoding, resources_for

    if files and db is not None:
        raise UsageError("review: FILE... are reviewed as given: --db reviews the store's files instead")
    encoding = checked_encoding(encoding)
    resources = resources_for(dictionaries)
    targets = [(f, Path(f), None) for f in files] if files else _store_files(db)
    rows: list[dict[str, Any]] = []
    failed = 0
    for label, path, sha256 in targets:
        try:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise read_error(label, exc) from None
            if sha256 and hashlib.sha256(data).hexdigest() != sha256:
                raise InputError(f"{label}: changed since it was ingested; ingest it again, or review the file itself")
            result = repair_bytes(data, path_text(label), encoding=encoding, resources=resources)
        except InputError as exc:
            error(exc.message)
            failed += 1
            continue
        rows += review_rows(label, result, below=below, flags_only=flags_only)
    write_output(lambda out: write_review(rows, out), output)
    if not quiet:
        flags = sum(r["kind"] == "flag" for r in rows)
        where = f" into {output}" if output is not None else ""
        say(f"{PROG}: review: {len(rows)} row(s){where} from {len(targets) - failed} file(s): {flags} flagged "
            f"token(s), {len(rows) - flags} edit(s) under {below:g}; fill 'correct', then 'cchc dictionary learn'\n")
    return ExitCode.INPUT if failed else ExitCode.OK


def run_learn(review_file: str | None, output: Path | None) -> int:
    """``cchc dictionary learn REVIEW_CSV [-o FILE]``: the user dictionary of the corrected rows."""
    from ..dictionary import parse_dictionary
    from ..review import learn_terms, read_review

    if not review_file:
        raise UsageError("dictionary learn: REVIEW_CSV is missing: give the review file 'cchc review -o' wrote, "
                         "its 'correct' column filled")
    if review_file == "-":
        data = read_stdin("<stdin>")
    else:
        try:
            data = Path(review_file).read_bytes()
        except OSError as exc:
            raise read_error(review_file, exc) from None
    text, count = learn_terms(read_review(data, review_file))
    parse_dictionary(text, "cchc dictionary learn")  # what is written is a dictionary --dictionary reads
    write_output(lambda out: out.write(text.encode("utf-8")), output)
    if count == 0:
        say(f"{PROG}: dictionary learn: no row of {review_file} has a 'correct' that differs from the reading "
            "chosen: the dictionary is empty\n")
    return ExitCode.OK
