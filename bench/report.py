"""The size of ``cchc report`` and the time to make and to open it, on a store of generated plans.

usage: python bench/report.py [--n 50] [--docs DIR] [--db FILE] [--jobs N] [-- REPORT OPTIONS...]

Without --db, N seed-size documents are generated as ``bench/batch.py`` makes them (into --docs, default a
temporary folder) and ingested with ``cchc ingest DIR --db TMP --quiet``; with --db the store given is used.
Then ``cchc report --db DB -o TMP/report.html [REPORT OPTIONS]`` runs in a subprocess (timed), and headless
Chromium (when installed) opens the file and draws its first screen (``--screenshot``, timed: the browser's
start included). Prints documents, tasks, the report's size and the two times.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import generate  # noqa: E402 - bench/ is not a package


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=50, help="documents to generate (default 50)")
    ap.add_argument("--docs", type=Path, default=None, help="generate into this folder (and keep it)")
    ap.add_argument("--db", type=Path, default=None, help="report on this store instead of generating one")
    ap.add_argument("--jobs", type=int, default=None, help="cchc ingest/report --jobs")
    ap.add_argument("options", nargs="*", help="more options for cchc report (after --)")
    a = ap.parse_args()
    cchc = shutil.which("cchc") or sys.exit("cchc is not on PATH (pip install -e '.[report]')")
    jobs = [] if a.jobs is None else ["--jobs", str(a.jobs)]
    with tempfile.TemporaryDirectory() as work:
        db = a.db
        if db is None:
            docs = a.docs or Path(work) / "docs"
            docs.mkdir(parents=True, exist_ok=True)
            generate(docs, a.n)
            db = Path(work) / "store.db"
            print(f"ingest: {timed([cchc, 'ingest', str(docs), '--db', str(db), '--quiet', *jobs]):.1f} s")
        report = Path(work) / "report.html"
        made = timed([cchc, "report", "--db", str(db), "-o", str(report), *jobs, *a.options])
        page = report.read_text("utf-8")
        documents, rows, texts = (page.count(s) for s in ('<article class="doc"', "<tr data-a=", '<pre class="tx">'))
        print(f"documents: {documents}, task rows: {rows}, texts: {texts}")
        print(f"cchc report: {made:.1f} s, {report.stat().st_size / 1e6:.2f} MB")
        browser = shutil.which("chromium")
        if browser:
            opened = timed([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={work}/profile",
                            "--window-size=1366,768", f"--screenshot={work}/shot.png", report.as_uri()])
            print(f"chromium --headless --screenshot: {opened:.1f} s (browser start included)")


if __name__ == "__main__":
    main()
