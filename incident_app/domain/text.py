"""One rule for every free-text field the officer types or loads from a JSON file (intake,
remediation, decisions): no invisible control characters, no bidirectional overrides, no lone
surrogates, and a length that fits the field. Such characters end up in notices sent to
regulators and to every affected person, where a BEL or ESC garbles a terminal, a NUL breaks DOCX
export, and a right-to-left override (U+202E) makes "exe.txt" read as "txt.exe"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Lengths per field kind: a name or list item, a short line (place, system), a prose field.
NAME_MAX = 200
LINE_MAX = 500
PROSE_MAX = 10_000
LIST_MAX_ITEMS = 200

_ALLOWED_CONTROLS = frozenset("\n\t")
# Embedding/override (U+202A–U+202E) and isolate (U+2066–U+2069) controls reorder what a reader
# sees; the marks U+200E/U+200F only set direction and are harmless, so they stay.
_BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
# Every character _is_forbidden refuses, as one class: a text is searched in C (every stored
# incident's texts are cleaned on each load: 10,000 incidents char by char in Python cost ~1 s).
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def _is_forbidden(char: str) -> bool:
    code = ord(char)
    if char in _ALLOWED_CONTROLS:
        return False
    if code < 0x20 or 0x7F <= code <= 0x9F:  # C0, DEL, C1
        return True
    if 0xD800 <= code <= 0xDFFF:  # a lone surrogate: JSON "\ud800" decodes to one
        return True
    return char in _BIDI_CONTROLS


def _describe(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"an invalid character (lone surrogate U+{code:04X})"
    if char in _BIDI_CONTROLS:
        return f"a text-direction override (U+{code:04X}), which can disguise what the text says"
    name = unicodedata.name(char, "") or {0: "NUL", 7: "BEL", 0x1B: "ESC", 0x7F: "DEL"}.get(code, "control")
    return f"an invisible control character (U+{code:04X} {name})"


def text_problem(value: str, max_len: int = PROSE_MAX) -> str | None:
    """Why ``value`` cannot be stored as a text field, or None when it can. Newlines and tabs
    are allowed; the message says where the first bad character is and what to do."""
    if len(value) > max_len:
        return f"is {len(value)} characters; keep it under {max_len}"
    found = _FORBIDDEN.search(value)
    if found is not None:
        return f"contains {_describe(found.group())} at character {found.start() + 1}; remove it and retype the text"
    return None


def clean_text(value: str) -> str:
    """``value`` without the characters :func:`text_problem` refuses: for text stored before the
    rule existed, so it never reaches a notice."""
    return _FORBIDDEN.sub("", value)


def strings_problem(values: Iterable[str], max_len: int = NAME_MAX,
                    max_items: int = LIST_MAX_ITEMS) -> str | None:
    """The first problem of a list of short texts (each item as :func:`text_problem`)."""
    items = list(values)
    if len(items) > max_items:
        return f"has {len(items)} entries; keep it to {max_items}"
    for number, item in enumerate(items, start=1):
        problem = text_problem(item, max_len)
        if problem:
            return f"entry {number} {problem}"
    return None
