"""The term dictionary: built-in terms.yaml, the 2025 gazetteer, and users' --dictionary files."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from cchc_cli.dictionary import (
    TERM_KINDS,
    DictionaryError,
    Place,
    Term,
    builtin_dictionary,
    builtin_terms,
    load_dictionary,
    merged_terms,
    places,
)
from cchc_cli.vietnamese import normalize_tones

DATA = files("cchc_cli.dictionaries")

# A tone mark on the second vowel of a final oa/oe/uy ("hoà", "thuỷ", "Uỷ") is the new-style placement the
# project does not use; after q the u belongs to the onset, so "quý" is correct.
NEW_STYLE_TONE = re.compile(r"(?<![qQ])([oO][àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ])(?!\w)")

PROVINCES_2025 = {
    "Thành phố Hà Nội", "Thành phố Huế", "Thành phố Hải Phòng", "Thành phố Đà Nẵng",
    "Thành phố Hồ Chí Minh", "Thành phố Cần Thơ", "Tỉnh Tuyên Quang", "Tỉnh Cao Bằng",
    "Tỉnh Thái Nguyên", "Tỉnh Lào Cai", "Tỉnh Điện Biên", "Tỉnh Lai Châu", "Tỉnh Sơn La",
    "Tỉnh Phú Thọ", "Tỉnh Lạng Sơn", "Tỉnh Quảng Ninh", "Tỉnh Bắc Ninh", "Tỉnh Hưng Yên",
    "Tỉnh Ninh Bình", "Tỉnh Thanh Hóa", "Tỉnh Nghệ An", "Tỉnh Hà Tĩnh", "Tỉnh Quảng Trị",
    "Tỉnh Quảng Ngãi", "Tỉnh Gia Lai", "Tỉnh Đắk Lắk", "Tỉnh Khánh Hòa", "Tỉnh Lâm Đồng",
    "Tỉnh Đồng Nai", "Tỉnh Tây Ninh", "Tỉnh Đồng Tháp", "Tỉnh Vĩnh Long", "Tỉnh An Giang",
    "Tỉnh Cà Mau",
}  # fmt: skip


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def by_text() -> dict[str, Term]:
    return {term.text: term for term in builtin_dictionary().terms}


def by_abbr() -> dict[str, Term]:
    return {term.abbr: term for term in builtin_dictionary().terms if term.abbr}


# --- the built-in dictionary ---------------------------------------------------------------------------


def test_builtin_yaml_validates_as_a_user_file_would(tmp_path: Path) -> None:
    copy = tmp_path / "terms.yaml"
    copy.write_bytes(DATA.joinpath("terms.yaml").read_bytes())
    loaded = load_dictionary(copy)
    assert loaded.version == 1
    assert 400 <= len(loaded.terms) <= 1000
    assert len({term.text for term in loaded.terms}) == len(loaded.terms), "a text is listed twice"
    assert {term.kind for term in loaded.terms} >= set(TERM_KINDS) - {"place"}
    # what the engine reads at start-up, without the validation of a user's file, is the same
    assert builtin_terms() == loaded


def test_must_have_entries() -> None:
    terms, abbrs = by_text(), by_abbr()
    ubnd = terms["Ủy ban nhân dân"]
    assert (ubnd.kind, ubnd.abbr) == ("body", "UBND")
    assert terms["Hội đồng nhân dân"].abbr == "HĐND"
    assert terms["Trung tâm Phục vụ hành chính công"].kind == "unit"
    assert abbrs["Văn phòng HĐND và UBND"].text == "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân"
    assert terms["cải cách hành chính"].abbr == "CCHC"
    assert terms["thủ tục hành chính"].abbr == "TTHC"
    assert abbrs["PAR INDEX"].text == "Chỉ số cải cách hành chính"
    for indicator in ("PAR INDEX", "SIPAS", "PAPI", "PCI", "DTI", "ICT Index"):
        assert abbrs[indicator].kind == "indicator", indicator
    assert terms["NĐ-CP"].kind == "abbreviation"
    assert terms["NQ/TW"].kind == "abbreviation"
    assert terms["Thủ tướng Chính phủ"].abbr == "TTg"
    assert terms["Bộ Nội vụ"].abbr == "BNV"
    assert terms["Văn phòng Chính phủ"].abbr == "VPCP"
    for name in ("Phòng Văn hóa - Xã hội", "Phòng Kinh tế", "Phòng Kinh tế, Hạ tầng và Đô thị", "Công an xã",
                 "Ban Chỉ huy Quân sự", "Mặt trận Tổ quốc Việt Nam", "Sở Nội vụ", "Sở Tư pháp",
                 "Sở Nông nghiệp và Môi trường", "Công chức Văn phòng - Thống kê"):  # fmt: skip
        assert name in terms, name


def test_document_types_carry_the_decree_30_abbreviations() -> None:
    terms = by_text()
    expected = {
        "Kế hoạch": "KH", "Quyết định": "QĐ", "Báo cáo": "BC", "Chỉ thị": "CT", "Thông báo": "TB",
        "Tờ trình": "TTr", "Nghị quyết": "NQ", "Hướng dẫn": "HD", "Quy chế": "QC", "Chương trình": "CTr",
        "Phương án": "PA", "Đề án": "ĐA", "Nghị định": "NĐ", "Thông tư": "TT", "Công văn": "CV",
    }  # fmt: skip
    for text, abbr in expected.items():
        assert (terms[text].kind, terms[text].abbr) == ("document_type", abbr), text


def every_string_in_the_shipped_files() -> list[str]:
    """Raw strings of terms.yaml and places.tsv, before the loader normalises anything."""
    raw = yaml.safe_load(DATA.joinpath("terms.yaml").read_text(encoding="utf-8"))
    out: list[str] = []
    for entry in raw["terms"]:
        out.append(entry["text"])
        out.extend([entry["abbr"]] if entry.get("abbr") else [])
        out.extend(entry.get("aliases", []))
    for line in DATA.joinpath("places.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            out.extend(line.split("\t"))
    return out


def test_shipped_text_is_nfc_with_old_style_tone_placement() -> None:
    strings = every_string_in_the_shipped_files()
    assert len(strings) > 10_000
    not_nfc = [s for s in strings if not unicodedata.is_normalized("NFC", s)]
    assert not_nfc == []
    new_style = [s for s in strings if NEW_STYLE_TONE.search(s)]
    assert new_style == []
    assert [s for s in strings if normalize_tones(s) != s] == []
    assert [s for s in strings if s != " ".join(s.split())] == []


def test_the_tone_check_itself_catches_new_style() -> None:
    assert NEW_STYLE_TONE.search("Uỷ ban") and NEW_STYLE_TONE.search("hoà giải") and NEW_STYLE_TONE.search("thuỷ")
    assert not NEW_STYLE_TONE.search("Ủy ban hòa giải thủy lợi quý hoàn thành ngoài")


# --- the 2025 gazetteer ----------------------------------------------------------------------------------


def test_places_are_the_34_provinces_and_their_communes() -> None:
    rows = places()
    provinces = {p.name for p in rows if p.level in {"tỉnh", "thành phố"}}
    assert provinces == PROVINCES_2025
    assert {p.province for p in rows} == PROVINCES_2025
    communes = [p for p in rows if p.level in {"xã", "phường", "đặc khu"}]
    assert len(communes) == 3321
    assert len([p for p in rows if p.level == "đặc khu"]) == 13
    assert len(rows) == len(communes) + 34


def test_real_2025_units_are_in_the_gazetteer() -> None:
    rows = set(places())
    assert Place("Đặc khu Bạch Long Vĩ", "đặc khu", "Thành phố Hải Phòng") in rows
    assert Place("Phường Dương Kinh", "phường", "Thành phố Hải Phòng") in rows
    assert Place("Đặc khu Phú Quốc", "đặc khu", "Tỉnh An Giang") in rows
    assert Place("Đặc khu Côn Đảo", "đặc khu", "Thành phố Hồ Chí Minh") in rows
    assert Place("Phường Ba Đình", "phường", "Thành phố Hà Nội") in rows
    assert Place("Tỉnh Bắc Ninh", "tỉnh", "Tỉnh Bắc Ninh") in rows
    assert not any(p.name.startswith(("Huyện ", "Quận ", "Thị xã ", "Thị trấn ")) for p in rows)


def test_places_are_place_terms_with_their_short_name() -> None:
    terms = by_text()
    ward = terms["Phường Dương Kinh"]
    assert (ward.kind, ward.aliases) == ("place", ["Dương Kinh"])
    assert terms["Đặc khu Bạch Long Vĩ"].aliases == ["Bạch Long Vĩ"]
    assert terms["Thành phố Hải Phòng"].aliases == ["Hải Phòng"]
    assert terms["Tỉnh Khánh Hòa"].aliases == ["Khánh Hòa"]
    # "Xã Tân Lập" exists in several provinces: one term
    assert sum(1 for term in builtin_dictionary().terms if term.text == "Xã Tân Lập") == 1
    assert len({t.text for t in builtin_dictionary().terms}) == len(builtin_dictionary().terms)


def test_builtin_dictionary_is_cached() -> None:
    assert builtin_dictionary() is builtin_dictionary()


def test_the_dictionary_module_is_not_imported_with_the_package() -> None:
    code = "import sys, cchc_cli; print('cchc_cli.dictionary' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False"]


# --- users' dictionary files ----------------------------------------------------------------------------


def test_user_file_is_normalised(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Tổ hòa giải thôn Đông")
    path = tmp_path / "mine.yaml"
    path.write_bytes(
        (
            "\ufeffversion: 1\nterms:\n"
            "  - text: Uỷ  ban nhân dân xã Tân Lập\n    kind: body\n    aliases: UB xã Tân Lập\n"
            f"  - text: {nfd}\n"
        ).encode()
    )
    terms = load_dictionary(path).terms
    assert [t.text for t in terms] == ["Ủy ban nhân dân xã Tân Lập", "Tổ hòa giải thôn Đông"]
    assert terms[0].aliases == ["UB xã Tân Lập"]
    assert terms[1].kind == "vocabulary"


@pytest.mark.parametrize("content", ["", "\n# nothing yet\n", "version: 1\n", "version: 1\nterms:\n"])
def test_empty_user_file_is_an_empty_dictionary(tmp_path: Path, content: str) -> None:
    assert load_dictionary(write(tmp_path / "empty.yaml", content)).terms == []


def error_for(path: Path) -> str:
    with pytest.raises(DictionaryError) as caught:
        load_dictionary(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    assert " — " in message  # a remedy follows the problem
    return message


def test_bad_kind_names_file_line_field_and_choices(tmp_path: Path) -> None:
    path = write(
        tmp_path / "my.yaml",
        "version: 1\nterms:\n  - text: Xã Tân Lập\n    kind: place\n  - text: Ban Quản lý\n    kind: bodyy\n",
    )
    message = error_for(path)
    assert "line 6: terms[1].kind: must be one of body, unit, position" in message


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    message = error_for(write(tmp_path / "broken.yaml", "version: 1\nterms:\n  - text: Ủy ban: nhân dân\n"))
    assert "line 3: YAML syntax error" in message


@pytest.mark.parametrize(
    "tagged",
    [
        'terms:\n  - text: !!python/object/apply:os.system ["echo hi > {marker}"]\n',
        '!!python/object/apply:os.system ["echo hi > {marker}"]\n',
        'terms:\n  - text: !!python/object/apply:subprocess.check_call [["touch", "{marker}"]]\n',
    ],
)
def test_python_tags_are_refused_and_nothing_runs(tmp_path: Path, tagged: str) -> None:
    marker = tmp_path / "ran"
    message = error_for(write(tmp_path / "evil.yaml", tagged.format(marker=marker)))
    assert "!!python/object/apply" in message and "not allowed" in message
    assert not marker.exists()


def test_unknown_key_is_reported(tmp_path: Path) -> None:
    message = error_for(write(tmp_path / "typo.yaml", "terms:\n  - text: Phòng Kinh tế\n    kinds: unit\n"))
    assert "line 3: terms[0].kinds: unknown key" in message


def test_repeated_key_from_a_missing_dash_is_reported(tmp_path: Path) -> None:
    message = error_for(write(tmp_path / "dash.yaml", "terms:\n  - text: Phòng Kinh tế\n    text: Phòng Y tế\n"))
    assert "line 3" in message and "'text' appears twice" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("terms:\n  - kind: body\n", "terms[0].text: is required"),
        ('terms:\n  - text: "   "\n', "terms[0].text: must not be empty"),
        ("terms:\n  - text: 2025\n", "terms[0].text: must be text"),
        ("- text: Ủy ban nhân dân\n", "must be a mapping with `version: 1` and `terms:`"),
        ("version: 2\nterms: []\n", "version: must be 1"),
    ],
)
def test_wrong_shapes_are_reported(tmp_path: Path, content: str, expected: str) -> None:
    assert expected in error_for(write(tmp_path / "shape.yaml", content))


def test_unreadable_files_are_reported(tmp_path: Path) -> None:
    assert "no such file" in error_for(tmp_path / "missing.yaml")
    windows_1258 = tmp_path / "cp1258.yaml"
    windows_1258.write_bytes("terms:\n  - text: Ho\u0300a\n".encode("cp1258"))  # Hòa, tone as byte 0xCC
    assert "not UTF-8" in error_for(windows_1258)


# --- merging ------------------------------------------------------------------------------------------------


def test_user_terms_come_after_and_win(tmp_path: Path) -> None:
    first = write(
        tmp_path / "first.yaml",
        "terms:\n"
        "  - text: Ủy ban nhân dân\n    kind: body\n    abbr: UB\n"
        "  - text: Tổ Công nghệ số cộng đồng thôn Đông\n    kind: body\n",
    )
    second = write(tmp_path / "second.yaml", "terms:\n  - text: Tổ Công nghệ số cộng đồng thôn Đông\n    kind: unit\n")
    merged = merged_terms([first, second])
    builtin_count = len(builtin_dictionary().terms)
    assert len(merged) == builtin_count + 1
    assert all(not is_user for _, is_user in merged[: builtin_count - 1])
    assert [(t.text, t.kind, t.abbr, is_user) for t, is_user in merged[-2:]] == [
        ("Ủy ban nhân dân", "body", "UB", True),
        ("Tổ Công nghệ số cộng đồng thôn Đông", "unit", None, True),
    ]
    assert [t.text for t, _ in merged].count("Ủy ban nhân dân") == 1


def test_without_user_files_merged_terms_are_the_builtin_ones() -> None:
    merged = merged_terms([])
    assert [t for t, _ in merged] == builtin_dictionary().terms
    assert not any(is_user for _, is_user in merged)


def test_merging_a_bad_user_file_raises(tmp_path: Path) -> None:
    with pytest.raises(DictionaryError):
        merged_terms([write(tmp_path / "bad.yaml", "terms:\n  - text: A\n    kind: nope\n")])
