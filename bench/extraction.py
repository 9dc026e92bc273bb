"""Extraction accuracy on the extraction dev set (per field and layout) and on the three annotated seeds,
and ingest time per document after load.

    python scripts/make_extraction_devset.py work-data/extraction      # once: builds the dev set (~30 min)
    python bench/extraction.py [--devset work-data/extraction] [--half test|dev|all] [--jobs 2]
                               [--misses] [--no-seeds]

The dev set: real corpus documents (training part) re-laid in five header layouts and OCR'd by the
round-trip tool; the rules were tuned on its ``dev`` half, measured once on the ``test`` half, then (that
half seen) on the ``fresh`` documents rendered afterwards (the default).
Scoring: bench/devset.py. With no dev set built, only the seeds are measured.

Field accuracy (doc_type, number, date, issuer, title, period, attached_to …), section recall (label at
its line; and with the title, case and marks ignored), legal_basis and targets F1 (matched by line),
appendix rows found and lead-unit accuracy on seed 001 (first canonical lead unit), units of "Tổ chức thực
hiện" found. Definitions: tests/extraction_gold.py. Time: ingest_text (repair included) and segmentation +
extraction alone, per seed, after the model is loaded.
"""

from __future__ import annotations

import argparse
import sys
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from devset import Table, load_truth, page_values, print_table, print_units, score_page  # noqa: E402
from extraction_gold import ANNOTATED, SAMPLES, Scores, f1, score  # noqa: E402

from cchc_cli import Document, ingest_text, repair_text  # noqa: E402
from cchc_cli.pipeline import ingest_document  # noqa: E402


def share(values: list[bool]) -> str:
    return f"{sum(values)}/{len(values)} = {sum(values) / len(values):.1%}" if values else "n/a"


def _page(job: tuple[str, str]) -> tuple[str, dict]:
    name, path = job
    return name, page_values(ingest_text(Path(path).read_text("utf-8")))


def devset(directory: Path, half: str, jobs: int, misses: bool) -> None:
    rows = [r for r in load_truth(directory, half) if (directory / f"{r['name']}.txt").exists()]
    repair_text("Kế hoạch")  # load the model before the workers fork
    started = time.perf_counter()
    with Pool(jobs) as pool:
        values = dict(pool.imap_unordered(_page, [(r["name"], str(directory / f"{r['name']}.txt")) for r in rows],
                                          chunksize=4))
    table = Table()
    for row in rows:
        score_page(row, values[row["name"]], table)
    docs = len({r["source"] for r in rows})
    print_table(table, f"Extraction dev set, {half} half ({directory}): {len(rows)} pages of {docs} documents, "
                       f"precision (P) and recall (R) per field and header layout")
    print_units(table)
    print(f"  ({time.perf_counter() - started:.0f} s on {jobs} processes)")
    if misses:
        for name, field, got, want in table.misses:
            print(f"  miss {name}: {field} {got!r}, truth {want!r}")
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", type=Path, default=ROOT / "work-data" / "extraction")
    ap.add_argument("--half", choices=["dev", "test", "fresh", "all"], default="fresh")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--misses", action="store_true", help="list the pages where doc_type, number or date is wrong")
    ap.add_argument("--no-seeds", action="store_true")
    a = ap.parse_args()
    t0 = time.perf_counter()
    repair_text("Kế hoạch")  # load the model
    load = time.perf_counter() - t0
    if (a.devset / "truth.jsonl").exists():
        devset(a.devset, a.half, a.jobs, a.misses)
    else:
        print(f"no dev set at {a.devset} (python scripts/make_extraction_devset.py {a.devset} builds it)\n")
    if not a.no_seeds:
        seeds(load)


def seeds(load: float) -> None:
    scores = Scores()
    for seed in ANNOTATED:
        records = ingest_text((SAMPLES / f"{seed}.txt").read_text("utf-8"))
        score(seed, records, scores)
    print("Extraction on the 3 annotated seeds (tests/data/gold)")
    for name, values in scores.fields.items():
        print(f"  {name:<16} {share(values)}")
    print(f"  section recall (label+line)   {share(scores.sections_found)}")
    print(f"  section recall (with title)   {share(scores.section_titles)}")
    print(f"  legal_basis F1   {f1(scores.legal_tp, scores.legal_fp, scores.legal_fn):.1%} "
          f"(tp {scores.legal_tp}, fp {scores.legal_fp}, fn {scores.legal_fn})")
    print(f"  targets F1       {f1(scores.targets_tp, scores.targets_fp, scores.targets_fn):.1%} "
          f"(tp {scores.targets_tp}, fp {scores.targets_fp}, fn {scores.targets_fn})")
    print(f"  appendix rows    {share(scores.rows_found)}")
    print(f"  lead unit right  {share(scores.lead_right)}")
    print(f"  units recall     {share(scores.units_found)}")
    print("\nTasks per seed (appendix table rows, else the leaf items of the task-list sections)")
    for path in sorted(SAMPLES.glob("*.txt")):
        recs = ingest_text(path.read_text("utf-8"))
        counts = " + ".join(str(len(r.tasks)) for r in recs)
        leads = sum(bool(t.lead_units) for r in recs for t in r.tasks)
        dated = sum(t.deadline is not None for r in recs for t in r.tasks)
        print(f"  {path.name:<28} {counts:>8} tasks  ({leads} with a lead unit, {dated} with a time frame)")
    print(f"\nTime (model load {load:.2f} s, then per seed; best of 3)")
    for path in sorted(SAMPLES.glob("*.txt")):
        text = path.read_text("utf-8")
        full = min(_timed(ingest_text, text) for _ in range(3))
        repaired = repair_text(text)
        alone = min(_timed(_segment_and_extract, text, repaired) for _ in range(3))
        print(f"  {path.name:<28} {len(text.encode()) / 1024:5.1f} KB  ingest_text {full:.3f} s"
              f"  (segment+extract alone {alone:.3f} s)")


def _segment_and_extract(text, repaired) -> None:
    ingest_document(Document(text, repair=repaired))


def _timed(action, *args) -> float:
    t = time.perf_counter()
    action(*args)
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
