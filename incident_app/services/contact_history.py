"""A person's contact going back to one a notice was already sent to: told there, never again.

The officer adds or changes a contact by mistake, the notice is sent or handed off to it (a new
ledger row, ``contact_seq``), and the contact is corrected back to the original. That original
contact was told already (a row of the same recipient, kind and version, sent or reported
delivered — or handed off and not reported on yet, see :func:`reached_or_on_its_way`): the
person's latest row must say so, or the next send or hand-off would message the
same contact a second time and the duty would reopen. So instead of a new message the ledger gets
a copy of the row already sent there (same message id and reference, state and times:
storage/send_ledger.py ``carry``) as the person's latest row — at the correction itself
(:func:`carry_on_correction`), and at the next send or export for a contact that came back another
way (:func:`told_draft`). The rule the duty and the register read is unchanged: a person is told
when their latest row was sent to their contact now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from incident_app.domain.mail import LedgerDraft
from incident_app.services.people.rows import ADDRESS, CHANNEL, EMAIL, G_EMAIL, G_PHONE, PHONE
from incident_app.storage.send_ledger import ContactRow, SendLedgerRepository


def same_contact(a: str, b: str) -> bool:
    """Whether two contacts are the same (letter case and spaces aside), as the ledger compares them."""
    return a.strip().lower() == b.strip().lower()


def reached_or_on_its_way(row: ContactRow) -> bool:
    """Sent, or handed off and not reported on yet: a hand-off row (SMS, call list, letter,
    platform) is queued once its file was written — the platform has the message for that
    contact — so a correction back must reuse it, not hand the same contact a second one. A
    queued e-mail has not left this machine: the next send sends it."""
    return row.state == "sent" or (row.state == "queued" and row.channel != "email")


def told_row(rows: Sequence[ContactRow], contact: str) -> ContactRow | None:
    """The latest of ``rows`` sent (or handed off, see :func:`reached_or_on_its_way`) to
    ``contact`` (a row without a contact, a letter handed off before the rows kept one, proves
    nothing about this one), or None."""
    if not contact.strip():
        return None
    hits = [r for r in rows
            if reached_or_on_its_way(r) and r.to_address.strip() and same_contact(r.to_address, contact)]
    return max(hits, key=lambda r: r.contact_seq, default=None)


def sent_rows_of(ledger: SendLedgerRepository, channel: str,
                 drafts: Sequence[LedgerDraft]) -> dict[tuple[str, str, str], list[ContactRow]]:
    """(version, recipient key, kind) -> the rows of these drafts' recipients sent or on their way
    (:func:`told_row` picks among them); one query per version and few hundred keys — asked only
    for the drafts whose contact moved, so few."""
    found: dict[tuple[str, str, str], list[ContactRow]] = {}
    if not drafts:
        return found
    incident_id = drafts[0].incident_id
    for version in dict.fromkeys(d.notice_version for d in drafts):
        keys = [d.recipient_key for d in drafts if d.notice_version == version]
        for (key, kind), rows in ledger.sent_rows(incident_id, channel, version, keys).items():
            found[(version, key, kind)] = rows
    return found


def told_draft(draft: LedgerDraft, latest_seq: int, sent: Sequence[ContactRow]) -> LedgerDraft | None:
    """``draft`` (whose contact differs from its latest row's) as the copy of an earlier row
    already sent to its contact — the next ``contact_seq``, that row's message id — or None when
    that contact was never told (then it is a corrected contact: a new message)."""
    hit = told_row(sent, draft.to_address)
    if hit is None:
        return None
    return replace(draft, contact_seq=latest_seq + 1, message_id=hit.message_id, carried_from=hit.id)


def contact_now(row: Sequence[Any], guardian_notice: bool) -> str:
    """The contact a stored person row (storage.people.ROW_COLUMNS order) is told through now, for
    their own notice or their guardian's — as storage/send_ledger.py matches rows to people: their
    channel's contact; a teenager told themselves has the guardian's e-mail, else phone, else the
    household address for the guardian's notice; "" when that notice has no contact now."""
    channel = str(row[CHANNEL] or "")
    if channel.startswith("guardian_") != guardian_notice:
        if not guardian_notice:
            return ""
        return next((str(v).strip() for v in (row[G_EMAIL], row[G_PHONE], row[ADDRESS]) if v and str(v).strip()), "")
    where = {"email": EMAIL, "sms": PHONE, "letter": ADDRESS, "guardian_email": G_EMAIL,
             "guardian_sms": G_PHONE, "guardian_letter": ADDRESS}.get(channel)
    return "" if where is None else str(row[where] or "")


def carry_on_correction(ledger: SendLedgerRepository, incident_id: int, key: str, row: Sequence[Any]) -> int:
    """After a correction of the person ``row`` (their send-ledger key ``key``): for each notice
    version whose latest row went to another contact than theirs now, while an earlier row of it
    was sent to the contact they have now, copy that row as the latest (nothing is sent). Returns
    how many rows were written. One index seek per key (the person's own and guardian's)."""
    groups: dict[tuple[str, str, str], list[ContactRow]] = {}
    for entry in ledger.contact_rows(incident_id, [key, f"{key}#guardian"]):
        groups.setdefault((entry.recipient_key, entry.notice_kind, entry.notice_version), []).append(entry)
    carried: list[tuple[int, int]] = []
    for (_, kind, _), rows in groups.items():
        latest = max(rows, key=lambda r: r.contact_seq)
        contact = contact_now(row, kind == "guardian")
        # A row without a contact (an old letter row) is matched by key alone, as the readers do.
        if not contact or not latest.to_address.strip() or same_contact(latest.to_address, contact):
            continue
        hit = told_row([r for r in rows if r.channel == latest.channel], contact)
        if hit is not None:
            carried.append((hit.id, latest.contact_seq + 1))
    return ledger.carry(carried)
