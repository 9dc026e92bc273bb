"""Record what the ``cchc`` commands print for a fixed set of inputs, or check that they still print it.

A refactoring must not change behaviour: record the outputs before it, check them after::

    python scripts/same_output.py record /tmp/before     # on the old code
    python scripts/same_output.py check /tmp/before      # on the new code: exit 1 and a list of differences

The inputs are the five ``samples/`` (each alone: ``cchc repair FILE``, ``cchc repair FILE --json``,
``cchc ingest FILE --json``) and the round-trip pages of ``bench/data/roundtrip`` (as a folder:
``cchc repair DIR --out-dir OUT --json`` and ``cchc ingest DIR --json``); then ``cchc validate --format json``
and ``cchc export`` (``--jsonl`` and every ``--csv --table``) over the store that the ingests filled. Each
command's stdout, stderr (timings removed) and exit code are compared byte for byte. Run from anywhere; the
commands run in the checkout's root with relative paths, so the records' ``source.path`` values match.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("documents", "tasks", "targets", "references", "responsibilities")
# Seconds in a summary line ("; 3.2 s") and the store's ingest times differ from run to run.
_TIMING = re.compile(rb"\d+\.\d s\b")
_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def _run(name: str, args: list[str], out: Path, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "cchc_cli", *args], cwd=ROOT, env=env, capture_output=True,
                          check=False)
    # The temporary folder's name differs from run to run.
    tmp = str(Path(env["CCHC_DB"]).parent).encode()
    (out / f"{name}.stdout").write_bytes(_STAMP.sub(b"TIME", done.stdout.replace(tmp, b"TMP")))
    (out / f"{name}.stderr").write_bytes(_TIMING.sub(b"N s", done.stderr.replace(tmp, b"TMP")))
    (out / f"{name}.exit").write_text(f"{done.returncode}\n")


def _tree(folder: Path, out: Path, name: str) -> None:
    for file in sorted(folder.rglob("*")):
        if file.is_file():
            rel = file.relative_to(folder).as_posix().replace("/", "__")
            (out / f"{name}.{rel}").write_bytes(file.read_bytes())


def record(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CCHC_DB": str(Path(tmp) / "cchc.db"), "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("CCHC_DB_TIMEOUT", None)
        for sample in sorted((ROOT / "samples").glob("*.txt")):
            rel = sample.relative_to(ROOT).as_posix()
            stem = sample.stem[:3]
            _run(f"repair-{stem}", ["repair", rel], out, env)
            _run(f"repair-json-{stem}", ["repair", rel, "--json"], out, env)
            _run(f"ingest-json-{stem}", ["ingest", rel, "--json"], out, env)
        repaired = Path(tmp) / "repaired"
        _run("repair-dir", ["repair", "bench/data/roundtrip", "--include", "*.ocr.txt", "--out-dir", str(repaired),
                            "--json"], out, env)
        _tree(repaired, out, "repair-dir")
        _run("ingest-dir", ["ingest", "bench/data/roundtrip", "--include", "*.ocr.txt", "--json"], out, env)
        _run("validate", ["validate", "--format", "json"], out, env)
        _run("export-jsonl", ["export", "--jsonl"], out, env)
        for table in TABLES:
            _run(f"export-csv-{table}", ["export", "--csv", "--table", table], out, env)


def check(before: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        now = Path(tmp) / "now"
        record(now)
        old = {p.name for p in before.iterdir()}
        new = {p.name for p in now.iterdir()}
        differences = [f"only before: {name}" for name in sorted(old - new)]
        differences += [f"only now: {name}" for name in sorted(new - old)]
        differences += [f"differs: {name}" for name in sorted(old & new)
                        if (before / name).read_bytes() != (now / name).read_bytes()]
    for line in differences:
        print(line)
    print(f"{len(old)} outputs compared: {'no difference' if not differences else f'{len(differences)} differ'}")
    return 1 if differences else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("record", "check"))
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    if args.action == "record":
        record(args.folder)
        print(f"recorded {len(list(args.folder.iterdir()))} outputs in {args.folder}")
        return 0
    return check(args.folder)


if __name__ == "__main__":
    sys.exit(main())
