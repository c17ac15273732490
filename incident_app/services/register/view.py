"""Rows for the incident register on the home screen.

A 10,000-incident register must not wait for 10,000 assessments (~0.75 ms each): the rows come
first from the incidents table alone, and the grade and next deadline of the rows actually shown
are filled in per batch (:func:`register_details`, which the register model asks the helper
process for as it fetches rows). The first screen is one short query of the newest rows
(:func:`register_first_rows`, with the fresh cached grades); every row follows
(:func:`register_load`, in the helper process); a live refresh reads only the incidents whose
records changed since (:func:`register_changes`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from incident_app.domain.incident import Incident, IncidentStatus, IncidentSummary
from incident_app.services.container import Services
from incident_app.services.register.summary import (
    AssessmentSummary,
    current_keys,
    fresh_summaries,
    summaries,
)


@dataclass(frozen=True)
class RegisterRow:
    id: int
    title: str
    status: IncidentStatus
    discovered_at: datetime
    affected_people: int
    grade: str | None
    next_deadline: datetime | None
    next_deadline_label: str
    drill: bool
    assessed: bool = True  # False until register_details filled in the grade and the deadline
    # The grade still waits for the officer's judgement (shown with summary.JUDGEMENT_MARK; the
    # grade itself stays the code, so the reader's word and the grade filter find it).
    grade_needs_judgement: bool = False


def register_rows(services: Services) -> list[RegisterRow]:
    """One row per incident, newest first, without assessing anything: grade and next deadline
    are empty (``assessed`` False) until :func:`register_details` fills them."""
    return [_bare_row(s, imported) for s, imported in services.ctx.store.incidents.register_summaries()]


def _bare_row(summary: IncidentSummary, imported_people: int) -> RegisterRow:
    # The imported count once there is one, else the estimate, as the assessment counts them
    # (domain/assessment/people.py).
    return RegisterRow(
        id=summary.id, title=summary.title, status=summary.status, discovered_at=summary.discovered_at,
        affected_people=imported_people or summary.affected_people, grade=None, next_deadline=None,
        next_deadline_label="", drill=summary.drill, assessed=False)


@dataclass(frozen=True)
class RegisterLoad:
    """Rows read as of event ``seq`` (the newest event before they were read: a change committed
    while they were read is read again by the next :func:`register_changes`)."""

    seq: int
    rows: list[RegisterRow]


@dataclass(frozen=True)
class RegisterChanges:
    """What changed since a :class:`RegisterLoad`: the changed incidents' bare rows (new ones
    included), the ids of changed incidents that are gone, and whether every row's assessment may
    have changed (a change of no incident that the assessment reads: the profile, the rules)."""

    seq: int
    rows: list[RegisterRow]
    gone: list[int]
    reassess_all: bool


def register_load(services: Services) -> RegisterLoad:
    """Every bare row, with the event they are current as of."""
    seq = services.ctx.store.assessment_cache.newest_seq()
    return RegisterLoad(seq, register_rows(services))


def register_first_rows(services: Services, limit: int) -> RegisterLoad:
    """The ``limit`` newest incidents' rows (the first screen: one query stopping after them), with
    the grade and deadline already in the rows whose cached summary is fresh (:func:`cached_details`);
    the others show "…" until the helper process answers for them."""
    seq = services.ctx.store.assessment_cache.newest_seq()
    rows = [_bare_row(s, imported) for s, imported in services.ctx.store.incidents.register_summaries(limit=limit)]
    # The bare rows already hold what the assessed ones add to: no incident is loaded whole here.
    fresh = fresh_summaries(services, current_keys(services, [r.id for r in rows]))
    return RegisterLoad(seq, [_assessed_row(r, fresh[r.id]) if r.id in fresh else r for r in rows])


def register_changes(services: Services, since_seq: int) -> RegisterChanges:
    """The rows of the incidents changed after event ``since_seq`` only (a live refresh reads
    what changed, not 10,000 rows)."""
    seq, changed, shared = services.ctx.store.assessment_cache.changes_since(since_seq)
    ids = sorted(changed)
    rows = [_bare_row(s, imported) for s, imported in services.ctx.store.incidents.register_summaries(ids=ids)]
    found = {r.id for r in rows}
    return RegisterChanges(seq, rows, [i for i in ids if i not in found], shared)


def register_details(services: Services, incident_ids: Sequence[int]) -> dict[int, RegisterRow]:
    """The assessed rows (grade, next deadline, people counted by the assessment) of these
    incidents only: one batch of what the register shows. Fresh cached summaries are used as they
    are; the others are assessed here (services/register/summary.py)."""
    incidents = services.ctx.store.incidents.get_many(incident_ids)
    found = summaries(services, incidents)
    return {i.id: _assessed_row(_bare_row(_summary_of(i), 0), found[i.id]) for i in incidents}


def cached_details(services: Services, incident_ids: Sequence[int]) -> dict[int, RegisterRow]:
    """Like :func:`register_details`, but only the rows whose cached summary is fresh, assessing
    nothing (a few SQL reads): the register shows these at once and asks for the rest off the
    GUI process (services/register/helper.py)."""
    fresh = fresh_summaries(services, current_keys(services, list(incident_ids)))
    if not fresh:
        return {}
    incidents = services.ctx.store.incidents.get_many(list(fresh))
    return {i.id: _assessed_row(_bare_row(_summary_of(i), 0), fresh[i.id]) for i in incidents}


WireRow = tuple[int, str, str, float, int, str | None, float | None, str, bool, bool, bool]


def row_to_wire(row: RegisterRow) -> WireRow:
    """A register row as plain values (str, int, float, bool): what the helper process sends back.
    Unpickling 10,000 dataclasses with enums and time zones takes ~0.2 s in one call holding the
    GIL (a stall of the window); tuples of plain values take a tenth of that."""
    deadline = row.next_deadline.timestamp() if row.next_deadline is not None else None
    return (row.id, row.title, row.status.value, row.discovered_at.timestamp(), row.affected_people, row.grade,
            deadline, row.next_deadline_label, row.drill, row.assessed, row.grade_needs_judgement)


def row_from_wire(wire: WireRow) -> RegisterRow:
    """The register row back from :func:`row_to_wire` (times in UTC: the same instants)."""
    iid, title, status, discovered, people, grade, deadline, label, drill, assessed, judgement = wire
    return RegisterRow(iid, title, IncidentStatus(status), datetime.fromtimestamp(discovered, UTC), people, grade,
                       None if deadline is None else datetime.fromtimestamp(deadline, UTC), label, drill, assessed,
                       judgement)


def _summary_of(incident: Incident) -> IncidentSummary:
    facts = incident.facts
    title = facts.title or str(facts.text_in("title", "en"))  # an English-only title still lists
    return IncidentSummary(incident.id, title, incident.status, facts.discovered_at, facts.affected_people,
                           facts.drill)


def assessed_register_rows(services: Services) -> list[RegisterRow]:
    """Every row with its grade and deadline, assessing every incident (for a small register or a
    caller that needs them all at once)."""
    rows = register_rows(services)
    details = register_details(services, [r.id for r in rows])
    return [details.get(r.id, r) for r in rows]


def _assessed_row(row: RegisterRow, summary: AssessmentSummary) -> RegisterRow:
    return replace(row, affected_people=summary.people_total, grade=summary.records.grade,
                   grade_needs_judgement=summary.records.grade_needs_judgement,
                   next_deadline=summary.next_deadline, next_deadline_label=summary.next_deadline_label,
                   assessed=True)
