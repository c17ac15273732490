"""What every use case needs: the store, who is acting, and what time it is."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from incident_app.domain.catalog import Catalog
from incident_app.domain.clock import utc_now
from incident_app.domain.proof import Event, EventDraft
from incident_app.storage.store import Store


def os_user() -> str:
    """The operating-system user, the default actor in the event log."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


@dataclass
class AppContext:
    """Shared by the services of one thread: store, catalog, clock."""

    store: Store
    catalog: Catalog
    clock: Callable[[], datetime] = field(default=utc_now)

    @property
    def actor(self) -> str:
        """The actor name from settings, else the OS user."""
        name = self.store.settings.get("actor")
        return str(name) if name else os_user()

    def now(self) -> datetime:
        return self.clock()

    def record(
        self, type: str, object_type: str, object_id: object, payload: dict[str, Any],
        incident_id: int | None = None,
    ) -> Event:
        """Append an event as the current actor at the current time."""
        draft = EventDraft(type, object_type, str(object_id), payload, incident_id)
        return self.store.record(draft, actor=self.actor, at=self.now())
