"""Where the repair engine's time goes: a cProfile of one cold pass over the speed benchmark's documents,
by phase of the per-sentence path and by source file.

usage: python bench/hotspots.py [--core compiled|python] [--top 12] [--functions 15]

After load and a first call (as bench/speed.py measures), one pass over the five samples and the 30
round-trip OCR pages with the engine's caches cold. Phases are the inclusive times of the functions that do
them (nested phases are indented and included in the line above); files are the time spent in their own
code (cProfile's tottime; C functions that Python calls count as the file "built-ins"). cProfile slows
Python-level calls more than C ones: read the shares, not the absolute times.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# (label, file, function, depth) — inclusive times
PHASES = (
    ("repair_text", "engine.py", "repair_text", 0),
    ("tokenising (tokenize_line, codes)", "engine.py", "tokenize_line", 1),
    ("clean-text and foreign tests", "engine.py", "_reads_as_vietnamese", 1),
    ("", "engine.py", "is_foreign", 1),
    ("candidate lattice (build_lattice)", "engine.py", "build_lattice", 1),
    ("candidates of a token (Repairer.candidates)", "engine.py", "candidates", 2),
    ("index look-up (Lexicon.candidates)", "lexicon.py", "candidates", 3),
    ("two-syllable readings (split_options)", "engine.py", "split_options", 2),
    ("Tesseract-vie readings (vie_candidates)", "engine.py", "vie_candidates", 2),
    ("term fitting (TermFitter.apply)", "terms.py", "apply", 1),
    ("Viterbi (search.viterbi)", "search.py", "viterbi", 1),
    ("local rescoring (rescore_locally)", "engine.py", "rescore_locally", 1),
    ("posteriors (search.local_posteriors)", "search.py", "local_posteriors", 2),
    ("edits, reasons, case (_set_word)", "engine.py", "_set_word", 2),
    ("adaptation: sure readings (_sure_readings)", "engine.py", "_sure_readings", 1),
    ("adaptation: E-step + re-estimate (_adapted_channel)", "engine.py", "_adapted_channel", 1),
    ("E-step (ChannelModel.expected_counts)", "channel.py", "expected_counts", 2),
    ("rendering (_render)", "engine.py", "_render", 1),
    ("confidences and flags (_finish)", "engine.py", "_finish", 1),
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--core", choices=["compiled", "python"], default="compiled")
    ap.add_argument("--top", type=int, default=12, help="files listed")
    ap.add_argument("--functions", type=int, default=15, help="functions listed by their own time")
    a = ap.parse_args()
    if a.core == "python":
        os.environ["CCHC_PURE_PYTHON"] = "1"
    else:
        os.environ.pop("CCHC_PURE_PYTHON", None)
    from speed import FIRST_LINE, documents  # bench/, this script's folder

    from cchc_cli.repair import get_repairer, search

    if a.core != search.CORE:
        sys.exit(f"the {a.core} core is not available (in use: {search.CORE})")
    rep = get_repairer()
    rep.repair_text(FIRST_LINE)
    docs = documents()
    profile = cProfile.Profile()
    profile.enable()
    for d in docs:
        rep.repair_text(d)
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    inclusive: dict[tuple[str, str], float] = defaultdict(float)
    own: dict[str, float] = defaultdict(float)
    functions: list[tuple[float, int, str]] = []
    for (filename, line, func), (_cc, calls, tottime, cumtime, _callers) in stats.items():
        name = Path(filename).name if filename != "~" else "built-ins"
        inclusive[(name, func)] += cumtime
        own[name] += tottime
        functions.append((tottime, calls, f"{name}:{line} {func}" if line else func))
    total = inclusive[("engine.py", "repair_text")]
    syllables = sum(len(d.split()) for d in docs)
    print(f"core: {search.CORE}; {syllables} syllables in {len(docs)} documents; profiled pass {total:.2f} s")
    print("\nby phase (inclusive)")
    for label, file, func, depth in PHASES:
        t = inclusive.get((file, func), 0.0)
        if label:
            print(f"  {'  ' * depth}{label:<{58 - 2 * depth}} {t:7.2f} s {100 * t / total:5.1f}%")
        else:  # added to the line above
            print(f"  {'  ' * depth}{'+ ' + func:<{58 - 2 * depth}} {t:7.2f} s {100 * t / total:5.1f}%")
    print("\nby file (own time)")
    for name, t in sorted(own.items(), key=lambda kv: -kv[1])[: a.top]:
        print(f"  {name:<40} {t:7.2f} s {100 * t / total:5.1f}%")
    print("\nby function (own time)")
    for t, calls, where in sorted(functions, reverse=True)[: a.functions]:
        print(f"  {where[:60]:<60} {t:7.2f} s {100 * t / total:5.1f}%  {calls:>10,} calls")


if __name__ == "__main__":
    main()
