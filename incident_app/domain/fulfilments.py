"""What the officer did outside the tool, and corrections of what was recorded.

A *fulfilment* records that an obligation was met elsewhere (the initial report filed on the
12387 website, the police station told, a letter posted): when, through which channel, the
reference or receipt number, who did it, and optionally the submitted file or a screenshot, kept
with its SHA-256. A *correction* withdraws an earlier fulfilment or decision with a reason; nothing
is ever edited in place, so the record of what was believed when stays intact."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from incident_app.domain.clock import RECORD_FUTURE_SLACK, SHANGHAI, parse_time, record_time_problem, to_iso
from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.proof import canonical_json
from incident_app.domain.text import LINE_MAX, NAME_MAX, PROSE_MAX, text_problem

# The channels an officer most often uses; "other" plus the reference covers the rest.
FULFILMENT_CHANNELS = ("website_12387", "hotline_12387", "email_12387", "fax", "police_station", "letter",
                       "in_person", "email", "phone", "other")
# How each channel reads in the assessment's reasoning (zh, en); the GUI has the same in its catalogs.
CHANNEL_LABELS: dict[str, tuple[str, str]] = {
    "website_12387": ("12387 网站", "the 12387 website"), "hotline_12387": ("12387 热线", "the 12387 hotline"),
    "email_12387": ("12387 电子邮件", "e-mail to 12387"), "fax": ("传真", "fax"),
    "police_station": ("公安机关", "the police station"), "letter": ("信函", "letter"),
    "in_person": ("当面递交", "in person"), "email": ("电子邮件", "e-mail"), "phone": ("电话", "telephone"),
    "other": ("其他方式", "another channel"),
}
# A clock skew allowance: a time a few minutes "in the future" is a wrong PC clock, not a typo.
FUTURE_SLACK = RECORD_FUTURE_SLACK
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024


class CorrectionTarget(StrEnum):
    FULFILMENT = "fulfilment"
    DECISION = "decision"


@dataclass(frozen=True)
class Attachment:
    """The submitted file or a screenshot, as evidence of the filing."""

    name: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class FulfilmentDraft:
    obligation_id: str
    done_at: datetime
    channel: str
    reference: str
    done_by: str
    note: str = ""
    attachment: Attachment | None = None


@dataclass(frozen=True)
class Fulfilment:
    id: int
    incident_id: int
    obligation_id: str
    done_at: datetime
    channel: str
    reference: str
    done_by: str
    note: str
    recorded_at: datetime
    file_name: str | None
    file_sha256: str | None
    file_size: int | None
    signature: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "obligation_id": self.obligation_id, "done_at": to_iso(self.done_at),
            "channel": self.channel, "reference": self.reference, "done_by": self.done_by, "note": self.note,
            "recorded_at": to_iso(self.recorded_at), "file_name": self.file_name, "file_sha256": self.file_sha256,
            "file_size": self.file_size, "signature": self.signature,
        }


@dataclass(frozen=True)
class CorrectionDraft:
    target: CorrectionTarget
    target_id: int
    reason: str
    corrected_by: str


@dataclass(frozen=True)
class Correction:
    id: int
    incident_id: int
    target: CorrectionTarget
    target_id: int
    reason: str
    corrected_by: str
    corrected_at: datetime
    signature: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "target": self.target.value, "target_id": self.target_id, "reason": self.reason,
                "corrected_by": self.corrected_by, "corrected_at": to_iso(self.corrected_at),
                "signature": self.signature}


def sign_fulfilment(incident_id: int, draft: FulfilmentDraft, recorded_at: datetime) -> str:
    """SHA-256 over what was recorded, the attached file's digest included."""
    file_digest = draft.attachment.sha256 if draft.attachment else None
    body = canonical_json([incident_id, draft.obligation_id, to_iso(draft.done_at), draft.channel,
                           draft.reference, draft.done_by, draft.note, to_iso(recorded_at), file_digest])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def sign_correction(incident_id: int, draft: CorrectionDraft, corrected_at: datetime) -> str:
    body = canonical_json([incident_id, draft.target.value, draft.target_id, draft.reason, draft.corrected_by,
                           to_iso(corrected_at)])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


