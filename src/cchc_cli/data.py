"""The data files of ``dictionaries/`` (shipped inside the package as ``cchc_cli.dictionaries``), and the one
strict loader every reader of them goes through.

YAML is read with YAML's safe loader (a tag such as ``!!python/object/apply`` is refused, never run), which
here also refuses a key repeated in one mapping; a shipped YAML file is a mapping with ``version: 1``. Every
problem is one :class:`DictionaryError` line naming the file, the line and the remedy. TSV files and word
lists are UTF-8 text whose ``#`` lines are comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, BinaryIO

import yaml

__all__ = ["DATA_PACKAGE", "DictionaryError", "load_yaml", "open_bytes", "read_bytes", "read_text", "read_tsv",
           "read_words", "read_yaml", "shipped_files"]

DATA_PACKAGE = "cchc_cli.dictionaries"


class DictionaryError(Exception):
    """A dictionary file that cannot be used; the message is one line: file, place, problem, remedy."""


_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # same rules, in C


class _StrictSafeLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """YAML's safe loader that also refuses a key repeated in one mapping (a forgotten '- ' merges two
    entries, and the safe loader would silently keep only the last value)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, Any] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be plain text", key_node.start_mark
            ) from None
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"key {key!r} appears twice in one entry (is a '- ' missing before a new entry?)",
                key_node.start_mark,
            )
        seen[key] = True
    return yaml.constructor.BaseConstructor.construct_mapping(loader, node, deep=True)  # already flattened


_StrictSafeLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _compose_and_construct(text: str) -> tuple[Any, yaml.Node | None]:
    loader = _StrictSafeLoader(text)
    try:
        node = loader.get_single_node()
        try:
            data = loader.construct_document(node) if node is not None else None
        except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
            # An explicit tag whose value cannot be built ("!!float abc", "!!timestamp 2025-13-45"): YAML's
            # constructors raise plain Python errors there, with no line.
            raise _BadScalar(_unbuildable(node), exc) from None
        return data, node
    finally:
        loader.dispose()


class _BadScalar(Exception):
    def __init__(self, node: yaml.Node | None, cause: Exception) -> None:
        super().__init__(str(cause))
        self.node = node


def _unbuildable(root: yaml.Node | None) -> yaml.Node | None:
    """The first scalar under `root` that YAML's safe constructors cannot build."""
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop(0)
        if isinstance(node, yaml.ScalarNode):
            builder = _StrictSafeLoader("")
            try:
                builder.construct_object(node, deep=True)
            except Exception:  # noqa: BLE001 - any failure marks the node
                return node
            finally:
                builder.dispose()
        elif isinstance(node, yaml.SequenceNode):
            stack[:0] = node.value
        elif isinstance(node, yaml.MappingNode):
            stack[:0] = [part for pair in node.value for part in pair]
    return None


def _yaml_problem(name: str, exc: yaml.YAMLError) -> DictionaryError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"line {mark.line + 1}: " if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc)
    tag_match = re.search(r"tag '([^']*)'", problem)
    if isinstance(exc, yaml.constructor.ConstructorError) and tag_match:
        tag = tag_match.group(1).replace("tag:yaml.org,2002:", "!!")
        return DictionaryError(
            f"{name}: {where}the tag {tag} is not allowed: a dictionary holds plain text only — remove the tag"
        )
    if isinstance(exc, yaml.constructor.ConstructorError):
        return DictionaryError(f"{name}: {where}{problem} — fix the entry")
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark is not mark:
        problem = f"{problem} ({context} that starts on line {context_mark.line + 1})"
    return DictionaryError(
        f"{name}: {where}YAML syntax error: {problem} — fix the syntax "
        "(put text that contains ': ' or ' #' or starts with a special character in quotes)"
    )


def load_yaml(text: str, name: str) -> tuple[Any, yaml.Node | None]:
    """The content of YAML `text` and its root node (for line numbers); `name` is used in error messages."""
    try:
        return _compose_and_construct(text)
    except yaml.YAMLError as exc:
        raise _yaml_problem(name, exc) from None
    except _BadScalar as exc:
        node = exc.node
        where = f"line {node.start_mark.line + 1}: " if node is not None else ""
        tag = node.tag.replace("tag:yaml.org,2002:", "!!") if node is not None else "its tag"
        value = f"{node.value!r} " if node is not None else ""
        raise DictionaryError(f"{name}: {where}the value {value}cannot be read as {tag} ({exc}) — remove the tag "
                              "or fix the value") from None


def _shipped(name: str) -> Traversable:
    return files(DATA_PACKAGE).joinpath(name)


def open_bytes(name: str) -> BinaryIO:
    """The shipped file `name`, open for reading bytes (for reading only its head)."""
    return _shipped(name).open("rb")


def read_bytes(name: str) -> bytes:
    """The bytes of the shipped file `name` (a model artifact, a dictionary)."""
    return _shipped(name).read_bytes()


def read_text(name: str) -> str:
    return _shipped(name).read_text(encoding="utf-8-sig")


def read_yaml(name: str) -> dict[str, Any]:
    """A shipped YAML file, checked to be a mapping with ``version: 1``."""
    content, _ = load_yaml(read_text(name), f"{DATA_PACKAGE}/{name}")
    if not isinstance(content, dict) or content.get("version") != 1:
        raise DictionaryError(f"{DATA_PACKAGE}/{name}: expected a mapping with version: 1 — fix the file")
    return content


def read_tsv(name: str, columns: int) -> Iterator[list[str]]:
    """The rows of a shipped TSV file (comment lines and blank lines skipped), each with `columns` cells."""
    for number, line in enumerate(read_text(name).splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != columns:
            raise DictionaryError(f"{DATA_PACKAGE}/{name}: line {number}: expected {columns} tab-separated "
                                  f"columns, found {len(cells)} — fix the line")
        yield cells


def read_words(name: str) -> list[str]:
    """A shipped word list: one entry a line, comments and blank lines skipped."""
    return [w.strip() for w in read_text(name).splitlines() if w.strip() and not w.startswith("#")]


def shipped_files() -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every data file shipped in the package, by name."""
    for entry in sorted(files(DATA_PACKAGE).iterdir(), key=lambda e: e.name):
        if entry.is_file() and not entry.name.endswith((".py", ".pyc")):
            yield entry.name, entry.read_bytes()
