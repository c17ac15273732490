"""Use cases on the incident itself: create from intake, read, update facts, move status."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from incident_app.domain.clock import SHANGHAI, to_iso
from incident_app.domain.errors import FieldProblem, OpenObligationsError, ValidationError
from incident_app.domain.incident import (
    BILINGUAL_KEYS,
    FACT_LANGS,
    UNTRANSLATED,
    Incident,
    IncidentStatus,
    IntakeFacts,
    merged_bilingual,
    parse_intake,
)
from incident_app.domain.text import PROSE_MAX, text_problem
from incident_app.services.context import AppContext

STATUS_ORDER = list(IncidentStatus)


class IncidentService:
    def __init__(self, ctx: AppContext, open_obligations: Callable[[int], Iterable[str]] | None = None) -> None:
        self._ctx = ctx
        # The ids of the incident's open obligations (from its assessment; the container wires it).
        self._open_obligations = open_obligations

    def validate_intake(self, data: Mapping[str, Any]) -> IntakeFacts:
        """Check an intake mapping against the catalog and the clock; raises ValidationError."""
        return parse_intake(data, self._ctx.catalog.ids(), now=self._ctx.now())

    def create(self, data: Mapping[str, Any]) -> Incident:
        """Validate and store a new incident with its 'created' event, in one transaction."""
        facts = self.validate_intake(data)
        return self.create_from_facts(facts)

    def create_from_facts(self, facts: IntakeFacts) -> Incident:
        store = self._ctx.store
        with store.transaction():
            incident = store.incidents.add(facts, now=self._ctx.now())
            self._ctx.record(
                "incident.created", "incident", incident.id,
                {"title": facts.title, "facts": facts.to_dict()}, incident.id,
            )
        return incident

    def get(self, incident_id: int) -> Incident:
        return self._ctx.store.incidents.get(incident_id)

    def list(self, *, include_drills: bool = True) -> list[Incident]:
        return self._ctx.store.incidents.list(include_drills=include_drills)

    def update_facts(self, incident_id: int, changes: Mapping[str, Any]) -> Incident:
        """Change some facts; the event records old and new values of each changed key."""
        current = self.get(incident_id)
        before = current.facts.to_dict()
        merged = before | merged_bilingual(before, _merged_ransom(before, changes))
        facts = self.validate_intake(merged)
        before, after = current.facts.to_dict(), facts.to_dict()
        keys = [*after, *(k for k in before if k not in after)]  # a removed ransom is a change too
        diff = {k: {"from": before.get(k), "to": after.get(k)} for k in keys if before.get(k) != after.get(k)}
        if not diff:
            return current
        store = self._ctx.store
        with store.transaction():
            updated = store.incidents.update_facts(incident_id, facts, now=self._ctx.now())
            self._ctx.record("incident.facts_changed", "incident", incident_id, {"changes": diff}, incident_id)
        return updated

    def set_fact_text(self, incident_id: int, key: str, lang: str, value: str | builtins.list[str]) -> Incident:
        """One language of a bilingual fact (BILINGUAL_KEYS); the other keeps its value, and this
        one is no longer marked untranslated (it was edited)."""
        _check_bilingual(key, lang)
        return self.update_facts(incident_id, {key: {lang: value}})

    def start_from_other_language(self, incident_id: int, key: str, lang: str) -> Incident:
        """Fill ``lang`` of a bilingual fact with the other language's value, marked untranslated
        until edited: its notices stay incomplete ("English text untranslated: summary")."""
        _check_bilingual(key, lang)
        facts = self.get(incident_id).facts
        other = "en" if lang == "zh-CN" else "zh-CN"
        source = facts.text_in(key, other)
        if not source:
            raise ValidationError.single(key, f"has no {other} value to start from")
        marks = sorted({*(m for m in FACT_LANGS if facts.is_untranslated(key, m) and m != other), lang})
        value = list(source) if isinstance(source, tuple) else source
        return self.update_facts(incident_id, {key: {lang: value, UNTRANSLATED: marks}})

    def change_status(self, incident_id: int, status: IncidentStatus, comment: str,
                      force: bool = False) -> Incident:
        """Move the workflow on (or back) with a mandatory comment; closing stamps the anchor
        'handling closed' that starts the CAC 30-day summary-report clock, and reopening removes
        it, so the clock follows the latest close. Closing while obligations are open raises
        OpenObligationsError unless ``force`` (the officer confirmed)."""
        if not comment.strip():
            raise ValidationError.single("comment", "say why the status changes (it goes in the log)")
        if problem := text_problem(comment, PROSE_MAX):
            raise ValidationError.single("comment", problem)
        current = self.get(incident_id)
        if current.status == status:
            return current
        open_ids = self.open_obligations(incident_id) if status == IncidentStatus.CLOSED else []
        if open_ids and not force:
            raise OpenObligationsError(open_ids)
        now = self._ctx.now()
        # Stamped in Beijing time like every other anchor, so the summary clock prints +08:00.
        closed_at = now.astimezone(SHANGHAI) if status == IncidentStatus.CLOSED else None
        reopened = current.status == IncidentStatus.CLOSED and current.handling_closed_at is not None
        store = self._ctx.store
        payload: dict[str, Any] = {"from": current.status.value, "to": status.value, "comment": comment.strip(),
                                   "handling_closed_at": to_iso(closed_at) if closed_at else None}
        if open_ids:
            payload["closed_with_open_obligations"] = open_ids
        with store.transaction():
            updated = store.incidents.set_status(incident_id, status, now=now, handling_closed_at=closed_at,
                                                 clear_closed=reopened)
            self._ctx.record("incident.status_changed", "incident", incident_id, payload, incident_id)
        return updated

    def open_obligations(self, incident_id: int) -> builtins.list[str]:
        """The obligations still open (closing starts only the summary-report clock, so that one
        is not counted)."""
        return list(self._open_obligations(incident_id)) if self._open_obligations else []


def _check_bilingual(key: str, lang: str) -> None:
    problems = [] if key in BILINGUAL_KEYS else [
        FieldProblem("field", f"'{key}' has one value; fields with two languages: {', '.join(BILINGUAL_KEYS)}")]
    problems += [] if lang in FACT_LANGS else [FieldProblem("lang", f"choose one of {', '.join(FACT_LANGS)}")]
    if problems:
        raise ValidationError(problems)


def _merged_ransom(before: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``changes`` with a partial ``ransom`` object merged into the stored one: editing only
    ``ransom.amount_cny`` keeps the method and date (``"ransom": null`` still removes it)."""
    merged = dict(changes)
    new, old = changes.get("ransom"), before.get("ransom")
    if isinstance(new, Mapping) and isinstance(old, Mapping):
        merged["ransom"] = dict(old) | dict(new)
    return merged
