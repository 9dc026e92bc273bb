"""What a benchmark needs from outside the repository (../shared: the gold files, the scorer, the corpus),
checked before any work: a missing one is one line naming it and how to get it, exit 2, not a traceback."""

from __future__ import annotations

import sys
from pathlib import Path


def need(path: Path | str, what: str, remedy: str) -> Path:
    """`path`, or the end of the program with ``bench/NAME.py: PATH: WHAT not found; REMEDY``."""
    path = Path(path)
    if not path.exists():
        print(f"bench/{Path(sys.argv[0]).name}: {path}: {what} not found; {remedy}", file=sys.stderr)
        raise SystemExit(2)
    return path
