"""Use cases for remediation actions, advice/remedy notes and signed decisions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from incident_app.domain.clock import SHANGHAI, to_iso
from incident_app.domain.decisions import (
    Decision,
    DecisionDraft,
    DecisionKind,
    DecisionScope,
    declares_met,
    parse_decision,
    sign_decision,
)
from incident_app.domain.errors import ValidationError
from incident_app.domain.fulfilments import FUTURE_SLACK, fulfilled_message
from incident_app.domain.remediation import (
    ActionDraft,
    ActionStatus,
    ActionTimes,
    NoteDraft,
    NoteKind,
    NoticeNote,
    RemediationAction,
    parse_remediation,
)
from incident_app.services.context import AppContext
from incident_app.services.fulfilments import active_decisions, rule_obligation_ids, standing_fulfilments


class RemediationService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def add(self, incident_id: int, data: Any) -> tuple[list[RemediationAction], list[NoticeNote]]:
        """Validate and add actions/advice/remedies in one transaction (all or nothing)."""
        store, now = self._ctx.store, self._ctx.now()
        parsed = parse_remediation(data, self._times(store.incidents.get(incident_id).id))
        drafts = [_with_start(a, now) for a in parsed.actions]
        with store.transaction():
            actions = [store.remediation.add_action(incident_id, a, now=now) for a in drafts]
            notes = [store.remediation.add_note(incident_id, n, now=now) for n in parsed.notes]
            self._ctx.record("remediation.added", "incident", incident_id, {
                "actions": [a.to_dict() for a in actions], "notes": [n.to_dict() for n in notes]}, incident_id)
        return actions, notes

    def update_action(self, action_id: int, draft: ActionDraft) -> RemediationAction:
        store = self._ctx.store
        before = store.remediation.get_action(action_id)
        with store.transaction():
            after = store.remediation.update_action(action_id, draft)
            self._ctx.record("remediation.updated", "remediation_action", action_id,
                             {"from": before.to_dict(), "to": after.to_dict()}, before.incident_id)
        return after

    def update_action_from(self, action_id: int, data: Mapping[str, Any]) -> RemediationAction:
        """Replace an action's fields with ``data`` (the same keys as an action in the JSON file)."""
        current = self._ctx.store.remediation.get_action(action_id)
        draft = parse_remediation({"actions": [dict(data)]}, self._times(current.incident_id)).actions[0]
        if draft.done_at and draft.started_at is None and current.started_at and draft.done_at < current.started_at:
            raise ValidationError.single("actions.done_at", "is before the action was started")
        if draft.started_at is None and draft.status == ActionStatus.IN_PROGRESS:
            draft = replace(draft, started_at=current.started_at or self._ctx.now())
        return self.update_action(action_id, draft)

    def _times(self, incident_id: int) -> ActionTimes:
        facts = self._ctx.store.incidents.get(incident_id).facts
        return ActionTimes(self._ctx.now(), facts.occurred_at or facts.discovered_at)

    def mark_done(self, action_id: int, done_at: datetime | None = None) -> RemediationAction:
        """Mark an action done at ``done_at`` (the officer is asked; default now). That time goes
        into every notice, so it is never stamped silently over one the officer gave."""
        current = self._ctx.store.remediation.get_action(action_id)
        when = done_at or self._ctx.now()
        if when > self._ctx.now() + FUTURE_SLACK:
            raise ValidationError.single("done_at", "is in the future; give the time the action was completed")
        if current.started_at and when < current.started_at:
            raise ValidationError.single("done_at", "is before the action was started")
        parse_remediation({"actions": [{"description": current.description, "status": "done",
                                        "done_at": to_iso(when)}]}, self._times(current.incident_id))
        draft = ActionDraft(current.description, current.kind, ActionStatus.DONE, current.owner,
                            current.due_at, when, current.description_en, current.started_at)
        return self.update_action(action_id, draft)

    def suggested_advice(self, incident_id: int) -> list[NoteDraft]:
        """Advice for individuals from the catalog entries of the incident's data types, minus
        what is already recorded, so the officer starts from a draft instead of a blank page."""
        facts = self._ctx.store.incidents.get(incident_id).facts
        have = {n.text_zh for n in self.notes(incident_id, NoteKind.ADVICE)}
        return [NoteDraft(NoteKind.ADVICE, t.advice_zh, t.advice_en)
                for t in self._ctx.catalog.pick(facts.data_types) if t.advice_zh and t.advice_zh not in have]

    def delete_note(self, incident_id: int, note_id: int) -> None:
        with self._ctx.store.transaction():
            self._ctx.store.remediation.delete_note(note_id)
            self._ctx.record("remediation.note_deleted", "notice_note", note_id, {}, incident_id)

    def actions(self, incident_id: int) -> list[RemediationAction]:
        return self._ctx.store.remediation.actions(incident_id)

    def notes(self, incident_id: int, kind: NoteKind | None = None) -> list[NoticeNote]:
        return self._ctx.store.remediation.notes(incident_id, kind)


def _with_start(draft: ActionDraft, now: datetime) -> ActionDraft:
    """An action in progress has a start time: now, unless the officer gave one."""
    if draft.status == ActionStatus.IN_PROGRESS and draft.started_at is None:
        return replace(draft, started_at=now)
    return draft


class DecisionService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def record(self, incident_id: int, data: Mapping[str, Any], *, lang: str = "zh-CN") -> Decision:
        """Validate, sign and store a decision; the event carries its full content and signature.
        ``lang``: the language of a plain-text rationale."""
        store, now = self._ctx.store, self._ctx.now()
        incident = store.incidents.get(incident_id)
        draft = parse_decision(data, DecisionScope(now, rule_obligation_ids(), incident.facts.discovered_at),
                               lang=lang)
        self._refuse_second_met_record(incident_id, draft)
        decided_at = (draft.decided_at or now).astimezone(SHANGHAI)  # stored in Beijing time, like every time
        signature = sign_decision(incident_id, draft, decided_at)
        with store.transaction():
            decision = store.decisions.add(incident_id, draft, decided_at, signature)
            self._ctx.record("decision.recorded", "decision", decision.id, decision.to_dict(), incident_id)
        return decision

    def _refuse_second_met_record(self, incident_id: int, draft: DecisionDraft) -> None:
        """A fulfilment already says when the duty was met: a met declaration beside it would give
        the assessment two times to choose from, so it is refused naming the fulfilment."""
        obligation_id = declares_met(draft.kind, draft.details)
        fulfilment_id = standing_fulfilments(self._ctx, incident_id).get(obligation_id or "")
        if obligation_id and fulfilment_id is not None:
            raise ValidationError.single("details.obligation_id",
                                         fulfilled_message(obligation_id, fulfilment_id, incident_id))

    def active(self, incident_id: int) -> list[Decision]:
        """The decisions no correction has withdrawn."""
        return active_decisions(self._ctx, incident_id)

    def list(self, incident_id: int) -> list[Decision]:
        """Every decision recorded, withdrawn ones included (see :meth:`active`)."""
        return self._ctx.store.decisions.list(incident_id)

    def latest(self, incident_id: int, kind: DecisionKind) -> Decision | None:
        """The newest standing decision of a kind: a later decision supersedes an earlier one."""
        found = [d for d in self.active(incident_id) if d.kind == kind]
        return found[-1] if found else None
