"""Syllable accuracy of `cchc repair`, with ../shared/tools/score.py's definition.

usage: python bench/accuracy.py [--gold-dir ../shared/gold] [--roundtrip-dir bench/data/roundtrip] [--json]
                                [--review] [--dev-dir DIR]... [--pick odd|even|all] [--set NAME=VALUE]...

(a) the real OCR'd documents with hand-restored gold (samples/<seed>.txt against <gold-dir>/<seed>.gold.txt);
(b) round-trip OCR of held-out corpus documents (bench/data/roundtrip/nK_XX.ocr.txt against .gold.txt), per
noise level; (c) correct text in (the held-out gold passages repaired): the share of syllables left unchanged.
Prints raw OCR accuracy beside the repaired accuracy. Run from the repository root.

`--dev-dir DIR` adds round-trip pairs of the corpus's training part made by scripts/make_roundtrip.py (several
faces: see the README), the `--pick` half of them by passage number (`odd` by default: the half the settings
were not tuned on; scripts/tune.py --pick even tunes). `--review` adds, per set, what a reviewer sees
(bench/review_stats.py): the share of wrong words the tool doubted, the share of doubted words that are wrong,
the edits' accuracy by confidence band, and candidate recall (the share of gold syllables whose reading the
decoder's lattice held). `--set NAME=VALUE` runs with a repair setting other than its default (a switch takes 0
or 1), to measure what one step gains.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))
from review_stats import Review, load_canon, render, review  # noqa: E402  (bench/, beside this script)


def set_value(settings, name: str, value: float) -> None:
    """One repair setting given as a number (a switch: 0 or 1), converted to the setting's own type."""
    setattr(settings, name, type(getattr(settings, name))(value))


def load_score(path: Path):
    spec = importlib.util.spec_from_file_location("score", path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(mod)
    return mod.score_texts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold-dir", default=str(REPO.parent / "shared" / "gold"))
    ap.add_argument("--roundtrip-dir", default=str(REPO / "bench" / "data" / "roundtrip"))
    ap.add_argument("--score", default=str(REPO.parent / "shared" / "tools" / "score.py"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--only", choices=["gold", "roundtrip"], default=None)
    ap.add_argument("--dev-dir", action="append", default=[], type=Path)
    ap.add_argument("--pick", choices=["odd", "even", "all"], default="odd")
    ap.add_argument("--review", action="store_true")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a repair setting other than its default, e.g. --set cache_shape=0 (what a step gains)")
    a = ap.parse_args()
    score_texts = load_score(need(a.score, "the shared scorer (tools/score.py)",
                                  "check out ../shared beside the repository, or pass --score FILE"))
    if a.only in (None, "gold"):
        need(a.gold_dir, "the folder of hand-restored gold files",
             "check out ../shared beside the repository, pass --gold-dir DIR, or --only roundtrip")
    from cchc_cli import repair_text
    from cchc_cli.repair import get_repairer
    from cchc_cli.repair.engine import Settings

    if a.set:
        settings = Settings()
        for item in a.set:
            name, _, value = item.partition("=")
            set_value(settings, name, float(value))
        get_repairer().settings = settings

    rows = []
    reviews: dict[str, Review] = {}
    canon = load_canon(Path(a.score)) if a.review else None

    def measure(name: str, ocr: str, gold: str) -> None:
        traced = canon is not None and not name.startswith("unchanged/")
        get_repairer().lattice_trace = {} if traced else None
        t0 = time.perf_counter()
        result = repair_text(ocr)
        fixed = result.text
        dt = time.perf_counter() - t0
        if traced:
            reviews.setdefault(name.rsplit("/", 1)[0], Review()).add(
                review(ocr, result, gold, canon, get_repairer().lattice_trace))
        raw = score_texts(gold, ocr)["exact"]
        rep = score_texts(gold, fixed)["exact"]
        rows.append({"set": name, "gold_syllables": rep["gold_tokens"], "raw": raw["accuracy"],
                     "repaired": rep["accuracy"], "errors": rep["errors"], "seconds": dt})

    if a.only in (None, "gold"):
        for gold in sorted(Path(a.gold_dir).glob("*.gold.txt")):
            seed = gold.name.removesuffix(".gold.txt")
            measure(f"gold/{seed}", (REPO / "samples" / f"{seed}.txt").read_text("utf-8"), gold.read_text("utf-8"))
    if a.only in (None, "roundtrip"):
        for gold in sorted(Path(a.roundtrip_dir).glob("*.gold.txt")):
            stem = gold.name.removesuffix(".gold.txt")
            measure(f"roundtrip/{stem}", gold.with_name(stem + ".ocr.txt").read_text("utf-8"),
                    gold.read_text("utf-8"))

    for d in a.dev_dir:
        for gold in sorted(d.glob("*.gold.txt")):
            stem = gold.name.removesuffix(".gold.txt")
            number = int(stem.split("_")[1])
            if a.pick == "all" or number % 2 == (a.pick == "odd"):
                measure(f"dev-{d.name}/{stem}", gold.with_name(stem + ".ocr.txt").read_text("utf-8"),
                        gold.read_text("utf-8"))

    def pooled(prefix: str) -> dict | None:
        sel = [r for r in rows if r["set"].startswith(prefix)]
        if not sel:
            return None
        n = sum(r["gold_syllables"] for r in sel)
        raw_err = sum((1 - r["raw"]) * r["gold_syllables"] for r in sel)
        err = sum(r["errors"] for r in sel)
        return {"set": prefix + "*", "documents": len(sel), "gold_syllables": n, "raw": 1 - raw_err / n,
                "repaired": 1 - err / n}

    if a.only in (None, "roundtrip"):
        # (c) correct text in: the held-out gold passages themselves must come out (almost) unchanged
        for gold in sorted(Path(a.roundtrip_dir).glob("*.gold.txt")):
            text = gold.read_text("utf-8")
            measure(f"unchanged/{gold.name.removesuffix('.gold.txt')}", text, text)
    summary = [p for p in (pooled("gold/"), pooled("roundtrip/n1"), pooled("roundtrip/n2"),
                           pooled("roundtrip/n3"), pooled("roundtrip/"), pooled("unchanged/"),
                           *(pooled(f"dev-{d.name}/") for d in a.dev_dir)) if p]
    if a.json:
        print(json.dumps({"documents": rows, "summary": summary}, ensure_ascii=False, indent=1))
        return
    for r in rows:
        print(f"{r['set']:<40} {r['gold_syllables']:>6} syll  raw {r['raw']:.4f}  repaired {r['repaired']:.4f}")
    print()
    for p in summary:
        print(f"{p['set']:<40} {p['documents']:>3} docs {p['gold_syllables']:>7} syll  raw {p['raw']:.4f}  "
              f"repaired {p['repaired']:.4f}")
    for name, r in reviews.items():
        print()
        print("\n".join(render(r, name)))


if __name__ == "__main__":
    sys.exit(main())
