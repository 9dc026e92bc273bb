"""Speed and memory of the repair engine in both decoding cores: model load, syllables per second after load,
peak memory, and the compiled core's speed-up over the pure-Python one.

usage: python bench/speed.py [--cores compiled,python] [--rounds 1] [--repeat 1] [--pyvi-python PY]
                             [--ingest] [--json]

Each measurement runs in a fresh process: the pure-Python core with CCHC_PURE_PYTHON=1, the compiled one
without it (the run stops if that process does not have the compiled core). Load is import + models + the
first call on one line (median of three processes). Throughput is, after load and that first call, one pass
over distinct documents (the five samples and the 30 round-trip OCR pages of bench/data/roundtrip) on one
core, with the engine's caches cold at the start of the pass; `--repeat` adds passes over the same documents
(warm caches: a flattering figure). `--rounds` measures the cores in turn that many times (on a busy machine
the median of the rounds is the figure to read; syllables per CPU second, the process's own time, is less
swayed by other load). Peak memory is the measuring process's maximum RSS.

`--pyvi-python PY` adds a peer measured the same way in its own process: pyvi's `ViUtils.add_accents` (PY is
an interpreter with pyvi installed: python -m venv /tmp/peer && /tmp/peer/bin/pip install pyvi), line by
line over the same documents, after its load and a first call. `--ingest` adds, for each core, `ingest_text`
of each sample plan in a fresh process after load and a warm-up on another plan (so the plan timed is one the
process has not seen): seconds per plan and per 30 KB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIRST_LINE = "Cong hoa xa hoi chu nghia Viet Nam"

LOAD_PROBE = f"""
import time
t0 = time.perf_counter()
from cchc_cli import repair_text
repair_text({FIRST_LINE!r})
print(time.perf_counter() - t0)
"""


def documents() -> list[str]:
    docs = [p.read_text("utf-8") for p in sorted((REPO / "samples").glob("*.txt"))]
    return docs + [p.read_text("utf-8") for p in sorted((REPO / "bench" / "data" / "roundtrip").glob("*.ocr.txt"))]


def measure(repeat: int) -> dict:
    """In this process (the core its environment selects): passes over the documents after load."""
    from cchc_cli.repair import get_repairer, search

    rep = get_repairer()
    rep.repair_text(FIRST_LINE)
    docs = documents()
    syllables = sum(len(d.split()) for d in docs)
    rates, cpu_rates = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        for d in docs:
            rep.repair_text(d)
        rates.append(syllables / (time.perf_counter() - t0))
        cpu_rates.append(syllables / (time.process_time() - c0))
    return {"core": search.CORE, "documents": len(docs), "syllables": syllables,
            "syllables_per_second": [round(r) for r in rates],
            "syllables_per_cpu_second": [round(r) for r in cpu_rates],
            "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


PYVI_PROBE = f"""
import json, resource, sys, time
t0 = time.perf_counter()
from pyvi import ViUtils
ViUtils.add_accents({FIRST_LINE!r})
load = time.perf_counter() - t0
docs = json.load(sys.stdin)
syllables = sum(len(d.split()) for d in docs)
t0, c0 = time.perf_counter(), time.process_time()
for d in docs:
    for line in d.split("\\n"):
        if line.strip():
            try:
                ViUtils.add_accents(line)
            except Exception:
                pass
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({{"core": "pyvi", "documents": len(docs), "syllables": syllables, "load_seconds_median": load,
                  "syllables_per_second": [round(syllables / wall)],
                  "syllables_per_cpu_second": [round(syllables / cpu)],
                  "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}}))
"""

INGEST_PROBE = """
import json, sys, time
from pathlib import Path
from cchc_cli import ingest_text, load_resources
from cchc_cli.repair import search
paths = sorted(Path(sys.argv[1]).glob("*.txt"))
target, warm = paths[int(sys.argv[2])], paths[int(sys.argv[2]) - 1]
resources = load_resources()
ingest_text(warm.read_text("utf-8"), str(warm), resources=resources)
text = target.read_text("utf-8")
t0, c0 = time.perf_counter(), time.process_time()
ingest_text(text, str(target), resources=resources)
print(json.dumps({"core": search.CORE, "plan": target.name, "bytes": len(text.encode()),
                  "seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0}))
"""


def run_pyvi(python: str) -> dict:
    out = subprocess.run([python, "-c", PYVI_PROBE], input=json.dumps(documents()), capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def run_ingest(core: str) -> list[dict]:
    """ingest_text of each sample in a fresh process, after load and a warm-up on the sample before it."""
    runs = []
    for i in range(len(list((REPO / "samples").glob("*.txt")))):
        out = subprocess.run([sys.executable, "-c", INGEST_PROBE, str(REPO / "samples"), str(i)],
                             capture_output=True, text=True, check=True, env=environment(core))
        runs.append(json.loads(out.stdout))
    return runs


def environment(core: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CCHC_PURE_PYTHON"}
    if core == "python":
        env["CCHC_PURE_PYTHON"] = "1"
    return env


def run_core(core: str, repeat: int) -> dict:
    """Load (three fresh processes) and throughput (one more) of one core."""
    env = environment(core)
    loads = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", LOAD_PROBE], capture_output=True, text=True, check=True, env=env)
        loads.append(float(out.stdout.strip()))
    out = subprocess.run([sys.executable, __file__, "--measure", "--repeat", str(repeat)], capture_output=True,
                         text=True, check=True, env=env)
    result = json.loads(out.stdout)
    if result["core"] != core:
        sys.exit(f"asked for the {core} core, the process ran the {result['core']} one (is the extension built? "
                 "pip install -e . compiles it)")
    result["load_seconds_median"] = round(sorted(loads)[1], 3)
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cores", default="compiled,python", help="comma-separated: compiled, python")
    ap.add_argument("--rounds", type=int, default=1, help="times each core is measured, in turn")
    ap.add_argument("--repeat", type=int, default=1, help="passes over the documents (later ones warm)")
    ap.add_argument("--pyvi-python", help="an interpreter with pyvi installed: adds pyvi as a peer")
    ap.add_argument("--ingest", action="store_true", help="also time ingest_text of each sample plan, cold")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the measuring child
    a = ap.parse_args()
    if a.measure:
        print(json.dumps(measure(a.repeat)))
        return
    cores = [c.strip() for c in a.cores.split(",") if c.strip()]
    if not set(cores) <= {"compiled", "python"}:
        ap.error("--cores takes compiled and/or python")
    runs: dict[str, list[dict]] = {c: [] for c in cores}
    if a.pyvi_python:
        runs["pyvi"] = []
    for _ in range(a.rounds):
        for core in cores:
            runs[core].append(run_core(core, a.repeat))
        if a.pyvi_python:
            runs["pyvi"].append(run_pyvi(a.pyvi_python))
    summary = {}
    for core, results in runs.items():
        cold = [r["syllables_per_second"][0] for r in results]
        cpu = [r["syllables_per_cpu_second"][0] for r in results]
        summary[core] = {
            "syllables_per_second_cold": cold, "syllables_per_second_cold_median": round(statistics.median(cold)),
            "syllables_per_cpu_second_cold_median": round(statistics.median(cpu)),
            "syllables_per_second_warm_median": round(statistics.median(
                x for r in results for x in r["syllables_per_second"][1:])) if a.repeat > 1 and core != "pyvi"
            else None,
            "load_seconds_median": statistics.median(r["load_seconds_median"] for r in results),
            "peak_memory_mb": max(r["peak_memory_mb"] for r in results),
            "documents": results[0]["documents"], "syllables": results[0]["syllables"]}
    if {"compiled", "python"} <= set(summary):
        summary["speedup"] = round(summary["compiled"]["syllables_per_second_cold_median"]
                                   / summary["python"]["syllables_per_second_cold_median"], 2)
        summary["cpu_speedup"] = round(summary["compiled"]["syllables_per_cpu_second_cold_median"]
                                       / summary["python"]["syllables_per_cpu_second_cold_median"], 2)
    for name in [c for c in cores if c in summary] + (["pyvi"] if "pyvi" in summary else []):
        if name != cores[0]:
            summary[f"{cores[0]}_over_{name}"] = round(summary[cores[0]]["syllables_per_second_cold_median"]
                                                       / summary[name]["syllables_per_second_cold_median"], 2)
    if a.ingest:
        summary["ingest"] = {core: run_ingest(core) for core in cores}
    if a.json:
        print(json.dumps(summary))
        return
    report(summary, cores, a)


def report(summary: dict, cores: list[str], a: argparse.Namespace) -> None:
    first = summary[cores[0]]
    print(f"{first['syllables']} syllables in {first['documents']} documents, one core, caches cold at the start "
          f"of the pass; {a.rounds} round(s)")
    for core in cores + (["pyvi"] if "pyvi" in summary else []):
        s = summary[core]
        warm = f"; warm passes {s['syllables_per_second_warm_median']:,}" if s["syllables_per_second_warm_median"] \
            else ""
        rounds = ", ".join(f"{r:,}" for r in s["syllables_per_second_cold"])
        print(f"{core:>8}: {s['syllables_per_second_cold_median']:,} syllables/s after load (rounds: {rounds}; "
              f"per CPU second {s['syllables_per_cpu_second_cold_median']:,}){warm}; "
              f"load {s['load_seconds_median']:.2f} s; peak memory {s['peak_memory_mb']} MB")
    if "speedup" in summary:
        print(f"compiled / python: {summary['speedup']:.2f}x (per CPU second {summary['cpu_speedup']:.2f}x)")
    if "pyvi" in summary:
        print(f"{cores[0]} / pyvi: {summary[f'{cores[0]}_over_pyvi']:.2f}x")
    for core, plans in summary.get("ingest", {}).items():
        per = ", ".join(f"{p['plan'][:3]} {p['bytes'] / 1000:.0f} KB {p['seconds']:.2f} s" for p in plans)
        per30 = statistics.median(p["seconds"] / p["bytes"] * 30_000 for p in plans)
        cpu30 = statistics.median(p["cpu_seconds"] / p["bytes"] * 30_000 for p in plans)
        print(f"{core:>8}: ingest_text of a plan not seen before, after load: {per}; median {per30:.2f} s "
              f"per 30 KB (CPU {cpu30:.2f} s)")


if __name__ == "__main__":
    main()
