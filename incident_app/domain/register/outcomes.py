"""What happened after an incident was logged, as the register and the metrics read it:
obligations met on time or late (with the reason), the first report to the regulator, the first
notices to individuals, and how many people were notified through each channel.

These are plain inputs: the assessment engine, the notices and the send ledger supply them
(services/register/sources.py maps their events and tables onto these types)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class OutcomeStatus(StrEnum):
    MET_ON_TIME = "met_on_time"
    MET_LATE = "met_late"
    OVERDUE = "overdue"              # still open and past its deadline
    PENDING = "pending"              # still open, deadline not reached
    NOT_APPLICABLE = "not_applicable"  # judged not to apply, by a recorded decision


@dataclass(frozen=True)
class ObligationOutcome:
    """One obligation of one incident and whether it was met in time.

    ``due`` is ``None`` when no deadline applies; meeting it then counts as on time.
    ``reason`` explains a late or not-applicable outcome (the register prints it).
    """

    incident_id: int
    obligation_id: str
    recipient: str
    due: datetime | None
    met_at: datetime | None
    not_applicable: bool = False
    reason: str = ""

    def status(self, now: datetime) -> OutcomeStatus:
        """The outcome as of ``now``."""
        if self.not_applicable:
            return OutcomeStatus.NOT_APPLICABLE
        if self.met_at is not None:
            late = self.due is not None and self.met_at > self.due
            return OutcomeStatus.MET_LATE if late else OutcomeStatus.MET_ON_TIME
        if self.due is not None and now > self.due:
            return OutcomeStatus.OVERDUE
        return OutcomeStatus.PENDING


# Outcomes that count in the on-time share: decided either way.
DECIDED = (OutcomeStatus.MET_ON_TIME, OutcomeStatus.MET_LATE, OutcomeStatus.OVERDUE)


class MilestoneKind(StrEnum):
    REGULATOR_REPORTED = "regulator_reported"
    INDIVIDUALS_NOTIFIED = "individuals_notified"


@dataclass(frozen=True)
class Milestone:
    """A moment the metrics measure to: e.g. the first report reached the regulator."""

    incident_id: int
    kind: MilestoneKind
    at: datetime


def first_milestone(milestones: Iterable[Milestone], incident_id: int, kind: MilestoneKind) -> datetime | None:
    """The earliest ``kind`` milestone of one incident, if any."""
    times = [m.at for m in milestones if m.incident_id == incident_id and m.kind == kind]
    return min(times) if times else None


def earliest_milestones(milestones: Iterable[Milestone]) -> dict[tuple[int, MilestoneKind], datetime]:
    """The first moment of each (incident, kind), in one pass (for thousands of incidents)."""
    earliest: dict[tuple[int, MilestoneKind], datetime] = {}
    for m in milestones:
        key = (m.incident_id, m.kind)
        if key not in earliest or m.at < earliest[key]:
            earliest[key] = m.at
    return earliest
