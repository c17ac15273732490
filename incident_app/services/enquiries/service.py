"""Use cases of the enquiry desk. The GUI's Enquiries tab and the ``enquiry`` command both come
through here, so they validate the same way and write one event per change. Events carry the
enquiry id, topic and channel only: never the enquirer's contact, text or reply."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from incident_app.domain.clock import SHANGHAI, parse_time, record_time_problem, to_iso
from incident_app.domain.contacts import AddressRejected, normalise_email
from incident_app.domain.enquiries import (
    MAX_TEXT,
    ContactKind,
    Enquiry,
    EnquiryChannel,
    EnquiryFilter,
    EnquiryMetrics,
    EnquiryStatus,
    Reply,
    ReplyKind,
    RequestOutcome,
    Topic,
    enquiry_clocks,
    request_counts,
)
from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.mail.message import english_sender_name
from incident_app.domain.mail.sending import OutgoingMessage, SendState, SmtpSettings
from incident_app.domain.notices.recipient import person_key
from incident_app.domain.people import Person, mask_address, mask_email, mask_phone
from incident_app.domain.people.fields import FieldRejected, normalise_phone, strip_unsafe
from incident_app.domain.text import NAME_MAX, text_problem
from incident_app.services.context import AppContext
from incident_app.services.enquiries.metrics import enquiry_metrics
from incident_app.services.enquiries.replies import LANGUAGES, Facts, faq, render_reply, template_names
from incident_app.services.mail.service import SingleOutcome, send_one, write_one_eml
from incident_app.services.people.service import PURGE_TARGET
from incident_app.services.settings import ProfileService

REPLY_KIND = "enquiry_reply"
FUTURE_SLACK = timedelta(minutes=5)  # clocks of two machines differ a little


@dataclass(frozen=True)
class Match:
    """One of the incident's people matching the looked-up contact (masked unless unmasked)."""

    person: Person
    notices: tuple[dict[str, Any], ...]
    # The looked-up contact is the guardian's (a parent asking for a child), not the person's own.
    via_guardian: bool = False

    def to_dict(self) -> dict[str, Any]:
        p = self.person
        return {"person_id": p.id, "user_id": p.user_id, "name": p.name, "email": p.email, "phone": p.phone,
                "data_types": list(p.data_types), "channel": p.channel.value, "minor_band": p.minor_band.value,
                "notices": list(self.notices), "contact_is_guardian": self.via_guardian,
                "notice_delivered": self.delivered_at is not None, "notice_delivered_at": self.delivered_at,
                "older_contact_told": self.older_contact_told_at is not None,
                "older_contact_told_at": self.older_contact_told_at}

    @property
    def delivered_at(self) -> str | None:
        """When a notice to them (or their guardian) at the contact now on the list was first
        accepted and has not bounced since (a bounced row keeps its sent_at but is failed; one the
        platform reports delivered again after the bounce counts from its first delivery). A row
        of a contact since corrected is history: it told the old address or number, not them."""
        return _first_sent(n for n in self.notices if n["current"])

    @property
    def older_contact_told_at(self) -> str | None:
        """When a notice reached a contact of theirs since corrected (the row is history)."""
        return _first_sent(n for n in self.notices if not n["current"])

    @property
    def delivered_to_enquirer_at(self) -> str | None:
        """When the notice to whoever is asking (the guardian, or the person) was delivered to
        the contact now on the list."""
        to = "guardian" if self.via_guardian else "person"
        return _first_sent(n for n in self.notices if n["to"] == to and n["current"])


def _first_sent(notices: Iterable[dict[str, Any]]) -> str | None:
    return min((n["sent_at"] for n in notices if n["sent_at"] and n["state"] == SendState.SENT.value),
               key=parse_time, default=None)


def _mask_contact(address: str) -> str:
    """A ledger row's address masked as the people list masks it (e-mail, number or postal address)."""
    if "@" in address:
        return mask_email(address) or ""
    if re.fullmatch(r"\+?[\d \-]{5,}", address.strip()):
        return mask_phone(address) or ""
    return mask_address(address) or ""


