"""Build the 2025 gazetteer dictionaries/places.tsv from the PyPI package `vietnamadminunits` (MIT).

usage: pip install vietnamadminunits && python scripts/build_gazetteer.py [--out dictionaries/places.tsv]

The package ships, offline, the administrative units in force since 1 July 2025 (two-level local government:
34 provinces and centrally-run cities, and their communes, wards and special zones). This script writes one
row per unit, `name<TAB>level<TAB>province`, names as documents print them ("Phường Dương Kinh",
"Đặc khu Bạch Long Vĩ", "Thành phố Hải Phòng"), NFC, every syllable in the project's tone placement
(cchc_cli.vietnamese.normalize_syllable: "Hòa", "Thủy"). Provinces come first in the order of their official
codes, then every commune-level unit in the order of its official code.

Only this build script imports vietnamadminunits; cchc reads the TSV it writes. Its MIT notice is kept in
dictionaries/NOTICE-vietnamadminunits.txt, which this script also (re)writes.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from cchc_cli.vietnamese import normalize_syllable  # noqa: E402

PACKAGE = "vietnamadminunits"
# The level is the leading word(s) of the printed name. The package's own `wardType` column disagrees with
# the name for a handful of units (e.g. "Phường Việt Hòa" typed "Xã"); the name follows the National
# Assembly Standing Committee's resolutions, so the name wins.
LEVEL_PREFIXES = ("Đặc khu", "Phường", "Xã", "Thành phố", "Tỉnh")
WORD = re.compile(r"\w+")


def normalize_name(name: str) -> str:
    name = unicodedata.normalize("NFC", " ".join(name.split()))
    return WORD.sub(lambda m: normalize_syllable(m.group()), name)


def level_of(name: str) -> str:
    for prefix in LEVEL_PREFIXES:
        if name.startswith(prefix + " "):
            return prefix.lower()
    raise ValueError(f"{name!r}: no known level word at the start of the name")


def read_units() -> list[tuple[str, str, str]]:
    from vietnamadminunits.database import get_data

    records = get_data(fields=["province", "provinceCode", "ward", "wardCode"], table="admin_units")
    provinces: dict[str, str] = {}
    wards: list[tuple[str, str, str]] = []
    for record in records:
        province = normalize_name(record["province"])
        provinces[record["provinceCode"]] = province
        wards.append((record["wardCode"], normalize_name(record["ward"]), province))
    rows = [(name, level_of(name), name) for _, name in sorted(provinces.items())]
    rows += [(name, level_of(name), province) for _, name, province in sorted(wards)]
    return rows


def notice_text() -> str:
    dist = metadata.distribution(PACKAGE)
    license_file = next(
        (f for f in dist.files or [] if f.name.upper().startswith("LICENSE")),
        None,
    )
    if license_file is None:
        raise SystemExit(f"{PACKAGE}: no LICENSE file in the installed distribution; reinstall it")
    license_text = Path(dist.locate_file(license_file)).read_text("utf-8").strip()
    home = dist.metadata.get("Home-page") or "the package's PyPI page"
    return (
        "dictionaries/places.tsv is derived from the Python package "
        f"{PACKAGE} {dist.version}\n"
        f"({home}), table admin_units of its data/dataset.db,\n"
        "by scripts/build_gazetteer.py: unit names, their level and their province, with the tone marks\n"
        "rewritten to cchc's convention. The package is distributed under the following license.\n\n"
        f"{license_text}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "dictionaries" / "places.tsv")
    args = parser.parse_args()
    try:
        version = metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        raise SystemExit(f"{PACKAGE} is not installed; run: pip install {PACKAGE}") from None

    rows = read_units()
    if len(rows) != len({(name, province) for name, _, province in rows}):
        raise SystemExit("duplicate (name, province) rows: the package data changed shape")
    header = [
        "# Vietnamese administrative units in force since 2025-07-01: provinces and centrally-run cities,",
        "# then their communes (xã), wards (phường) and special zones (đặc khu).",
        f"# Derived from the PyPI package {PACKAGE} {version} (MIT, see NOTICE-vietnamadminunits.txt)",
        "# by scripts/build_gazetteer.py; NFC, tone marks placed the old way (Hòa, Thủy).",
        "# Columns: name as printed, level (the name's leading word, lower case), full name of the province.",
        "name\tlevel\tprovince",
    ]
    lines = header + ["\t".join(row) for row in rows]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    notice = args.out.parent / "NOTICE-vietnamadminunits.txt"
    notice.write_text(notice_text(), encoding="utf-8")
    provinces = sum(1 for _, level, _ in rows if level in {"tỉnh", "thành phố"})
    print(
        f"{args.out}: {provinces} provinces, {len(rows) - provinces} communes/wards/special zones, "
        f"{args.out.stat().st_size:,} bytes; {notice}"
    )


if __name__ == "__main__":
    main()
