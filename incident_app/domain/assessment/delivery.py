"""When the send ledger shows that the people were told: the one rule that lets e-mail delivery
meet an obligation to notify individuals (or guardians) without the officer recording it.

An obligation whose rule names ``met_by_email_delivery`` (resources/rules/obligations.json) is met
when, for its group of recipients:

- somebody in the group is reached by e-mail or SMS, and nobody in the group only by letter
  (printed and posted outside the tool: the officer records a fulfilment once done; people
  without any contact are the public announcement's concern). SMS rows are the gateway hand-off
  (``export-sms``), counted sent once the provider's report says delivered
  (``import-sms-report``);
- for each kind of notice the group gets (individual, guardian), one approved version of it went
  to at least as many ledger rows as there are people to e-mail, and every one of those rows is
  ``sent``.

Or, the mass-messaging platform hand-off (``export-recipients``, channel ``platform``): for each
kind of notice the group gets, one version of the platform export covers every person of the
group — whatever their own channel, letters included, since the platform delivers them all — and
every one of those rows was reported delivered (``import-delivery``).

It is met when the last of those messages was accepted by the relay (or the platform). A corrected
notice sent later (a new version) does not move that moment. Pure: the services pass the counts in."""

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
    channel: str = "email"  # "sms" / "phone": handed to a gateway or call centre, its report imported


@dataclass(frozen=True)
class RecipientGroup:
    """People reached through the ledger (per person channel: the ledger channel and the notice
    kind their row carries) and the channels that keep the group from being complete until the
    officer records them."""

    ledger_channels: Mapping[str, tuple[str, str]]  # person channel -> (ledger channel, notice kind)
    other_channels: tuple[str, ...]


GROUPS: dict[str, RecipientGroup] = {
    # A minor's notice goes to the guardian: telling individuals includes telling guardians. SMS
    # rows come from the gateway hand-off (export-sms) once the provider's report was imported.
    "individuals": RecipientGroup({"email": ("email", "individual"), "guardian_email": ("email", "guardian"),
                                   "sms": ("sms", "individual"), "guardian_sms": ("sms", "guardian")},
                                  ("letter", "guardian_letter")),
    "guardians": RecipientGroup({"guardian_email": ("email", "guardian"), "guardian_sms": ("sms", "guardian")},
                                ("guardian_letter",)),
}


# The ledger channel of the rows handed to the company's own mass-messaging platform.
PLATFORM = "platform"

# Ledger kinds sent to the company's own staff, never to affected people.
STAFF_KINDS: tuple[str, ...] = ("internal_brief",)

# Ledger kinds that together reach the people of one channel.
SAME_PEOPLE: dict[str, tuple[str, ...]] = {"individual": ("individual", "minor")}


@dataclass(frozen=True)
class EmailDelivery:
    """What the people list and the send ledger say about one incident's personal notices
    (e-mails sent by the tool, SMS reported by the gateway)."""

    people_by_channel: Mapping[str, int] = field(default_factory=dict)
    batches: tuple[LedgerBatch, ...] = ()

    def emails_sent(self) -> int:
        """Notice e-mails to affected people (the staff's internal brief is not one of them)."""
        return sum(b.sent for b in self.batches if b.channel == "email" and b.kind not in STAFF_KINDS)

    def kind_sent_at(self, kind: str) -> datetime | None:
        """When the first version of ``kind`` had reached every row of it (its last acceptance)."""
        done = [b.last_sent_at for b in self.batches
                if b.kind == kind and b.rows and b.sent == b.rows and b.last_sent_at is not None]
        return min((d for d in done if d is not None), default=None)

    def completed_at(self, group: str) -> datetime | None:
        """When every person of ``group`` had been told, or None if that is not (yet) so: by the
        tool's e-mails and the SMS hand-off, or by the mass-messaging platform alone, whichever
        was complete first."""
        moments = [m for m in (self._own_channels_completed_at(group), self._platform_completed_at(group)) if m]
        return min(moments, default=None)

    def _platform_completed_at(self, group: str) -> datetime | None:
        spec = GROUPS[group]
        needed: dict[str, int] = {}
        for person_channel in (*spec.ledger_channels, *spec.other_channels):
            kind = "guardian" if person_channel.startswith("guardian_") else "individual"
            needed[kind] = needed.get(kind, 0) + self.people_by_channel.get(person_channel, 0)
        needed = {kind: n for kind, n in needed.items() if n}
        if not needed or not any(b.channel == PLATFORM for b in self.batches):
            return None
        moments = [self._kind_completed_at(PLATFORM, kind, n) for kind, n in needed.items()]
        return None if any(m is None for m in moments) else max(m for m in moments if m is not None)

    def _own_channels_completed_at(self, group: str) -> datetime | None:
        spec = GROUPS[group]
        if any(self.people_by_channel.get(c, 0) for c in spec.other_channels):
            return None
        needed: dict[tuple[str, str], int] = {}
        for person_channel, key in spec.ledger_channels.items():
            needed[key] = needed.get(key, 0) + self.people_by_channel.get(person_channel, 0)
        needed = {key: n for key, n in needed.items() if n}
        if not needed:
            return None
        moments = [self._kind_completed_at(channel, kind, n) for (channel, kind), n in needed.items()]
        return None if any(m is None for m in moments) else max(m for m in moments if m is not None)

    def _kind_completed_at(self, channel: str, kind: str, people: int) -> datetime | None:
        # People whose channel is "email" are adults (individual notice) and teenagers (the minor
        # notice): one approved version covers both kinds, so their rows are added up per version.
        kinds = SAME_PEOPLE.get(kind, (kind,))
        by_version: dict[str, list[LedgerBatch]] = {}
        for batch in self.batches:
            if batch.kind in kinds and batch.channel == channel:
                by_version.setdefault(batch.version, []).append(batch)
        done = []
        for batches in by_version.values():
            rows, sent = sum(b.rows for b in batches), sum(b.sent for b in batches)
            last = [b.last_sent_at for b in batches if b.last_sent_at is not None]
            if rows >= people and sent == rows and last:
                done.append(max(last))
        return min(done, default=None)

    def platform_progress(self) -> tuple[int, int] | None:
        """(reported sent, rows) of the mass-messaging platform's hand-off version that has
        reached the most people, or None when nothing was handed to the platform."""
        by_version: dict[str, list[int]] = {}
        for batch in self.batches:
            if batch.channel == PLATFORM:
                counts = by_version.setdefault(batch.version, [0, 0])
                counts[0] += batch.sent
                counts[1] += batch.rows
        if not by_version:
            return None
        sent, rows = max(by_version.values())
        return sent, rows

    def waiting_on_other_channels(self, group: str) -> int:
        """People of the group told by SMS or letter (outside the e-mail sender)."""
        spec = GROUPS[group]
        sms = [c for c, (ledger, _) in spec.ledger_channels.items() if ledger == "sms"]
        return sum(self.people_by_channel.get(c, 0) for c in (*spec.other_channels, *sms))