def ledger_notices(person: Person, rows: Sequence[tuple[Any, ...]]) -> tuple[dict[str, Any], ...]:
    """The person's send-ledger rows (storage.enquiries.notice_rows) as the desk shows them: who
    (person or guardian), kind, state, time, the contact it went to (masked) and whether it is
    ``current`` — the latest row of its notice version (the contact corrected last) and sent to a
    contact now on the list. A letter row without address (written before rows kept one) counts
    as current, as the ledger's own counts take it."""
    latest: dict[tuple[str, str, str], int] = {}
    for key, kind, _state, _sent, version, seq, _address in rows:
        latest[(key, kind, version)] = max(seq, latest.get((key, kind, version), -1))
    contacts = {str(c).strip().lower() for c in (person.email, person.phone, person.address, person.guardian_email,
                                                  person.guardian_phone) if c}
    return tuple({"to": "guardian" if key.endswith("#guardian") else "person", "kind": kind, "state": state,
                  "sent_at": sent, "contact": _mask_contact(address),
                  "current": seq == latest[(key, kind, version)]
                  and (not address or address.strip().lower() in contacts)}
                 for key, kind, state, sent, version, seq, address in rows)


@dataclass(frozen=True)
class LookupResult:
    affected: bool
    kind: ContactKind
    matches: tuple[Match, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"affected": self.affected, "looked_up_by": self.kind.value,
                "people": [m.to_dict() for m in self.matches]}


@dataclass(frozen=True)
class ReplyMail:
    """How a reply e-mail leaves: through the relay, or (``dry_run`` folder) as an .eml file."""

    settings: SmtpSettings
    password: str | None = None
    dry_run: Path | None = None


def normalise_contact(kind: str, raw: str) -> tuple[ContactKind, str]:
    """The contact normalised exactly as the people import normalises it. ``kind`` may be empty:
    an @ means e-mail, a valid phone number a phone, anything else a user id."""
    text = strip_unsafe(raw).strip()
    if not text:
        raise ValidationError.single("contact", "give the enquirer's phone, e-mail or user id")
    if not kind:
        # Folded first: a Chinese input method types the full-width ＠ (the import folds it too).
        at_sign = "@" in unicodedata.normalize("NFKC", text)
        kind = ContactKind.EMAIL if at_sign else ContactKind.PHONE if _is_phone(text) else ContactKind.USER_ID
    try:
        contact_kind = ContactKind(kind)
    except ValueError:
        raise ValidationError.single("contact_kind", f"unknown kind {kind!r}; use "
                                     + " | ".join(k.value for k in ContactKind)) from None
    if contact_kind == ContactKind.EMAIL:
        try:
            return contact_kind, normalise_email(text) or ""
        except AddressRejected:
            raise ValidationError.single("email", "not a valid e-mail address; check it with the enquirer") from None
    if contact_kind == ContactKind.PHONE:
        try:
            phone = normalise_phone(text)
        except FieldRejected:
            phone = None
        if not phone:
            raise ValidationError.single("phone", "not a valid phone number (mainland mobile, or +country code)")
        return contact_kind, phone[0]
    if len(text) > 200:
        raise ValidationError.single("contact", "longer than 200 characters")
    return contact_kind, text


def _is_phone(text: str) -> bool:
    try:
        return normalise_phone(text) is not None
    except FieldRejected:
        return False