FULFILMENT_KEYS = ("obligation_id", "done_at", "channel", "reference", "done_by", "note")


@dataclass(frozen=True)
class FulfilmentScope:
    """What this incident allows a fulfilment for: the obligations that do not apply to it, the
    ones a standing fulfilment already meets (id -> that fulfilment's id), and the earliest time
    anything can have been done (its discovery)."""

    not_applicable: frozenset[str] = frozenset()
    fulfilled: Mapping[str, int] | None = None
    not_before: datetime | None = None
    # obligation id -> the standing decision that declares it met (a second record of the same
    # duty would leave the assessment silently picking one of the two times)
    declared_met: Mapping[str, int] | None = None
    incident_id: int | None = None


def parse_fulfilment(data: Mapping[str, Any], *, obligation_ids: Iterable[str], now: datetime,
                     attachment: Attachment | None = None,
                     scope: FulfilmentScope | None = None) -> FulfilmentDraft:
    """Validate a fulfilment (the GUI dialog's values or the ``fulfil`` command's options);
    ``done_at`` empty means now. Every problem is reported at once, naming its field."""
    scope = scope or FulfilmentScope()
    problems = [FieldProblem(str(k), "unknown key; allowed: " + ", ".join(FULFILMENT_KEYS))
                for k in data if k not in FULFILMENT_KEYS]
    obligation_id = _obligation_id(data, list(obligation_ids), scope, problems)
    done_at = _done_at(data.get("done_at"), now, scope.not_before, problems)
    channel = str(data.get("channel") or "").strip()
    if channel not in FULFILMENT_CHANNELS:
        problems.append(FieldProblem("channel", f"'{channel}' is not a channel; use one of: "
                                                + ", ".join(FULFILMENT_CHANNELS)))
    reference = _text(data, "reference", LINE_MAX, problems)
    note = _text(data, "note", PROSE_MAX, problems)
    if channel == "other" and not (reference or note):
        problems.append(FieldProblem("reference", "say how it was done (a reference or a note) for channel 'other'"))
    done_by = _text(data, "done_by", NAME_MAX, problems)
    if not done_by and not any(p.field == "done_by" for p in problems):
        problems.append(FieldProblem("done_by", "is required: name the person who filed or sent it"))
    if attachment is not None:
        _check_attachment(attachment, problems)
    if problems:
        raise ValidationError(problems)
    return FulfilmentDraft(obligation_id, done_at, channel, reference, done_by, note, attachment)


def _obligation_id(data: Mapping[str, Any], known: list[str], scope: FulfilmentScope,
                   problems: list[FieldProblem]) -> str:
    """The obligation, which must be one this incident has and not already met by a fulfilment."""
    obligation_id = str(data.get("obligation_id") or "").strip()
    applicable = [o for o in known if o not in scope.not_applicable]
    if obligation_id in scope.not_applicable:
        problems.append(FieldProblem("obligation_id", f"'{obligation_id}' does not apply to this incident, so it "
                                                      "cannot be met; use one of: " + ", ".join(applicable)))
    elif obligation_id not in known:
        problems.append(FieldProblem("obligation_id", f"'{obligation_id}' is not an obligation of this incident; "
                                                      f"use one of: {', '.join(applicable)}"))
    elif scope.fulfilled and obligation_id in scope.fulfilled:
        first = scope.fulfilled[obligation_id]
        problems.append(FieldProblem("obligation_id", f"'{obligation_id}' is already met by fulfilment "
                                                      f"#{first}; if that record is wrong, correct the first "
                                                      f"(correct ID fulfilment {first} --reason …) and record "
                                                      "it again"))
    elif scope.declared_met and obligation_id in scope.declared_met:
        message = declared_met_message(obligation_id, scope.declared_met[obligation_id], scope.incident_id)
        problems.append(FieldProblem("obligation_id", message))
    return obligation_id


