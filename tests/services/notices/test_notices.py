from __future__ import annotations

import json
from typing import Any

import pytest

from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import IncidentStatus
from incident_app.domain.notices.kinds import Channel, NoticeKind
from incident_app.services.container import Services
from incident_app.services.notices.service import NoticeService
from tests.notice_helpers import person

REMEDIATION = {
    "actions": [{"description": "关闭公开存储桶", "description_en": "closed the public bucket", "status": "done",
                 "done_at": "2026-11-20T10:00:00+08:00"},
                {"description": "全量轮换访问密钥", "description_en": "rotate every access key", "status": "planned",
                 "due_at": "2026-11-22T18:00:00+08:00"}],
    "remedies": [{"zh": "免费开通异常登录提醒", "en": "Free alerts for unusual sign-ins"}],
}


@pytest.fixture
def incident_id(services: Services, intake: dict[str, object]) -> int:
    incident = services.incidents.create(intake)
    services.remediation.add(incident.id, REMEDIATION)
    return incident.id


def by_key(notice_set: Any) -> dict[tuple[str, str, str], Any]:
    return {(n.rendered.kind.value, n.rendered.channel.value, n.rendered.lang): n for n in notice_set.notices}


def test_provisional_plan_without_an_assessment(services: Services, incident_id: int) -> None:
    bare = NoticeService(services.ctx)  # no assessment wired: the plan comes from the facts
    notice_set = bare.prepare(incident_id)
    assert [p.kind for p in notice_set.plan] == [NoticeKind.INDIVIDUAL, NoticeKind.GUARDIAN, NoticeKind.MINOR,
                                                 NoticeKind.REGULATOR_INITIAL, NoticeKind.INTERNAL_BRIEF]
    assert all(p.provisional for p in notice_set.plan)


def test_assessed_plan_and_complete_notices(services: Services, incident_id: int) -> None:
    notice_set = services.notices.prepare(incident_id)
    # The assessment adds the public announcement: until the people list shows everyone can be
    # reached one by one, the officer prepares it (GB/T 35273 §10.2 a)).
    assert [p.kind for p in notice_set.plan] == [NoticeKind.INDIVIDUAL, NoticeKind.GUARDIAN, NoticeKind.MINOR,
                                                 NoticeKind.REGULATOR_INITIAL, NoticeKind.PUBLIC_ANNOUNCEMENT,
                                                 NoticeKind.INTERNAL_BRIEF]
    assert not any(p.provisional for p in notice_set.plan)
    assert all(n.status == "complete" for n in notice_set.notices), [n.to_dict() for n in notice_set.notices
                                                                     if n.status != "complete"]
    regulator = by_key(notice_set)[("regulator_initial", "document", "zh-CN")]
    statuses = {e.element: e.status.value for e in regulator.rendered.report.elements}
    assert statuses["trend"] == "deferred" and statuses["tracing_leads"] == "deferred"
    assert "首次报告（先行报告第一、二项）" in regulator.rendered.content


def test_incomplete_notice_cannot_be_approved_and_nothing_is_saved(
    services: Services, intake: dict[str, object]
) -> None:
    incident = services.incidents.create(intake)  # no remediation: measures and remedies are empty
    with pytest.raises(ValidationError) as exc:
        services.notices.approve(incident.id, "王安全", NoticeKind.INDIVIDUAL)
    text = str(exc.value)
    assert "measures_taken: empty" in text and "remedies: empty" in text
    assert services.ctx.store.notices.approvals(incident.id) == []


