"""Output conventions of the command line: JSON on stdout, messages on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any


class CliError(Exception):
    """A failure the user can act on; ``exit_code`` 2 for bad input, 1 for other failures."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def print_json(value: Any) -> None:
    """Machine-readable result: indented UTF-8 JSON on stdout."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def say(message: str) -> None:
    """Human-readable progress or hint, kept off stdout so JSON stays parseable."""
    sys.stderr.write(message + "\n")


def read_json_file(path: str) -> Any:
    """Read a JSON input file with errors a person can act on."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise CliError(f"{path}: file not found", 2) from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text; save the JSON file as UTF-8", 2) from None
    except json.JSONDecodeError as exc:
        raise CliError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", 2) from None