class EnquiryService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._profiles = ProfileService(ctx)

    # -- logging an enquiry ----------------------------------------------------------------------
    def add(self, incident_id: int, data: Mapping[str, Any]) -> Enquiry:
        """Validate and store one enquiry with its clocks; matched to a person when the contact is
        one of the incident's people. Every field at fault is named at once; nothing is stored then."""
        store = self._ctx.store
        incident = store.incidents.get(incident_id)
        self._refuse_if_purged(incident_id)
        now = self._ctx.now()
        problems: list[FieldProblem] = []
        channel = _choice(EnquiryChannel, data.get("channel"), "channel", problems)
        topic = _choice(Topic, data.get("topic"), "topic", problems)
        facts = incident.facts
        started = min(facts.occurred_at or facts.discovered_at, facts.discovered_at)
        received = _received(data.get("received_at"), now, started, problems)
        try:
            kind, contact = normalise_contact(str(data.get("contact_kind") or ""), str(data.get("contact") or ""))
        except ValidationError as exc:
            problems += exc.problems
            kind, contact = ContactKind.OTHER, ""
        text = strip_unsafe(str(data.get("text") or "")).strip()
        if len(text) > MAX_TEXT:
            problems.append(FieldProblem("text", f"longer than {MAX_TEXT} characters; keep the gist"))
        handler = str(data.get("handler") or "").strip() or self._ctx.actor
        if problem := text_problem(handler, NAME_MAX):
            problems.append(FieldProblem("handler", problem))
        if problems or channel is None or topic is None or received is None:
            raise ValidationError(problems)
        profile = self._profiles.get()
        verify = topic.is_request
        clocks = enquiry_clocks(received, verify, reply_days=profile.reply_working_days,
                                handling_days=profile.handling_working_days)
        matches = store.enquiries.find_person_ids(incident_id, kind, contact) if kind != ContactKind.OTHER else []
        row = {"incident_id": incident_id, "channel": channel, "received_at": received.astimezone(SHANGHAI),
               "contact_kind": kind, "contact": contact, "topic": topic, "text": text,
               "handler": handler, "person_id": matches[0] if matches else None,
               "status": EnquiryStatus.OPEN, "outcome": RequestOutcome.PENDING if verify else None,
               "needs_verification": verify, "reply_due": clocks.reply_due, "close_due": clocks.close_due,
               "recorded_at": now}
        with store.transaction():
            enquiry_id = store.enquiries.add(row)
            self._ctx.record("enquiry.added", "enquiry", enquiry_id,
                             {"enquiry_id": enquiry_id, "topic": topic.value, "channel": channel.value}, incident_id)
        return store.enquiries.get(enquiry_id)

    def _refuse_if_purged(self, incident_id: int) -> None:
        """After the retention purge nothing would ever blank a new enquirer's contact again."""
        purged = self._ctx.store.retention.purged_at(incident_id, PURGE_TARGET)
        if purged is not None:
            raise ValidationError.single("incident", (
                f"the affected people's contacts of incident {incident_id} were purged on "
                f"{to_iso(purged.astimezone(SHANGHAI))} under the retention policy; an enquiry logged now "
                "would keep its contact for ever (and a reply its text): log it under a new incident"))

    def _person_id(self, enquiry: Enquiry) -> int | None:
        """The person the enquirer is now, looked up again by the stored contact: the list may
        have been imported, replaced or corrected since the enquiry was logged (a stored id can
        then point at nobody, or at someone else)."""
        if enquiry.contact_kind == ContactKind.OTHER or not enquiry.contact:
            return None
        ids = self._ctx.store.enquiries.find_person_ids(enquiry.incident_id, enquiry.contact_kind, enquiry.contact)
        return ids[0] if ids else None

    # -- is this person affected? ----------------------------------------------------------------
    def lookup(self, incident_id: int, kind: str, value: str) -> LookupResult:
        """The incident's people with this phone, e-mail or user id (normalised as the import does;
        an index probe), each masked, with their data types, channel and notices from the send ledger.
        Showing one unmasked goes through PeopleService.unmask (logged)."""
        store = self._ctx.store
        store.incidents.get(incident_id)
        contact_kind, contact = normalise_contact(kind, value)
        ids = store.enquiries.find_person_ids(incident_id, contact_kind, contact)
        matches = tuple(self._match(store.people.get(incident_id, pid).masked(), incident_id, contact_kind, contact)
                        for pid in ids)
        return LookupResult(bool(matches), contact_kind, matches)

    def _match(self, masked: Person, incident_id: int, kind: ContactKind | None = None, contact: str = "") -> Match:
        real = self._ctx.store.people.get(incident_id, masked.id)
        key = person_key(real)
        rows = self._ctx.store.enquiries.notice_rows(incident_id, [key, f"{key}#guardian"]) if key else []
        notices = ledger_notices(real, rows)
        own, guardian = ((real.phone, real.guardian_phone) if kind == ContactKind.PHONE
                         else (real.email, real.guardian_email) if kind == ContactKind.EMAIL else (None, None))
        return Match(masked, notices, via_guardian=bool(contact) and guardian == contact and own != contact)

    # -- reading ---------------------------------------------------------------------------------
    def get(self, enquiry_id: int) -> Enquiry:
        return self._ctx.store.enquiries.get(enquiry_id)

    def page(self, incident_id: int, query: EnquiryFilter, offset: int = 0, limit: int = 200) -> list[Enquiry]:
        return self._ctx.store.enquiries.page(incident_id, query, offset, limit)

    def count(self, incident_id: int, query: EnquiryFilter | None = None) -> int:
        return self._ctx.store.enquiries.count(incident_id, query)

    def replies(self, enquiry_id: int) -> list[Reply]:
        return self._ctx.store.enquiries.replies(enquiry_id)

    def metrics(self, incident_id: int | None = None) -> EnquiryMetrics:
        """Median time to the first reply and the share on time (services/enquiries/metrics.py)."""
        return enquiry_metrics(self._ctx, incident_id)

    def requests_summary(self, incident_id: int) -> dict[str, Any]:
        """Complaints and requests by topic and status, and all enquiries by topic (counts only)."""
        rows = self._ctx.store.enquiries.request_rows(incident_id)
        by_topic: dict[str, int] = {}
        for topic, _outcome, count in rows:
            by_topic[topic] = by_topic.get(topic, 0) + count
        return {"enquiries": sum(by_topic.values()), "by_topic": by_topic,
                "requests": {k: dict(v) for k, v in request_counts(rows).items()},
                "metrics": self.metrics(incident_id).to_dict()}

    # -- replying --------------------------------------------------------------------------------
    def facts_for(self, enquiry: Enquiry) -> Facts:
        """What the templates are filled from: the incident, the profile and the matched person."""
        store = self._ctx.store
        incident = store.incidents.get(enquiry.incident_id)
        person_types: tuple[str, ...] | None = None
        affected: bool | None = None
        sent_at: str | None = None
        person_id = self._person_id(enquiry)
        guardian = False
        if enquiry.contact_kind != ContactKind.OTHER and enquiry.contact:
            affected = person_id is not None
        if person_id is not None:
            match = self._match(store.people.get(enquiry.incident_id, person_id), enquiry.incident_id,
                                enquiry.contact_kind, enquiry.contact)
            person_types = match.person.data_types
            guardian = match.via_guardian
            sent = match.delivered_to_enquirer_at
            sent_at = parse_time(sent).astimezone(SHANGHAI).date().isoformat() if sent else None
        return Facts(incident, self._profiles.get(), self._ctx.catalog, reference_of(enquiry), person_types,
                     affected, sent_at, guardian)

    def draft(self, enquiry_id: int, template: str, language: str | None = None) -> tuple[str, str, str]:
        """(language, subject, body) of a template filled for this enquiry (the GUI previews it)."""
        enquiry = self.get(enquiry_id)
        lang = self._language(enquiry, language)
        if template not in template_names():
            raise ValidationError.single("template", f"unknown template {template!r}; use "
                                         + " | ".join(template_names()))
        subject, body = render_reply(template, self.facts_for(enquiry), lang)
        return lang, subject, body

    def faq(self, incident_id: int, topic: Topic, language: str) -> str:
        """The FAQ answer for ``topic`` pre-filled from the incident (what the phone team reads)."""
        incident = self._ctx.store.incidents.get(incident_id)
        facts = Facts(incident, self._profiles.get(), self._ctx.catalog, "", None, None, None)
        return faq(topic, facts, language)

    def reply(self, enquiry_id: int, *, via: ReplyKind, template: str = "", note: str = "",
              language: str | None = None, at: str | None = None, mail: ReplyMail | None = None) -> Reply:
        """Reply by template (e-mail through the relay, or read out on the phone) or record a
        free-text reply note. The first reply that reached the person starts the enquiry's
        'replied' state; a failed e-mail is kept in the record but is not a reply."""
        enquiry = self.get(enquiry_id)
        self._refuse_if_purged(enquiry.incident_id)  # a reply's text would outlive the purge
        if bool(template) == bool(note.strip()):
            raise ValidationError.single("template", "give a template or a note (one of them)")
        if enquiry.status == EnquiryStatus.CLOSED:
            raise ValidationError.single("enquiry", f"enquiry {enquiry_id} is closed; log a new enquiry instead")
        now = self._ctx.now()
        when = _reply_time(at, enquiry, now)
        lang, subject, body = (self.draft(enquiry_id, template, language) if template
                               else (self._language(enquiry, language), "", strip_unsafe(note).strip()))
        if len(body) > MAX_TEXT * 2:
            raise ValidationError.single("note", f"longer than {MAX_TEXT * 2} characters")
        reply = Reply(0, enquiry_id, via, template or "note", lang, body, when, self._ctx.actor)
        if via == ReplyKind.EMAIL:
            reply = self._email(enquiry, reply, subject, mail)
            if reply.state == "dry_run":
                return reply
        return self._store_reply(enquiry, reply)

    def bulk_reply(self, incident_id: int, enquiry_ids: Sequence[int], *, via: ReplyKind, template: str,
                   language: str | None = None, mail: ReplyMail | None = None) -> dict[str, Any]:
        """The same template to a selection; each enquiry gets its own filled reply. Returns counts
        (replied, failed with reasons by enquiry id, skipped because closed)."""
        replied, skipped, failed = 0, 0, {}
        for enquiry_id in enquiry_ids:
            enquiry = self.get(enquiry_id)
            if enquiry.incident_id != incident_id:
                raise ValidationError.single("enquiry", f"enquiry {enquiry_id} belongs to another incident")
            if enquiry.status == EnquiryStatus.CLOSED:
                skipped += 1
                continue
            try:
                done = self.reply(enquiry_id, via=via, template=template, language=language, mail=mail)
            except ValidationError as exc:
                failed[enquiry_id] = str(exc)
                continue
            if done.state in ("recorded", SendState.SENT.value, "dry_run"):
                replied += 1
            else:
                failed[enquiry_id] = done.relay_reply or done.state
        return {"replied": replied, "skipped_closed": skipped, "failed": failed}

    def _email(self, enquiry: Enquiry, reply: Reply, subject: str, mail: ReplyMail | None) -> Reply:
        if mail is None:
            raise ValidationError.single("smtp", "an e-mail reply needs the relay (or a dry-run folder)")
        if enquiry.contact_kind != ContactKind.EMAIL:
            raise ValidationError.single("contact", "the enquirer gave no e-mail address: reply by phone or letter")
        number = len(self.replies(enquiry.id)) + 1
        profile = self._profiles.get()
        settings = mail.settings
        if not settings.from_name_en:  # English enquirers see the company's English name as the sender
            settings = replace(settings, from_name_en=english_sender_name(settings.from_name, profile.company_zh,
                                                                          profile.company_en))
        message = OutgoingMessage(enquiry.incident_id, REPLY_KIND, str(number), f"enquiry:{enquiry.id}",
                                  enquiry.contact, reply.language, subject, reply.body,
                                  mentioned_addresses=(profile.officer_email,),
                                  reference_line=reference_of(enquiry))
        now = self._ctx.now()
        if mail.dry_run is not None:
            path = write_one_eml(message, settings, mail.dry_run, now, self._ctx.store.path)
            with self._ctx.store.transaction():
                self._ctx.record("enquiry.reply_dry_run", "enquiry", enquiry.id,
                                 {"enquiry_id": enquiry.id, "topic": enquiry.topic.value,
                                  "channel": enquiry.channel.value}, enquiry.incident_id)
            return replace(reply, state="dry_run", relay_reply=str(path))
        outcome: SingleOutcome = send_one(message, settings, mail.password, now)
        return replace(reply, state=outcome.state.value, message_id=outcome.message_id, code=outcome.code,
                       relay_reply=outcome.reply or outcome.reason, at=now)

    def _store_reply(self, enquiry: Enquiry, reply: Reply) -> Reply:
        store = self._ctx.store
        reached = reply.state in ("recorded", SendState.SENT.value)
        with store.transaction():
            reply_id = store.enquiries.add_reply(reply)
            changes: dict[str, Any] = {}
            if reached and enquiry.first_reply_at is None:
                changes = {"first_reply_at": reply.at.astimezone(SHANGHAI), "status": EnquiryStatus.REPLIED}
                if not enquiry.needs_verification:
                    changes |= {"status": EnquiryStatus.CLOSED, "closed_at": reply.at.astimezone(SHANGHAI)}
            if changes:
                store.enquiries.update(enquiry.id, changes)
            self._ctx.record("enquiry.replied", "enquiry", enquiry.id,
                             {"enquiry_id": enquiry.id, "topic": enquiry.topic.value, "channel": enquiry.channel.value,
                              "via": reply.kind.value, "template": reply.template, "state": reply.state},
                             enquiry.incident_id)
        return replace(reply, id=reply_id)

    def close(self, enquiry_id: int, outcome: str = "", at: str | None = None) -> Enquiry:
        """Close an enquiry that has been answered; a complaint or request closes with its outcome
        (done, refused, withdrawn)."""
        enquiry = self.get(enquiry_id)
        if enquiry.status == EnquiryStatus.CLOSED:
            raise ValidationError.single("enquiry", f"enquiry {enquiry_id} is already closed")
        if enquiry.first_reply_at is None and outcome != RequestOutcome.WITHDRAWN.value:
            raise ValidationError.single("enquiry", f"enquiry {enquiry_id} has no reply yet: reply first "
                                         "(enquiry reply ENQ --note TEXT records a phone reply)")
        chosen: RequestOutcome | None = None
        if enquiry.topic.is_request:
            try:
                chosen = RequestOutcome(outcome or RequestOutcome.DONE.value)
            except ValueError:
                raise ValidationError.single("outcome", "use done | refused | withdrawn") from None
            if chosen == RequestOutcome.PENDING:
                raise ValidationError.single("outcome", "a closed request is done, refused or withdrawn")
        elif outcome:
            raise ValidationError.single("outcome", "only complaints and requests have an outcome")
        now = self._ctx.now()
        when = _reply_time(at, enquiry, now)
        changes: dict[str, Any] = {"status": EnquiryStatus.CLOSED, "closed_at": when.astimezone(SHANGHAI)}
        if chosen is not None:
            changes["outcome"] = chosen
        with self._ctx.store.transaction():
            self._ctx.store.enquiries.update(enquiry_id, changes)
            self._ctx.record("enquiry.closed", "enquiry", enquiry_id,
                             {"enquiry_id": enquiry_id, "topic": enquiry.topic.value, "channel": enquiry.channel.value,
                              "outcome": chosen.value if chosen else None}, enquiry.incident_id)
        return self.get(enquiry_id)

    def _language(self, enquiry: Enquiry, language: str | None) -> str:
        if language:
            if language not in LANGUAGES:
                raise ValidationError.single("language", "use zh-CN or en")
            return language
        person_id = self._person_id(enquiry)
        if person_id is not None:
            lang = self._ctx.store.people.get(enquiry.incident_id, person_id).language
            return lang if lang in LANGUAGES else "zh-CN"
        return "zh-CN"


