from __future__ import annotations

from dataclasses import dataclass

from incident_app.domain.notices.recipient import mask_name, recipient_reference, recipients_from_person


@dataclass
class Person:  # shaped like the people import's Person, without importing it
    user_id: str
    name: str
    email: str = ""
    phone: str = ""
    address: str = ""
    is_minor: bool = False
    guardian_name: str = ""
    guardian_email: str = ""
    guardian_phone: str = ""
    data_types: tuple[str, ...] = ()
    language: str = ""


def test_adult_gets_one_notice_in_their_language() -> None:
    [r] = recipients_from_person(Person("u1", "王五", "w@example.com", language="en-GB", data_types=("phone_number",)))
    assert (r.recipient_key, r.language, r.data_type_ids, r.is_guardian) == ("u1", "en", ("phone_number",), False)


def test_minor_is_told_through_the_guardian_with_a_masked_name() -> None:
    child = Person("u2", "张小明", is_minor=True, guardian_name="张大山", guardian_email="g@example.com")
    [guardian] = recipients_from_person(child)
    assert guardian.is_guardian and guardian.email == "g@example.com" and guardian.child_display_name == "张*明"
    assert "张小明" not in repr(guardian)


def test_minor_with_own_contact_is_also_told() -> None:
    child = Person("u3", "李雷", email="kid@example.com", is_minor=True, guardian_email="g@example.com")
    assert [r.is_guardian for r in recipients_from_person(child)] == [True, False]


def test_masking_and_reference() -> None:
    assert mask_name("张小明") == "张*明" and mask_name("李雷") == "李*" and mask_name("John Smith") == "J*** S****"
    ref = recipient_reference(7, "u1")
    assert ref == recipient_reference(7, "u1") != recipient_reference(7, "u2")
    assert ref.startswith("BD7-") and "u1" not in ref
