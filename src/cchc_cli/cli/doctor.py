"""``cchc doctor [--json]``: what this installation can read, and what is missing with how to add it."""

from __future__ import annotations

import importlib.metadata
import json
import platform
import sys
from typing import Annotated, Any

import typer

from ..errors import ExitCode
from ..version import __version__
from .common import PROG, guarded
from .options import Help, format_flag
from .streams import write_output

_OPTIONAL = (  # (distribution, what it reads, the extra that installs it)
    ("pypdfium2", "PDF (text layers, page images)", "scans"),
    ("Pillow", "page images (PNG, JPEG, TIFF)", "scans"),
    ("python-docx", "Word files (DOCX)", "docx"),
)


def register(app: typer.Typer) -> None:
    @app.command()
    def doctor(
        as_json: Annotated[bool, format_flag("json", "Print the report as one JSON object.")] = False,
        _help: Help = False,
    ) -> None:
        """Report what this installation can read: the repair core in use, Tesseract and its Vietnamese data,
        the optional libraries for PDF, images and DOCX (exit 0; what is missing is named with its remedy)."""
        guarded(lambda: run_doctor(as_json))


def report() -> dict[str, Any]:
    """What :func:`run_doctor` prints, as data."""
    from ..decode.ocr import INSTALL_HINT, find_tesseract
    from ..repair.search import CORE
    from ..resources import pipeline_version

    tesseract = find_tesseract()
    libraries = {}
    for name, reads, extra in _OPTIONAL:
        try:
            version: str | None = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = None
        libraries[name] = {"version": version, "reads": reads, "remedy": None if version else
                           f"pip install 'cchc[{extra}]'"}
    return {
        "cchc": __version__,
        "python": platform.python_version(),
        "platform": sys.platform,
        "pipeline": pipeline_version(),  # what the store keys its files by: a CI cache key
        "repair_core": CORE,  # "compiled" (the C extension) or "python" (not built, or CCHC_PURE_PYTHON=1)
        "tesseract": None if tesseract is None else {
            "path": tesseract.path, "version": tesseract.version, "languages": list(tesseract.languages),
            "vie": tesseract.has_vietnamese,
        },
        "tesseract_remedy": None if tesseract is not None and tesseract.has_vietnamese else INSTALL_HINT,
        "libraries": libraries,
    }


def run_doctor(as_json: bool) -> int:
    found = report()
    if as_json:
        write_output(lambda out: out.write((json.dumps(found, ensure_ascii=False, indent=2) + "\n").encode()))
        return ExitCode.OK
    lines = [f"{PROG} {found['cchc']} (Python {found['python']}, {found['platform']})",
             f"repair core: {found['repair_core']}", f"pipeline version: {found['pipeline']}"]
    tesseract = found["tesseract"]
    if tesseract is None:
        lines.append(f"tesseract: not found — scans and images cannot be OCR'd; {found['tesseract_remedy']}")
    else:
        vie = "yes" if tesseract["vie"] else f"no — {found['tesseract_remedy']}"
        lines.append(f"tesseract: {tesseract['version']} at {tesseract['path']}; Vietnamese data (vie): {vie}")
    for name, info in found["libraries"].items():
        state = info["version"] or f"missing — {info['remedy']}"
        lines.append(f"{name}: {state} ({info['reads']})")
    write_output(lambda out: out.write(("\n".join(lines) + "\n").encode("utf-8")))
    return ExitCode.OK
