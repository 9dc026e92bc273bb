"""Fit the calibration of the repair's confidences (dictionaries/confidence.yaml) on round-trip pages of
development sets: every decoded word's evidence (src/cchc_cli/repair/calibration.py) against whether
the word came out right, a logistic regression (L2-regularised, Newton's method with numpy); and the share
of the words flagged as reading as no word that were right anyway, their confidence (`unreadable`).

usage: python scripts/calibrate.py DEV_DIR... [--pick even|odd|all] [-o dictionaries/confidence.yaml]

DEV_DIR holds <name>.gold.txt / <name>.ocr.txt pairs of scripts/make_roundtrip.py: of the corpus's training
part, or of its held-out part's documents other than the bench's (--avoid bench/data/roundtrip/SOURCES.tsv:
pages of documents the language model never saw, as a user's are); `--pick` takes the passages by number
(even: the tuning half; bench/accuracy.py --dev-dir reports on the odd one). A word is right when the
alignment of the output's syllables with the gold ones (bench/review_stats.py, ../shared/tools/score.py's
comparison) pairs each of its syllables with an equal one. Never run on the gold samples or the bench's
held-out pages.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from review_stats import load_canon, output_words, rightness  # noqa: E402

from cchc_cli.repair.calibration import FEATURES  # noqa: E402
from cchc_cli.repair.engine import Repairer, Settings  # noqa: E402

L2 = 1.0


def examples(dirs: list[Path], pick: str, canon) -> tuple[np.ndarray, np.ndarray, list[bool]]:
    """The decoded words' features and rightness; and the rightness of the words flagged unreadable."""
    rep = Repairer(settings=Settings(calibrate=False))
    xs: list[list[float]] = []
    ys: list[float] = []
    unreadable: list[bool] = []
    for d in dirs:
        for gold in sorted(d.glob("*.gold.txt")):
            stem = gold.name.removesuffix(".gold.txt")
            number = int(stem.split("_")[1])
            if pick != "all" and number % 2 != (pick == "odd"):
                continue
            ocr = gold.with_name(stem + ".ocr.txt").read_text("utf-8")
            rep.trace = {}
            rep.unreadable_trace = set()
            result = rep.repair_text(ocr)
            words = output_words(ocr, result)
            right, _ = rightness(words, gold.read_text("utf-8"), canon)
            by_token: dict[tuple[int, int], bool] = {}
            for w, ok in zip(words, right, strict=True):
                by_token[w[5]] = by_token.get(w[5], True) and ok
            for pos, feats in rep.trace.items():
                if pos in by_token:
                    xs.append(feats)
                    ys.append(float(by_token[pos]))
            unreadable += [by_token[pos] for pos in rep.unreadable_trace if pos in by_token]
    return np.array(xs), np.array(ys), unreadable


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    w = np.zeros(x.shape[1])
    reg = np.full(x.shape[1], L2)
    reg[0] = 0.0  # the bias is not shrunk
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + reg * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dev_dir", type=Path, nargs="+")
    ap.add_argument("--pick", choices=["even", "odd", "all"], default="even")
    ap.add_argument("-o", "--output", type=Path, default=REPO / "dictionaries" / "confidence.yaml")
    ap.add_argument("--score", default=str(REPO.parent / "shared" / "tools" / "score.py"))
    a = ap.parse_args()
    x, y, flagged = examples(a.dev_dir, a.pick, load_canon(Path(a.score)))
    unreadable = (sum(flagged) + 1) / (len(flagged) + 2)  # add-one: the share of them that were right
    w = fit(x, y)
    p = 1 / (1 + np.exp(-(x @ w)))
    loss = -np.mean(y * np.log(np.clip(p, 1e-12, 1)) + (1 - y) * np.log(np.clip(1 - p, 1e-12, 1)))
    names = ", ".join(d.name for d in a.dev_dir)
    lines = [
        "# cchc: the calibration of the repair's confidences (src/cchc_cli/repair/calibration.py): weights of a",
        "# logistic model of P(the output word is right) over the decoder's evidence. Fitted by",
        f"# `python scripts/calibrate.py ... --pick {a.pick}` on round-trip pages of development sets",
        f"# ({names}): {len(y)} words, {int(len(y) - y.sum())} wrong; log loss {loss:.4f}. Never on the gold",
        "# samples or the bench's held-out pages.",
        "version: 1",
        f"# words flagged as reading as no word (or kept for want of any reading): {sum(flagged)} of {len(flagged)}",
        "# were right (foreign words, names, codes); with add-one smoothing, their confidence",
        f"unreadable: {unreadable:.3f}",
        "weights:",
        *(f"  {name}: {value:.6f}" for name, value in zip(FEATURES, w, strict=True)),
    ]
    a.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(y)} words ({int(len(y) - y.sum())} wrong), log loss {loss:.4f}; flagged unreadable "
          f"{len(flagged)}, right {sum(flagged)} -> {a.output}")


if __name__ == "__main__":
    main()
