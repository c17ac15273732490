"""How long affected people's contact data is kept after an incident closes.

The privacy policy promises to keep personal information only "for the shortest period necessary"
(and to delete or anonymise it afterwards). After handling closes, contacts are still needed for a
while: the CAC summary report is due within 30 days of closing (it needs counts, which stay),
people answer notices and ask questions (the policy promises a reply within 15 working days of each
request), bounced notices are re-sent, and the regulator may follow up on the report. 90 days
covers the 30-day report plus two months for those follow-ups; nothing the tool does needs the
contacts later, so the default is 90 days. The officer can change it (0 purges at closing).

What stays after the purge: the incident, its facts and counts, the register row, decisions,
the event log and the evidence packs already written."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import Incident, IncidentStatus

DEFAULT_RETENTION_DAYS = 90
MAX_RETENTION_DAYS = 3650  # ten years: anything longer is a typo, not a policy


@dataclass(frozen=True)
class RetentionPolicy:
    days_after_close: int = DEFAULT_RETENTION_DAYS

    def purge_due_at(self, incident: Incident) -> datetime | None:
        """When the incident's contact data falls due for purging (None while it is open)."""
        if incident.status != IncidentStatus.CLOSED or incident.handling_closed_at is None:
            return None
        return incident.handling_closed_at + timedelta(days=self.days_after_close)


def parse_retention_days(value: Any) -> int:
    """Validate a retention period in days; raises ValidationError saying what is allowed."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError.single("days_after_close", f"must be a whole number of days, got {value!r}")
    if not 0 <= value <= MAX_RETENTION_DAYS:
        raise ValidationError.single(
            "days_after_close", f"must be between 0 and {MAX_RETENTION_DAYS} days (got {value})")
    return value


@dataclass(frozen=True)
class PurgeCandidate:
    """A closed incident past its retention period, and the purge targets not yet run on it."""

    incident_id: int
    closed_at: datetime
    due_at: datetime
    pending_targets: tuple[str, ...]


def due_for_purge(
    incidents: Iterable[Incident], policy: RetentionPolicy, now: datetime,
    done: Mapping[int, Collection[str]], target_names: Iterable[str],
) -> list[PurgeCandidate]:
    """Closed incidents whose retention ended by ``now`` (drills included: their test data goes too).

    ``done`` maps an incident to the purge targets already run on it, so a target added later
    (a new kind of personal data) is still run on incidents purged before it existed.
    """
    names = tuple(target_names)
    found = []
    for incident in incidents:
        due = policy.purge_due_at(incident)
        if due is None or due > now or incident.handling_closed_at is None:
            continue
        pending = tuple(n for n in names if n not in done.get(incident.id, ()))
        found.append(PurgeCandidate(incident.id, incident.handling_closed_at, due, pending))
    return found
