"""Regenerate the README's examples from the samples: the abridged record, the tasks per sample and what
`cchc validate` raises on them. Each sits between ``<!-- readme_examples: NAME -->`` and
``<!-- /readme_examples: NAME -->``; nothing outside the markers is touched.

usage: python scripts/readme_examples.py [--check]

`--check` changes nothing and exits 1 when the README differs from what the samples give (the test suite makes
the same comparison, from the records it already has: tests/test_first_use.py). Run from anywhere.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
SAMPLES = REPO / "samples"
EXAMPLE_SEED = "001_1f3803ca4a2b50d8"  # the plan issued with Decision 95/QĐ-UBND: an appendix task table
TEXT_CUT = 110  # longer texts of the abridged record end in " …"
MARKER_RE = r"(<!-- readme_examples: {name} -->\n)(.*?)(<!-- /readme_examples: {name} -->)"


def _abridged(value: Any, key: str = "") -> Any:
    """Lists cut to their first item, long texts cut, the sha256 and the doubtful tokens elided."""
    if isinstance(value, dict):
        return {k: _abridged(v, k) for k, v in value.items()}
    if isinstance(value, list):
        if key == "low_confidence" and value:
            return ["…"]
        return [_abridged(v) for v in value[:1]]
    if key == "sha256":  # null through the API, the bytes' digest through ingest
        return "…"
    if isinstance(value, str) and len(value) > TEXT_CUT:
        return value[:TEXT_CUT].rstrip(" ,;") + " …"
    return value


def _relative(record: dict[str, Any]) -> dict[str, Any]:
    path = record["source"].get("path")
    if path:
        record = {**record, "source": {**record["source"], "path": f"samples/{Path(path).name}"}}
    return record


def record_example(records: Mapping[str, Sequence[dict[str, Any]]]) -> str:
    plan = _relative(records[EXAMPLE_SEED][-1])
    return "```json\n" + json.dumps(_abridged(plan), ensure_ascii=False, indent=2) + "\n```\n"


def tasks_example(records: Mapping[str, Sequence[dict[str, Any]]]) -> str:
    parts = []
    for seed, recs in sorted(records.items()):
        tasks = [t for r in recs for t in r["tasks"]]
        led = sum(1 for t in tasks if t["lead_units"])
        table = any(t.get("output") for t in tasks)
        note = " (table)" if table else f" ({led} with a lead unit)" if led else ""
        parts.append(f"{seed[:3]}: {len(tasks)}{note}")
    total = sum(len(r["tasks"]) for recs in records.values() for r in recs)
    return f"Tasks per sample ({total} in all): {', '.join(parts)}.\n"


def validate_example(records: Mapping[str, Sequence[dict[str, Any]]]) -> str:
    from cchc_cli.validate import check_record, summary

    documents = [check_record(_relative(r)) for _, recs in sorted(records.items()) for r in recs]
    rows = ["| location | rule | document | message |", "|---|---|---|---|"]
    for doc in documents:
        for f in doc.findings:
            message = " ".join(f.message.split()).replace("|", "\\|")
            rows.append(f"| {f.path}:{f.line} | `{f.rule}` | {doc.name} | {message} |")
    return f"`cchc validate` on the five samples: {summary(documents)}.\n\n" + "\n".join(rows) + "\n"


SECTIONS = {"record": record_example, "tasks": tasks_example, "validate": validate_example}


def render(records: Mapping[str, Sequence[dict[str, Any]]]) -> dict[str, str]:
    """Each section's text, from the records of each sample (seed → its records as JSON dicts)."""
    return {name: make(records) for name, make in SECTIONS.items()}


def section(text: str, name: str) -> str | None:
    m = re.search(MARKER_RE.format(name=re.escape(name)), text, re.DOTALL)
    return m.group(2) if m else None


def rewrite(text: str, sections: Mapping[str, str]) -> str:
    for name, body in sections.items():
        pattern = MARKER_RE.format(name=re.escape(name))
        if not re.search(pattern, text, re.DOTALL):
            raise SystemExit(f"scripts/readme_examples.py: README.md has no <!-- readme_examples: {name} --> markers")
        text = re.sub(pattern, lambda m, b=body: m.group(1) + b + m.group(3), text, count=1, flags=re.DOTALL)
    return text


def sample_records() -> dict[str, list[dict[str, Any]]]:
    from cchc_cli import ingest_text

    return {p.stem: [r.to_json_dict() for r in ingest_text(p.read_text("utf-8"), source=str(p))]
            for p in sorted(SAMPLES.glob("*.txt"))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 when the README is stale")
    a = ap.parse_args()
    text = README.read_text("utf-8")
    new = rewrite(text, render(sample_records()))
    if a.check:
        if new != text:
            print("README.md: the examples are stale; run python scripts/readme_examples.py", file=sys.stderr)
            return 1
        return 0
    if new != text:
        README.write_text(new, "utf-8")
    print("README.md: examples " + ("updated" if new != text else "already up to date"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
