"""Retention: after an incident closes and its retention period has passed, affected people's
contact data is purged (or anonymised) by the purge targets; counts, facts and the register stay.

A purge target is whoever owns a kind of personal data: it gets the services and the incident id,
removes or anonymises that incident's data, and returns how many records it changed. It runs
inside the purge transaction, so the data change, the purge record and the ``retention.purged``
event commit together or not at all. Targets are passed in; :data:`DEFAULT_PURGE_TARGETS` is the
list the composition roots use: the people table (anonymised by services/people/service.py, which also
deletes the import reports) and the send ledger's addresses."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from incident_app.domain.clock import to_iso
from incident_app.domain.retention import (
    DEFAULT_RETENTION_DAYS,
    PurgeCandidate,
    RetentionPolicy,
    due_for_purge,
    parse_retention_days,
)
from incident_app.services.container import Services
from incident_app.services.people import PURGE_TARGET as PEOPLE_PURGE_TARGET
from incident_app.services.progress import Progress
from incident_app.storage import send_ledger

RETENTION_SETTING = "retention_days_after_close"
PURGE_EVENT = "retention.purged"


@dataclass(frozen=True)
class PurgeTarget:
    """``purge(services, incident_id) -> records changed``; ``name`` is stable (it is stored).

    ``chunked(services, incident_id, progress) -> records changed`` (optional), for data too
    large for one transaction (a 10,000,000-row send ledger): it runs first, outside the purge
    transaction, committing chunk by chunk so memory and the write-ahead log stay small, and must
    be idempotent — a purge killed or cancelled half-way leaves rows purged each whole, the
    incident still due, and the next purge finishes it. ``purge`` then runs inside the purge
    transaction and picks up whatever is left."""

    name: str
    purge: Callable[[Services, int], int]
    chunked: Callable[[Services, int, Progress | None], int] | None = None


def _purge_people(services: Services, incident_id: int) -> int:
    """Inside the purge transaction: what the chunked pass left, the enquiries, the reports."""
    return services.people.purge_contacts(incident_id)


def _purge_people_in_chunks(services: Services, incident_id: int, progress: Progress | None) -> int:
    """The people, committed chunk by chunk with a resumable marker (services/people/service.py)."""
    return services.people.purge_contacts_in_chunks(incident_id, progress)


def _purge_ledger_addresses(services: Services, incident_id: int) -> int:
    """Inside the purge transaction: the rows the chunked pass left (normally none)."""
    return services.ctx.store.send_ledger.anonymise_for_incident(incident_id)[0]


def _purge_ledger_in_chunks(services: Services, incident_id: int, progress: Progress | None) -> int:
    """The ledger's addresses and relay echoes, :data:`send_ledger.PURGE_CHUNK` rows per
    transaction in id order (keyset): memory holds one chunk; Cancel stops between chunks. The
    count includes the rows an earlier run, killed or cancelled half-way, already committed: the
    purge record says how many rows the purge changed, not how many this run did."""
    store, after = services.ctx.store, 0
    changed = store.send_ledger.count_anonymised(incident_id)
    while True:
        if progress is not None:
            progress.check()
        with store.transaction():
            count, last = store.send_ledger.anonymise_for_incident(
                incident_id, after_id=after, limit=send_ledger.PURGE_CHUNK)
        changed += count
        if last is None:
            return changed
        after = last


DEFAULT_PURGE_TARGETS: tuple[PurgeTarget, ...] = (
    PurgeTarget(PEOPLE_PURGE_TARGET, _purge_people, _purge_people_in_chunks),
    PurgeTarget("send_ledger.addresses", _purge_ledger_addresses, _purge_ledger_in_chunks),
)


@dataclass(frozen=True)
class PurgeResult:
    incident_id: int
    records_by_target: dict[str, int]


def retention_policy(services: Services) -> RetentionPolicy:
    days = services.ctx.store.settings.get(RETENTION_SETTING, DEFAULT_RETENTION_DAYS)
    return RetentionPolicy(int(days))


def set_retention_days(services: Services, days: object) -> RetentionPolicy:
    """Change the retention period; the event keeps the old and new values."""
    new = parse_retention_days(days)
    old = retention_policy(services).days_after_close
    store = services.ctx.store
    with store.transaction():
        store.settings.set(RETENTION_SETTING, new)
        services.ctx.record("settings.retention_changed", "settings", RETENTION_SETTING, {"from": old, "to": new})
    return RetentionPolicy(new)


def purge_candidates(
    services: Services, targets: Sequence[PurgeTarget] = DEFAULT_PURGE_TARGETS,
) -> list[PurgeCandidate]:
    """Closed incidents past retention, each with the targets still to run on it."""
    return due_for_purge(
        services.incidents.list(), retention_policy(services), services.ctx.now(),
        services.ctx.store.retention.done_targets(), [t.name for t in targets],
    )


def purge_due(services: Services, targets: Sequence[PurgeTarget] = DEFAULT_PURGE_TARGETS, *,
              incident_ids: Collection[int] | None = None, progress: Progress | None = None) -> list[PurgeResult]:
    """Run every pending purge target on every incident past retention, one transaction per incident
    (after the chunked passes of the targets that have one, see :class:`PurgeTarget`).

    ``incident_ids`` limits the purge to those incidents (the ones the officer confirmed: an
    incident that became due meanwhile waits for the next purge). ``progress`` counts incidents;
    Cancel stops before the next incident — the ones already purged stay purged, each whole — or
    between two chunks of a chunked pass: that incident stays due and the next purge finishes it."""
    by_name = {t.name: t for t in targets}
    due = [c for c in purge_candidates(services, targets)
           if c.pending_targets and (incident_ids is None or c.incident_id in incident_ids)]
    if progress is not None:
        progress.start(len(due), "incidents")
    results = []
    for candidate in due:
        if progress is not None:
            progress.check()
        results.append(_purge_one(services, candidate, [by_name[n] for n in candidate.pending_targets], progress))
        if progress is not None:
            progress.advance(message="incidents")
    if progress is not None:
        progress.finish()
    return results


def _purge_one(services: Services, candidate: PurgeCandidate, targets: list[PurgeTarget],
               progress: Progress | None = None) -> PurgeResult:
    store, now = services.ctx.store, services.ctx.now()
    with store.transaction():  # what the ledger said about the people, before any key is blanked
        services.assessment.keep_delivery_record(candidate.incident_id)
    with store.erasing():
        # The large data first, chunk by chunk (committed; a re-run after a kill finishes it) ...
        chunked = {t.name: int(t.chunked(services, candidate.incident_id, progress))
                   for t in targets if t.chunked is not None}
        with store.transaction():  # ... then the rest, the record and the event together.
            counts = _finish_purge(services, candidate, targets, chunked, now)
    return PurgeResult(candidate.incident_id, counts)


def _finish_purge(services: Services, candidate: PurgeCandidate, targets: list[PurgeTarget],
                  chunked: dict[str, int], now: datetime) -> dict[str, int]:
    store = services.ctx.store
    counts: dict[str, int] = {}
    for target in targets:
        counts[target.name] = chunked.get(target.name, 0) + int(target.purge(services, candidate.incident_id))
        store.retention.record(candidate.incident_id, target.name, now, counts[target.name])
    services.ctx.record(PURGE_EVENT, "incident", candidate.incident_id, {
        "records_by_target": counts, "closed_at": to_iso(candidate.closed_at),
        "retention_days": retention_policy(services).days_after_close,
    }, candidate.incident_id)
    return counts
