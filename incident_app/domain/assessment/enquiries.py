"""What the privacy policy's reply obligations read about an incident's enquiries: each enquiry
has its own clocks (domain/enquiries), and the obligation follows the oldest one still waiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class EnquiryLoad:
    """Per incident: how many enquiries, the arrival of the earliest one still waiting for a reply
    / for handling (verification), and the last first reply / closing."""

    total: int
    oldest_unreplied: datetime | None
    oldest_unhandled: datetime | None
    last_reply: datetime | None
    last_closed: datetime | None
    needing_verification: int
    # Once nothing waits: the (arrival, first reply) of the enquiry answered latest against its
    # own clock, and the (arrival, closing) of the request handled latest against its own, so the
    # met duty keeps a due time and says when an answer came late (None: none answered/handled).
    latest_reply: tuple[datetime, datetime] | None = None
    latest_handled: tuple[datetime, datetime] | None = None
