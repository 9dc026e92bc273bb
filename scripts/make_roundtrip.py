"""Make OCR round-trip data: corpus passages rendered as pages and read back by Tesseract (eng model).

usage: python scripts/make_roundtrip.py OUT_DIR --part train|heldout --passages N [--noise 1,2,3]
                                        [--jobs 2] [--seed 0] [--lines 52] [--from-start] [--avoid SOURCES.tsv]
                                        [--font dejavu|liberation] [--degrade 150dpi+jpeg,binarize+ink,...]

Each passage (about one A4 page of a corpus document) gives OUT_DIR/<name>.gold.txt (the wrapped text that
was drawn, from ``ocr_roundtrip.py --keep-wrapped``) and OUT_DIR/<name>.ocr.txt (what Tesseract read back).
With ``--from-start`` a passage is the beginning of its document (its header with the issuing body, then up to
``--lines`` wrapped lines, several pages: the kind of text a document-level model sees) instead of a page
drawn from anywhere in it.
The two are not line-aligned: scripts/align_pairs.py aligns them by tokens. Runs are resumable (existing
outputs are kept) and deterministic for a given --seed. Half the passages come from ubnd_docs (provincial
decisions and plans, the seeds' kind), half from the other parts of the corpus.

Needs ../shared/tools/ocr_roundtrip.py (or CCHC_SHARED), tesseract-ocr, fonts-dejavu-core and Pillow.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from corpus import iter_documents  # noqa: E402

T = TypeVar("T")
SHARED = Path(os.environ.get("CCHC_SHARED", REPO.parent / "shared"))
TOOL = SHARED / "tools" / "ocr_roundtrip.py"


def passages(part: str, n: int, lines_per: int, seed: int, from_start: bool = False,
             avoid: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Pick n passages of about ``lines_per`` lines, half from ubnd_docs, deterministically (`from_start`:
    each the beginning of a different document); none from the documents named in `avoid`."""
    rng = random.Random(seed)
    ubnd: list[tuple[str, list[str]]] = []
    other: list[tuple[str, list[str]]] = []
    for source, text in iter_documents(part):
        if source in avoid:
            continue
        lines = [ln for ln in text.split("\n") if ln.strip()]
        if len(lines) < 8:
            continue
        (ubnd if source.startswith(("tnt305", "congbot")) else other).append(
            (source, lines)
        )
    out: list[tuple[str, str]] = []
    taken: set[str] = set()
    for i in range(n):
        pool = ubnd if (i % 2 == 0 and ubnd) else (other or ubnd)
        source, lines = pool[rng.randrange(len(pool))]
        while from_start and source in taken and len(taken) < len(ubnd) + len(other):
            source, lines = pool[rng.randrange(len(pool))]
        taken.add(source)
        start = 0 if from_start else rng.randrange(max(1, len(lines) - lines_per // 2))
        chunk: list[str] = []
        wrapped = 0
        for ln in lines[start:]:
            wrapped += 1 + len(ln) // 78
            if wrapped > lines_per:
                break
            chunk.append(ln)
        if not chunk:
            chunk = [lines[start][:2000]]
        out.append((source, "\n".join(chunk) + "\n"))
    return out


FONTS = {
    "dejavu": None,  # the tool's own DejaVu Serif
    # Liberation Serif has Times New Roman's metrics: the face most Vietnamese administrative documents use
    # (fonts-liberation2: Liberation 1.x, in fonts-liberation, has no ơ, ư, ạ, ế …; the artifacts made before
    # 2026-12-01 were drawn with it, so half their Liberation pages show boxes for those letters)
    "liberation": ("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
                   "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"),
}
# Runs the shared tool with another face (its FONT and BOLD settings replaced; "-" keeps its own) and each
# rendered page degraded as a scanner of another kind would (`degrade_page`) before Tesseract reads it.
WITH_FONT = (
    "import sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2]); import ocr_roundtrip as t; "
    "import make_roundtrip as m; m.patch_tool(t, sys.argv[3], sys.argv[4], sys.argv[5]); "
    "sys.argv = [t.__file__, *sys.argv[6:]]; t.main()"
)
# What a page goes through after it is drawn (at 300 dpi), in the order given: ``150dpi`` / ``200dpi``
# (scanned at that resolution: resampled down, as Tesseract then reads it), ``jpeg`` (saved at quality
# 25-60), ``binarize`` (a fixed threshold, as fax-like scanners do), ``ink`` (ink spread: strokes thicken),
# ``thin`` (faint print: strokes thin).
DEGRADATIONS = ("150dpi", "200dpi", "jpeg", "binarize", "ink", "thin")


def degrade_page(path: str, steps: list[str], rng: random.Random) -> None:
    from PIL import Image, ImageFilter

    img = Image.open(path).convert("L")
    for step in steps:
        if step.endswith("dpi"):
            scale = int(step[:-3]) / 300
            img = img.resize((round(img.width * scale), round(img.height * scale)), Image.LANCZOS)
        elif step == "jpeg":
            with tempfile.TemporaryDirectory() as tmp:
                jpg = os.path.join(tmp, "page.jpg")
                img.save(jpg, quality=rng.randint(25, 60))
                img = Image.open(jpg).convert("L")
        elif step == "binarize":
            cut = rng.randint(110, 170)
            img = img.point(lambda v, cut=cut: 0 if v < cut else 255)
        elif step == "ink":
            img = img.filter(ImageFilter.MinFilter(3))
        elif step == "thin":
            img = img.filter(ImageFilter.MaxFilter(3))
    img.save(path)


def patch_tool(tool, font: str, bold: str, degrade: str) -> None:
    """Run in the shared tool's process: its faces, and its renderer followed by `degrade` ('+'-joined steps)."""
    if font != "-":
        tool.FONT, tool.BOLD = font, bold
    steps = [s for s in degrade.split("+") if s]
    if steps:
        draw = tool.render

        def render(lines, path, rng, noise, px=50):
            draw(lines, path, rng, noise, px)
            degrade_page(path, steps, rng)

        tool.render = render


def roundtrip(text: str, noise: int, seed: int, font: str, ocr: Path, drawn: Path, degrade: str = "") -> str:
    """Render `text` as pages and OCR them with the shared tool: the OCR text to `ocr`, the text that was
    drawn (wrapped) to `drawn`, both replaced whole. "kept" when both exist already, else "made"."""
    if ocr.exists() and drawn.exists():
        return "kept"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.txt"
        src.write_text(text, encoding="utf-8")
        tmp_ocr, tmp_drawn = Path(tmp) / "ocr.txt", Path(tmp) / "drawn.txt"
        args = [str(src), str(tmp_ocr), "--keep-wrapped", str(tmp_drawn), "--seed", str(seed), "--noise", str(noise)]
        faces = FONTS[font] or ("-", "-")
        cmd = [sys.executable, str(TOOL), *args] if faces[0] == "-" and not degrade else [
            sys.executable, "-c", WITH_FONT, str(TOOL.parent), str(REPO / "scripts"), faces[0], faces[1], degrade,
            *args]
        subprocess.run(cmd, check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"}, capture_output=True)
        os.replace(tmp_drawn, drawn)
        os.replace(tmp_ocr, ocr)
    return "made"


def run_all(job: Callable[[T], str], jobs: list[T], threads: int, every: int) -> None:
    """Run `job` over `jobs` on `threads` threads (each waits on a Tesseract process), printing progress."""
    done = 0
    with ThreadPoolExecutor(threads) as pool:
        for status in pool.map(job, jobs):
            done += 1
            if done % every == 0 or done == len(jobs):
                print(f"{done}/{len(jobs)} ({status})", flush=True)


def run_one(job: tuple[Path, str, str, int, int, str, str]) -> str:
    out_dir, name, text, noise, seed, font, degrade = job
    return roundtrip(text, noise, seed, font, out_dir / f"{name}.ocr.txt", out_dir / f"{name}.gold.txt", degrade)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--part", choices=["train", "heldout"], required=True)
    ap.add_argument("--passages", type=int, required=True)
    ap.add_argument("--noise", default="1,2,2,3", help="noise levels, cycled over the passages")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lines", type=int, default=52)
    ap.add_argument("--from-start", action="store_true", help="each passage the beginning of a document")
    ap.add_argument("--avoid", type=Path, action="append", default=[],
                    help="a SOURCES.tsv of other round trips: none of its documents is drawn (e.g. the channel's)")
    ap.add_argument("--font", choices=sorted(FONTS), default="dejavu",
                    help="face of the rendered pages (liberation needs apt-get install fonts-liberation2)")
    ap.add_argument("--degrade", default="", help="scanner profiles cycled over the passages, comma-separated, each "
                    "'+'-joined steps of " + ", ".join(DEGRADATIONS) + " (e.g. 150dpi+jpeg,binarize+ink); "
                    "written to DEGRADE.tsv")
    a = ap.parse_args()
    profiles = a.degrade.split(",") if a.degrade else [""]
    for profile in profiles:
        for step in filter(None, profile.split("+")):
            if step not in DEGRADATIONS:
                ap.error(f"--degrade: unknown step {step!r} (one of {', '.join(DEGRADATIONS)})")
    a.out_dir.mkdir(parents=True, exist_ok=True)
    noises = [int(x) for x in a.noise.split(",")]
    avoid = frozenset(line.split("\t")[2].strip() for f in a.avoid
                      for line in f.read_text("utf-8").splitlines()[1:] if line.count("\t") >= 2)
    chosen = passages(a.part, a.passages, a.lines, a.seed, a.from_start, avoid)
    jobs = []
    with open(a.out_dir / "SOURCES.tsv", "w", encoding="utf-8") as fh:
        fh.write("name\tnoise\tsource\n")
        for i, (source, text) in enumerate(chosen):
            noise = noises[i % len(noises)]
            name = f"n{noise}_{i:04d}" if a.font == "dejavu" else f"{a.font[:3]}{noise}_{i:04d}"
            fh.write(f"{name}\t{noise}\t{source}\n")
            jobs.append((a.out_dir, name, text, noise, a.seed * 100003 + i, a.font, profiles[i % len(profiles)]))
    if a.degrade:
        (a.out_dir / "DEGRADE.tsv").write_text("name\tprofile\n" + "".join(f"{j[1]}\t{j[6]}\n" for j in jobs),
                                               "utf-8")
    run_all(run_one, jobs, a.jobs, 20)


if __name__ == "__main__":
    main()
