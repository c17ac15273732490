"""The figures a regulator and management ask for, over the register: how long breaches went
unnoticed (occurrence → discovery), how fast the regulator heard (discovery → first report), how
fast people were told (discovery → first individual notices), the share of obligations met on
time, and the causes. Drill incidents never enter any figure."""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from incident_app.domain.incident import Cause
from incident_app.domain.register.outcomes import (
    Milestone,
    MilestoneKind,
    ObligationOutcome,
)


@dataclass(frozen=True)
class DurationSummary:
    """Hours between two moments over the incidents that have both (``None`` when none do)."""

    count: int
    median_hours: float | None
    mean_hours: float | None
    max_hours: float | None


@dataclass(frozen=True)
class RegisterMetrics:
    incidents: int
    drills_excluded: int
    occurrence_to_discovery: DurationSummary
    discovery_to_regulator_report: DurationSummary
    discovery_to_individual_notice: DurationSummary
    obligations_decided: int
    obligations_on_time: int
    on_time_share: float | None  # on time / (on time + late + overdue); None when nothing decided yet
    causes: tuple[tuple[Cause, int], ...]  # every cause, in the intake's order, zeros included
    # The enquiry desk across incidents: median time to the first reply, share on time, overdue.
    # (EnquiryMetrics.to_dict(): total, replied, overdue, median_reply_hours, on_time_share)
    enquiries: Mapping[str, Any] | None = None
    # When these figures stop being true without any record changing: the first legal due time
    # still ahead of ``as_of`` of an open obligation (it turns overdue then, and the on-time share
    # changes). A view showing them refreshes then; not part of the figures (not exported).
    as_of: datetime | None = field(default=None, compare=False)
    changes_at: datetime | None = field(default=None, compare=False)


def summarise_hours(hours: Iterable[float]) -> DurationSummary:
    values = sorted(hours)
    if not values:
        return DurationSummary(0, None, None, None)
    return DurationSummary(len(values), round(statistics.median(values), 2),
                           round(statistics.fmean(values), 2), round(values[-1], 2))


def _hours(start: datetime, end: datetime) -> float:
    # A milestone recorded before discovery is a data-entry slip; count it as immediate.
    return max(0.0, (end - start).total_seconds() / 3600)


class MetricFacts(Protocol):
    """The facts the metrics read (an incident's facts, or just these read by SQL)."""

    @property
    def drill(self) -> bool: ...
    @property
    def occurred_at(self) -> datetime | None: ...
    @property
    def discovered_at(self) -> datetime: ...
    @property
    def cause(self) -> Cause: ...


