"""The ``cchc`` command line as a user meets it: outputs, files written, messages and exit codes.

Cases run in-process through ``cchc_cli.cli.main`` (the model loads once per test session); a few run
``python -m cchc_cli`` as a real subprocess, where startup time and a reader closing the pipe are checked.
Repaired words are only asserted on a robust phrase; everything else checks layout, files and codes.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_cli as run

import cchc_cli
import cchc_cli.repair.files
from cchc_cli import cli
from cchc_cli.decode import decode_bytes, iter_decoded_lines
from cchc_cli.errors import CchcError, ExitCode, InputError, OutputError, UsageError
from cchc_cli.io import atomic_open, atomic_write_text, iter_inputs, output_path
from cchc_cli.repair import REASONS
from cchc_cli.repair.engine import Repairer

SRC = Path(cchc_cli.__file__).resolve().parent.parent
PHRASE_OCR = "Cong hoa xa hoi chu nghia Viet Nam"
PHRASE = "Cộng hòa xã hội chủ nghĩa Việt Nam"
VIETNAMESE_MARKS = set("ăâêôơưđàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
DOCX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml"
BINARY = bytes(range(256)) * 4
LATIN1 = "Quyết định số 133".encode().replace(b"\xe1\xba\xbf", b"\xe9")  # a stray Latin-1 byte


# --- helpers ---------------------------------------------------------------------------------------------


def run_process(
    *argv: str, stdin: bytes = b"", cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m cchc_cli`` as a real process (the checkout's src/ first on the path)."""
    paths = [str(SRC), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    return subprocess.run(
        [sys.executable, "-m", "cchc_cli", *argv],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def layout(text: str) -> list[str]:
    """A text's skeleton outside its words: what repair must never change (spaces, \\r, punctuation)."""
    import regex

    return [regex.sub(r"[\p{L}\p{M}\p{N}]+", "w", line) for line in text.split("\n")]


def one_line_errors(err: str) -> list[str]:
    """The error lines of stderr (the summary line of `repair --out-dir` left out)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert all(line.startswith("cchc: ") for line in lines), err
    assert "Traceback" not in err
    return [line for line in lines if not line.startswith("cchc: repair: ")]


# --- exit codes and messages -----------------------------------------------------------------------------


def test_exit_codes_are_the_documented_ones() -> None:
    assert {c.name: int(c) for c in ExitCode} == {
        "OK": 0, "FINDINGS": 1, "USAGE": 2, "INPUT": 3, "STORE": 4, "OUTPUT": 5, "INTERNAL": 70,
        "INTERRUPTED": 130,
    }
    assert InputError("x").exit_code == ExitCode.INPUT
    assert UsageError("x").exit_code == ExitCode.USAGE
    assert OutputError("x").exit_code == ExitCode.OUTPUT
    assert str(CchcError("two\nlines")) == "two lines"


def test_single_file_prints_repaired_text(tmp_path: Path, capsysbinary) -> None:
    doc = write(tmp_path / "doc.txt", PHRASE_OCR + "\n")
    code, out, err = run(capsysbinary, "repair", doc)
    assert code == 0
    assert out.decode("utf-8") == PHRASE + "\n"
    assert err == ""


def test_stdin_dash_reads_bytes_and_prints_text(capsysbinary, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((PHRASE_OCR + "\r\n").encode())))
    code, out, _ = run(capsysbinary, "repair", "-")
    assert code == 0
    assert out.decode("utf-8") == PHRASE + "\r\n"


def test_empty_file_gives_empty_output(tmp_path: Path, capsysbinary) -> None:
    empty = write(tmp_path / "empty.txt", b"")
    assert run(capsysbinary, "repair", empty) == (0, b"", "")
    code, _, _ = run(capsysbinary, "repair", tmp_path, "--out-dir", tmp_path / "out")
    assert code == 0
    assert (tmp_path / "out" / "empty.txt").read_bytes() == b""


def test_layout_is_kept_byte_for_byte_outside_words(tmp_path: Path, capsysbinary) -> None:
    original = (
        "  " + PHRASE_OCR + "  \r\n"
        "\r\n"
        "Doc lap - Tu do - Hanh phuc\t\r\n"
        "   (ke hoach so 12/KH-UBND);   \n"
        "\n"
        "dong cuoi khong xuong dong "
    )
    doc = write(tmp_path / "crlf.txt", original)
    code, out, _ = run(capsysbinary, "repair", doc)
    assert code == 0
    repaired = out.decode("utf-8")
    assert layout(repaired) == layout(original)
    assert repaired.count("\r\n") == original.count("\r\n")
    assert not repaired.endswith("\n")
    assert PHRASE in repaired


@pytest.mark.parametrize("argv", [["repair", "a.txt", "b.txt"], ["repair", "."]])
def test_several_inputs_or_a_folder_need_out_dir(tmp_path: Path, capsysbinary, monkeypatch, argv) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.txt", "a\n")
    write(tmp_path / "b.txt", "b\n")
    code, out, err = run(capsysbinary, *argv)
    assert code == ExitCode.USAGE
    assert out == b""
    assert len(one_line_errors(err)) == 1
    assert "--out-dir" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["repair"],
        ["repair", "x.txt", "--no-such-option"],
        ["no-such-command"],
        ["repair", "-", "x.txt"],
        ["repair", "x.txt", "--encoding", "no-such-codec"],
        ["repair", "x.txt", "--dictionary", "missing-dictionary.yaml"],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, capsysbinary, monkeypatch, argv) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "x.txt", PHRASE_OCR)
    code, out, err = run(capsysbinary, *argv)
    assert code == ExitCode.USAGE
    assert out == b""
    assert err.strip()
    assert "Traceback" not in err


def test_bad_dictionary_names_the_file(tmp_path: Path, capsysbinary) -> None:
    doc = write(tmp_path / "x.txt", PHRASE_OCR)
    code, _, err = run(capsysbinary, "repair", doc, "--dictionary", tmp_path / "nope.yaml")
    assert code == ExitCode.USAGE
    assert one_line_errors(err) == [
        f"cchc: {tmp_path / 'nope.yaml'}: no such file or folder (--dictionary); check the path"]


def test_invalid_dictionary_is_a_usage_error(tmp_path: Path, capsysbinary) -> None:
    import importlib.util

    if importlib.util.find_spec("cchc_cli.dictionary") is None:
        pytest.skip("the user dictionary loader (cchc_cli.dictionary) is not there yet")
    doc = write(tmp_path / "x.txt", PHRASE_OCR)
    bad = write(tmp_path / "mine.yaml", "terms: [unclosed\n  - : :\n")
    code, out, err = run(capsysbinary, "repair", doc, "--dictionary", bad)
    assert (code, out) == (ExitCode.USAGE, b"")
    (line,) = one_line_errors(err)
    assert str(bad) in line


def test_unreadable_single_input_exits_3(tmp_path: Path, capsysbinary) -> None:
    code, out, err = run(capsysbinary, "repair", tmp_path / "missing.txt")
    assert code == ExitCode.INPUT
    assert out == b""
    assert "missing.txt" in one_line_errors(err)[0]


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        (PDF, "a damaged or truncated PDF"),
        (PNG, "a damaged or unsupported image"),
        (DOCX, "a damaged Word (DOCX) file"),
        (BINARY, "a binary file"),
        (LATIN1, "not UTF-8 text (line 1); pass --encoding (e.g. --encoding cp1258)"),
    ],
)
def test_bad_single_input_says_what_to_do(tmp_path: Path, capsysbinary, data: bytes, hint: str) -> None:
    bad = write(tmp_path / "bad.txt", data)
    code, out, err = run(capsysbinary, "repair", bad)
    assert code == ExitCode.INPUT
    assert out == b""
    (line,) = one_line_errors(err)
    assert line.startswith(f"cchc: {bad}: ")
    assert hint in line


def test_bad_inputs_in_a_batch_do_not_stop_the_good_ones(tmp_path: Path, capsysbinary, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "in" / "1-good.txt", PHRASE_OCR + "\n")
    for name, data in [("scan.txt", PDF), ("photo.txt", PNG), ("word.txt", DOCX), ("blob.txt", BINARY),
                       ("latin1.txt", LATIN1)]:
        write(tmp_path / "in" / name, data)
    write(tmp_path / "in" / "z" / "9-good.txt", "Doc lap - Tu do - Hanh phuc")
    code, out, err = run(capsysbinary, "repair", "in", "--out-dir", "out")
    assert code == ExitCode.INPUT
    assert out == b""
    errors = one_line_errors(err)
    assert len(errors) == 5
    for name in ["scan.txt", "photo.txt", "word.txt", "blob.txt", "latin1.txt"]:
        assert any(os.path.join("in", name) in line for line in errors), name
    assert (tmp_path / "out" / "1-good.txt").read_text("utf-8") == PHRASE + "\n"
    assert (tmp_path / "out" / "z" / "9-good.txt").read_bytes()
    written = sorted(p.name for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert written == ["1-good.txt", "9-good.txt"]


def test_missing_path_in_a_batch_exits_3_after_the_rest(tmp_path: Path, capsysbinary) -> None:
    good = write(tmp_path / "good.txt", PHRASE_OCR)
    code, _, err = run(capsysbinary, "repair", tmp_path / "gone.txt", good, "--out-dir", tmp_path / "out")
    assert code == ExitCode.INPUT
    assert "gone.txt: no such file or folder" in err
    assert (tmp_path / "out" / "good.txt").read_text("utf-8") == PHRASE


def test_internal_error_is_one_line_and_exit_70(tmp_path: Path, capsysbinary, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(Repairer, "repair_text", broken)
    doc = write(tmp_path / "x.txt", PHRASE_OCR)
    code, out, err = run(capsysbinary, "repair", doc)
    assert code == ExitCode.INTERNAL
    assert out == b""
    assert one_line_errors(err) == [
        "cchc: internal error: RuntimeError: model exploded (run with --debug for the traceback)"
    ]
    code, _, err = run(capsysbinary, "--debug", "repair", doc)
    assert code == ExitCode.INTERNAL
    assert "Traceback" in err and "model exploded" in err


# --- batches and --out-dir -------------------------------------------------------------------------------


def test_out_dir_mirrors_relative_paths(tmp_path: Path, capsysbinary) -> None:
    src = tmp_path / "docs"
    write(src / "a.txt", PHRASE_OCR + "\n")
    write(src / "2025" / "q3" / "b.txt", PHRASE_OCR)
    write(src / "notes.md", "not included by default")
    write(src / ".hidden.txt", "hidden")
    write(src / ".git" / "c.txt", "hidden folder")
    out = tmp_path / "out"
    code, stdout, err = run(capsysbinary, "repair", src, "--out-dir", out)
    assert (code, stdout, one_line_errors(err)) == (0, b"", [])
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["2025/q3/b.txt", "a.txt"]
    assert (out / "a.txt").read_text("utf-8") == PHRASE + "\n"
    assert (out / "2025" / "q3" / "b.txt").read_text("utf-8") == PHRASE

    code, _, _ = run(capsysbinary, "repair", src, "--out-dir", tmp_path / "md", "--include", "*.md")
    assert code == 0
    assert [p.name for p in (tmp_path / "md").rglob("*") if p.is_file()] == ["notes.md"]


def test_out_dir_inside_the_input_folder_is_not_read_back(tmp_path: Path, capsysbinary) -> None:
    src = tmp_path / "docs"
    write(src / "a.txt", PHRASE_OCR)
    for _ in range(2):
        code, _, _ = run(capsysbinary, "repair", src, "--out-dir", src / "fixed")
        assert code == 0
    # the outputs (and the list of what cchc wrote there, which lets the second run replace them)
    assert sorted(p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file()) == [
        "a.txt", "fixed/.cchc-repair-outputs", "fixed/a.txt",
    ]


def test_refuses_to_overwrite_inputs(tmp_path: Path, capsysbinary) -> None:
    src = tmp_path / "docs"
    doc = write(src / "a.txt", PHRASE_OCR)
    code, _, err = run(capsysbinary, "repair", src, "--out-dir", src)
    assert code == ExitCode.USAGE
    assert "would overwrite the input" in one_line_errors(err)[0]
    assert doc.read_text("utf-8") == PHRASE_OCR
    assert sorted(p.name for p in src.iterdir()) == ["a.txt"]  # not even a temporary file


def test_two_inputs_with_one_destination_are_refused(tmp_path: Path, capsysbinary) -> None:
    a = write(tmp_path / "x" / "same.txt", "a")
    b = write(tmp_path / "y" / "same.txt", "b")
    code, _, err = run(capsysbinary, "repair", a, b, "--out-dir", tmp_path / "out")
    assert code == ExitCode.USAGE
    assert "would both be written" in err
    assert not (tmp_path / "out").exists()


def test_outputs_are_written_atomically(tmp_path: Path, capsysbinary, monkeypatch) -> None:
    src = tmp_path / "docs"
    for i in range(3):
        write(src / f"{i}.txt", PHRASE_OCR)
    out = tmp_path / "out"
    write(out / "1.txt", "previous output")
    code, _, _ = run(capsysbinary, "repair", src, "--out-dir", out)
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["0.txt", "1.txt", "2.txt"]  # no temporary files left

    # a crash while writing leaves the previous output whole and no temporary file behind
    write(out / "1.txt", "previous output")
    calls = {"n": 0}
    real_repair = Repairer.repair_text

    def crash_on_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed")
        return real_repair(*args, **kwargs)

    monkeypatch.setattr(Repairer, "repair_text", crash_on_second)
    (out / "0.txt").unlink()
    (out / "2.txt").unlink()
    # (one process: "the second file" is the second call of this process's repair)
    code, _, err = run(capsysbinary, "repair", src, "--out-dir", out, "--jobs", "1")
    assert code == ExitCode.INTERNAL and "1.txt: internal error: RuntimeError: killed" in err
    assert (out / "1.txt").read_text("utf-8") == "previous output"
    assert sorted(p.name for p in out.iterdir()) == ["0.txt", "1.txt", "2.txt"]  # the others still written


def test_atomic_write_cleans_up_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.txt"
    atomic_write_text(target, "một\r\nhai")
    assert target.read_bytes() == "một\r\nhai".encode()
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not mkstemp's private mode
    with pytest.raises(RuntimeError), atomic_open(target) as handle:
        handle.write(b"half")
        raise RuntimeError("disk full")
    assert target.read_bytes() == "một\r\nhai".encode()
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


# --- --json and --explain --------------------------------------------------------------------------------


def test_json_is_one_object_with_text_edits_flags(tmp_path: Path, capsysbinary) -> None:
    doc = write(tmp_path / "x.txt", PHRASE_OCR + "\nPoc 1ap - Tw do")
    code, out, err = run(capsysbinary, "repair", doc, "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert set(data) == {"text", "edits", "flags"}
    assert data["text"].startswith(PHRASE + "\n")
    assert data["edits"], "the phrase needs edits"
    for edit in data["edits"]:
        assert set(edit) == {"line", "column", "before", "after", "confidence", "reason"}
        assert edit["reason"] in REASONS
        assert 0 <= edit["confidence"] <= 1
    first = data["edits"][0]
    assert (first["line"], first["column"], first["before"], first["after"]) == (1, 1, "Cong", "Cộng")
    for flag in data["flags"]:
        assert set(flag) == {"line", "column", "token", "candidates", "confidence"}


def test_json_with_out_dir_writes_a_sidecar_per_file(tmp_path: Path, capsysbinary) -> None:
    write(tmp_path / "in" / "a.txt", PHRASE_OCR)
    out = tmp_path / "out"
    code, stdout, _ = run(capsysbinary, "repair", tmp_path / "in", "--out-dir", out, "--json")
    assert (code, stdout) == (0, b"")
    assert (out / "a.txt").read_text("utf-8") == PHRASE
    data = json.loads((out / "a.txt.json").read_text("utf-8"))
    assert data["text"] == PHRASE and set(data) == {"text", "edits", "flags"}


def test_explain_goes_to_stderr_only(tmp_path: Path, capsysbinary) -> None:
    doc = write(tmp_path / "x.txt", PHRASE_OCR + "\n")
    _, plain, _ = run(capsysbinary, "repair", doc)
    code, out, err = run(capsysbinary, "repair", doc, "--explain")
    assert code == 0
    assert out == plain
    rows = [line.split("\t") for line in err.splitlines() if not line.startswith("cchc: explain: ")]
    assert rows[0] == ["file", "line", "column", "kind", "before", "after", "confidence", "detail"]
    assert [str(doc), "1", "1", "edit", "Cong", "Cộng"] == rows[1][:6]
    assert all(len(row) == 8 for row in rows)


def test_explain_draws_a_table_on_a_terminal(tmp_path: Path, capsysbinary, monkeypatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    doc = write(tmp_path / "x.txt", PHRASE_OCR + " [b]")
    code, out, err = run(capsysbinary, "repair", doc, "--explain")
    assert code == 0
    assert PHRASE in out.decode()
    assert "Cộng" in err and "diacritics" in err and "edit(s)" in err


# --- decoding --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + PHRASE_OCR.encode(),
        b"\xff\xfe" + PHRASE_OCR.encode("utf-16-le"),
        b"\xfe\xff" + PHRASE_OCR.encode("utf-16-be"),
    ],
    ids=["utf-8-bom", "utf-16-le", "utf-16-be"],
)
def test_byte_order_marks_are_read(tmp_path: Path, capsysbinary, data: bytes) -> None:
    doc = write(tmp_path / "bom.txt", data)
    code, out, _ = run(capsysbinary, "repair", doc)
    assert (code, out.decode("utf-8")) == (0, PHRASE)


def test_explicit_encoding_wins(tmp_path: Path, capsysbinary) -> None:
    # Windows-1258 writes "ệ" as ê + a combining dot below (0xF2): decoded and composed to NFC
    doc = write(tmp_path / "cp1258.txt", b"Vi\xea\xf2t Nam\r\n")
    code, _, err = run(capsysbinary, "repair", doc)
    assert code == ExitCode.INPUT and "--encoding cp1258" in err
    code, out, _ = run(capsysbinary, "repair", doc, "--encoding", "cp1258")
    assert (code, out.decode("utf-8")) == (0, "Việt Nam\r\n")


def test_decode_streaming_and_whole_agree() -> None:
    text = "Cộng hòa\r\nxã hội\n\nend "
    for data in [text.encode(), b"\xef\xbb\xbf" + text.encode(), b"\xff\xfe" + text.encode("utf-16-le")]:
        assert decode_bytes(data, "f") == text
        assert list(iter_decoded_lines(io.BytesIO(data), "f")) == ["Cộng hòa\r\n", "xã hội\n", "\n", "end "]
    deep = ("Cộng hòa\n" * 20000).encode() + b"\xff\n"
    with pytest.raises(InputError, match=r"not UTF-8 text \(line 20001\)"):
        list(iter_decoded_lines(io.BytesIO(deep), "f"))


def test_large_input_is_streamed(tmp_path: Path, capsysbinary, monkeypatch) -> None:
    monkeypatch.setattr(cchc_cli.repair.files, "STREAM_THRESHOLD", 100)
    used: list[str] = []
    real_lines = Repairer.repair_lines
    real_repair_text = cchc_cli.repair.repair_text

    def spy(self, lines, **kwargs):
        used.append("lines")
        return real_lines(self, lines, **kwargs)

    monkeypatch.setattr(Repairer, "repair_lines", spy)
    original = (PHRASE_OCR + "\r\n") * 10 + "tail"
    doc = write(tmp_path / "big.txt", original)
    code, out, _ = run(capsysbinary, "repair", doc)
    assert code == 0 and used == ["lines"]
    assert out.decode("utf-8") == real_repair_text(original).text
    assert out.decode("utf-8").startswith((PHRASE + "\r\n") * 10)
    code, _, _ = run(capsysbinary, "repair", doc, "--out-dir", tmp_path / "out")
    assert code == 0 and used == ["lines", "lines"]
    assert (tmp_path / "out" / "big.txt").read_text("utf-8").count(PHRASE) == 10

    bad = write(tmp_path / "bad.txt", original.encode() + b"\n\xff")
    code, out, err = run(capsysbinary, "repair", bad)
    assert code == ExitCode.INPUT and out == b""  # validated before the first byte is written
    assert "line 12" in err


# --- inputs and outputs ----------------------------------------------------------------------------------


def test_iter_inputs_walks_sorted_and_skips_links_out_of_the_tree(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(root / "b.txt", "b")
    write(root / "a" / "c.txt", "c")
    outside = write(tmp_path / "secret.txt", "outside")
    (root / "link-out.txt").symlink_to(outside)
    (root / "link-in.txt").symlink_to(root / "b.txt")
    (root / "dirlink").symlink_to(tmp_path)
    found = iter_inputs([str(root)], None)
    assert [rel.as_posix() for _, rel in found] == ["a/c.txt", "b.txt"]
    assert all(path.is_absolute() for path, _ in found)
    assert iter_inputs([str(root / "b.txt")], "*.md") == [(root / "b.txt", Path("b.txt"))]
    errors: list[CchcError] = []
    assert iter_inputs([str(tmp_path / "nope")], None, on_error=errors.append) == []
    assert isinstance(errors[0], InputError)


def test_output_path_stays_inside_out_dir(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert output_path(out, Path("a/b.txt")) == (out / "a" / "b.txt").resolve()
    for rel in [Path("../x.txt"), Path("/etc/passwd"), Path(".")]:
        with pytest.raises(UsageError):
            output_path(out, rel)
    out.mkdir()
    (out / "escape").symlink_to(tmp_path)
    with pytest.raises(UsageError):
        output_path(out, Path("escape/x.txt"))
    with pytest.raises(UsageError, match="would overwrite the input"):
        output_path(tmp_path, Path("in.txt"), [tmp_path / "in.txt"])


# --- outputs that cannot be written ----------------------------------------------------------------------


DEV_FULL = Path("/dev/full")


@pytest.mark.skipif(not DEV_FULL.exists(), reason="needs /dev/full (a device that is always full)")
@pytest.mark.parametrize("argv", [["schema"], ["repair", "{doc}"], ["repair", "{doc}", "--json"]])
def test_a_full_disk_on_stdout_is_exit_5_with_one_line(tmp_path: Path, capsysbinary, monkeypatch, argv) -> None:
    doc = write(tmp_path / "x.txt", PHRASE_OCR)
    full = open(DEV_FULL, "wb")  # noqa: SIM115 - closed below
    try:
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(full, encoding="utf-8"))
        code = cli.main([a.format(doc=doc) for a in argv])
    finally:
        monkeypatch.undo()
        full.close()
    err = capsysbinary.readouterr().err.decode()
    assert code == ExitCode.OUTPUT
    assert one_line_errors(err) == ["cchc: cannot write to stdout: No space left on device"]


def test_an_unwritable_output_is_exit_5_and_the_inputs_stay(tmp_path: Path, capsysbinary) -> None:
    src = write(tmp_path / "in" / "a.txt", PHRASE_OCR)
    blocked = write(tmp_path / "blocked", "a file where a folder should be")
    code, _, err = run(capsysbinary, "repair", tmp_path / "in", "--out-dir", blocked / "out")
    assert code == ExitCode.OUTPUT
    (line,) = one_line_errors(err)
    assert "cannot write" in line and str(blocked) in line
    assert src.read_text("utf-8") == PHRASE_OCR


# --- typer's own runner, and real processes --------------------------------------------------------------


def test_typer_runner_sees_the_same_exit_codes(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    runner = CliRunner()
    doc = write(tmp_path / "x.txt", PHRASE_OCR)
    result = runner.invoke(cli.build_app(), ["repair", str(doc)])
    assert result.exit_code == 0 and PHRASE in result.stdout
    result = runner.invoke(cli.build_app(), ["repair", str(tmp_path / "missing.txt")])
    assert result.exit_code == ExitCode.INPUT
    result = runner.invoke(cli.build_app(), ["repair", str(doc), str(doc)])
    assert result.exit_code == ExitCode.USAGE


@pytest.mark.slow  # a cchc process that must write past a pipe buffer: 2,000 lines repaired, about 2 s
def test_subprocess_reader_closing_the_pipe_is_not_an_error(tmp_path: Path) -> None:
    # more than a pipe buffer (64 KiB) holds: 2,000 short sentences (correct ones, which are quick to read)
    doc = write(tmp_path / "long.txt", (PHRASE + ".\n") * 2000)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in [str(SRC), os.environ.get("PYTHONPATH")] if p)}
    with subprocess.Popen(
        [sys.executable, "-m", "cchc_cli", "repair", str(doc)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().decode("utf-8") == PHRASE + ".\n"
        proc.stdout.close()  # like `cchc repair long.txt | head -1`
        err = proc.stderr.read()
        assert proc.wait(timeout=300) == 0
    assert err == b""


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["repair", "--help"]])
def test_version_and_help_answer_fast(tmp_path: Path, argv: list[str]) -> None:
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        proc = run_process(*argv, cwd=tmp_path)
        timings.append(time.perf_counter() - started)
        assert proc.returncode == 0, proc.stderr
    best = min(timings)
    print(f"cchc {' '.join(argv)}: {best:.3f} s")
    assert best < 1.0  # the target is 0.3 s on an idle machine; the margin absorbs a loaded CI runner
    text = proc.stdout.decode()
    if argv == ["--version"]:
        from cchc_cli.repair.search import CORE

        assert text == f"cchc {cchc_cli.__version__} (repair core: {CORE})\n"
    else:
        assert "Usage: cchc" in text
        assert "repair" in text


def test_help_does_not_load_the_engine() -> None:
    code = (
        "import sys\nfrom cchc_cli.cli import main\nmain(['repair', '--help'])\n"
        "heavy = [m for m in ('cchc_cli.repair.engine', 'pydantic', 'regex') if m in sys.modules]\n"
        "print(heavy, file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, timeout=60)
    assert proc.stderr.decode().strip() == "[]"


def test_a_folder_repaired_by_several_workers_is_the_same_as_by_one(tmp_path: Path, capsysbinary) -> None:
    src = tmp_path / "docs"
    for i in range(6):
        write(src / f"{i}.txt", PHRASE_OCR + f"\nNam 202{i}\n")
    write(src / "bad.txt", b"\x89PNG\r\n\x1a\n")  # a damaged image: refused, the others written
    outputs = {}
    for jobs in ("1", "2"):
        code, _, err = run(capsysbinary, "repair", src, "--out-dir", tmp_path / jobs, "--json", "--jobs", jobs)
        assert code == ExitCode.INPUT and len(one_line_errors(err)) == 1 and "bad.txt" in err
        outputs[jobs] = {p.name: p.read_bytes() for p in sorted((tmp_path / jobs).iterdir())}
    assert outputs["1"] == outputs["2"] and len(outputs["2"]) == 12
