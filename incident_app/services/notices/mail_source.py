"""The send command's and send dialog's messages: each affected person's (or guardian's) approved
email notice, rendered from the approved masters for that recipient alone.

This is the bridge between the notices (services/notices/service.py) and the mail sender
(services/mail/service.py, which only knows the MessageSource port of domain/mail/sending.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from incident_app.domain.errors import ValidationError
from incident_app.domain.mail import ApprovalStatus, FallbackChannel, OutgoingMessage
from incident_app.domain.notices import (
    Channel,
    NoticeKind,
    NoticeRecipient,
    recipient_reference,
    recipients_from_people,
)
from incident_app.domain.profile import STAFF_KEY_PREFIX
from incident_app.services.notices.prepared import NoticeSet, NoticeState
from incident_app.services.notices.service import NoticeService

PeopleOf = Callable[[int], Iterable[Any]]
EMAIL_CHANNELS = (Channel.EMAIL_HTML, Channel.EMAIL_TEXT)
PERSONAL_KINDS = [NoticeKind.INDIVIDUAL, NoticeKind.GUARDIAN, NoticeKind.MINOR]


class NoticeMessageSource:
    """A MessageSource over the incident's people and its approved personal email notices."""

    reads_affected_people = True

    def __init__(self, notices: NoticeService, people_of: PeopleOf, officer_email: str = "") -> None:
        self._notices = notices
        self._people_of = people_of
        # Every notice names the PI protection officer's address (PIPL Art. 57(三)); the content
        # check must accept it as legitimately present.
        self._officer = (officer_email,) if officer_email else ()
        self._fallbacks: dict[int, dict[str, FallbackChannel]] = {}

    def _recipients(self, incident_id: int) -> Iterable[NoticeRecipient]:
        return recipients_from_people(self._people_of(incident_id))

    def count(self, incident_id: int) -> int:
        return sum(1 for r in self._recipients(incident_id) if r.email)

    def approval(self, incident_id: int) -> ApprovalStatus:
        if next(iter(self._people_of(incident_id)), None) is None:
            return ApprovalStatus(False, "no affected people are on file for this incident; "
                                         "import the people list first", code="no_people")
        try:
            self.notice_version(incident_id)
        except ValidationError as exc:
            return ApprovalStatus(False, str(exc), code="not_approved")
        return ApprovalStatus(True)

    def notice_version(self, incident_id: int) -> str:
        """One id for the approved email masters (all kinds and languages): a new approval of any
        of them is a new version, so the corrected notice goes to everyone again."""
        return _approved_version(self._email_set(incident_id))

    def iter_messages(self, incident_id: int) -> Iterator[OutgoingMessage]:
        """The approved e-mails (refuses, before yielding anything, when a master is unapproved)."""
        notice_set = self._email_set(incident_id)
        return self._messages(incident_id, notice_set, _approved_version(notice_set), require_approval=True)

    def preview_messages(self, incident_id: int) -> Iterator[OutgoingMessage]:
        """The e-mails as they would go out now, approved or not (dry run, test send). Their
        version is marked as a draft so a preview never stands in for an approved send."""
        notice_set = self._email_set(incident_id)
        draft = "draft-" + _digest(_email_states(notice_set))
        return self._messages(incident_id, notice_set, draft, require_approval=False)

    def _email_set(self, incident_id: int) -> NoticeSet:
        """The personal notices, prepared once per call (the version and the bodies share it)."""
        return self._notices.prepare(incident_id, kinds=PERSONAL_KINDS)

    def _messages(self, incident_id: int, notice_set: NoticeSet, version: str, *,
                  require_approval: bool) -> Iterator[OutgoingMessage]:
        emails = self._notices.personal_emails(incident_id, self._recipients(incident_id),
                                               require_approval=require_approval, notice_set=notice_set)
        for email in emails:
            yield OutgoingMessage(
                incident_id=incident_id, notice_kind=email.kind.value, notice_version=version,
                recipient_key=email.recipient_key, to_address=email.to_address, language=email.language,
                subject=email.subject, text_body=email.text_body, html_body=email.html_body,
                mentioned_addresses=self._officer,
                reference_line=recipient_reference(incident_id, email.recipient_key))

    def fallback_for(self, incident_id: int, recipient_key: str) -> FallbackChannel | None:
        """SMS when the person has a phone, a letter when only an address, else the announcement;
        None for a row of the staff's internal brief (not an affected person: brief_mail.py)."""
        if recipient_key.startswith(STAFF_KEY_PREFIX):
            return None
        if incident_id not in self._fallbacks:
            self._fallbacks[incident_id] = {r.recipient_key: _fallback(r) for r in self._recipients(incident_id)}
        return self._fallbacks[incident_id].get(recipient_key, FallbackChannel.ANNOUNCEMENT)


def _fallback(recipient: NoticeRecipient) -> FallbackChannel:
    if recipient.phone:
        return FallbackChannel.SMS
    if recipient.address:
        return FallbackChannel.LETTER
    return FallbackChannel.ANNOUNCEMENT


def _email_states(notice_set: NoticeSet) -> list[NoticeState]:
    return [n for n in notice_set.notices if n.rendered.channel in EMAIL_CHANNELS]


def _digest(states: Iterable[NoticeState]) -> str:
    return hashlib.sha256("".join(sorted(s.rendered.sha256 for s in states)).encode()).hexdigest()[:16]


def _approved_version(notice_set: NoticeSet) -> str:
    """The version id of the approved masters; refuses (ValidationError) while any is unapproved."""
    states = _email_states(notice_set)
    unapproved = [f"{s.rendered.kind.value}/{s.rendered.channel.value}/{s.rendered.lang}"
                  for s in states if not s.approval]
    if not states or unapproved:
        what = ", ".join(unapproved) or "no personal email notice is planned"
        raise ValidationError.single("notices", f"not approved in their current form: {what}; approve them first")
    return _digest(states)