class MetricIncident(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def facts(self) -> MetricFacts: ...


@dataclass(frozen=True)
class MetricRow:
    """An incident as the metrics read it, without parsing its whole facts (10,000 at a time)."""

    id: int
    facts: _MetricRowFacts


@dataclass(frozen=True)
class _MetricRowFacts:
    drill: bool
    occurred_at: datetime | None
    discovered_at: datetime
    cause: Cause


def metric_row(incident_id: int, drill: bool, occurred_at: datetime | None, discovered_at: datetime,
               cause: str | None) -> MetricRow:
    return MetricRow(incident_id, _MetricRowFacts(drill, occurred_at, discovered_at, Cause(cause or Cause.OTHER)))


@dataclass(frozen=True)
class MetricPart:
    """One incident's share of the figures, as no clock changes it: obligations met on time and
    late, the legal due times of the open ones (overdue or pending is decided against ``now``
    when the figures are computed) and its first milestones. Kept with each cached assessment
    summary, so 10,000 incidents' figures are summed without rebuilding their outcomes."""

    on_time: int = 0
    late: int = 0
    open_dues: tuple[int, ...] = ()  # microseconds since the epoch (UTC): compared, never shown
    regulator_at: datetime | None = None
    individuals_at: datetime | None = None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(moment: datetime) -> int:
    """An aware time as whole microseconds since the epoch (exact, comparable as an int)."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def from_micros(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


def metric_part(outcomes: Iterable[ObligationOutcome], milestones: Iterable[Milestone]) -> MetricPart:
    """The part of one incident's outcomes and milestones (see :class:`MetricPart`)."""
    on_time = late = 0
    dues = []
    for o in outcomes:
        if o.not_applicable:
            continue
        if o.met_at is not None:
            if o.due is not None and o.met_at > o.due:
                late += 1
            else:
                on_time += 1
        elif o.due is not None:  # open without a legal due time: pending for good, never decided
            dues.append(to_micros(o.due))
    first: dict[MilestoneKind, datetime] = {}
    for m in milestones:
        if m.kind not in first or m.at < first[m.kind]:
            first[m.kind] = m.at
    return MetricPart(on_time, late, tuple(sorted(dues)), first.get(MilestoneKind.REGULATOR_REPORTED),
                      first.get(MilestoneKind.INDIVIDUALS_NOTIFIED))


def compute_metrics(
    incidents: Sequence[MetricIncident],
    milestones: Sequence[Milestone] = (),
    outcomes: Sequence[ObligationOutcome] = (),
    *,
    now: datetime,
) -> RegisterMetrics:
    """All register metrics. Milestones and outcomes of drills (or of unknown incidents) are ignored."""
    by_incident: dict[int, tuple[list[ObligationOutcome], list[Milestone]]] = {i.id: ([], []) for i in incidents}
    for o in outcomes:
        if o.incident_id in by_incident:
            by_incident[o.incident_id][0].append(o)
    for m in milestones:
        if m.incident_id in by_incident:
            by_incident[m.incident_id][1].append(m)
    parts = {iid: metric_part(found, reached) for iid, (found, reached) in by_incident.items()}
    return metrics_from_parts(incidents, parts, now=now)


def metrics_from_parts(incidents: Sequence[MetricIncident], parts: Mapping[int, MetricPart], *,
                       now: datetime) -> RegisterMetrics:
    """:func:`compute_metrics` from each incident's :class:`MetricPart` (an incident without one
    counts with no outcomes). An open obligation is overdue once ``now`` is past its due time."""
    real = [i for i in incidents if not i.facts.drill]
    now_us = to_micros(now)
    on_time = late = overdue = 0
    ahead: int | None = None
    for incident in real:
        part = parts.get(incident.id)
        if part is None:
            continue
        on_time += part.on_time
        late += part.late
        passed = bisect_left(part.open_dues, now_us)  # sorted: the overdue ones (due < now) come first
        overdue += passed
        if passed < len(part.open_dues) and (ahead is None or part.open_dues[passed] < ahead):
            ahead = part.open_dues[passed]
    decided = on_time + late + overdue
    empty = MetricPart()
    return RegisterMetrics(
        incidents=len(real),
        drills_excluded=len(incidents) - len(real),
        occurrence_to_discovery=summarise_hours(
            _hours(i.facts.occurred_at, i.facts.discovered_at) for i in real if i.facts.occurred_at),
        discovery_to_regulator_report=summarise_hours(
            _hours(i.facts.discovered_at, at) for i in real
            if (at := parts.get(i.id, empty).regulator_at) is not None),
        discovery_to_individual_notice=summarise_hours(
            _hours(i.facts.discovered_at, at) for i in real
            if (at := parts.get(i.id, empty).individuals_at) is not None),
        obligations_decided=decided,
        obligations_on_time=on_time,
        on_time_share=round(on_time / decided, 4) if decided else None,
        causes=tuple((c, sum(1 for i in real if i.facts.cause == c)) for c in Cause),
        as_of=now, changes_at=from_micros(ahead) if ahead is not None else None,
    )


def metrics_to_dict(metrics: RegisterMetrics) -> dict[str, object]:
    """JSON form (register export, CLI)."""

    def duration(d: DurationSummary) -> dict[str, object]:
        return {"count": d.count, "median_hours": d.median_hours, "mean_hours": d.mean_hours,
                "max_hours": d.max_hours}

    return {
        "incidents": metrics.incidents, "drills_excluded": metrics.drills_excluded,
        "occurrence_to_discovery": duration(metrics.occurrence_to_discovery),
        "discovery_to_regulator_report": duration(metrics.discovery_to_regulator_report),
        "discovery_to_individual_notice": duration(metrics.discovery_to_individual_notice),
        "obligations_decided": metrics.obligations_decided, "obligations_on_time": metrics.obligations_on_time,
        "on_time_share": metrics.on_time_share,
        "causes": {c.value: n for c, n in metrics.causes},
        "enquiries": dict(metrics.enquiries) if metrics.enquiries else None,
    }


def metrics_from_dict(d: Mapping[str, Any]) -> RegisterMetrics:
    """The figures back from :func:`metrics_to_dict` (the register's kept figures; ``as_of`` and
    ``changes_at`` are the reader's to set)."""

    def duration(v: Mapping[str, Any]) -> DurationSummary:
        return DurationSummary(int(v["count"]), v["median_hours"], v["mean_hours"], v["max_hours"])

    return RegisterMetrics(
        incidents=int(d["incidents"]), drills_excluded=int(d["drills_excluded"]),
        occurrence_to_discovery=duration(d["occurrence_to_discovery"]),
        discovery_to_regulator_report=duration(d["discovery_to_regulator_report"]),
        discovery_to_individual_notice=duration(d["discovery_to_individual_notice"]),
        obligations_decided=int(d["obligations_decided"]), obligations_on_time=int(d["obligations_on_time"]),
        on_time_share=d["on_time_share"], causes=tuple((Cause(c), int(n)) for c, n in d["causes"].items()),
        enquiries=d.get("enquiries"),
    )
