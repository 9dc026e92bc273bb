"""The house rules, read from the code with the standard library's ``ast``: imports run one way through the
stages, functions stay short, the command-line modules stay a thin shell."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "cchc_cli"

# The floors of the house, lowest first. A module may import its own floor's modules (without cycles, which
# Python would refuse) and those of lower floors, never a higher floor. Names are module paths inside the
# package; a package stands for all its modules.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("version", "errors", "text", "vietnamese", "labels", "symbols", "data", "dictionary", "resources",
     "records", "document", "metrics", "io", "workers"),
    ("decode",),
    ("repair",),
    ("segment",),
    ("extract",),
    ("pipeline",),
    ("batch", "store", "pgstore", "workqueue", "export", "validate", "review", "report"),
    ("cli", "__main__"),
)
MAX_FUNCTION_LINES = 80
MAX_CLI_MODULE_LINES = 200


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def floor_of(module: str) -> int | None:
    """The floor of a module ('' is the package's own __init__: the lazy public API, above every floor)."""
    top = module.split(".")[0]
    for level, names in enumerate(FLOORS):
        if top in names:
            return level
    return None


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, module inside the package) of every import in `source`, the code of `module` (a package's
    __init__ when `is_package`), relative imports resolved; '' for the package itself."""
    here = module.split(".") if module else []
    package = here if is_package else here[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            target = [*base, *(node.module.split(".") if node.module else [])]
            if node.module is None:  # from . import x, y: each name may be a module
                found += [(node.lineno, ".".join([*target, alias.name])) for alias in node.names]
            else:
                found.append((node.lineno, ".".join(target)))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "cchc_cli":
            found.append((node.lineno, node.module.removeprefix("cchc_cli").lstrip(".")))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name.removeprefix("cchc_cli").lstrip("."))
                      for a in node.names if a.name.split(".")[0] == "cchc_cli"]
    return found


def wrong_way(source: str, module: str, is_package: bool = False) -> list[str]:
    """The imports of `module` against the stage order."""
    wrong = []
    for line, target in imported_modules(source, module, is_package):
        if not target or floor_of(target) is None:  # the package itself, or a name from its __init__
            wrong.append(f"line {line}: imports the package's public API")
        elif (floor_of(target) or 0) > (floor_of(module) or 0):
            wrong.append(f"line {line}: imports {target}, a later stage")
    return wrong


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_floor() -> None:
    homeless = [module_name(p) for p in sources() if module_name(p) and floor_of(module_name(p)) is None]
    assert homeless == [], "add these modules to FLOORS"


def test_imports_run_one_way_through_the_stages() -> None:
    wrong = [f"{path.relative_to(PACKAGE)} {problem}"
             for path in sources() if module_name(path)  # the package's __init__: the lazy public API
             for problem in wrong_way(path.read_text("utf-8"), module_name(path), path.name == "__init__.py")]
    assert wrong == []


@pytest.mark.parametrize(("source", "module", "expected"), [
    ("from ..extract.vocab import doc_types", "segment.header", ["line 1: imports extract.vocab, a later stage"]),
    ("from .. import pipeline", "repair.engine", ["line 1: imports pipeline, a later stage"]),
    ("import cchc_cli.cli", "store", ["line 1: imports cli, a later stage"]),
    ("from cchc_cli import repair_text", "segment", ["line 1: imports the package's public API"]),
    ("from .. import __version__", "cli.app", ["line 1: imports the package's public API"]),
    ("from ..text import fold\nfrom .outline import BULLET_RE", "segment.items", []),
    ("from ..repair import get_repairer", "pipeline", []),
])
def test_the_rule_catches_a_wrong_way_import(source: str, module: str, expected: list[str]) -> None:
    assert wrong_way(source, module) == expected


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_is_longer_than_80_lines(path: Path) -> None:
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})"
            for node in ast.walk(ast.parse(path.read_text("utf-8")))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.end_lineno is not None and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []


def test_command_line_modules_are_a_thin_shell() -> None:
    sizes = {p.name: len(p.read_text("utf-8").splitlines()) for p in (PACKAGE / "cli").glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > MAX_CLI_MODULE_LINES} == {}


def loaded_at_import(module: str) -> set[str]:
    """The package's modules that importing `module` loads (its top-level imports, followed; imports inside
    functions and under ``if TYPE_CHECKING`` are left out: they run later, or never)."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = PACKAGE.joinpath(*name.split(".")) if name else PACKAGE
        is_package = path.is_dir()
        file = path / "__init__.py" if is_package else path.with_suffix(".py")
        if not file.is_file():
            continue
        seen.add(name)
        body = ast.parse(file.read_text("utf-8")).body
        top = ast.Module(body=[n for n in body if isinstance(n, ast.Import | ast.ImportFrom)], type_ignores=[])
        todo += [target for _, target in imported_modules(ast.unparse(top), name, is_package)]
    return seen


def imports_pydantic(module: str) -> bool:
    path = PACKAGE.joinpath(*module.split("."))
    file = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return any(isinstance(n, ast.Import | ast.ImportFrom) and "pydantic" in ast.unparse(n)
               for n in ast.parse(file.read_text("utf-8")).body)


def test_repairing_text_does_not_load_pydantic() -> None:
    # Start-up cost of `cchc repair`: pydantic (~0.2 s to import and build models) is for the records and for a
    # user's dictionary file, not for repairing text. The engine loads the repair modules and what they import.
    modules = loaded_at_import("repair") | loaded_at_import("repair.engine") | loaded_at_import("resources")
    # (dictionary is loaded when the terms are first read)
    assert [m for m in sorted(modules | {"dictionary"}) if imports_pydantic(m)] == []
