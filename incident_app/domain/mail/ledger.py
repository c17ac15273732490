"""The send ledger's records: one row per recipient and notice, the outcome of one attempt, the
run that holds the ledger, and the counts shown to the officer.

The crash rule (also in README "Sending notices by email"): a row is marked ``sending`` and
committed before its message is handed to the network; it becomes ``sent`` only after the relay's
2xx reply to the end of DATA. At most one row per connection is ``sending`` at a time, so a crash
duplicates at most that many notices. A row found in ``sending`` when a new run starts belonged to
a run that died: it is re-sent once (at-least-once) with the same Message-ID, and its ``in_doubt``
counter records that the first copy may also have arrived. The same holds for a time-out or a lost
connection after the message body was sent; a second such outcome leaves the row ``in_doubt``
(never ``failed``) until the officer re-queues it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from incident_app.domain.mail.sending import FallbackChannel, OutgoingMessage, SendState


@dataclass(frozen=True)
class LedgerDraft:
    """A row to enqueue (ignored when the same incident/recipient/kind/version/contact exists)."""

    incident_id: int
    recipient_key: str
    notice_kind: str
    notice_version: str
    to_address: str
    language: str
    message_id: str
    # 0: the first contact this notice version went to for this recipient; 1, 2, …: a hand-off
    # again after the officer corrected the address or number (a new row, the old one kept).
    contact_seq: int = 0
    # The id of an earlier row of the same recipient, kind and version that was already sent to
    # ``to_address``: the person's contact went back to one already told (a correction undone), so
    # the row is a copy of that one (same message id, state and times), never a new message.
    carried_from: int = 0

    @classmethod
    def of(cls, message: OutgoingMessage, message_id: str) -> LedgerDraft:
        return cls(message.incident_id, message.recipient_key, message.notice_kind,
                   message.notice_version, message.to_address, message.language, message_id)


@dataclass(frozen=True)
class AttemptResult:
    """What one delivery attempt ended in (``next_attempt_at`` only for deferred rows;
    ``in_doubt`` when the relay may have accepted the message without our seeing its reply)."""

    row_id: int
    state: SendState
    code: int | None
    reply: str
    reason: str
    next_attempt_at: datetime | None = None
    in_doubt: bool = False


@dataclass(frozen=True)
class SendRun:
    """A process that currently sends (or sent) an incident's notices; it leases the ledger."""

    run_id: str
    incident_id: int
    pid: int
    host: str
    started_at: datetime
    heartbeat_at: datetime
    finished_at: datetime | None = None
    outcome: str = ""


@dataclass(frozen=True)
class LedgerEntry:
    """One row of the send ledger: one notice to one recipient."""

    id: int
    incident_id: int
    recipient_key: str
    notice_kind: str
    notice_version: str
    to_address: str
    language: str
    message_id: str
    state: SendState
    attempts: int
    in_doubt: int
    last_code: int | None
    last_reply: str
    reason: str
    next_attempt_at: datetime | None
    queued_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    fallback: FallbackChannel | None
    doubt_retries: int = 0  # re-sends of unknown outcome since the row was (re)queued (at most 1)
    contact_seq: int = 0  # the recipient's how-manieth contact for this notice version (LedgerDraft)


@dataclass(frozen=True)
class Requeued:
    """What ``send ID --requeue`` put back in the queue: rows by the state they were in, and how
    many of them lose the fallback channel they had been given (e-mail is tried again first)."""

    by_state: Mapping[SendState, int]
    fallback_cleared: int

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    def to_dict(self) -> dict[str, object]:
        return {"requeued": self.total, "by_state": {s.value: n for s, n in self.by_state.items()},
                "fallback_cleared": self.fallback_cleared}


@dataclass(frozen=True)
class DeliveryOverview:
    """Counts for the send dialog, the Notices tab and ``show``: by state and by fallback."""

    by_state: Mapping[SendState, int]
    fallback: Mapping[FallbackChannel, int]
    in_doubt: int
    # Rows another system delivered and reported sent, per hand-off channel ("sms", "phone"):
    # filled where ``by_state`` counts the e-mails only (the register).
    handed_off_sent: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    def to_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "by_state": {s.value: self.by_state.get(s, 0) for s in SendState},
            "fallback": {c.value: self.fallback.get(c, 0) for c in FallbackChannel},
            "in_doubt": self.in_doubt,
        }
