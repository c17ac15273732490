"""What the People tab's search box and ``people ID --search`` look for, decided once per search.

A whole e-mail address or phone number is normalised exactly as the import stores it (lower-case
e-mail, E.164 phone) and matched through the contact indexes, the person's own and their
guardian's: one index probe each. ``#210`` (``＃２１０`` as a Chinese input method types it) is the
person with id 210 — the number the send and hand-off refusals name, which the People tab shows in
its first column — one probe of the primary key, within the incident. A text that starts a user id
of the incident lists those people through the user-id index. Anything else — part of a name, of an e-mail or of a phone
number — is matched by reading the incident's rows in id order: seconds at ten million people
(README: Affected people), so the tab runs it on a worker, page by page."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from incident_app.domain.people import PHONE_FOLD
from incident_app.domain.people.fields import FieldRejected, normalise_email, normalise_phone, strip_unsafe
from incident_app.storage.people import PeopleQuery

UserIdProbe = Callable[[str], bool]
_PERSON_ID = re.compile(r"#\s*([0-9]{1,30})")
_MAX_ROWID = 2**63 - 1  # SQLite's largest integer: a longer number is nobody's id


def search_query(search: str, has_user_id_prefix: UserIdProbe) -> PeopleQuery:
    """The search part of a listing's filter (band and channel are added by the caller)."""
    text = strip_unsafe(search).strip()
    if not text:
        return PeopleQuery()
    person_id = typed_person_id(text)
    if person_id is not None:
        return PeopleQuery(person_id=person_id)
    contacts = exact_contacts(text)
    if contacts:
        return PeopleQuery(contacts=contacts)
    if has_user_id_prefix(text):
        return PeopleQuery((text, "", ""))
    return PeopleQuery(scan_terms(text))


def typed_person_id(text: str) -> int | None:
    """The person id in ``#210`` (full-width ``＃``, digits and spaces fold), else None; a number
    beyond SQLite's integers gives 0, which no person has, so the search finds nobody."""
    found = _PERSON_ID.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if found is None:
        return None
    number = int(found.group(1))
    return number if number <= _MAX_ROWID else 0


def exact_contacts(text: str) -> tuple[tuple[str, str], ...]:
    """(column, stored value) pairs when ``text`` is a whole e-mail address or phone number."""
    if "@" in unicodedata.normalize("NFKC", text):  # a Chinese input method types the full-width ＠
        try:
            email = normalise_email(text)
        except FieldRejected:
            return ()
        return (("email", email), ("guardian_email", email)) if email else ()
    try:
        phone = normalise_phone(text)
    except FieldRejected:
        return ()
    return (("phone", phone[0]), ("guardian_phone", phone[0])) if phone else ()


def scan_terms(text: str) -> tuple[str, str, str]:
    """(user-id prefix, LIKE pattern for name and e-mail, LIKE pattern for phone digits or "")."""
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    digits = text.translate(PHONE_FOLD).lstrip("+")
    phone_like = f"%{digits}%" if digits.isdigit() and len(digits) >= 3 else ""
    return (text, like, phone_like)
