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

The guardians' group is every minor whose guardian gets a notice: the children under 14 (told
only through the guardian) and the teenagers of 14-17 told themselves, whose guardian is told too
(``TEEN_GUARDIAN_CHANNELS``, by the guardian's own contact); the teenager's own notice does not
meet it, only the guardian's row (``<key>#guardian``).

Rows count only for the people *now* on the list (``reached``): a sent row of somebody the officer
replaced or whose keying contact was corrected tells nobody on the list, so the same number of
different people leaves the obligation open, with the number of current people without a
delivered notice (:meth:`EmailDelivery.unreached`). A notice handed off again to a corrected
contact is a new row; the row of the old contact stays in the ledger, out of the counts
(storage.send_ledger.superseded_rows), and tells nobody on the list.

It is met when the last of those messages was accepted by the relay (or the platform). A corrected
notice sent later (a new version) does not move that moment. Pure: the services pass the counts in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
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


# The guardians of teenagers (14-17) told through a contact of their own (person channel email,
# sms or letter), by the way the guardian's notice goes — the guardian's e-mail, else phone, else a
# letter to the household address (domain/notices/recipient.py): counted apart from the person
# channels, since the teenager's own channel says nothing of the guardian's notice. A teenager with
# no contact of their own is reached through the guardian (a guardian_* person channel) already.
TEEN_GUARDIAN_CHANNELS: dict[str, str] = {"email": "teen_guardian_email", "sms": "teen_guardian_sms",
                                          "letter": "teen_guardian_letter"}

GROUPS: dict[str, RecipientGroup] = {
    # A minor's notice goes to the guardian: telling individuals includes telling guardians. SMS
    # rows come from the gateway hand-off (export-sms) once the provider's report was imported.
    "individuals": RecipientGroup({"email": ("email", "individual"), "guardian_email": ("email", "guardian"),
                                   "sms": ("sms", "individual"), "guardian_sms": ("sms", "guardian")},
                                  ("letter", "guardian_letter")),
    # Every minor whose guardian gets a notice: a child under 14 only through the guardian (PIPL
    # Art. 31), a teenager themself and, as the Minors' Regulations Art. 35 and the design say,
    # the guardian too — the duty is met once every one of those guardian notices was delivered.
    "guardians": RecipientGroup({"guardian_email": ("email", "guardian"), "guardian_sms": ("sms", "guardian"),
                                 "teen_guardian_email": ("email", "guardian"),
                                 "teen_guardian_sms": ("sms", "guardian")},
                                ("guardian_letter", "teen_guardian_letter")),
}


def is_guardian_notice(person_channel: str) -> bool:
    """Whether the notice of this person channel is the guardian's (a child's, or a teenager's
    guardian's), not the person's own."""
    return person_channel.startswith(("guardian_", "teen_guardian_"))


# The ledger channel of the rows handed to the company's own mass-messaging platform.
PLATFORM = "platform"

# Ledger kinds sent to the company's own staff, never to affected people.
STAFF_KINDS: tuple[str, ...] = ("internal_brief",)

# Ledger kinds that together reach the people of one channel.
SAME_PEOPLE: dict[str, tuple[str, ...]] = {"individual": ("individual", "minor")}


@dataclass(frozen=True)
class _Need:
    """People of some person channels to be reached through one ledger channel and notice kind."""

    channel: str
    kind: str
    person_channels: tuple[str, ...]
    people: int


@dataclass(frozen=True)
class EmailDelivery:
    """What the people list and the send ledger say about one incident's personal notices
    (e-mails sent by the tool, SMS reported by the gateway)."""

    # People per person channel, and the teenagers' guardians per TEEN_GUARDIAN_CHANNELS.
    people_by_channel: Mapping[str, int] = field(default_factory=dict)
    batches: tuple[LedgerBatch, ...] = ()
    # (ledger channel, version) -> person channel -> people now on the list with a sent row of
    # their notice kind in that version (the guardian's row for guardian_* channels and for a
    # teenager's guardian, their own otherwise). None: not looked up, the row counts alone decide
    # (the services look it up whenever the counts would say complete: see
    # :meth:`fully_sent_versions`).
    reached: Mapping[tuple[str, str], Mapping[str, int]] | None = None
    # Guardian rows of an older version still keyed ``#guardian`` (every key-less child alike; see
    # storage/migrations/m0035): no delivered notice for any child, already left out of
    # ``batches`` (:func:`without_rows`); the obligation's reason says how many there are.
    unmatched_rows: int = 0

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
        return self._completed_at(self._platform_needs(group))

    def _own_channels_completed_at(self, group: str) -> datetime | None:
        return self._completed_at(self._own_needs(group))

    def _platform_needs(self, group: str) -> list[_Need]:
        """What the platform path needs: per notice kind, every person of the group (any channel)."""
        if not any(b.channel == PLATFORM for b in self.batches):
            return []
        spec = GROUPS[group]
        needs: dict[str, list[str]] = {}
        for person_channel in (*spec.ledger_channels, *spec.other_channels):
            kind = "guardian" if is_guardian_notice(person_channel) else "individual"
            needs.setdefault(kind, []).append(person_channel)
        return self._needs({(PLATFORM, kind): channels for kind, channels in needs.items()})

    def _own_needs(self, group: str) -> list[_Need]:
        """What the tool's e-mails and the SMS hand-off need; nothing when somebody waits for a letter."""
        spec = GROUPS[group]
        if any(self.people_by_channel.get(c, 0) for c in spec.other_channels):
            return []
        needs: dict[tuple[str, str], list[str]] = {}
        for person_channel, key in spec.ledger_channels.items():
            needs.setdefault(key, []).append(person_channel)
        return self._needs(needs)

    def _needs(self, by_key: Mapping[tuple[str, str], list[str]]) -> list[_Need]:
        needs = [_Need(channel, kind, tuple(person_channels),
                       sum(self.people_by_channel.get(c, 0) for c in person_channels))
                 for (channel, kind), person_channels in by_key.items()]
        return [n for n in needs if n.people]

    def _completed_at(self, needs: list[_Need]) -> datetime | None:
        if not needs:
            return None
        moments = [self._kind_completed_at(need) for need in needs]
        return None if any(m is None for m in moments) else max(m for m in moments if m is not None)

    def _versions(self, channel: str, kind: str) -> dict[str, list[LedgerBatch]]:
        # People whose channel is "email" are adults (individual notice) and teenagers (the minor
        # notice): one approved version covers both kinds, so their rows are added up per version.
        kinds = SAME_PEOPLE.get(kind, (kind,))
        by_version: dict[str, list[LedgerBatch]] = {}
        for batch in self.batches:
            if batch.kind in kinds and batch.channel == channel:
                by_version.setdefault(batch.version, []).append(batch)
        return by_version

    def _fully_sent(self, need: _Need) -> dict[str, datetime]:
        """The versions whose rows are all sent and at least as many as the people (the counts'
        verdict), with their last acceptance."""
        done: dict[str, datetime] = {}
        for version, batches in self._versions(need.channel, need.kind).items():
            rows, sent = sum(b.rows for b in batches), sum(b.sent for b in batches)
            last = [b.last_sent_at for b in batches if b.last_sent_at is not None]
            if rows >= need.people and sent == rows and last:
                done[version] = max(last)
        return done

    def _reached(self, need: _Need, version: str) -> int:
        """People now on the list with a sent row of this version (all of them when not looked up)."""
        if self.reached is None:
            return need.people
        found = self.reached.get((need.channel, version), {})
        return sum(found.get(c, 0) for c in need.person_channels)

    def _kind_completed_at(self, need: _Need) -> datetime | None:
        done = [at for version, at in self._fully_sent(need).items() if self._reached(need, version) >= need.people]
        return min(done, default=None)

    def fully_sent_versions(self) -> set[tuple[str, str]]:
        """(ledger channel, version) pairs whose row counts alone would complete some group: the
        ones whose rows the services must match against the people now on the list."""
        found: set[tuple[str, str]] = set()
        for group in GROUPS:
            for need in (*self._own_needs(group), *self._platform_needs(group)):
                found.update((need.channel, version) for version in self._fully_sent(need))
        return found

    def unreached(self, group: str) -> int:
        """How many people now on the list have no delivered notice although the row counts say
        everyone was told (the list was replaced or corrected after the send): the fewest of the
        ways (own channels, platform) whose counts are complete; 0 when none is, or none is short."""
        shortfalls = []
        for needs in (self._own_needs(group), self._platform_needs(group)):
            sent = [self._fully_sent(need) for need in needs]
            if needs and all(sent):
                shortfalls.append(sum(max(need.people - max(self._reached(need, v) for v in versions), 0)
                                      for need, versions in zip(needs, sent, strict=True)))
        return min(shortfalls, default=0)

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


def without_rows(batches: Sequence[LedgerBatch], removed: Sequence[LedgerBatch]) -> tuple[LedgerBatch, ...]:
    """``batches`` with the rows of ``removed`` (batches of the same kind, version and channel)
    taken out of their counts; a batch left without rows is dropped. The last acceptance stays the
    batch's (it can only be as late as, or later than, that of the rows kept: never earlier)."""
    take: dict[tuple[str, str, str], LedgerBatch] = {}
    for b in removed:  # the same batch may lose rows for two reasons (an old key, a corrected contact)
        key = (b.kind, b.version, b.channel)
        held = take.get(key)
        take[key] = b if held is None else replace(held, rows=held.rows + b.rows, sent=held.sent + b.sent)
    kept = []
    for batch in batches:
        gone = take.get((batch.kind, batch.version, batch.channel))
        if gone is None:
            kept.append(batch)
        elif batch.rows > gone.rows:
            kept.append(replace(batch, rows=batch.rows - gone.rows, sent=max(batch.sent - gone.sent, 0)))
    return tuple(kept)
