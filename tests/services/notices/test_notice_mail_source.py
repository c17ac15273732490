"""People → approved notices → a real SMTP sink on 127.0.0.1: each person receives exactly one
message, carrying only their own data, and nothing goes out before approval."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path
from types import SimpleNamespace

import pytest
from smtp_sink import Sink, smtp_settings

from incident_app.domain.errors import NotFoundError, ValidationError
from incident_app.domain.mail.sending import FallbackChannel, SendState
from incident_app.services.container import Services
from incident_app.services.mail.sources import default_message_source
from incident_app.services.notices.mail_source import NoticeMessageSource

REMEDIATION = {
    "actions": [
        {
            "description": "关闭公开存储桶",
            "description_en": "Closed the public bucket",
            "status": "done",
            "done_at": "2026-11-20T10:00:00",
        }
    ],
    "advice": [{"zh": "警惕冒充客服的来电", "en": "Beware of calls impersonating support"}],
    "remedies": [{"zh": "免费开通异常登录提醒", "en": "Free unusual-login alerts"}],
}


def people() -> list[SimpleNamespace]:
    adults = [
        SimpleNamespace(
            user_id=f"u{n}",
            name=f"用户{n}号",
            email=f"user{n}@example.test",
            phone="",
            address="",
            is_minor=False,
            guardian_name="",
            guardian_email="",
            guardian_phone="",
            data_types=("phone_number",),
            language="en" if n % 2 else "zh-CN",
        )
        for n in range(1, 7)
    ]
    child = SimpleNamespace(
        user_id="kid1",
        name="张小明",
        email="",
        phone="",
        address="",
        is_minor=True,
        guardian_name="张大伟",
        guardian_email="parent@example.test",
        guardian_phone="+8613800138000",
        data_types=("phone_number",),
        language="zh-CN",
    )
    no_email = SimpleNamespace(
        user_id="u99",
        name="李四",
        email="",
        phone="+8613900139000",
        address="",
        is_minor=False,
        guardian_name="",
        guardian_email="",
        guardian_phone="",
        data_types=("phone_number",),
        language="zh-CN",
    )
    return [*adults, child, no_email]


@pytest.fixture
def approved(services: Services, intake: dict[str, object]) -> int:
    incident = services.incidents.create(intake)
    services.remediation.add(incident.id, REMEDIATION)
    services.notices.people_source = lambda _id: people()
    services.notices.approve(incident.id, "王安全")
    return incident.id


def test_each_person_gets_exactly_their_own_notice(services: Services, sink: Sink, approved: int) -> None:
    source = default_message_source(services)
    assert isinstance(source, NoticeMessageSource)
    assert source.count(approved) == 7  # six adults with email + one guardian; the phone-only person has none
    summary = services.mail.send(approved, source, smtp_settings(sink.port))
    assert summary.overview.by_state[SendState.SENT] == 7
    assert sorted(sink.message_ids().values()) == [1] * 7
    by_address = {r.address: email.message_from_bytes(r.data, policy=policy.default) for r in sink.received}
    for n in range(1, 7):
        text = by_address[f"user{n}@example.test"].get_body(("plain",)).get_content()
        assert f"用户{n}号" in text
        assert all(f"用户{m}号" not in text for m in range(1, 7) if m != n)
    guardian = by_address["parent@example.test"].get_body(("plain",)).get_content()
    assert "张*明" in guardian and "张小明" not in guardian  # the child's name is masked for the guardian


def test_nothing_leaves_before_approval(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    services.remediation.add(incident.id, REMEDIATION)
    services.notices.people_source = lambda _id: people()
    status = default_message_source(services).approval(incident.id)
    assert not status.approved and "approve" in status.reason


def test_fallback_channel_follows_the_contacts_on_file(services: Services, approved: int) -> None:
    source = default_message_source(services)
    assert source.fallback_for(approved, "u99") == FallbackChannel.SMS
    assert source.fallback_for(approved, "u1") == FallbackChannel.ANNOUNCEMENT


def test_without_people_the_sender_says_what_to_do(services: Services, intake: dict[str, object]) -> None:
    services.notices.people_source = None
    with pytest.raises(NotFoundError, match="import the people list"):
        default_message_source(services)


def test_dry_run_and_test_send_work_before_approval(
    services: Services, sink: Sink, intake: dict[str, object], tmp_path: Path
) -> None:
    incident = services.incidents.create(intake)
    services.remediation.add(incident.id, REMEDIATION)
    services.notices.people_source = lambda _id: people()
    source = default_message_source(services)
    assert not source.approval(incident.id).approved
    result = services.mail.dry_run(incident.id, source, smtp_settings(sink.port), tmp_path / "eml")
    assert result.written == 7
    written = b"".join(path.read_bytes() for path in (tmp_path / "eml").glob("*.eml"))
    assert b"user1@example.test" in written and b"parent@example.test" in written
    settings = smtp_settings(sink.port, from_address="dpo@example.test")
    services.mail.send_test(incident.id, source, settings, None, "officer@example.test")
    assert sink.count() == 1
    with pytest.raises(ValidationError, match="approve"):
        next(source.iter_messages(incident.id))


def test_a_child_without_a_guardian_contact_is_never_emailed_alone(services: Services, approved: int) -> None:
    lone_child = SimpleNamespace(user_id="kid2", name="王小花", email="kid@example.test", phone="", address="",
                                 is_minor=True, guardian_name="", guardian_email="", guardian_phone="",
                                 data_types=("phone_number",), language="zh-CN")
    services.notices.people_source = lambda _id: [*people(), lone_child]
    addresses = [m.to_address for m in default_message_source(services).iter_messages(approved)]
    assert "kid@example.test" not in addresses
    assert len(addresses) == 7
