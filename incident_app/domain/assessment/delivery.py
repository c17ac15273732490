"""When the send ledger shows that the people were told: the one rule that lets e-mail delivery
meet an obligation to notify individuals (or guardians) without the officer recording it.

An obligation whose rule names ``met_by_email_delivery`` (resources/rules/obligations.json) is met
when, for its group of recipients:

- somebody in the group is reached by e-mail, and nobody in the group is reached only by SMS or
  letter (those are sent outside the tool: the officer records them with an ``obligation_status``
  decision once done; people without any contact are the public announcement's concern);
- for each kind of notice the group gets (individual, guardian), one approved version of it went
  to at least as many ledger rows as there are people to e-mail, and every one of those rows is
  ``sent``.

It is met when the last of those messages was accepted by the relay. A corrected notice sent later
(a new version) does not move that moment. Pure: the services pass the counts in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class LedgerBatch:
    """One notice version of one kind in the send ledger: how many rows, how many sent."""

    kind: str  # "individual" | "guardian" | "minor" (the send ledger's notice_kind)
    version: str
    rows: int
    sent: int
    last_sent_at: datetime | None


@dataclass(frozen=True)
class RecipientGroup:
    """People reached by e-mail (per channel, with the notice kind their row carries) and the
    channels that keep the group from being complete until the officer records them."""

    email_channels: Mapping[str, str]  # person channel -> ledger notice kind
    other_channels: tuple[str, ...]


GROUPS: dict[str, RecipientGroup] = {
    # A minor's notice goes to the guardian: telling individuals includes telling guardians.
    "individuals": RecipientGroup({"email": "individual", "guardian_email": "guardian"},
                                  ("sms", "letter", "guardian_sms", "guardian_letter")),
    "guardians": RecipientGroup({"guardian_email": "guardian"}, ("guardian_sms", "guardian_letter")),
}


# Ledger kinds sent to the company's own staff, never to affected people.
STAFF_KINDS: tuple[str, ...] = ("internal_brief",)

# Ledger kinds that together reach the people of one channel.
SAME_PEOPLE: dict[str, tuple[str, ...]] = {"individual": ("individual", "minor")}


@dataclass(frozen=True)
class EmailDelivery:
    """What the people list and the send ledger say about one incident's personal e-mails."""

    people_by_channel: Mapping[str, int] = field(default_factory=dict)
    batches: tuple[LedgerBatch, ...] = ()

    def emails_sent(self) -> int:
        """Notice e-mails to affected people (the staff's internal brief is not one of them)."""
        return sum(b.sent for b in self.batches if b.kind not in STAFF_KINDS)

    def kind_sent_at(self, kind: str) -> datetime | None:
        """When the first version of ``kind`` had reached every row of it (its last acceptance)."""
        done = [b.last_sent_at for b in self.batches
                if b.kind == kind and b.rows and b.sent == b.rows and b.last_sent_at is not None]
        return min((d for d in done if d is not None), default=None)

    def completed_at(self, group: str) -> datetime | None:
        """When every person of ``group`` had been e-mailed, or None if that is not (yet) so."""
        spec = GROUPS[group]
        if any(self.people_by_channel.get(c, 0) for c in spec.other_channels):
            return None
        needed = {kind: self.people_by_channel.get(ch, 0) for ch, kind in spec.email_channels.items()}
        needed = {kind: n for kind, n in needed.items() if n}
        if not needed:
            return None
        moments = [self._kind_completed_at(kind, n) for kind, n in needed.items()]
        return None if any(m is None for m in moments) else max(m for m in moments if m is not None)

    def _kind_completed_at(self, kind: str, people: int) -> datetime | None:
        # People whose channel is "email" are adults (individual notice) and teenagers (the minor
        # notice): one approved version covers both kinds, so their rows are added up per version.
        kinds = SAME_PEOPLE.get(kind, (kind,))
        by_version: dict[str, list[LedgerBatch]] = {}
        for batch in self.batches:
            if batch.kind in kinds:
                by_version.setdefault(batch.version, []).append(batch)
        done = []
        for batches in by_version.values():
            rows, sent = sum(b.rows for b in batches), sum(b.sent for b in batches)
            last = [b.last_sent_at for b in batches if b.last_sent_at is not None]
            if rows >= people and sent == rows and last:
                done.append(max(last))
        return min(done, default=None)

    def waiting_on_other_channels(self, group: str) -> int:
        """People of the group told by SMS or letter (outside the e-mail sender)."""
        return sum(self.people_by_channel.get(c, 0) for c in GROUPS[group].other_channels)
