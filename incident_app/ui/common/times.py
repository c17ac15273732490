"""Times as the officer reads them on screen: Beijing time (the company's legal home), one format
for every view. The words "Beijing time" go in the caption or message that shows them."""

from __future__ import annotations

from datetime import datetime

from incident_app.domain.clock import SHANGHAI

MINUTES = "%Y-%m-%d %H:%M"
SECONDS = "%Y-%m-%d %H:%M:%S"


def beijing_time(moment: datetime | None, *, seconds: bool = False) -> str:
    """``2026-11-20 09:30`` in Beijing time ("" for no time)."""
    return moment.astimezone(SHANGHAI).strftime(SECONDS if seconds else MINUTES) if moment else ""
