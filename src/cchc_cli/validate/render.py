"""The findings of ``cchc validate`` as a table (plain, or rich on a terminal), JSON, JUnit XML or GitHub
Actions workflow commands."""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from ..text import printable
from .findings import CheckedDocument, Finding, summary

CR_LF = "\r\n"  # kept for escape_data, which writes them as %0D%0A

__all__ = ["escape_data", "escape_property", "render", "render_github", "render_json", "render_junit",
           "render_rich_table", "render_table"]


def _failing(doc: CheckedDocument, strict: bool) -> list[Finding]:
    return doc.findings if strict else doc.errors


def render(documents: Sequence[CheckedDocument], fmt: str, *, strict: bool = False, rich: bool = False,
           cwd: str | None = None, width: int | None = None) -> str:
    """The report in `fmt` (table, json, junit, github) as text. `rich` draws the table for a terminal
    `width` columns wide (default: the terminal's)."""
    if fmt == "json":
        return render_json(documents)
    if fmt == "junit":
        return render_junit(documents, strict=strict, cwd=cwd)
    if fmt == "github":
        return render_github(documents, cwd=cwd)
    if fmt == "table":
        return render_rich_table(documents, cwd=cwd, width=width) if rich else render_table(documents, cwd=cwd)
    raise ValueError(f"unknown format {fmt!r}")


def _all(documents: Sequence[CheckedDocument]) -> list[Finding]:
    return [f for doc in documents for f in doc.findings]


def _named(documents: Sequence[CheckedDocument]) -> list[tuple[Finding, str]]:
    """Each finding with the name of its document (type and number)."""
    return [(f, printable(doc.name or doc.label)) for doc in documents for f in doc.findings]


def render_json(documents: Sequence[CheckedDocument]) -> str:
    return json.dumps([f.to_dict() for f in _all(documents)], ensure_ascii=False, indent=2) + "\n"


def _where(finding: Finding, cwd: str | None = None) -> str:
    path = printable(_relative(finding.path, cwd)) if finding.path else "-"
    return f"{path}:{finding.line}" if finding.line is not None else path


def _one_line(text: str) -> str:
    return printable(" ".join(text.split()))


TABLE_HEADER = ("location", "severity", "rule", "document", "message")


def render_table(documents: Sequence[CheckedDocument], *, cwd: str | None = None) -> str:
    """Plain aligned columns (not a terminal): path:line, severity, rule, document, message; the summary last."""
    findings = _named(documents)
    if not findings:
        return f"no findings: {summary(documents)}\n"
    rows = [(_where(f, cwd), f.severity, f.rule, name, _one_line(f.message)) for f, name in findings]
    widths = [max(len(r[i]) for r in [TABLE_HEADER, *rows]) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(row)).rstrip()
             for row in [TABLE_HEADER, *rows]]
    return "\n".join(lines) + f"\n{summary(documents)}\n"


# Below this many columns a terminal gets each finding as a line of where and what, its message wrapped
# under it; a table's five columns leave the message no room there.
WIDE_TERMINAL = 120
MESSAGE_INDENT = 4


