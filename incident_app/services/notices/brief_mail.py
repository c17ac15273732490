"""``send ID --brief``: the approved internal brief, one e-mail per responsible person in the
profile, through the same MessageSource port (relay, send ledger, dry run) as the personal
notices. The ledger's version names the approved brief versions it carried, which is how the
next brief knows what changed since (services/notices/brief.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from incident_app.domain.errors import ValidationError
from incident_app.domain.mail import ApprovalStatus, FallbackChannel, OutgoingMessage
from incident_app.domain.notices import Channel, NoticeKind, recipient_reference
from incident_app.domain.people import FieldRejected, normalise_phone
from incident_app.domain.profile import OrganisationProfile, ResponsiblePerson
from incident_app.services.notices.brief import brief_version
from incident_app.services.notices.prepared import NoticeSet, NoticeState
from incident_app.services.notices.render import subject_of
from incident_app.services.notices.service import NoticeService

EMAIL_CHANNELS = (Channel.EMAIL_HTML, Channel.EMAIL_TEXT)


def brief_message_source(services: Any) -> BriefMessageSource:
    """The send dialog's source factory for the internal brief (takes the Services)."""
    return BriefMessageSource(services.notices, services.profile.get)


def staff_key(person: ResponsiblePerson) -> str:
    """A stable ledger key for a responsible person that does not show the address itself."""
    return person.ledger_key


class BriefMessageSource:
    """A MessageSource over the profile's responsible persons and the approved internal brief."""

    # The brief goes to the company's own people, never the affected list: a shared key among
    # affected people (refused for their notices) must not hold back the responsible persons' brief.
    reads_affected_people = False

    def __init__(self, notices: NoticeService, profile: Callable[[], OrganisationProfile]) -> None:
        self._notices = notices
        self._profile = profile

    def _people(self) -> tuple[ResponsiblePerson, ...]:
        return self._profile().responsible_persons

    def count(self, incident_id: int) -> int:
        return len(self._people())

    def approval(self, incident_id: int) -> ApprovalStatus:
        if not self._people():
            return ApprovalStatus(False, "no responsible persons in the organisation profile; add them in Settings "
                                         "or with: profile set responsible_persons '<JSON list>'",
                                  code="no_responsible_persons")
        try:
            _approved(self._brief_set(incident_id))
        except ValidationError as exc:
            return ApprovalStatus(False, str(exc), code="brief_not_approved")
        return ApprovalStatus(True)

    def iter_messages(self, incident_id: int) -> Iterator[OutgoingMessage]:
        """The approved brief for each person (refuses, before yielding, while it is unapproved)."""
        notice_set = self._brief_set(incident_id)
        states = _approved(notice_set)
        version = brief_version([s.version.id for s in states if s.version])
        return self._messages(incident_id, notice_set, version)

    def preview_messages(self, incident_id: int) -> Iterator[OutgoingMessage]:
        """The brief as it would go out now, approved or not (dry run, test send)."""
        notice_set = self._brief_set(incident_id)
        digest = hashlib.sha256("".join(sorted(s.rendered.sha256 for s in _emails(notice_set))).encode())
        return self._messages(incident_id, notice_set, "draft-brief-" + digest.hexdigest()[:16])

    def fallback_for(self, incident_id: int, recipient_key: str) -> FallbackChannel | None:
        """A failed brief is followed up by text message when the profile has the person's number;
        otherwise there is no fallback channel (the officer reaches them and records it) — never
        the public announcement, which is for affected people. Rows of affected people are not
        this source's to decide (None)."""
        person = next((p for p in self._people() if staff_key(p) == recipient_key), None)
        return FallbackChannel.SMS if person is not None and _takes_sms(person.phone) else None

    def _brief_set(self, incident_id: int) -> NoticeSet:
        return self._notices.prepare(incident_id, kinds=[NoticeKind.INTERNAL_BRIEF])

    def _messages(self, incident_id: int, notice_set: NoticeSet, version: str) -> Iterator[OutgoingMessage]:
        renderer = notice_set.renderers[NoticeKind.INTERNAL_BRIEF]
        officer = self._profile().officer_email
        for person in self._people():
            key = staff_key(person)
            fields = {"display_name": person.name, "salutation": person.name,
                      "reference": recipient_reference(incident_id, key), "child_name": "", "address": ""}
            html = renderer.render(NoticeKind.INTERNAL_BRIEF, Channel.EMAIL_HTML, person.language, fields)
            text = renderer.render(NoticeKind.INTERNAL_BRIEF, Channel.EMAIL_TEXT, person.language, fields)
            yield OutgoingMessage(
                incident_id=incident_id, notice_kind=NoticeKind.INTERNAL_BRIEF.value, notice_version=version,
                recipient_key=key, to_address=person.email, language=person.language, subject=subject_of(html),
                text_body=text, html_body=html, mentioned_addresses=(officer,) if officer else (),
                reference_line=fields["reference"])


def _takes_sms(phone: str) -> bool:
    """Whether a responsible person's number can take a text message: a mobile, not a landline
    or a 400 service number (the Settings accept those for calls)."""
    try:
        parsed = normalise_phone(phone)
    except FieldRejected:
        return False
    return parsed is not None and parsed[1]


def _emails(notice_set: NoticeSet) -> list[NoticeState]:
    return [n for n in notice_set.notices if n.rendered.channel in EMAIL_CHANNELS]


def _approved(notice_set: NoticeSet) -> Sequence[NoticeState]:
    """The brief's e-mail masters; refuses (ValidationError) while any is unapproved."""
    states = _emails(notice_set)
    unapproved = [f"{s.rendered.kind.value}/{s.rendered.channel.value}/{s.rendered.lang}"
                  for s in states if not s.approval]
    if not states or unapproved:
        what = ", ".join(unapproved) or "no internal brief is planned"
        raise ValidationError.single("internal_brief", f"not approved in its current form: {what}; "
                                                       "approve it first: approve ID --notice internal_brief")
    return states
