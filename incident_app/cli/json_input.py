"""Reading the JSON files the officer hands to ``new``, ``remediation`` and ``decide``.

Python's json module accepts more than JSON: NaN and Infinity, integers of any length (up to a
4,300-digit ValueError), nesting until the interpreter's recursion limit, and "\\ud800" escapes
that decode to lone surrogates no encoder can write back. Each of these reached the database or
crashed later; here they are refused up front with the place in the file (exit 2)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from incident_app.cli.output import CliError
from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.incident import ABSURD_NUMBER, typed_number
from incident_app.services.private_files import InputFileError, read_regular_file

MAX_FILE_BYTES = 16 * 1024 * 1024  # an intake with a few hundred notes is well under 1 MB
MAX_DEPTH = 32  # the deepest real input (decision details) is 3 levels
MAX_INT_DIGITS = 100  # longer ones are refused before Python converts them (that is quadratic)
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


class _NonFinite(float):
    """A NaN/Infinity read from the file, remembered by its spelling for the message."""

    spelling: str

    def __new__(cls, spelling: str) -> _NonFinite:
        value = super().__new__(cls, spelling.replace("Infinity", "inf"))
        value.spelling = spelling
        return value


def read_json_file(path: str) -> Any:
    """Read a JSON input file with errors a person can act on: CliError (exit 2) for an unreadable
    or malformed file, ValidationError naming the place for a value no field can hold."""
    text = _read_text(path)
    depth = _max_depth(text)
    if depth > MAX_DEPTH:
        raise CliError(f"{path}: nested {depth} levels deep; input files nest at most {MAX_DEPTH} levels", 2)
    try:
        data = json.loads(text, parse_constant=_NonFinite, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise CliError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", 2) from None
    except _TooLongError as exc:
        raise CliError(f"{path}: a number with {exc.digits} digits; counts and amounts above 10^12 "
                       "are refused as absurd", 2) from None
    problems = list(_value_problems(data, ""))
    if problems:
        raise ValidationError(problems)
    return data


def _read_text(path: str) -> str:
    try:
        # A pipe or device would block the read forever: only a regular file is read.
        return read_regular_file(Path(path), MAX_FILE_BYTES).decode("utf-8-sig")
    except InputFileError as exc:
        raise CliError(str(exc), 2) from None
    except FileNotFoundError:
        raise CliError(f"{path}: file not found", 2) from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a folder; give the JSON file", 2) from None
    except PermissionError:
        raise CliError(f"{path}: not allowed to read this file; check its permissions", 1) from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text; save the JSON file as UTF-8", 2) from None


def _max_depth(text: str) -> int:
    """How deeply arrays/objects nest, counted outside strings (json.loads would recurse)."""
    deepest = depth = 0
    for char in _STRINGS.sub('""', text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


class _TooLongError(ValueError):
    def __init__(self, digits: int) -> None:
        super().__init__(digits)
        self.digits = digits


def _parse_int(literal: str) -> int:
    digits = len(literal.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _TooLongError(digits)
    return int(literal)


def _value_problems(value: Any, where: str) -> Any:
    """Every value no field can hold, with its place (``actions[2].due_at``)."""
    if isinstance(value, dict):
        for key, item in value.items():
            place = f"{where}.{key}" if where else str(key)
            if _has_surrogate(key):
                yield FieldProblem(place.encode("utf-8", "backslashreplace").decode(),
                                   "the key holds an invalid character (lone surrogate)")
            yield from _value_problems(item, place)
    elif isinstance(value, list):
        for index, item in enumerate(value, start=1):
            yield from _value_problems(item, f"{where or '(file)'}[{index}]")
    elif isinstance(value, _NonFinite):
        yield FieldProblem(where or "(file)", f"{value.spelling} is not a number JSON allows; write a number")
    elif isinstance(value, float) and not math.isfinite(value):
        yield FieldProblem(where or "(file)", "is too large to be a number; write a number")
    elif isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > ABSURD_NUMBER:
        yield FieldProblem(where or "(file)", f"{typed_number(value)} is absurd (more than 10^12); check the number")
    elif isinstance(value, str) and _has_surrogate(value):
        yield FieldProblem(where or "(file)", "contains an invalid character (lone surrogate, e.g. \\ud800); "
                                              "retype the text")


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)
