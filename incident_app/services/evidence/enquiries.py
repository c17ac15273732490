"""Evidence-pack section for the enquiry desk: counts by topic, the reply metrics, and every
complaint and request (deletion, correction, compensation) with its own status and clocks. The
enquirer's contact appears masked, never in full; what they wrote stays out of the pack."""

from __future__ import annotations

import csv
import io
from typing import Any

from incident_app.domain.clock import to_iso
from incident_app.domain.enquiries import REQUEST_TOPICS, Enquiry, EnquiryFilter
from incident_app.domain.exports import neutralise_row
from incident_app.services.evidence.base import EvidenceFile, EvidenceRequest, json_bytes

PAGE = 5000
REQUEST_COLUMNS = ("enquiry", "topic", "channel", "received_at", "contact_masked", "status", "request_status",
                   "reply_due", "close_due", "first_reply_at", "closed_at", "overdue", "replied_on_time",
                   "handled_on_time")


def enquiries_section(req: EvidenceRequest) -> list[EvidenceFile]:
    """enquiries/summary.json (counts and metrics) and enquiries/requests.csv (one line per
    complaint or request)."""
    desk = req.services.enquiries
    summary = desk.requests_summary(req.incident_id) | {
        "note": "counts; requests.csv lists complaints and requests with masked contacts only"}
    return [("enquiries/summary.json", json_bytes(summary)),
            ("enquiries/requests.csv", _requests_csv(req))]


def _requests_csv(req: EvidenceRequest) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REQUEST_COLUMNS)
    now = req.services.ctx.now()
    desk = req.services.enquiries
    for topic in sorted(REQUEST_TOPICS):
        offset = 0
        while True:
            page = desk.page(req.incident_id, EnquiryFilter(topic=topic), offset, PAGE)
            writer.writerows(neutralise_row(_row(e, now)) for e in page)
            if len(page) < PAGE:
                break
            offset += PAGE
    return out.getvalue().encode("utf-8")


def _row(e: Enquiry, now: Any) -> list[Any]:
    def iso(moment: Any) -> str:
        return to_iso(moment) if moment else ""

    return [e.id, e.topic.value, e.channel.value, iso(e.received_at), e.masked_contact, e.status.value,
            e.outcome.value if e.outcome else "", iso(e.reply_due), iso(e.close_due), iso(e.first_reply_at),
            iso(e.closed_at), e.overdue(now), _yes_no(e.replied_on_time()), _yes_no(_handled_on_time(e))]


def _handled_on_time(e: Enquiry) -> bool | None:
    """None while open (or for a question, which has no handling clock)."""
    if e.close_due is None or e.closed_at is None:
        return None
    return e.closed_at <= e.close_due


def _yes_no(value: bool | None) -> str:
    """'' while it cannot be judged yet: 'overdue' says whether it is late now; these say whether
    the answer, once given, came in time (a late answer is no longer overdue)."""
    return "" if value is None else str(value)
