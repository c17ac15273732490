"""Validation errors that name the field (and row) at fault and say what to do."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field of an input: where it is and what to do about it."""

    field: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {self.message}"


class ValidationError(ValueError):
    """Input was rejected; ``problems`` lists every field at fault, not only the first."""

    def __init__(self, problems: Iterable[FieldProblem]) -> None:
        self.problems: tuple[FieldProblem, ...] = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems) or "invalid input")

    @classmethod
    def single(cls, field: str, message: str, row: int | None = None) -> ValidationError:
        """Shortcut for an error with one problem."""
        return cls([FieldProblem(field, message, row)])


class OpenObligationsError(ValidationError):
    """Closing was refused because obligations are still open; ``open_ids`` names them. The
    officer may close anyway once they confirm (``--force`` on the CLI, a question in the GUI)."""

    def __init__(self, open_ids: Iterable[str]) -> None:
        self.open_ids: tuple[str, ...] = tuple(open_ids)
        super().__init__([FieldProblem("status", "obligations are still open: " + ", ".join(self.open_ids)
                                       + "; record them (fulfil/decide) first, or close anyway with --force")])


class NotFoundError(LookupError):
    """A referenced object (incident, notice, person…) does not exist."""
