"""Input decoding of every encoding cchc reads: BOMs, UTF-16, TCVN3 (ABC), TCVN 5712 VN1, VNI, Windows-1258.

The fixtures in tests/data/encodings/ hold one Vietnamese text (expected.txt) in each encoding, made by
converters that are not ours (scripts/make_encoding_fixtures.py: the PyPI package 'vietnamese' and glibc
iconv), so a wrong table in cchc_cli.legacy fails here. Western European text must never be read as
Vietnamese: it is refused with exit 3 and a hint to pass --encoding.
"""

from __future__ import annotations

import codecs
import io
import json
import random
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import run_cli as run

from cchc_cli import decode
from cchc_cli.decode import decode_bytes, iter_decoded_lines, legacy
from cchc_cli.errors import ExitCode, InputError

DATA = Path(__file__).parent / "data" / "encodings"
EXPECTED = (DATA / "expected.txt").read_text("utf-8")

# fixture → the codec the detector must choose (None: a byte-order mark decides)
SAMPLES = {
    "sample.tcvn3.txt": "tcvn3",
    "sample.vni.txt": "vni",
    "sample.tcvn5712-1.txt": "tcvn5712-1",
    "sample.cp1258.txt": "cp1258",
    "sample.utf16le.txt": None,
    "sample.utf8bom.txt": None,
}
LEGACY = [name for name, codec in SAMPLES.items() if codec]
# --encoding spellings a user may type → the fixture they read
NAMES = {
    "tcvn3": "sample.tcvn3.txt",
    "ABC": "sample.tcvn3.txt",
    "TCVN": "sample.tcvn3.txt",
    "vni": "sample.vni.txt",
    "VNI-Windows": "sample.vni.txt",
    "vni_win": "sample.vni.txt",
    "tcvn5712-1": "sample.tcvn5712-1.txt",
    "VN1": "sample.tcvn5712-1.txt",
    "cp1258": "sample.cp1258.txt",
    "windows-1258": "sample.cp1258.txt",
}
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
DOCX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def western_lines() -> list[bytes]:
    return [line for line in fixture("western.cp1252.txt").split(b"\n") if line]


# --- every encoding decodes to the same NFC text ------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLES)
def test_every_encoding_decodes_to_the_expected_text(name: str) -> None:
    data = fixture(name)
    assert decode_bytes(data, name) == EXPECTED
    lines = list(iter_decoded_lines(io.BytesIO(data), name))
    assert lines == EXPECTED.splitlines(keepends=True)
    assert unicodedata.is_normalized("NFC", "".join(lines))


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_encodings_are_recognised_by_their_bytes(name: str) -> None:
    assert legacy.detect(fixture(name)) == SAMPLES[name]
    # a few lines are enough: the document header alone
    head = b"\n".join(fixture(name).split(b"\n")[:6])
    assert legacy.detect(head) == SAMPLES[name]