def test_waiver_is_a_recorded_decision(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    services.remediation.add(incident.id, {"actions": REMEDIATION["actions"]})
    services.notices.waive(incident.id, NoticeKind.INDIVIDUAL, "remedies", "无可提供的补救措施", "王安全")
    approvals = services.notices.approve(incident.id, "王安全", NoticeKind.INDIVIDUAL)
    assert len(approvals) == 12
    decision = services.decisions.list(incident.id)[-1]
    assert decision.kind.value == "waive_notice_element" and decision.details["element"] == "remedies"
    with pytest.raises(ValidationError, match="not required"):
        services.notices.waive(incident.id, NoticeKind.INDIVIDUAL, "tracing_leads", "x", "y")


def test_approval_binds_the_hash_and_editing_needs_a_new_one(services: Services, incident_id: int) -> None:
    approvals = services.notices.approve(incident_id, "王安全")
    notice_set = services.notices.prepare(incident_id)
    for state in notice_set.notices:
        assert state.status == "approved" and state.approval is not None
        assert state.approval.sha256 == state.rendered.sha256 == state.version.sha256  # type: ignore[union-attr]
    assert {a.approver for a in approvals} == {"王安全"}
    # The individuals' own wording of the harm: their notice changes, the regulator report does not.
    services.notices.set_element_text(incident_id, "possible_harm", "zh-CN", "可能被用于精准诈骗。", "individual")
    after = by_key(services.notices.prepare(incident_id))
    assert after[("individual", "email_html", "zh-CN")].status == "needs_reapproval"
    assert after[("regulator_initial", "document", "zh-CN")].status == "approved"
    assert "可能被用于精准诈骗" in after[("individual", "email_html", "zh-CN")].rendered.content
    assert after[("individual", "email_html", "en")].status == "approved"  # English text unchanged
    assert services.notices.approve(incident_id, "李主任") != []


def test_facts_changed_after_approval_show_and_draft_a_supplement(services: Services, incident_id: int) -> None:
    services.notices.approve(incident_id, "王安全")
    services.incidents.update_facts(incident_id, {"affected_people": 5000})
    changes = services.notices.changes_since_approval(incident_id, NoticeKind.REGULATOR_INITIAL)
    assert [(c.path, c.before, c.after) for c in changes if c.path.startswith("facts")] == [
        ("facts.affected_people", 1200, 5000)]
    notice_set = services.notices.prepare(incident_id)
    assert NoticeKind.REGULATOR_SUPPLEMENT in [p.kind for p in notice_set.plan]
    supplement = by_key(notice_set)[("regulator_supplement", "document", "zh-CN")]
    assert supplement.rendered.report.complete and "受影响人数：1,200 → 5,000" in supplement.rendered.content
    individual = by_key(notice_set)[("individual", "email_text", "en")]
    assert "[What has changed since our last notice]" in individual.rendered.content
    assert "People affected: 1,200 -> 5,000" in individual.rendered.content
    assert individual.status == "needs_reapproval"


def test_versions_are_stored_once_and_events_carry_no_personal_data(services: Services, incident_id: int) -> None:
    services.notices.prepare(incident_id)
    count = services.ctx.store.notices.count_versions(incident_id)
    services.notices.prepare(incident_id)
    assert services.ctx.store.notices.count_versions(incident_id) == count == 36  # 4 of them the internal brief
    services.notices.approve(incident_id, "王安全")
    list(services.notices.personal_emails(incident_id, [person(1), person(2, guardian=True)]))
    payloads = json.dumps([e.payload for e in services.audit.timeline(incident_id)], ensure_ascii=False)
    assert "测试人00001号" not in payloads and "p00001@example.com" not in payloads
    assert {"notice.rendered", "notice.approved"} <= {e.type for e in services.audit.timeline(incident_id)}


def test_personal_emails_need_approval(services: Services, incident_id: int) -> None:
    with pytest.raises(ValidationError, match="not approved"):
        services.notices.personal_emails(incident_id, [person(1)])
    drafts = list(services.notices.personal_emails(incident_id, [person(1)], require_approval=False))
    assert len(drafts) == 1


def test_personal_email_holds_only_its_recipients_data(services: Services, incident_id: int) -> None:
    services.notices.approve(incident_id, "王安全")
    people = [person(i, lang="en" if i % 3 == 0 else "zh-CN", guardian=i % 5 == 0) for i in range(60)]
    emails = list(services.notices.personal_emails(incident_id, people))
    assert len(emails) == 60
    for email, me in zip(emails, people, strict=True):
        assert email.recipient_key == me.recipient_key and email.to_address == me.email
        body = email.text_body + email.html_body
        assert me.display_name in body and me.child_display_name in body
        others = [p for p in people if p is not me]
        assert not any(p.display_name in body or p.email in body or p.address in body for p in others)
        assert me.email not in body  # the address goes in the envelope, not the text
        from incident_app.domain.notices.recipient import recipient_reference
        assert recipient_reference(incident_id, me.recipient_key) in email.text_body
        assert recipient_reference(incident_id, me.recipient_key) in email.html_body
    assert emails[1].subject.startswith("关于您个人信息安全事件的告知")
    assert emails[0].subject.startswith("A security incident involving your child's")
    assert emails[10].subject.startswith("关于您孩子")


def test_html_escapes_personal_fields(services: Services, incident_id: int) -> None:
    from incident_app.domain.notices.recipient import NoticeRecipient

    services.notices.approve(incident_id, "王安全")
    evil = NoticeRecipient("u-x", "<script>alert(1)</script>", "zh-CN", "x@example.com")
    [email] = services.notices.personal_emails(incident_id, [evil])
    assert "<script>" not in email.html_body and "&lt;script&gt;" in email.html_body
    assert "<script>alert(1)</script>" in email.text_body


def test_plan_from_obligations(services: Services, incident_id: int) -> None:
    obligations = [{"recipient": "regulator", "regime": "CAC-2025", "why": "较大", "source": "CAC Measures Art. 4"},
                   {"id": "cac-summary-report", "recipient": "regulator", "regime": "CAC-2025"},
                   {"recipient": "public", "regime": "GBT-35273"}, {"recipient": "police", "regime": "CAC-2025"}]
    notice_set = services.notices.prepare(incident_id, obligations=obligations, grade="较大")
    assert [p.kind.value for p in notice_set.plan] == ["regulator_initial", "regulator_summary", "public_announcement",
                                                         "police_report"]
    summary = by_key(notice_set)[("regulator_summary", "document", "en")]
    assert summary.status == "incomplete"  # accountability, lessons… are the officer's to write
    assert "relatively major" in by_key(notice_set)[("regulator_initial", "document", "en")].rendered.content


def test_unknown_element_and_language_are_rejected(services: Services, incident_id: int) -> None:
    with pytest.raises(ValidationError) as exc:
        services.notices.set_element_text(incident_id, "feelings", "fr", "x")
    assert {p.field for p in exc.value.problems} == {"element", "lang"}


def test_channels_of_a_notice_set(services: Services, incident_id: int) -> None:
    notice_set = services.notices.prepare(incident_id, kinds=[NoticeKind.GUARDIAN], langs=["en"])
    assert [n.rendered.channel for n in notice_set.notices] == [Channel.EMAIL_HTML, Channel.EMAIL_TEXT,
                                                                Channel.LETTER, Channel.SMS]


def test_advice_suggested_from_the_catalog_is_not_listed_twice(services: Services, incident_id: int) -> None:
    catalog_advice = services.ctx.catalog.get("phone_number").advice_zh
    services.remediation.add(incident_id, {"advice": [{"zh": catalog_advice, "en": "x"}]})
    notice_set = services.notices.prepare(incident_id)
    letter = by_key(notice_set)[("individual", "email_text", "zh-CN")].rendered.content
    assert letter.count(catalog_advice) == 1


def test_supplement_cites_the_recorded_filing_time_not_the_approval_time(
        services: Services, incident_id: int, clock: Any) -> None:
    services.notices.approve(incident_id, "王安全")  # approved at 12:00
    services.incidents.update_facts(incident_id, {"affected_people": 5000})
    unrecorded = by_key(services.notices.prepare(incident_id))
    assert "首次报告的报送尚未记录" in unrecorded[("regulator_supplement", "document", "zh-CN")].rendered.content
    assert "已报送" not in unrecorded[("regulator_supplement", "document", "zh-CN")].rendered.content
    assert "initial report has not been recorded" in unrecorded[("regulator_supplement", "document",
                                                                 "en")].rendered.content
    assert "12:00" not in unrecorded[("regulator_supplement", "document", "zh-CN")].rendered.content.split("补充")[0]
    services.fulfilments.record(incident_id, {"obligation_id": "cac-initial-report", "done_at": "2026-11-20T11:40:00",
                                              "channel": "website_12387", "done_by": "王安全"})
    filed = by_key(services.notices.prepare(incident_id))
    zh = filed[("regulator_supplement", "document", "zh-CN")].rendered.content
    assert "于北京时间2026年11月20日 11:40报送的个人信息安全事件首次报告" in zh
    assert "filed on 20 November 2026, 11:40 Beijing time" in filed[
        ("regulator_supplement", "document", "en")].rendered.content


def test_summary_cites_the_recorded_filing_time(services: Services, incident_id: int) -> None:
    services.fulfilments.record(incident_id, {"obligation_id": "cac-initial-report", "done_at": "2026-11-20T11:40:00",
                                              "channel": "website_12387", "done_by": "王安全"})
    services.incidents.change_status(incident_id, IncidentStatus.CLOSED, "handled", force=True)
    summary = by_key(services.notices.prepare(incident_id))[("regulator_summary", "document", "zh-CN")]
    assert "本事件首次报告已于北京时间2026年11月20日 11:40报送。" in summary.rendered.content
