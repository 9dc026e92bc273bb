"""The entries of a document's body: list items (bullets, ``(1)``, ``a)``) with the lines they run over, and
the lines that begin with an outline label (``2.1.``, ``a)``) whether the outline took them as headings or not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..document import ListItem, NumberedLine
from .outline import BULLET_RE, LETTER_RE, NUMBER_RE

__all__ = ["ITEM_START_RE", "find_items", "find_numbered_lines"]

ITEM_START_RE = re.compile(r"^\s*(?P<label>\(\d{1,2}\)|[a-zđ]\)|[-+•–])\s*(?=\S)")
# a numbered line's label ends with a dot: "2.1." (not "2025 năm …")
NUMBER_LABEL_DOT_RE = re.compile(r"^\s*\d{1,2}(\.\d{1,2})*\s*\.")


def find_items(lines: Sequence[str], start: int, end: int) -> list[ListItem]:
    """The list items on lines start..end, each running to the next item (see :class:`ListItem`)."""
    items: list[ListItem] = []
    current: ListItem | None = None
    blank = False
    wraps = False  # the lines so far still wrap the current item itself
    for no in range(start, end + 1):
        stripped = lines[no - 1].strip()
        if not stripped:
            blank = True
            continue
        m = ITEM_START_RE.match(stripped)
        if m:
            current = ListItem(m["label"], no, [(no, stripped[m.end():].lstrip(".: "))], 1)
            items.append(current)
            wraps = True
        elif current is not None:
            current.parts.append((no, stripped))
            # after a blank line, prose ends the item; a line in small letters still wraps it
            wraps = wraps and (not blank or stripped[:1].islower())
            current.own += wraps
        blank = False
    return items


def find_numbered_lines(lines: Sequence[str], start: int, end: int) -> list[NumberedLine]:
    """The lines on start..end that begin with a numbered (``2.1.``) or lettered (``a)``) label."""
    found: list[NumberedLine] = []
    for no in range(start, end + 1):
        line = lines[no - 1]
        letter = LETTER_RE.match(line)
        number = NUMBER_RE.match(line)
        m = letter or number
        if not m or BULLET_RE.match(line):
            continue
        if number and not NUMBER_LABEL_DOT_RE.match(line):
            continue
        found.append(NumberedLine(no, "letter" if letter else "number", m["label"], m["title"]))
    return found
