"""Scanned documents: syllable accuracy (../shared/tools/score.py) of each way cchc can get their text, and
pages per second; header fields of scanned pages against those of their English-OCR text.

usage: python bench/scans.py [DIR] [--psm 6] [--kinds body,header] [--jobs 1] [--cache DIR] [--json]

DIR (default work-data/scans/test): made by scripts/make_scans.py, documents of the corpus's *held-out*
part (never trained on) rendered as pages; NAME.gold.txt is the text drawn. Ways, per body document:

- ``eng+repair``: the English-model OCR text (NAME.eng.txt, the text cchc read until now), repaired;
- ``layer+repair``: the searchable PDF's English text layer, repaired (``--ocr never``: Tesseract absent);
- ``vie``: the page images read by Tesseract vie (``cchc repair scan.pdf`` without the repair step);
- ``vie+repair``: ``cchc repair scan.pdf`` (Tesseract vie, then the repair with its word confidences).
- ``searchable auto``: ``cchc repair scan.searchable.pdf``: the English layer is recognised and re-read.

Header documents (one page, the header in the seeds' two-column layout or stacked): doc_type, number, date
and place of ``cchc ingest scan.pdf`` against the truth, beside those of ``cchc ingest NAME.eng.txt``.
Speed: pages/s of reading (render + Tesseract) and of repair, on one process (``--jobs`` pages at a time).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

from needs import need  # bench/needs.py, beside this script

REPO = Path(__file__).resolve().parents[1]
FIELDS = ("doc_type", "number", "date", "place")


def load_score(path: Path):  # noqa: ANN201 - the shared tool's function
    spec = importlib.util.spec_from_file_location("score", path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(mod)
    return mod.score_texts


def read_cached(pdf: Path, options, cache: Path | None):  # noqa: ANN001, ANN201
    """read_source(pdf) and its seconds, through an optional JSON cache (OCR is the slow part)."""
    from cchc_cli.decode.ocr import JUNK_CONFIDENCE
    from cchc_cli.decode.source import read_source
    from cchc_cli.document import PageInfo, SourceText

    key = (cache / f"{pdf.name}.{options.ocr}.psm{options.psm}.dpi{options.dpi}.junk{JUNK_CONFIDENCE:g}.json"
           if cache else None)
    if key is not None and key.exists():
        raw = json.loads(key.read_text("utf-8"))
        pages = [PageInfo(p["number"], p["method"], p["confidence"], tuple(p["lines"])) for p in raw["pages"]]
        conf = {(line, col): c for line, col, c in raw["words"]}
        return SourceText(raw["text"], raw["format"], pages, conf), raw["seconds"]
    started = time.perf_counter()
    scanned = read_source(pdf, pdf.name, options)
    seconds = time.perf_counter() - started
    if key is not None:
        key.parent.mkdir(parents=True, exist_ok=True)
        key.write_text(json.dumps({**scanned.to_dict(), "text": scanned.text, "seconds": seconds,
                                   "words": [[*k, v] for k, v in scanned.word_confidence.items()]},
                                  ensure_ascii=False), "utf-8")
    return scanned, seconds


def options(a: argparse.Namespace, mode: str):  # noqa: ANN201
    from cchc_cli.decode.source import SourceOptions

    return SourceOptions(ocr=mode, psm=a.psm, jobs=a.jobs, dpi=a.dpi)


def body(docs: list[dict], root: Path, a: argparse.Namespace, score_texts) -> dict:  # noqa: ANN001
    from cchc_cli.repair import get_repairer

    repairer = get_repairer()
    totals: dict[str, list[int]] = {}
    pages = 0
    read_seconds = repair_seconds = 0.0

    def add(way: str, gold: str, text: str) -> None:
        got = score_texts(gold, text)["exact"]
        row = totals.setdefault(way, [0, 0])
        row[0] += got["gold_tokens"]
        row[1] += got["errors"]

    for doc in docs:
        name = doc["name"]
        gold = (root / f"{name}.gold.txt").read_text("utf-8")
        add("eng (raw)", gold, (root / f"{name}.eng.txt").read_text("utf-8"))
        add("eng+repair", gold, repairer.repair_text((root / f"{name}.eng.txt").read_text("utf-8")).text)
        layer, _ = read_cached(root / f"{name}.searchable.pdf", options(a, "never"), a.cache)
        add("layer+repair", gold, repairer.repair_text(layer.text).text)
        scanned, seconds = read_cached(root / f"{name}.pdf", options(a, "always"),
                                       a.cache)
        read_seconds += seconds
        pages += len(scanned.pages)
        add("vie", gold, scanned.text)
        started = time.perf_counter()
        repaired = repairer.repair_text(scanned.text, scanned.word_confidence or None).text
        repair_seconds += time.perf_counter() - started
        add("vie+repair", gold, repaired)
        if a.searchable:
            auto, _ = read_cached(root / f"{name}.searchable.pdf", options(a, "auto"), a.cache)
            add("searchable auto", gold, repairer.repair_text(auto.text, auto.word_confidence or None).text)
    return {"documents": len(docs), "pages": pages,
            "accuracy": {way: 1 - errors / syllables for way, (syllables, errors) in totals.items()},
            "errors": {way: errors for way, (_, errors) in totals.items()},
            "syllables": next(iter(totals.values()))[0] if totals else 0,
            "read_pages_per_second": pages / read_seconds if read_seconds else None,
            "repair_pages_per_second": pages / repair_seconds if repair_seconds else None}


def headers(docs: list[dict], root: Path, a: argparse.Namespace) -> dict:
    from cchc_cli.document import Document
    from cchc_cli.pipeline import ingest_document, ingest_text
    from cchc_cli.repair import get_repairer

    right = {"scan": dict.fromkeys(FIELDS, 0), "eng text": dict.fromkeys(FIELDS, 0)}
    misses: list[str] = []
    for doc in docs:
        name, truth = doc["name"], doc["truth"]
        scanned, _ = read_cached(root / f"{name}.pdf", options(a, "always"), a.cache)
        repair = get_repairer().repair_text(scanned.text, scanned.word_confidence or None)
        got = {"scan": ingest_document(Document(scanned.text, name, repair=repair, origin=scanned)),
               "eng text": ingest_text((root / f"{name}.eng.txt").read_text("utf-8"), name)}
        for way, records in got.items():
            first = records[0] if records else None
            for field in FIELDS:
                value = getattr(first, field) if first is not None else None
                if value == truth.get(field):
                    right[way][field] += 1
                elif way == "scan":
                    misses.append(f"{name} {field}: {value!r} (truth {truth.get(field)!r})")
    return {"documents": len(docs), "right": right, "misses": misses}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", type=Path, nargs="?", default=REPO / "work-data" / "scans" / "test")
    ap.add_argument("--psm", type=int, default=None, help="Tesseract page segmentation (default: cchc's)")
    ap.add_argument("--kinds", default="body,header")
    ap.add_argument("--jobs", type=int, default=1, help="pages OCR'd at once")
    ap.add_argument("--dpi", type=int, default=None, help="resolution PDF pages are drawn at (default: cchc's)")
    ap.add_argument("--cache", type=Path, default=None, help="keep Tesseract's reading here between runs")
    ap.add_argument("--no-searchable", dest="searchable", action="store_false",
                    help="skip reading the searchable PDFs in auto mode")
    ap.add_argument("--score", type=Path, default=REPO.parent / "shared" / "tools" / "score.py")
    ap.add_argument("--misses", action="store_true")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    from cchc_cli.decode import ocr
    from cchc_cli.decode.source import DPI

    a.psm = a.psm or ocr.PSM
    a.dpi = a.dpi or DPI
    if ocr.find_tesseract() is None:
        sys.exit(f"bench/scans.py: {ocr.INSTALL_HINT}")
    score_texts = load_score(need(a.score, "the shared scorer (tools/score.py)",
                                  "check out ../shared beside the repository, or pass --score FILE"))
    docs = [json.loads(line) for line in (a.dir / "scans.jsonl").read_text("utf-8").splitlines() if line.strip()]
    kinds = a.kinds.split(",")
    out: dict = {"dir": str(a.dir), "psm": a.psm, "dpi": a.dpi}
    if "body" in kinds:
        out["body"] = body([d for d in docs if d["kind"] == "body"], a.dir, a, score_texts)
    if "header" in kinds:
        out["header"] = headers([d for d in docs if d["kind"] == "header"], a.dir, a)
    if a.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    print(f"{a.dir} (--psm {a.psm}, --dpi {a.dpi})")
    if "body" in out:
        b = out["body"]
        print(f"\nbody: {b['documents']} documents, {b['pages']} pages, {b['syllables']} gold syllables")
        print(f"{'way':<18}{'accuracy':>10}{'errors':>8}")
        for way, acc in b["accuracy"].items():
            print(f"{way:<18}{acc:>10.2%}{b['errors'][way]:>8}")
        rate = b["read_pages_per_second"]
        if rate:
            print(f"reading (render + Tesseract vie, {a.jobs} at a time): {rate:.2f} pages/s; "
                  f"repair: {b['repair_pages_per_second']:.2f} pages/s")
    if "header" in out:
        h = out["header"]
        print(f"\nheader fields: {h['documents']} one-page documents")
        print(f"{'field':<10}" + "".join(f"{way:>10}" for way in h["right"]))
        for field in FIELDS:
            print(f"{field:<10}" + "".join(f"{h['right'][way][field]:>10}" for way in h["right"]))
        if a.misses:
            print("\n".join(h["misses"]))


if __name__ == "__main__":
    main()
