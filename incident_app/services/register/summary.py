"""Assessment summaries: what the register and its metrics need of each incident's assessment,
kept in the database (storage/assessment_cache.py) so 10,000 incidents are not re-assessed for
every metrics refresh, register row or export.

A cached summary is used only while it is *fresh*:
- its input key equals the incident's current one (storage/assessment_cache.py lists what the key
  covers: every change of a record of the incident or of the organisation profile changes it),
  and the rules and code version it was computed with are the running ones;
- the clock has not passed ``valid_until``, the earliest deadline still ahead when it was computed
  (an obligation turns from pending to overdue then, and the next deadline may change).

Otherwise it is recomputed from the records (the same code the register used before the cache:
``services.assessment.assess_all`` and ``sources.records_of_assessments``) and stored again. The
time-dependent part of what the metrics count (pending or overdue *now*) is recomputed on every
read from the cached due and met times (``ObligationOutcome.status(now)``)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from incident_app import __version__
from incident_app.domain.clock import parse_time
from incident_app.domain.incident import Incident
from incident_app.domain.register import Milestone, MilestoneKind, ObligationOutcome
from incident_app.domain.register.metrics import MetricPart, from_micros, metric_part, to_micros
from incident_app.services.container import Services
from incident_app.services.register.sources import IncidentRecords, records_of_assessments
from incident_app.services.resources import RESOURCES_DIR

if TYPE_CHECKING:
    from incident_app.domain.assessment.engine import Assessment

# Marks a grade still waiting for the officer's judgement (the register must not look final).
JUDGEMENT_MARK = " ⚠"
# Marks a clock that is an internal target (the law says 'immediately'/'promptly' with no number).
INTERNAL_MARK = "*"
# Bump when AssessmentSummary's stored form, or how its figures are computed, changes (2: its
# metric part "m"; 3: people per channel matched to the people now on the list, each by their
# latest ledger row, and the minors' duty counting the teenagers' guardians — a summary cached
# before the change is never served, though the rules files and the code version are the same;
# 4: the duty, like the register, counts a person told only by their latest ledger row).
SUMMARY_FORMAT = 4


@dataclass(frozen=True)
class AssessmentSummary:
    """One incident's assessment as the register reads it."""

    records: IncidentRecords
    people_total: int
    next_deadline: datetime | None
    next_deadline_label: str  # the regime, with INTERNAL_MARK when the clock is an internal target

    @property
    def grade_label(self) -> str | None:
        grade = self.records.grade
        return None if grade is None else grade + (JUDGEMENT_MARK if self.records.grade_needs_judgement else "")


@cache
def rules_version() -> str:
    """A digest of the rules, the catalog, the holiday calendar's tables (working-day deadlines)
    and the code version: a summary computed under other rules (an upgrade) is never served."""
    import chinese_calendar  # its tables decide working-day deadlines; importing it does no I/O

    calendar = getattr(chinese_calendar, "__version__", "")
    digest = hashlib.sha256(f"{__version__}|{SUMMARY_FORMAT}|{calendar}".encode())
    sources = [*sorted((RESOURCES_DIR / "rules").glob("*.json")), RESOURCES_DIR / "catalog.json",
               RESOURCES_DIR / "profile.json"]
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def summaries(services: Services, incidents: Sequence[Incident]) -> dict[int, AssessmentSummary]:
    """The summary of every incident given: fresh cached ones as they are, the others computed
    now and stored."""
    keys = current_keys(services, [i.id for i in incidents])
    found = fresh_summaries(services, keys)
    stale = [i for i in incidents if i.id not in found]
    if stale:
        # Read again AFTER the keys: the caller's copy may predate a change another process
        # committed since, and a summary of the old facts stored under the new key would be
        # served as fresh until the next change (a stale grade in the register).
        again = {i.id: i for i in services.ctx.store.incidents.get_many([i.id for i in stale])}
        found |= compute_and_store(services, [again.get(i.id, i) for i in stale], keys)
    return found


# A commit that changed more incidents than this (a bulk operation) leaves their summaries to the
# next register read in the helper process: assessing them here could hold a GUI worker thread's GIL.
WRITE_THROUGH_MAX = 20
log = logging.getLogger(__name__)


def write_through(services: Services, incident_ids: set[int]) -> None:
    """Store the current summary of the incidents a commit just changed (the service that commits a
    change keeps its summary current), so the register finds every summary fresh and only a change
    every assessment reads (the profile, the rules) leaves them all to recompute. Never fails the
    change it follows: a summary that cannot be computed or stored now is computed when next read."""
    if not incident_ids or len(incident_ids) > WRITE_THROUGH_MAX:
        return
    try:
        summaries(services, services.ctx.store.incidents.get_many(sorted(incident_ids)))
    except Exception:  # the change is committed; its summary is only a cache
        log.warning("assessment summaries of %s not kept current now", sorted(incident_ids), exc_info=True)


def current_keys(services: Services, incident_ids: list[int] | None = None) -> dict[int, str | None]:
    """The input key of each incident with the rules version (None: not cacheable now)."""
    version = rules_version()
    return {i: None if k is None else f"{k}|{version}"
            for i, k in services.ctx.store.assessment_cache.input_keys(incident_ids).items()}


def fresh_summaries(services: Services, keys: Mapping[int, str | None]) -> dict[int, AssessmentSummary]:
    """The cached summaries still fresh for ``keys`` (from :func:`current_keys`) now."""
    cached = services.ctx.store.assessment_cache.read(list(keys))
    return {incident_id: summary_from_json(json.loads(text), incident_id)
            for incident_id, text in _fresh(services, keys, cached).items()}