def declared_met_message(obligation_id: str, decision_id: int, incident_id: int | None) -> str:
    """Why a fulfilment is refused while a decision declares the same obligation met."""
    return (f"'{obligation_id}' is already declared met by decision #{decision_id}; a fulfilment and a met "
            "decision cannot both stand. If the decision is wrong, withdraw it first (Correct… in the "
            f"Decisions tab, or correct {incident_id or 'ID'} decision {decision_id} --reason …), then record "
            "the fulfilment")


def fulfilled_message(obligation_id: str, fulfilment_id: int, incident_id: int | None) -> str:
    """Why a met decision is refused while a fulfilment of the same obligation stands."""
    return (f"'{obligation_id}' is already recorded as met by fulfilment #{fulfilment_id}; a decision cannot "
            "declare it met as well. If the fulfilment is wrong, withdraw it first (Correct… in the "
            f"Assessment tab, or correct {incident_id or 'ID'} fulfilment {fulfilment_id} --reason …), then "
            "record the decision")


def _text(data: Mapping[str, Any], key: str, max_len: int, problems: list[FieldProblem]) -> str:
    """A free-text field under the shared text rule (it reaches the register and the evidence pack)."""
    value = str(data.get(key) or "")
    problem = text_problem(value, max_len)
    if problem:
        problems.append(FieldProblem(key, problem))
        return ""
    return value.strip()


def _done_at(value: Any, now: datetime, not_before: datetime | None, problems: list[FieldProblem]) -> datetime:
    if value in (None, ""):
        moment = now
    else:
        try:
            moment = parse_time(str(value))
        except ValueError as exc:
            problems.append(FieldProblem("done_at", str(exc)))
            return now
    problem = record_time_problem(moment, now, not_before=not_before)
    if problem:
        problems.append(FieldProblem("done_at", problem))
    return moment.astimezone(SHANGHAI)  # stored and shown in Beijing time, like every other time


def _check_attachment(attachment: Attachment, problems: list[FieldProblem]) -> None:
    if not attachment.content:
        problems.append(FieldProblem("file", f"'{attachment.name}' is empty; attach the submitted file or a "
                                             "screenshot"))
    elif len(attachment.content) > MAX_ATTACHMENT_BYTES:
        problems.append(FieldProblem("file", f"'{attachment.name}' is larger than "
                                             f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB; attach a screenshot or "
                                             "the receipt page instead"))


def parse_correction(target: Any, target_id: Any, reason: Any, corrected_by: Any) -> CorrectionDraft:
    """Validate a correction: what it withdraws and why (the reason is mandatory)."""
    problems = []
    try:
        kind = CorrectionTarget(str(target))
    except ValueError:
        problems.append(FieldProblem("target", "must be fulfilment or decision"))
        kind = CorrectionTarget.FULFILMENT
    try:
        number = int(target_id)
    except (TypeError, ValueError):
        problems.append(FieldProblem("target_id", f"'{target_id}' is not a record id"))
        number = 0
    text = str(reason or "").strip()
    if not text:
        problems.append(FieldProblem("reason", "is required: say why the record was wrong (it goes in the log)"))
    elif problem := text_problem(str(reason), PROSE_MAX):
        problems.append(FieldProblem("reason", problem))
    who = str(corrected_by or "").strip()
    if not who:
        problems.append(FieldProblem("corrected_by", "is required: name the person correcting the record"))
    elif problem := text_problem(str(corrected_by), NAME_MAX):
        problems.append(FieldProblem("corrected_by", problem))
    if problems:
        raise ValidationError(problems)
    return CorrectionDraft(kind, number, text, who)


def lateness(met_at: datetime | None, due: datetime | None) -> timedelta | None:
    """How late a duty was met (None when on time, not met, or without a legal due time)."""
    if met_at is None or due is None or met_at <= due:
        return None
    return met_at - due
