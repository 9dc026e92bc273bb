"""Speed and memory of the repair engine: model load, syllables per second after load, peak memory.

usage: python bench/speed.py [--repeat 1]

Load is measured in a fresh process (import + models + the first call on one line). Throughput is one pass
over distinct documents (the five samples and the 30 round-trip OCR pages of bench/data/roundtrip), on one
core, with the engine's caches cold at the start of the pass. Peak memory is the process's maximum RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

LOAD_PROBE = """
import time
t0 = time.perf_counter()
from cchc_cli import repair_text
repair_text("Cong hoa xa hoi chu nghia Viet Nam")
print(time.perf_counter() - t0)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1, help="passes over the documents (later ones warm)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    loads = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", LOAD_PROBE], capture_output=True, text=True, check=True)
        loads.append(float(out.stdout.strip()))
    from cchc_cli.repair import get_repairer

    rep = get_repairer()
    docs = [p.read_text("utf-8") for p in sorted((REPO / "samples").glob("*.txt"))]
    docs += [p.read_text("utf-8") for p in sorted((REPO / "bench" / "data" / "roundtrip").glob("*.ocr.txt"))]
    syllables = sum(len(d.split()) for d in docs)
    rates = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        for d in docs:
            rep.repair_text(d)
        rates.append(syllables / (time.perf_counter() - t0))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {"load_seconds_median": sorted(loads)[1], "documents": len(docs), "syllables": syllables,
              "syllables_per_second": [round(r) for r in rates], "peak_memory_mb": round(peak_mb)}
    if a.json:
        print(json.dumps(result))
    else:
        print(f"load (fresh process, import + models + first call): {result['load_seconds_median']:.2f} s")
        print(f"throughput: {syllables} syllables in {len(docs)} documents: "
              + ", ".join(f"{r:,.0f}" for r in rates) + " syllables/s (pass 1 cold" +
              (", later passes warm)" if a.repeat > 1 else ")"))
        print(f"peak memory: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
