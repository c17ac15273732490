from __future__ import annotations

from incident_app.domain.notices.kinds import Channel, NoticeKind
from incident_app.domain.notices.records import NoticeVersion
from incident_app.services.container import Services
from tests.conftest import FIXED_NOW


def version(incident_id: int, sha: str) -> NoticeVersion:
    return NoticeVersion(0, incident_id, NoticeKind.INDIVIDUAL, Channel.SMS, "zh-CN", f"content {sha}", sha,
                         "{}", "snap", FIXED_NOW, "tester")


def test_versions_approvals_templates_and_texts(services: Services, intake: dict[str, object]) -> None:
    store = services.ctx.store.notices
    incident = services.incidents.create(intake)
    first = store.add_version(version(incident.id, "a" * 64))
    second = store.add_version(version(incident.id, "b" * 64))
    assert store.latest_versions(incident.id)[("individual", "sms", "zh-CN")].id == second.id
    approval = store.add_approval(first, "王安全", FIXED_NOW)
    assert store.approvals(incident.id) == [(approval, first)] and approval.sha256 == "a" * 64
    store.add_template("individual/sms.zh-CN.txt", "v1", "王安全", FIXED_NOW)
    store.add_template("individual/sms.zh-CN.txt", "v2", "李主任", FIXED_NOW)
    current = store.current_templates()["individual/sms.zh-CN.txt"]
    assert (current.version, current.source, current.author) == (2, "v2", "李主任")
    store.set_element_text(incident.id, "cause", "zh-CN", "旧", "a", FIXED_NOW)
    store.set_element_text(incident.id, "cause", "zh-CN", "新", "a", FIXED_NOW)
    store.set_element_text(incident.id, "trend", "en", "", "a", FIXED_NOW)
    assert store.element_texts(incident.id) == {"cause": {"zh-CN": "新"}}


def test_show_lists_notice_versions(services: Services, intake: dict[str, object]) -> None:
    from incident_app.services.incidents.report import incident_report

    incident = services.incidents.create(intake)
    services.notices.prepare(incident.id, kinds=[NoticeKind.REGULATOR_INITIAL], langs=["en"])
    [notice] = incident_report(services, incident.id)["notices"]
    assert notice["kind"] == "regulator_initial" and notice["approvals"] == [] and len(notice["sha256"]) == 64
