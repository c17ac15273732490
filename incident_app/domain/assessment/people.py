"""How many people are affected, as the assessment sees it. The intake gives estimates; the
affected-people import (another capability) gives confirmed counts and who cannot be reached.
The assessment accepts anything with these three attributes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from incident_app.domain.incident import IntakeFacts


class PeopleCountsLike(Protocol):
    """The shape the affected-people import provides (structural: no import needed)."""

    @property
    def total(self) -> int: ...

    @property
    def minors(self) -> int: ...

    @property
    def unreachable(self) -> int | None: ...


@dataclass(frozen=True)
class PeopleCounts:
    """People counts used by the assessment; ``unreachable`` is None while nobody has checked.
    ``minors`` counts everyone under 18; ``children`` (under 14) and ``teens`` (14-17) split it,
    and may add up to less while the intake has not split its estimate."""

    total: int
    minors: int
    unreachable: int | None
    source: str
    children: int = 0
    teens: int = 0

    @classmethod
    def from_intake(cls, facts: IntakeFacts) -> PeopleCounts:
        return cls(facts.affected_people, facts.affected_minors, None, "intake",
                   facts.affected_minors_under_14, facts.affected_minors_14_17)


def combine_counts(facts: IntakeFacts, imported: PeopleCountsLike | None) -> PeopleCounts:
    """Once a people list is imported its counts replace the intake's estimates — people, minors
    and both bands — so the assessment, every notice and the register say the same numbers (the
    officer raises the estimate by importing the rest of the list)."""
    if imported is None:
        return PeopleCounts.from_intake(facts)
    return PeopleCounts(
        total=imported.total, minors=imported.minors, unreachable=imported.unreachable, source="import",
        children=int(getattr(imported, "children", 0)), teens=int(getattr(imported, "teens", 0)),
    )