@pytest.mark.parametrize("name", LEGACY)
def test_streaming_across_chunk_boundaries(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # every base letter + mark byte (VNI), capital pair (TCVN3) and combining mark (cp1258) is cut somewhere
    monkeypatch.setattr(decode, "_CHUNK_SIZE", 7)
    lines = EXPECTED.splitlines(keepends=True)
    monkeypatch.setattr(decode, "HEAD_SIZE", 600)  # detected from the first 600 bytes, the rest streamed
    assert list(iter_decoded_lines(io.BytesIO(fixture(name)), name)) == lines
    monkeypatch.setattr(decode, "HEAD_SIZE", 5)
    assert list(iter_decoded_lines(io.BytesIO(fixture(name)), name, SAMPLES[name])) == lines


@pytest.mark.parametrize("codec", ["tcvn3", "vni", "tcvn5712-1", "cp1258"])
def test_every_letter_in_every_legacy_encoding(codec: str) -> None:
    # all 134 letters with a mark, small and capital: a rare letter's wrong table entry shows here
    expected = fixture("alphabet.expected.txt").decode("utf-8")
    data = fixture(f"alphabet.{codec}.txt")
    assert decode_bytes(data, "f", codec) == expected
    assert "".join(iter_decoded_lines(io.BytesIO(data), "f", codec)) == expected


def test_vn1_capitals_on_control_bytes_are_text_not_binary() -> None:
    # VN1 puts Ú Ụ Ừ Ử Ữ Ứ Ự Ỳ Ỷ Ỹ Ý Ỵ on control bytes: a heading full of them is still text
    line = fixture("sample.tcvn5712-1.txt").split(b"\n")[11] + b"\n"
    assert any(b < 0x20 for b in line.rstrip(b"\n")) and len(line) < 100
    assert decode_bytes(line, "f") == EXPECTED.splitlines(keepends=True)[11]
    # control bytes that are not VN1 letters, or that do not read as Vietnamese, stay a binary
    for data in [bytes(range(1, 24)) * 50, b"\x01\x02\x04 \x11\x12" * 50]:
        with pytest.raises(InputError, match="binary file"):
            decode_bytes(data, "f")


@pytest.mark.parametrize("encoding", NAMES)
def test_explicit_encoding_names(encoding: str) -> None:
    data = fixture(NAMES[encoding])
    assert decode.check_encoding(encoding)
    assert decode_bytes(data, "f", encoding) == EXPECTED
    assert "".join(iter_decoded_lines(io.BytesIO(data), "f", encoding)) == EXPECTED


def test_codecs_read_back_what_they_write() -> None:
    letters = [unicodedata.normalize("NFC", base + tone) for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
               for tone in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")] + ["đ", "Đ"]
    text = " ".join(letters) + "\n" + EXPECTED
    for codec in legacy.CODEC_NAMES:
        data = text.encode(codec)
        assert data.decode(codec) == text
        decoder = codecs.getincrementaldecoder(codec)()
        assert "".join(decoder.decode(data[i : i + 1]) for i in range(len(data))) + decoder.decode(b"", True) \
            == text


# --- the command line --------------------------------------------------------------------------------------


def test_repair_gives_the_same_output_in_every_encoding(tmp_path: Path, capsysbinary) -> None:
    code, from_utf8, err = run(capsysbinary, "repair", DATA / "expected.txt")
    assert code == 0, err
    assert from_utf8.decode("utf-8").count("\n") == EXPECTED.count("\n")
    for name in SAMPLES:
        assert run(capsysbinary, "repair", DATA / name) == (0, from_utf8, ""), name
    for encoding, name in NAMES.items():
        assert run(capsysbinary, "repair", DATA / name, "--encoding", encoding)[:2] == (0, from_utf8), encoding
    # a folder of them, through --out-dir (the streaming path writes each file)
    code, _, err = run(capsysbinary, "repair", DATA, "--include", "sample.*", "--out-dir", tmp_path / "out")
    assert code == 0, err
    for name in SAMPLES:
        assert (tmp_path / "out" / name).read_bytes() == from_utf8, name


def test_ingest_reads_legacy_files_and_reports_the_rest(tmp_path: Path, capsysbinary) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ["expected.txt", *LEGACY, "western.cp1252.txt"]:
        (folder / name).write_bytes(fixture(name))
    (folder / "letter.docx.txt").write_bytes(DOCX + fixture("sample.tcvn3.txt"))
    (folder / "scan.png.txt").write_bytes(PNG + fixture("sample.vni.txt"))
    code, out, err = run(capsysbinary, "ingest", folder, "--json", "--quiet", "--db", tmp_path / "s.db")
    assert code == ExitCode.INPUT, err
    errors = [line for line in err.splitlines() if not line.startswith("cchc: warning")]
    assert "Traceback" not in err
    reasons = {name: next(line for line in errors if f"{name}:" in line)
               for name in ["western.cp1252.txt", "letter.docx.txt", "scan.png.txt"]}
    assert "--encoding" in reasons["western.cp1252.txt"]
    assert "damaged Word (DOCX)" in reasons["letter.docx.txt"]
    assert "damaged or unsupported image" in reasons["scan.png.txt"]

    records = json.loads(out)
    by_file: dict[str, list[dict]] = {}
    for record in records:
        by_file.setdefault(Path(record["source"]["path"]).name, []).append(record)
    assert sorted(by_file) == sorted(["expected.txt", *LEGACY])

    def content(record: dict) -> dict:
        return {k: v for k, v in record.items() if k not in {"id", "source"}}

    for name in LEGACY:
        assert [content(r) for r in by_file[name]] == [content(r) for r in by_file["expected.txt"]], name

    code, out, err = run(capsysbinary, "ingest", folder / "sample.vni.txt", "--encoding", "vni-windows", "--json",
                         "--quiet", "--db", tmp_path / "t.db")
    assert code == 0, err
    assert [content(r) for r in json.loads(out)] == [content(r) for r in by_file["expected.txt"]]


# --- what must not be read as Vietnamese ---------------------------------------------------------------------


def test_western_text_is_refused_with_a_hint(capsysbinary) -> None:
    western = DATA / "western.cp1252.txt"
    code, out, err = run(capsysbinary, "repair", western)
    assert (code, out) == (ExitCode.INPUT, b"")
    (line,) = err.splitlines()
    assert line.startswith(f"cchc: {western}: not UTF-8 text") and "--encoding" in line
    # each line alone too, and the same text in the other Western code pages
    text = fixture("western.cp1252.txt").decode("cp1252")
    for data in [*western_lines(), text.encode("latin-1", "replace"), text.encode("cp850"),
                 text.encode("mac_roman", "replace")]:
        assert legacy.detect(data) is None, data[:40]
        with pytest.raises(InputError, match="--encoding"):
            decode_bytes(data, "w.txt")
    # given the encoding, it reads as it is
    assert run(capsysbinary, "repair", western, "--encoding", "cp1252")[0] == 0


def test_random_bytes_are_refused(tmp_path: Path, capsysbinary) -> None:
    rnd = random.Random(7)
    printable_high = list(range(0x20, 0x7F)) + list(range(0xA0, 0x100))  # no control bytes: not a "binary"
    for size in (200, 5000, 70000):
        for data in [bytes(rnd.randrange(256) for _ in range(size)),
                     bytes(rnd.choice(printable_high) for _ in range(size))]:
            bad = tmp_path / "noise.txt"
            bad.write_bytes(data)
            code, out, err = run(capsysbinary, "repair", bad)
            assert (code, out) == (ExitCode.INPUT, b""), err
            (line,) = err.splitlines()
            assert line.startswith(f"cchc: {bad}: ") and ("--encoding" in line or "binary" in line)


def test_damaged_utf8_is_not_read_as_a_legacy_encoding() -> None:
    data = EXPECTED.encode("utf-8")
    middle = data.index(b"\n", len(data) // 2) + 1
    damaged = data[:middle] + b"\xff" + data[middle:]
    line = data[:middle].count(b"\n") + 1
    with pytest.raises(InputError, match=rf"not UTF-8 text \(line {line}\); pass --encoding"):
        decode_bytes(damaged, "f")
    assert legacy.detect(damaged) is None


def test_windows_1258_needs_its_signal() -> None:
    # Vietnamese written only with cp1258's precomposed letters (ă, ơ, ư, đ, à, ê ...): no combining tone mark,
    # nothing tells it from another code page, so it needs --encoding cp1258
    plain = " ".join(word for word in EXPECTED.split() if _fits_cp1258(word)) + "\n"
    assert sum(not word.isascii() for word in plain.split()) > 80
    data = plain.encode("cp1258")
    assert legacy.detect(data) is None
    with pytest.raises(InputError, match=r"pass --encoding \(e\.g\. --encoding cp1258\)"):
        decode_bytes(data, "f")
    assert decode_bytes(data, "f", "cp1258") == plain
    # with its combining tone marks composing into Vietnamese syllables, it is recognised
    assert legacy.detect(fixture("sample.cp1258.txt")) == "cp1258"
    assert legacy.detect(b"Vi\xea\xf2t Nam\n") is None  # one syllable ("Việt") is not a signal


def _fits_cp1258(line: str) -> bool:
    try:
        line.encode("cp1258")
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize(("magic", "what"), [(PDF, "a PDF"), (DOCX, "a Word (DOCX) file"), (PNG, "an image (PNG)")])
def test_binaries_are_refused_before_any_legacy_decoding(magic: bytes, what: str) -> None:
    data = magic + fixture("sample.tcvn3.txt")
    with pytest.raises(InputError, match=re.escape(f"f: {what}")):
        decode_bytes(data, "f")
    with pytest.raises(InputError, match=re.escape(f"f: {what}")):
        list(iter_decoded_lines(io.BytesIO(data), "f", "tcvn3"))
