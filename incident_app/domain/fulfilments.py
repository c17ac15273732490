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

from incident_app.domain.clock import parse_time, to_iso
from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.proof import canonical_json

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
FUTURE_SLACK = timedelta(minutes=5)
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


def parse_fulfilment(data: Mapping[str, Any], *, obligation_ids: Iterable[str], now: datetime,
                     attachment: Attachment | None = None) -> FulfilmentDraft:
    """Validate a fulfilment (the GUI dialog's values or the ``fulfil`` command's options);
    ``done_at`` empty means now. Every problem is reported at once, naming its field."""
    problems = [FieldProblem(str(k), "unknown key; allowed: " + ", ".join(FULFILMENT_KEYS))
                for k in data if k not in FULFILMENT_KEYS]
    known = list(obligation_ids)
    obligation_id = str(data.get("obligation_id") or "").strip()
    if obligation_id not in known:
        problems.append(FieldProblem("obligation_id", f"'{obligation_id}' is not an obligation of this incident; "
                                                      f"use one of: {', '.join(known)}"))
    done_at = _done_at(data.get("done_at"), now, problems)
    channel = str(data.get("channel") or "").strip()
    if channel not in FULFILMENT_CHANNELS:
        problems.append(FieldProblem("channel", f"'{channel}' is not a channel; use one of: "
                                                + ", ".join(FULFILMENT_CHANNELS)))
    reference = str(data.get("reference") or "").strip()
    note = str(data.get("note") or "").strip()
    if channel == "other" and not (reference or note):
        problems.append(FieldProblem("reference", "say how it was done (a reference or a note) for channel 'other'"))
    done_by = str(data.get("done_by") or "").strip()
    if not done_by:
        problems.append(FieldProblem("done_by", "is required: name the person who filed or sent it"))
    if attachment is not None:
        _check_attachment(attachment, problems)
    if problems:
        raise ValidationError(problems)
    return FulfilmentDraft(obligation_id, done_at, channel, reference, done_by, note, attachment)


def _done_at(value: Any, now: datetime, problems: list[FieldProblem]) -> datetime:
    if value in (None, ""):
        return now
    try:
        moment = parse_time(str(value))
    except ValueError as exc:
        problems.append(FieldProblem("done_at", str(exc)))
        return now
    if moment > now + FUTURE_SLACK:
        problems.append(FieldProblem("done_at", f"{to_iso(moment)} is in the future; give the time it was done"))
    return moment


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
    who = str(corrected_by or "").strip()
    if not who:
        problems.append(FieldProblem("corrected_by", "is required: name the person correcting the record"))
    if problems:
        raise ValidationError(problems)
    return CorrectionDraft(kind, number, text, who)


def lateness(met_at: datetime | None, due: datetime | None) -> timedelta | None:
    """How late a duty was met (None when on time, not met, or without a legal due time)."""
    if met_at is None or due is None or met_at <= due:
        return None
    return met_at - due
