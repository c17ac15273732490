"""Use cases for what was done outside the tool (fulfilments) and for corrections of recorded
fulfilments and decisions. Both the GUI and the ``fulfil`` command come through here, so they
validate the same way and write one event each."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from incident_app.domain.decisions import Decision, declares_met
from incident_app.domain.errors import NotFoundError, ValidationError
from incident_app.domain.fulfilments import (
    MAX_ATTACHMENT_BYTES,
    Attachment,
    Correction,
    CorrectionTarget,
    Fulfilment,
    FulfilmentScope,
    parse_correction,
    parse_fulfilment,
    sign_correction,
    sign_fulfilment,
)
from incident_app.services.context import AppContext
from incident_app.services.private_files import NOT_REGULAR_INPUT, InputFileError, open_regular_file
from incident_app.services.resources import load_assessment_rules


def rule_obligation_ids() -> list[str]:
    """Every obligation id the rules know (each is evaluated for every incident)."""
    return [rule.id for rule in load_assessment_rules().obligations.rules]


def read_attachment(path: str | Path) -> Attachment:
    """Read the file to attach; a missing or unreadable file is bad input naming the field."""
    source = Path(path).expanduser()
    try:
        # Checked on the open file before reading it all into memory; a pipe or /dev/zero is refused.
        with open_regular_file(source) as handle:
            if os.fstat(handle.fileno()).st_size > MAX_ATTACHMENT_BYTES:
                raise ValidationError.single("file", f"'{source.name}' is larger than "
                                                     f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB; attach a "
                                                     "screenshot or the receipt page instead")
            data = handle.read(MAX_ATTACHMENT_BYTES + 1)
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise ValidationError.single("file", f"'{source.name}' grew while it was read; attach it again")
        return Attachment(source.name, data)
    except InputFileError:
        raise ValidationError.single("file", f"{source}: {NOT_REGULAR_INPUT}") from None
    except IsADirectoryError:
        raise ValidationError.single("file", f"{source} is a folder; choose a file") from None
    except FileNotFoundError:
        raise ValidationError.single("file", f"{source} does not exist; check the path") from None
    except PermissionError:
        raise ValidationError.single("file", f"{source} cannot be read (permission denied)") from None


class FulfilmentService:
    def __init__(self, ctx: AppContext, obligation_ids: Callable[[], Iterable[str]] = rule_obligation_ids,
                 not_applicable: Callable[[int], Iterable[str]] | None = None) -> None:
        self._ctx = ctx
        self._obligation_ids = obligation_ids
        # The ids of the obligations that do not apply to an incident (from its assessment; the
        # container wires it, since the assessment itself reads the fulfilments through here).
        self._not_applicable = not_applicable

    def record(self, incident_id: int, data: Mapping[str, Any], file: str | Path | None = None) -> Fulfilment:
        """Validate and store that an obligation was met outside the tool; the event carries the
        record (with the attached file's SHA-256, never its bytes)."""
        store = self._ctx.store
        incident = store.incidents.get(incident_id)
        attachment = read_attachment(file) if file else None
        now = self._ctx.now()
        scope = FulfilmentScope(
            not_applicable=frozenset(self._not_applicable(incident_id) if self._not_applicable else ()),
            fulfilled={f.obligation_id: f.id for f in reversed(self.active(incident_id))},
            not_before=incident.facts.discovered_at,
            declared_met=declared_met(self._ctx, incident_id), incident_id=incident_id)
        draft = parse_fulfilment(data, obligation_ids=self._obligation_ids(), now=now, attachment=attachment,
                                 scope=scope)
        signature = sign_fulfilment(incident_id, draft, now)
        with store.transaction():
            fulfilment = store.fulfilments.add(incident_id, draft, now, signature)
            self._ctx.record("fulfilment.recorded", "fulfilment", fulfilment.id, fulfilment.to_dict(), incident_id)
        return fulfilment

    def active(self, incident_id: int) -> list[Fulfilment]:
        """The fulfilments no correction has withdrawn: these make obligations met."""
        withdrawn = self._ctx.store.corrections.withdrawn(incident_id, CorrectionTarget.FULFILMENT)
        return [f for f in self.list(incident_id) if f.id not in withdrawn]

    def list(self, incident_id: int) -> list[Fulfilment]:
        """Every fulfilment recorded, withdrawn ones included (the record is never edited)."""
        return self._ctx.store.fulfilments.list(incident_id)

    def file_content(self, fulfilment_id: int) -> bytes | None:
        return self._ctx.store.fulfilments.file_content(fulfilment_id)


class CorrectionService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def correct(self, incident_id: int, target: str, target_id: int, reason: str,
                corrected_by: str | None = None) -> Correction:
        """Withdraw a recorded fulfilment or decision with a reason (one event). The record stays
        as it was; the assessment simply stops counting it, so the obligation opens again."""
        store = self._ctx.store
        store.incidents.get(incident_id)
        who = self._ctx.actor if corrected_by is None else corrected_by  # the GUI always says who
        draft = parse_correction(target, target_id, reason, who)
        self._check_target(incident_id, draft.target, draft.target_id)
        now = self._ctx.now()
        signature = sign_correction(incident_id, draft, now)
        with store.transaction():
            correction = store.corrections.add(incident_id, draft, now, signature)
            self._ctx.record("record.corrected", draft.target.value, draft.target_id, correction.to_dict(),
                             incident_id)
        return correction

    def _check_target(self, incident_id: int, target: CorrectionTarget, target_id: int) -> None:
        store = self._ctx.store
        if target == CorrectionTarget.FULFILMENT:
            ids = {f.id for f in store.fulfilments.list(incident_id)}
        else:
            ids = {d.id for d in store.decisions.list(incident_id)}
        if target_id not in ids:
            raise NotFoundError(f"{target.value} {target_id} is not recorded for incident {incident_id}")
        if target_id in store.corrections.withdrawn(incident_id, target):
            raise ValidationError.single("target_id", f"{target.value} {target_id} was already corrected; "
                                                      "record a new one instead")

    def list(self, incident_id: int) -> list[Correction]:
        return self._ctx.store.corrections.list(incident_id)


def active_decisions(ctx: AppContext, incident_id: int) -> list[Decision]:
    """The decisions no correction has withdrawn (the assessment and the notices weigh these)."""
    decisions = ctx.store.decisions.list(incident_id)
    if not decisions:  # the usual case in the register: no second query
        return decisions
    withdrawn = ctx.store.corrections.withdrawn(incident_id, CorrectionTarget.DECISION)
    return [d for d in decisions if d.id not in withdrawn]


def declared_met(ctx: AppContext, incident_id: int) -> dict[str, int]:
    """Obligation id -> the first standing decision that declares it met."""
    out: dict[str, int] = {}
    for decision in active_decisions(ctx, incident_id):
        obligation_id = declares_met(decision.kind, decision.details)
        if obligation_id:
            out.setdefault(obligation_id, decision.id)
    return out


def standing_fulfilments(ctx: AppContext, incident_id: int) -> dict[str, int]:
    """Obligation id -> the first fulfilment of it that no correction withdrew."""
    withdrawn = ctx.store.corrections.withdrawn(incident_id, CorrectionTarget.FULFILMENT)
    out: dict[str, int] = {}
    for fulfilment in ctx.store.fulfilments.list(incident_id):
        if fulfilment.id not in withdrawn:
            out.setdefault(fulfilment.obligation_id, fulfilment.id)
    return out