def fresh_metric_parts(services: Services, keys: Mapping[int, str | None]) -> dict[int, MetricPart]:
    """The metric parts of every cached summary still fresh for ``keys`` (every incident's, from
    :func:`current_keys`): only the part is read (by SQL), no outcome is rebuilt."""
    cached = services.ctx.store.assessment_cache.read(part=METRIC_PART)
    return {incident_id: part_from_json(json.loads(text))
            for incident_id, text in _fresh(services, keys, cached).items()}


def _fresh(services: Services, keys: Mapping[int, str | None],
           cached: Mapping[int, tuple[str, str | None, str]]) -> dict[int, str]:
    now = services.ctx.now()
    until_passed: dict[str, bool] = {}  # many summaries share a valid-until time: parsed once each
    found = {}
    for incident_id, (key, until, text) in cached.items():
        if key != keys.get(incident_id):
            continue
        if until is not None:
            if until not in until_passed:
                until_passed[until] = now >= parse_time(until)
            if until_passed[until]:
                continue
        found[incident_id] = text
    return found


def compute_and_store(services: Services, incidents: Sequence[Incident],
                      keys: Mapping[int, str | None]) -> dict[int, AssessmentSummary]:
    """Assess ``incidents`` and store their summaries under ``keys`` (read BEFORE the assessment
    and before ``incidents`` were loaded: a change committed meanwhile leaves an older key on a
    newer summary, which is recomputed next time, never a newer key on an older one)."""
    now = services.ctx.now()
    assessments = services.assessment.assess_all(incidents)
    records = records_of_assessments(services, incidents, assessments)
    found, rows = {}, {}
    for incident, assessment in zip(incidents, assessments, strict=True):
        summary = _summary(records[incident.id], assessment)
        found[incident.id] = summary
        key = keys.get(incident.id)
        if key is not None:
            until = _valid_until(assessment, now)
            rows[incident.id] = (key, _time(until),
                                 json.dumps(summary_to_json(summary), ensure_ascii=False))
    services.ctx.store.assessment_cache.write(rows)
    return found


def _summary(records: IncidentRecords, assessment: Assessment) -> AssessmentSummary:
    nxt = assessment.next_deadline()
    label = "" if nxt is None else nxt.regime.value + ("" if nxt.deadline.due else INTERNAL_MARK)
    return AssessmentSummary(records, assessment.people.total, nxt.deadline.clock if nxt else None, label)


def _valid_until(assessment: Assessment, now: datetime) -> datetime | None:
    """The first moment after ``now`` at which an obligation's due time or internal target
    passes: an open one turns overdue then (and the next deadline may move)."""
    ahead = [t for o in assessment.obligations for t in (o.deadline.due, o.deadline.clock)
             if t is not None and t > now]
    return min(ahead, default=None)


# -- stored form ------------------------------------------------------------------------------
def _time(value: datetime | None) -> str | None:
    # Full precision (to_iso keeps seconds): a met time a fraction of a second after its due time
    # is late, and must stay late when read back.
    return value.isoformat() if value is not None else None


def _parsed(value: Any) -> datetime | None:
    return parse_time(str(value)) if value else None


def summary_to_json(s: AssessmentSummary) -> dict[str, Any]:
    r = s.records
    return {
        "grade": r.grade, "needs_judgement": r.grade_needs_judgement,
        "outcomes": [[o.obligation_id, o.recipient, _time(o.due), _time(o.met_at), o.not_applicable, o.reason]
                     for o in r.outcomes],
        "milestones": [[m.kind.value, m.at.isoformat()] for m in r.milestones],
        "notified": dict(r.notified), "counts": dict(r.counts), "people_total": s.people_total,
        "next_deadline": _time(s.next_deadline), "next_label": s.next_deadline_label,
        METRIC_PART: part_to_json(metric_part(r.outcomes, r.milestones)),
    }


METRIC_PART = "m"  # the key of the summary's MetricPart in its stored JSON


def part_to_json(p: MetricPart) -> list[Any]:
    return [p.on_time, p.late, list(p.open_dues), _micros(p.regulator_at), _micros(p.individuals_at)]


def part_from_json(d: Sequence[Any]) -> MetricPart:
    on_time, late, dues, regulator, individuals = d
    return MetricPart(int(on_time), int(late), tuple(dues), _moment(regulator), _moment(individuals))


def _micros(value: datetime | None) -> int | None:
    return None if value is None else to_micros(value)


def _moment(value: int | None) -> datetime | None:
    return None if value is None else from_micros(int(value))


def summary_from_json(d: Mapping[str, Any], iid: int) -> AssessmentSummary:
    """The summary of incident ``iid`` back from :func:`summary_to_json` (the cache row's id)."""
    outcomes = tuple(ObligationOutcome(iid, o[0], o[1], _parsed(o[2]), _parsed(o[3]), bool(o[4]), str(o[5]))
                     for o in d["outcomes"])
    milestones = tuple(Milestone(iid, MilestoneKind(m[0]), parse_time(m[1])) for m in d["milestones"])
    records = IncidentRecords(grade=d["grade"], grade_needs_judgement=bool(d["needs_judgement"]), outcomes=outcomes,
                              milestones=milestones, notified=dict(d["notified"]), counts=dict(d["counts"]))
    return AssessmentSummary(records, int(d["people_total"]), _parsed(d["next_deadline"]), str(d["next_label"]))

