"""The Timeline tab's rows: each logged event with a one-line summary of its payload in the
officer's language. Payloads hold no personal contact data, so summarising them is safe."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from incident_app.domain.clock import SHANGHAI
from incident_app.domain.i18n import Translator
from incident_app.domain.proof import Event
from incident_app.services.container import Services

MAX_SUMMARY = 160


@dataclass(frozen=True)
class TimelineRow:
    seq: int
    at: datetime
    actor: str
    type: str
    type_label: str
    summary: str


def timeline_rows(services: Services, incident_id: int, tr: Translator) -> list[TimelineRow]:
    """The incident's events, newest first, summarised."""
    return [timeline_row(e, tr) for e in services.audit.timeline(incident_id)]


def timeline_row(event: Event, tr: Translator) -> TimelineRow:
    key = f"timeline.type.{event.type}"
    label = tr.t(key)
    return TimelineRow(event.seq, event.at, event.actor, event.type,
                       event.type if label == key else label, summarize_event(event, tr))


def summarize_event(event: Event, tr: Translator) -> str:
    """A short human summary: specific for the events this app knows, generic for the rest."""
    summarizer = _SUMMARIZERS.get(event.type, _generic)
    return _clip(summarizer(event.payload, tr))


def _created(p: dict[str, Any], tr: Translator) -> str:
    return str(p.get("title", ""))


def _facts_changed(p: dict[str, Any], tr: Translator) -> str:
    keys = [_field_label(k, tr) for k in p.get("changes", {})]
    return tr.t("timeline.summary.facts_changed", fields=tr.t("wizard.value.separator").join(keys))


def _status_changed(p: dict[str, Any], tr: Translator) -> str:
    return tr.t("timeline.summary.status_changed", before=tr.t(f"status.{p.get('from')}"),
                after=tr.t(f"status.{p.get('to')}"), comment=p.get("comment", ""))


def _remediation_added(p: dict[str, Any], tr: Translator) -> str:
    notes = p.get("notes", [])
    return tr.t("timeline.summary.remediation_added", actions=len(p.get("actions", [])),
                advice=sum(1 for n in notes if n.get("kind") == "advice"),
                remedies=sum(1 for n in notes if n.get("kind") == "remedy"))


def _remediation_updated(p: dict[str, Any], tr: Translator) -> str:
    after = p.get("to", {})
    status = tr.t(f"remediation.status.{after.get('status')}")
    return tr.t("timeline.summary.remediation_updated", description=after.get("description", ""), status=status)


def _decision(p: dict[str, Any], tr: Translator) -> str:
    return tr.t("timeline.summary.decision", kind=tr.t(f"decisions.kind.{p.get('kind')}"),
                by=p.get("decided_by", ""), rationale=_rationale_shown(p.get("rationale", ""), tr))


def _rationale_shown(value: Any, tr: Translator) -> str:
    """A decision's rationale in the UI language (either language when only one was written)."""
    if not isinstance(value, dict):
        return str(value)
    lang = "en" if tr.lang == "en" else "zh-CN"
    return str(value.get(lang) or value.get("zh-CN") or value.get("en") or "")


def _person_corrected(p: dict[str, Any], tr: Translator) -> str:
    """Which fields of which person changed and how the channel moved (the payload has no values)."""
    channel = p.get("channel", {})
    fields = tr.t("wizard.value.separator").join(tr.t(f"people.edit.field.{f}") for f in p.get("fields", []))
    return tr.t("timeline.summary.person_corrected", person=p.get("person_id", ""), fields=fields,
                before=tr.t(f"people.channel.{channel.get('from')}"), after=tr.t(f"people.channel.{channel.get('to')}"),
                reason=p.get("reason", ""))


# Payload keys the generic summary names (catalog "timeline.field.<key>"), in this order; other keys
# (hashes, ids of internal records, nested structures) are left out rather than shown as code.
_GENERIC_FIELDS = ("what", "where", "kind", "notice_kind", "channel", "lang", "langs", "formats", "element", "count",
                   "files", "versions", "by", "approved_by", "reason", "status", "days", "purged", "sent", "failed",
                   "rows", "delivered", "changed")
# Fields whose values are codes, and the catalog prefix of their words.
_CODED_VALUES = {"kind": "notices.kind", "notice_kind": "notices.kind", "channel": "notices.channel",
                 "lang": "notices.lang", "langs": "notices.lang", "what": "timeline.what",
                 "element": "decisions.element"}


def _generic(p: dict[str, Any], tr: Translator) -> str:
    """'文件数：195；语言：中文、英文': the payload fields a person can read, in words, never key=value."""
    parts = []
    for key in _GENERIC_FIELDS:
        value = p.get(key)
        if value in (None, "", []):
            continue
        text = _generic_value(key, value, tr)
        if text:
            parts.append(tr.t("timeline.summary.field", label=tr.t(f"timeline.field.{key}"), value=text))
    return tr.t("wizard.value.separator").join(parts[:5]) if tr.lang != "en" else "; ".join(parts[:5])


def _generic_value(key: str, value: Any, tr: Translator) -> str:
    if isinstance(value, bool):
        return tr.t("wizard.value.yes" if value else "wizard.value.no")
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return f"{len(value):,}"
        return tr.t("wizard.value.separator").join(_generic_value(key, v, tr) for v in value)
    if isinstance(value, int | float):
        return f"{value:,}"
    if isinstance(value, str):
        return tr.word(_CODED_VALUES[key], value) if key in _CODED_VALUES else value
    return ""


def _field_label(key: str, tr: Translator) -> str:
    label = tr.t(f"wizard.field.{key}")
    return key if label.startswith("wizard.field.") else label


def _reminder_shown(p: dict[str, Any], tr: Translator) -> str:
    """Which obligation was reminded, how long before its due time (0: at expiry)."""
    due = str(p.get("due", ""))
    with contextlib.suppress(ValueError):
        due = datetime.fromisoformat(due).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    lead = p.get("lead_minutes", 0)
    key = "timeline.summary.reminder_expired" if not lead else "timeline.summary.reminder_shown"
    return tr.t(key, obligation=p.get("obligation", ""), lead=lead, due=due)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_SUMMARY else text[: MAX_SUMMARY - 1] + "…"


_SUMMARIZERS: dict[str, Callable[[dict[str, Any], Translator], str]] = {
    "incident.created": _created,
    "incident.facts_changed": _facts_changed,
    "incident.status_changed": _status_changed,
    "remediation.added": _remediation_added,
    "remediation.updated": _remediation_updated,
    "decision.recorded": _decision,
    "people.corrected": _person_corrected,
    "reminder.shown": _reminder_shown,
}
