"""How many people are affected, as the assessment sees it. The intake gives estimates; the
affected-people import (another capability) gives confirmed counts and who cannot be reached.
The assessment accepts anything with these three attributes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

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
    estimate: int = 0  # the intake's estimate of people, kept beside the imported count

    @property
    def gap_to_estimate(self) -> int:
        """How many people the imported list falls short of the intake estimate (0 when none)."""
        return list_gap(self.estimate, self.total if self.source == "import" else None)

    @classmethod
    def from_intake(cls, facts: IntakeFacts) -> PeopleCounts:
        return cls(facts.affected_people, facts.affected_minors, None, "intake",
                   facts.affected_minors_under_14, facts.affected_minors_14_17, facts.affected_people)


def combine_counts(facts: IntakeFacts, imported: PeopleCountsLike | None) -> PeopleCounts:
    """Once a people list is imported its counts replace the intake's estimates — people, minors
    and both bands — so the assessment, every notice and the register say the same numbers (the
    officer raises the estimate by importing the rest of the list)."""
    if imported is None:
        return PeopleCounts.from_intake(facts)
    return PeopleCounts(
        total=imported.total, minors=imported.minors, unreachable=imported.unreachable, source="import",
        children=int(getattr(imported, "children", 0)), teens=int(getattr(imported, "teens", 0)),
        estimate=facts.affected_people,
    )


def list_gap(estimate: int, imported_total: int | None) -> int:
    """People the intake estimated but the imported list does not (yet) hold. The list's count is
    the one used (exact, and the notices go to those people); the gap is shown to the officer, never
    silently dropped: either the rest of the list is still to import or the estimate was high."""
    if imported_total is None or imported_total <= 0:
        return 0
    return max(estimate - imported_total, 0)


def people_count(snapshot_data: Mapping[str, Any]) -> dict[str, Any]:
    """Which number a notice snapshot prints, and how far an imported list falls short of the
    intake estimate (the Notices tab and the ``notices`` command show it)."""
    people, facts = snapshot_data.get("people") or {}, snapshot_data.get("facts") or {}
    imported, total = bool(people.get("imported")), int(people.get("total") or 0)
    estimate = int(facts.get("affected_people") or 0)
    return {"used": total, "source": "import" if imported else "intake", "intake_estimate": estimate,
            "gap_to_estimate": list_gap(estimate, total if imported else None)}


def gap_note(estimate: int, imported_total: int) -> str:
    """The command line's note about a list smaller than the estimate (stderr, English)."""
    return (f"note: the imported list holds {imported_total:,} people but the intake estimated {estimate:,}; "
            f"the assessment and every notice use the list's {imported_total:,}. Import the rest of the list "
            "(import-people ID FILE), or correct the estimate (edit ID --json) if it was too high")
