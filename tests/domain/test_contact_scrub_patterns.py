"""The scrub's faster patterns find exactly what the patterns they replaced found: the phone
pattern written first-character-first, and the address pattern for texts whose only @ is "@".
The replaced patterns are spelled here as they were; scrub_contacts with them (the reference)
and scrub_contacts as it is must give the same text for every input, on fixed tricky cases and
on many seeded random texts built from the characters that matter to the patterns."""

from __future__ import annotations

import random
import re

import pytest

from incident_app.contact_scrub import CONTACT_PHONE, LEADING_CODE, may_hold_address, scrub_contacts
from incident_app.domain.mail import mask_email
from incident_app.domain.mail.sending import mask_phone_in_text

_NOT_IN_LOCAL = r"\s<>\[\]\",;:@\uff20"
_NOT_IN_DOMAIN = _NOT_IN_LOCAL + r"()'"
REFERENCE_EMAIL = re.compile(
    r'(?:"[^"\r\n]*"|[^' + _NOT_IN_LOCAL + r']+)?(?:@|\uff20|%40|=40)'
    r'(?:\[[^\]\s]*\]|[^' + _NOT_IN_DOMAIN + r']+)', re.IGNORECASE)
REFERENCE_PHONE = re.compile(r"(?<!\d)(?:\d{17}[Xx](?![A-Za-z\d])|\+?\d(?:[ \t\-./()\u3000]{0,2}\d){6,}(?!\d))")


def reference_scrub(text: str) -> str:
    """scrub_contacts as it was, with the replaced patterns (the masks marked, to see them)."""
    if not text:
        return text
    code = LEADING_CODE.match(text)
    head, text = (code.group(0), text[code.end():]) if code else ("", text)
    if may_hold_address(text):
        text = REFERENCE_EMAIL.sub(lambda m: "<" + mask_email(m.group(0)) + ">", text)
    return head + REFERENCE_PHONE.sub(lambda m: "{" + mask_phone_in_text(m.group(0)) + "}", text)


def scrub(text: str) -> str:
    return scrub_contacts(text, lambda a: "<" + mask_email(a) + ">", lambda n: "{" + mask_phone_in_text(n) + "}")


TRICKY = [
    "", "250 2.0.0 Ok: queued as 4F1234567D", "250 13800138000 ok", "250-li@example.com",
    "550 5.1.1 <USER12345.67@MAIL.EXAMPLE.CN>: Recipient address rejected: User unknown",
    "a@b@c", "a@b(c@d", "b(c@d", "o'brien@example.com 'x@y'", '"quoted local"@example.com', 'a"b c"@d.com',
    "user(comment)@example.com", "user@[192.0.2.1]x@y", "user@[192.0.2.1", "a@ b", "@@x", "x@", "@",
    "mail%40example.com", "=40x a=40b@c", "李雷＠例子。中国", "电话13800138000", "+86 138 0013 8000",
    "1380013800X", "11010519491231002X", "11010519491231002Xa", "110105194912310021X", "１３８００１３８０００",
    "12.34.56.7", "1-2-3-4-5-6-7", "1  2  3  4  5  6  7", "123456", "+1234567", "5+1234567", "++1234567",
    "tel:(010)12345678", "id 11010519491231002x.", "a@b.c\n13800138000\r\nx@y", "\t1\t2\t3\t4\t5\t6\t7",
]
ALPHABET = "0123456789" * 2 + "@@+ -./()\t\u3000Xxab.\"'<>[],;:%=4\n\r＠例١"


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_are_scrubbed_as_before(text: str) -> None:
    assert scrub(text) == reference_scrub(text)


def test_random_texts_are_scrubbed_as_before() -> None:
    rnd = random.Random(20261203)
    for _ in range(40_000):
        text = "".join(rnd.choice(ALPHABET) for _ in range(rnd.randrange(1, 30)))
        if rnd.random() < 0.2:
            text = rnd.choice(("250 ", "550-", "451 ")) + text
        assert scrub(text) == reference_scrub(text), repr(text)


def test_the_phone_pattern_finds_the_same_numbers_at_the_same_places() -> None:
    rnd = random.Random(17)
    digits_heavy = "0123456789" * 4 + "+ -./()\t\u3000Xxa\n١"
    for _ in range(40_000):
        text = "".join(rnd.choice(digits_heavy) for _ in range(rnd.randrange(1, 40)))
        assert [m.span() for m in CONTACT_PHONE.finditer(text)] == \
            [m.span() for m in REFERENCE_PHONE.finditer(text)], repr(text)
