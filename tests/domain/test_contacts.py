"""One e-mail normaliser for the people import and the sender (issue 13 point 8): what one
accepts the other accepts, including internationalised domains; neither accepts ``a..b@``."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from incident_app.domain.contacts import AddressRejected, ascii_address, by_validator, normalise_email
from incident_app.domain.mail.message import Sender, build_message_bytes
from incident_app.domain.mail.sending import OutgoingMessage, is_single_address, recipient_problems
from incident_app.domain.people import FieldRejected
from incident_app.domain.people import normalise_email as import_email

REFUSED = ["a..b@x.com", "a.@x.com", ".a@x.com", "a@x..com", "a@x", "a@x.c", "a b@x.com", "a@-x.com",
           "用户@例子.中国", "ü@münchen.de", "a@x.com\r\nBcc: b@x.com", "<a@x.com>", "a@x.com, b@x.com"]
ACCEPTED = ["li.lei@example.net", "a+tag@mail.example.cn", "zhang@例子.中国", "li@公司.公司", "wang@münchen.de",
            "o'brien@example.ie"]


def imports(address: str) -> bool:
    try:
        return import_email(address) is not None
    except FieldRejected:
        return False


@pytest.mark.parametrize("address", REFUSED)
def test_refused_by_both_the_import_and_the_sender(address: str) -> None:
    assert not imports(address)
    assert not is_single_address(address)


@pytest.mark.parametrize("address", ACCEPTED)
def test_accepted_by_both_the_import_and_the_sender(address: str) -> None:
    stored = import_email(address)
    assert stored == address.lower()
    assert is_single_address(stored)
    ref_message = OutgoingMessage(7, "individual_email", "v1", "person:1", stored, "zh-CN", "告知", "", "")
    message = replace(ref_message, text_body=f"通知编号：{ref_message.reference}")
    assert recipient_problems(message, ("privacy@example.com",)) == []


def test_the_sender_refuses_a_doubled_dot_recipient() -> None:
    bad = OutgoingMessage(7, "individual_email", "v1", "person:1", "a..b@x.com", "zh-CN", "告知", "", "")
    bad = replace(bad, text_body=bad.reference)
    assert any("not one plain address" in p for p in recipient_problems(bad, ()))


def test_an_idn_recipient_travels_in_its_ascii_form() -> None:
    assert ascii_address("zhang@例子.中国") == "zhang@xn--fsqu00a.xn--fiqs8s"
    assert ascii_address("li.lei@example.net") == "li.lei@example.net"
    message = OutgoingMessage(7, "individual_email", "v1", "person:1", "zhang@例子.中国", "zh-CN", "告知", "", "")
    message = replace(message, text_body=message.reference)
    data = build_message_bytes(message, Sender("privacy@example.com"), "<x@example.com>",
                               datetime(2026, 12, 1, tzinfo=UTC))
    assert b"\r\nTo: zhang@xn--fsqu00a.xn--fiqs8s\r\n" in data
    with pytest.raises(AddressRejected):
        ascii_address("用户@例子.中国")


@pytest.mark.parametrize("address", ["li.lei@example.net", "a+tag@mail.example.cn", "x_y-z@a-b.example.org"])
def test_the_fast_path_accepts_what_the_validator_accepts(address: str) -> None:
    assert normalise_email(address) == by_validator(address)


@pytest.mark.parametrize("address", ["a..b@x.com", "a.@x.com", "a@x..com", "a@-x.com", "a@x.c", "a@x.123"])
def test_ascii_addresses_the_fast_path_refuses_the_validator_refuses_too(address: str) -> None:
    # Why the slow path need not ask the validator about ASCII addresses without xn-- labels.
    with pytest.raises(AddressRejected):
        by_validator(address)