def reference_of(enquiry: Enquiry) -> str:
    """The reference a reply carries (and the enquirer quotes back)."""
    return f"BD{enquiry.incident_id}-Q{enquiry.id}"


def _choice(enum: Any, value: Any, field: str, problems: list[FieldProblem]) -> Any:
    try:
        return enum(str(value or ""))
    except ValueError:
        problems.append(FieldProblem(field, f"{value!r} is not one of " + " | ".join(e.value for e in enum)))
        return None


def _received(value: Any, now: datetime, started: datetime, problems: list[FieldProblem]) -> datetime | None:
    text = str(value or "").strip()
    if not text or text.lower() == "now":
        return now
    try:
        moment = parse_time(text)
    except ValueError as exc:
        problems.append(FieldProblem("received_at", str(exc)))
        return None
    if moment > now + FUTURE_SLACK:
        problems.append(FieldProblem("received_at", "is in the future; give when the enquiry arrived"))
        return None
    # Year 1 or 1900 is a typo (and would break every clock of the incident); an enquiry about a
    # breach cannot arrive before the breach began.
    if problem := record_time_problem(moment, now, not_before=started, not_before_what="the incident began"):
        problems.append(FieldProblem("received_at", problem.replace("give the time it was done",
                                                                    "give when the enquiry arrived")))
        return None
    return moment


def _reply_time(value: str | None, enquiry: Enquiry, now: datetime) -> datetime:
    if not value or value.strip().lower() == "now":
        return now
    try:
        moment = parse_time(value)
    except ValueError as exc:
        raise ValidationError.single("at", str(exc)) from None
    if moment > now + FUTURE_SLACK or moment < enquiry.received_at:
        raise ValidationError.single("at", "must lie between the enquiry's arrival and now")
    return moment
