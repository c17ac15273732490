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
    """People counts used by the assessment; ``unreachable`` is None while nobody has checked."""

    total: int
    minors: int
    unreachable: int | None
    source: str

    @classmethod
    def from_intake(cls, facts: IntakeFacts) -> PeopleCounts:
        return cls(facts.affected_people, facts.affected_minors, None, "intake")


def combine_counts(facts: IntakeFacts, imported: PeopleCountsLike | None) -> PeopleCounts:
    """The larger of the intake estimate and the imported count, so a partial import never
    lowers the grade (the officer lowers the estimate in the facts if it was too high)."""
    if imported is None:
        return PeopleCounts.from_intake(facts)
    return PeopleCounts(
        total=max(facts.affected_people, imported.total),
        minors=max(facts.affected_minors, imported.minors),
        unreachable=imported.unreachable,
        source="intake+import",
    )
