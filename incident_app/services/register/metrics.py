"""The register's metrics (the register view's panel, the export's metrics sheet): from the
figures kept from the last run while they still hold, else from each incident's cached metric part
(services/register/summary.py), assessing only the incidents without a fresh one. The register's
helper process imports this module, not the export's (services/register/export.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from incident_app.domain.clock import parse_time
from incident_app.domain.incident import Incident
from incident_app.domain.register.metrics import (
    RegisterMetrics,
    compute_metrics,
    metric_part,
    metric_row,
    metrics_from_dict,
    metrics_from_parts,
    metrics_to_dict,
)
from incident_app.services.container import Services
from incident_app.services.enquiries.metrics import enquiry_metrics
from incident_app.services.register.sources import IncidentRecords, RegisterSources
from incident_app.services.register.summary import compute_and_store, current_keys, fresh_metric_parts


def metrics_of_records(incidents: Sequence[Incident], found: Mapping[int, IncidentRecords],
                       now: datetime) -> RegisterMetrics:
    """The metrics of ``incidents`` from their records (drills left out by compute_metrics)."""
    outcomes = [o for r in found.values() for o in r.outcomes]
    milestones = [m for r in found.values() for m in r.milestones]
    return compute_metrics(incidents, milestones, outcomes, now=now)


METRICS_SNAPSHOT = "metrics"  # the kept figures' name (storage/assessment_cache.py)
COMPUTE_CHUNK = 1_000  # incidents assessed and stored per step of a cold run


def register_metrics(services: Services, sources: RegisterSources | None = None) -> RegisterMetrics:
    """Only the metrics (the register view's panel): no rows are built. With the default sources
    the figures kept from the last run are used while every incident's input key and the clock
    say they still hold; else the incidents' facts are read by SQL and only incidents without a
    fresh cached summary are loaded whole and assessed (services/register/summary.py)."""
    if sources is not None:
        incidents = services.incidents.list()
        metrics = metrics_of_records(incidents, sources.records(services, incidents), services.ctx.now())
    else:
        metrics = _metrics_from_summaries(services)
    return replace(metrics, enquiries=enquiry_metrics(services.ctx).to_dict())


def kept_metrics(services: Services) -> RegisterMetrics | None:
    """The figures kept from the last metrics run, unchecked (one small read, nothing assessed):
    what the panel shows at once while the current ones are computed. None before any run."""
    kept = services.ctx.store.assessment_cache.read_snapshot(METRICS_SNAPSHOT)
    if kept is None:
        return None
    body = json.loads(kept[2])
    return replace(metrics_from_dict(body["metrics"]), as_of=parse_time(body["as_of"]))


def _register_key(keys: Mapping[int, str | None]) -> str | None:
    """One key over every incident's input key (None when one of them may not be cached now)."""
    if any(k is None for k in keys.values()):
        return None
    digest = hashlib.sha256()
    for incident_id in sorted(keys):
        digest.update(f"{incident_id}={keys[incident_id]};".encode())
    return digest.hexdigest()


def _metrics_from_summaries(services: Services) -> RegisterMetrics:
    now = services.ctx.now()
    keys = current_keys(services)
    register_key = _register_key(keys)
    cache = services.ctx.store.assessment_cache
    kept = cache.read_snapshot(METRICS_SNAPSHOT)
    if kept is not None and register_key is not None and kept[0] == register_key and (
            kept[1] is None or now < parse_time(kept[1])):
        body = json.loads(kept[2])  # nothing changed and no due time passed: the last figures hold
        metrics = metrics_from_dict(body["metrics"])
        return replace(metrics, as_of=now, changes_at=parse_time(body["changes_at"]) if body["changes_at"] else None)
    rows = [metric_row(i, drill, parse_time(occurred) if occurred else None, parse_time(discovered), cause)
            for i, drill, occurred, discovered, cause in services.ctx.store.incidents.metric_rows()]
    parts = fresh_metric_parts(services, keys)  # each summary's part only: no outcome is rebuilt
    stale = [r.id for r in rows if r.id not in parts]
    for first in range(0, len(stale), COMPUTE_CHUNK):  # stored per step: a run cut short keeps its work
        chunk = stale[first:first + COMPUTE_CHUNK]
        computed = compute_and_store(services, services.ctx.store.incidents.get_many(chunk), keys)
        parts |= {i: metric_part(s.records.outcomes, s.records.milestones) for i, s in computed.items()}
    metrics = metrics_from_parts(rows, parts, now=now)
    if register_key is not None:
        _keep_metrics(services, register_key, metrics, now)
    return metrics


def _keep_metrics(services: Services, register_key: str, metrics: RegisterMetrics, now: datetime) -> None:
    # Valid until an open obligation's due time passes (the figures change) or a summary stops
    # being fresh (it would be recomputed), whichever comes first.
    cache = services.ctx.store.assessment_cache
    ahead = [t for t in (parse_time(u) for u in cache.valid_untils()) if t > now]
    if metrics.changes_at is not None:
        ahead.append(metrics.changes_at)
    until = min(ahead, default=None)
    body = {"metrics": metrics_to_dict(metrics), "as_of": now.isoformat(),
            "changes_at": metrics.changes_at.isoformat() if metrics.changes_at else None}
    cache.write_snapshot(METRICS_SNAPSHOT, (register_key, until.isoformat() if until else None,
                                            json.dumps(body, ensure_ascii=False)))
