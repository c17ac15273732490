"""What the Overview tab and the intake review show about deadlines: plain objects, no Qt.

The assessment engine (obligations with their legal source and confidence) feeds these two hooks;
until it is wired in they return no clocks and the screens say so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incident_app.domain.incident import IntakeFacts
from incident_app.domain.profile import OrganisationProfile
from incident_app.services.container import Services


@dataclass(frozen=True)
class DeadlineClock:
    """One deadline the officer must meet.

    ``due`` is None when the law says "immediately" without a number of hours (PIPL Art. 57);
    ``confidence`` is the fact base's mark (✅ confirmed, ◐ secondary, ❓ unconfirmed)."""

    label: str
    due: datetime | None
    source: str
    confidence: str = "✅"
    recipient: str = ""
    done: bool = False


def deadline_clocks(services: Services, incident_id: int) -> list[DeadlineClock]:
    """The incident's open obligations as countdown clocks, soonest first (none until the
    assessment engine supplies obligations)."""
    services.incidents.get(incident_id)  # a missing incident is an error, not an empty list
    return []


def preview_obligations(facts: IntakeFacts, profile: OrganisationProfile) -> list[DeadlineClock]:
    """The first obligations the intake facts trigger, for the wizard's review page (none until the
    assessment engine supplies them; the page then says they will be listed after saving)."""
    return []
