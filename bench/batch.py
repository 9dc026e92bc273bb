"""Batch ingest speed and memory: N distinct seed-size documents into a fresh store with ``cchc ingest``.

usage: python bench/batch.py [--n 1000] [--jobs CORES] [--keep DIR] [--one-file]

The documents are made from the five ``samples/``: document i takes seed i mod 5, keeps its header (the lines
before the first blank line after line 5), then the seed's body paragraphs, a few dropped and neighbours
swapped with a seeded RNG, and the numbers of a few paragraphs changed; each text is checked distinct (sha256).
Then ``cchc ingest DIR --db TMP --quiet [--jobs N]`` runs as a subprocess while this script samples /proc every
0.25 s for the whole process tree (the command and its worker processes):

- ``peak tree PSS``: proportional set size summed over the tree (shared copy-on-write pages of the forked
  workers counted once in total): the memory the run really took;
- ``peak tree RSS``: resident set sizes summed (shared pages counted in every process: an upper bound);
- ``max child RSS``: the largest single process, from ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``;
- PSS peaks of each quarter of the run, to show memory stays flat as files go by.

At the end the store is opened and every generated file must be in it.

``--one-file`` writes the N documents one after the other into a single file instead (the long-file case:
``cchc ingest`` reads it in parts, a document at a time) and checks the store holds that file with at least N documents.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted((REPO / "samples").glob("*.txt"))
NUMBER = re.compile(r"\b\d{1,4}\b")


def split_seed(text: str) -> tuple[str, list[str]]:
    lines = text.split("\n")
    cut = next((i for i in range(5, len(lines)) if not lines[i].strip()), min(len(lines), 10))
    header = "\n".join(lines[:cut])
    body = [p for p in re.split(r"\n\s*\n", "\n".join(lines[cut:])) if p.strip()]
    return header, body


def make_document(seed: tuple[str, list[str]], rng: random.Random) -> str:
    header, body = seed
    paragraphs = [p for p in body if rng.random() > 0.08] or body[:1]
    for i in range(len(paragraphs) - 1):
        if rng.random() < 0.15:
            paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
    for i in rng.sample(range(len(paragraphs)), k=min(3, len(paragraphs))):
        paragraphs[i] = NUMBER.sub(lambda m: str(rng.randint(1, 31 if len(m.group()) <= 2 else 2030)), paragraphs[i])
    return header + "\n\n" + "\n\n".join(paragraphs) + "\n"


def generate(folder: Path, n: int, rng_seed: int = 4) -> list[Path]:
    rng = random.Random(rng_seed)
    seeds = [split_seed(p.read_text("utf-8")) for p in SAMPLES]
    seen: set[str] = set()
    files = []
    for i in range(n):
        while True:
            text = make_document(seeds[i % len(seeds)], rng)
            digest = hashlib.sha256(text.encode()).hexdigest()
            if digest not in seen:
                seen.add(digest)
                break
        path = folder / f"doc{i:05d}.txt"
        path.write_text(text, "utf-8")
        files.append(path)
    return files


def tree(pid: int) -> list[int]:
    """`pid` and its descendants (from /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def memory_kb(pids: list[int]) -> tuple[int, int]:
    """(sum of PSS, sum of RSS) in kB over `pids`."""
    pss = rss = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
        except OSError:
            continue
    return pss, rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="documents to generate (default 1000)")
    ap.add_argument("--jobs", type=int, default=None, help="cchc ingest --jobs (default: its own, the cores)")
    ap.add_argument("--keep", type=Path, default=None, help="generate into this folder and keep it")
    ap.add_argument("--one-file", action="store_true", help="the N documents in one file, ingested as one")
    a = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cchc-bench-"))
    folder = a.keep or work / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    db = work / "bench.db"
    try:
        t0 = time.perf_counter()
        files = generate(folder, a.n)
        size = sum(f.stat().st_size for f in files)
        print(f"generated {len(files)} distinct documents ({size / len(files) / 1024:.1f} KiB each on average) "
              f"in {time.perf_counter() - t0:.1f} s")

        target = folder
        if a.one_file:
            target = folder / "all.txt"
            with open(target, "wb") as out:
                for f in files:
                    out.write(f.read_bytes())
                    f.unlink()
            files = [target]
            print(f"into one file of {target.stat().st_size / 2**20:.1f} MiB")
        cmd = [sys.executable, "-m", "cchc_cli", "ingest", str(target), "--db", str(db), "--quiet"]
        if a.jobs:
            cmd += ["--jobs", str(a.jobs)]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
        samples: list[tuple[float, int, int]] = []
        while proc.poll() is None:
            pss, rss = memory_kb(tree(proc.pid))
            samples.append((time.perf_counter() - start, pss, rss))
            time.sleep(0.25)
        wall = time.perf_counter() - start
        err = proc.stderr.read() if proc.stderr else ""
        if proc.returncode != 0:
            sys.exit(f"cchc ingest exited {proc.returncode}:\n{err}")
        max_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kB on Linux

        sys.path.insert(0, str(REPO / "src"))
        from cchc_cli.store import open_store

        store = open_store(db, must_exist=True)
        try:
            records = list(store.records())
            counts = store.counts()  # type: ignore[attr-defined]
        finally:
            store.close()
        paths = {str(f.resolve()) for f in files}
        missing = paths - {r.path for r in records}
        # Files that yield no document would be missing from the records but present as ingests.
        assert counts["files"] == len(files), f"{len(files) - counts['files']} file(s) not stored"
        if a.one_file:
            # (one sample holds two documents: N of them give more than N)
            assert len(records) >= a.n, f"{len(records)} document(s) stored of {a.n}"

        print(f"command: {' '.join(cmd[2:])}")
        print(f"files: {len(files)}  stored: {counts['files']}  documents: {len(records)}  "
              f"files without a document: {len(missing)}")
        print(f"wall time: {wall:.1f} s  ({len(files) / wall:.2f} files/s, {len(records) / wall:.2f} documents/s)")
        if samples:
            print(f"peak tree PSS: {max(s[1] for s in samples) / 1024:.0f} MiB  "
                  f"peak tree RSS: {max(s[2] for s in samples) / 1024:.0f} MiB  "
                  f"max child RSS: {max_child / 1024:.0f} MiB  ({len(samples)} samples)")
            quarters = []
            for q in range(4):
                part = [s[1] for s in samples if q * wall / 4 <= s[0] < (q + 1) * wall / 4]
                quarters.append(f"{max(part) / 1024:.0f}" if part else "-")
            print(f"peak tree PSS by quarter of the run (MiB): {' / '.join(quarters)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
