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