def render_rich_table(documents: Sequence[CheckedDocument], *, cwd: str | None = None,
                      width: int | None = None) -> str:
    """For a terminal: a table when it is wide, one block a finding when it is narrow (the message wrapped,
    never cut); the summary last."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(record=True, highlight=False, width=width)
    findings = _named(documents)
    with console.capture() as capture:
        if findings and console.width >= WIDE_TERMINAL:
            table = Table()
            for name in TABLE_HEADER[:-1]:
                table.add_column(name, no_wrap=True)
            table.add_column("message", overflow="fold", ratio=1)
            for f, name in findings:
                table.add_row(Text(_where(f, cwd)), Text(f.severity, style=_style(f)), Text(f.rule), Text(name),
                              Text(_one_line(f.message)))
            console.print(table)
        for f, name in findings if console.width < WIDE_TERMINAL else ():
            console.print(Text.assemble((_where(f, cwd), "bold"), "  ", (f.severity, _style(f)), "  ", f.rule),
                          overflow="fold")
            body = textwrap.wrap(f"{name}: {_one_line(f.message)}", max(20, console.width - MESSAGE_INDENT))
            console.print(Text("\n".join(" " * MESSAGE_INDENT + line for line in body)), overflow="fold")
        style = "red" if any(d.errors for d in documents) else ("yellow" if findings else "green")
        console.print(Text(summary(documents) if findings else f"no findings: {summary(documents)}", style=style))
    return capture.get()


def _style(finding: Finding) -> str:
    return "red" if finding.severity == "error" else "yellow"


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", text)


def render_junit(documents: Sequence[CheckedDocument], *, strict: bool = False, cwd: str | None = None) -> str:
    """JUnit XML: one testsuite, one testcase per document. Errors (and with `strict` warnings) make the
    testcase fail (one <failure> listing them all, as the JUnit schema allows one); warnings otherwise go to
    the testcase's <system-out>, so the test passes and the CI report still shows them."""
    failures = sum(1 for d in documents if _failing(d, strict))
    counts = {"tests": str(len(documents)), "failures": str(failures), "errors": "0", "skipped": "0",
              "time": "0"}
    root = ET.Element("testsuites", {"name": "cchc validate", **counts})
    suite = ET.SubElement(root, "testsuite", {
        "name": "cchc validate", **counts,
        "timestamp": _dt.datetime.now().replace(microsecond=0).isoformat(),
    })
    for doc in documents:
        path = _relative(doc.path, cwd) if doc.path else None
        attrs = {"classname": _xml_text(path or "records"), "name": _xml_text(doc.label), "time": "0"}
        if path:
            attrs["file"] = _xml_text(path)
        if doc.lines:
            attrs["line"] = str(doc.lines[0])
        case = ET.SubElement(suite, "testcase", attrs)
        failing = _failing(doc, strict)
        if failing:
            first = failing[0]
            more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
            failure = ET.SubElement(case, "failure", {
                "type": first.rule, "message": _xml_text(_one_line(first.message) + more)})
            failure.text = _xml_text("\n".join(_finding_line(f, cwd) for f in failing))
        rest = [f for f in doc.findings if f not in failing]
        if rest:
            out = ET.SubElement(case, "system-out")
            out.text = _xml_text("\n".join(_finding_line(f, cwd) for f in rest))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _finding_line(f: Finding, cwd: str | None = None) -> str:
    return f"{f.severity} [{f.rule}] {_where(f, cwd)}: {_one_line(f.message)}"


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as the message, plus ':' and ','."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(documents: Sequence[CheckedDocument], *, cwd: str | None = None) -> str:
    """GitHub Actions workflow commands, one a finding: ``::error file=F,line=N,title=RULE::message``.
    Paths under `cwd` (the workspace) are made relative to it, as annotations expect."""
    lines = []
    for f in _all(documents):
        props = []
        if f.path:
            props.append(f"file={escape_property(printable(_relative(f.path, cwd)))}")
            if f.line is not None:
                props.append(f"line={f.line}")
        props.append(f"title={escape_property(f.rule)}")
        doc = f" (document {f.document_id[:12]})" if f.document_id else ""
        lines.append(f"::{f.severity} {','.join(props)}::{escape_data(printable(f.message + doc, keep=CR_LF))}")
    lines.append(f"cchc validate: {summary(documents)}")
    return "\n".join(lines) + "\n"


def _relative(path: str, cwd: str | None) -> str:
    """`path` as a workspace names it: relative to `cwd` when under it, './' and 'a/../' taken out."""
    if not os.path.isabs(path):
        return os.path.normpath(path) if path not in ("", "-") else path
    if cwd:
        try:
            rel = os.path.relpath(path, cwd)
        except ValueError:
            return path
        if not rel.startswith(".."):
            return rel
    return path
