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
    minor_band: str = ""
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


def test_child_under_14_with_own_email_is_told_only_through_the_guardian() -> None:
    """A 13-year-old with an e-mail of their own and a guardian: one notice, to the guardian."""
    child = Person("u3", "李雷", email="kid@example.com", phone="+8613800138000", address="北京市1号",
                   is_minor=True, minor_band="child", guardian_email="g@example.com")
    [only] = recipients_from_person(child)
    assert (only.kind.value, only.email, only.recipient_key) == ("guardian", "g@example.com", "u3#guardian")
    assert "kid@example.com" not in repr(recipients_from_person(child))


def test_child_without_guardian_contact_gets_no_notice_at_all() -> None:
    child = Person("u4", "李雷", email="kid@example.com", phone="+8613800138000", minor_band="child", is_minor=True)
    assert recipients_from_person(child) == []


def test_teenager_gets_their_own_notice_and_the_guardian_one() -> None:
    """A 16-year-old: the notice written for a teenager, to their own address, and the guardian's."""
    teen = Person("u5", "韩梅梅", email="teen@example.com", is_minor=True, minor_band="teen",
                  guardian_name="韩父", guardian_phone="+8613900139000")
    own, guardian = recipients_from_person(teen)
    assert (own.kind.value, own.email, own.recipient_key, own.salutation()) == (
        "minor", "teen@example.com", "u5", "韩梅梅同学，你好：")
    assert (guardian.kind.value, guardian.phone, guardian.child_display_name) == ("guardian", "+8613900139000", "韩*梅")
    alone = Person("u6", "韩梅梅", email="teen@example.com", is_minor=True, minor_band="teen")
    assert [r.kind.value for r in recipients_from_person(alone)] == ["minor"]


def test_masking_and_reference() -> None:
    assert mask_name("张小明") == "张*明" and mask_name("李雷") == "李*" and mask_name("John Smith") == "J*** S****"
    ref = recipient_reference(7, "u1")
    assert ref == recipient_reference(7, "u1") != recipient_reference(7, "u2")
    assert ref.startswith("BD7-") and "u1" not in ref
