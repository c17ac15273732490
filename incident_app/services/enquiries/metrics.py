"""The enquiry desk's figures (median time to the first reply, the share on time), from the
stored enquiries alone: the register's metrics read them without importing the desk's reply
templates and mail relay (services/enquiries/service.py)."""

from __future__ import annotations

from dataclasses import replace

from incident_app.domain.enquiries import EnquiryMetrics, reply_metrics
from incident_app.services.context import AppContext


def enquiry_metrics(ctx: AppContext, incident_id: int | None = None) -> EnquiryMetrics:
    """Median time to the first reply and the share on time. One incident: its own figures
    (a drill's marked as such); all incidents (None): real incidents only, as the register's
    metrics count them, with the number of drill enquiries left out."""
    store = ctx.store
    repo, now = store.enquiries, ctx.now()
    if incident_id is not None:
        found = reply_metrics(repo.count(incident_id), repo.overdue_count(now, incident_id),
                              repo.reply_pairs(incident_id))
        return replace(found, drill=store.incidents.get(incident_id).facts.drill)
    # Only the drills among the incidents with enquiries matter here, and only the counts (not the
    # policy clocks that EnquiryRepository.loads also reads).
    drills = repo.drill_incident_ids()
    counts = repo.counts()
    total = sum(n for i, n in counts.items() if i not in drills)
    found = reply_metrics(total, repo.overdue_count(now, exclude=drills), repo.reply_pairs(exclude=drills))
    return replace(found, drills_excluded=sum(n for i, n in counts.items() if i in drills))
