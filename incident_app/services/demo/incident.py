"""A realistic demo incident so a newcomer sees every screen filled: a third-party login SDK
leaked phone numbers and device identifiers, some of them children's."""

from __future__ import annotations

from datetime import timedelta

from incident_app.domain.clock import SHANGHAI, to_iso
from incident_app.domain.incident import Incident
from incident_app.services.container import Services
from incident_app.services.demo.people import DEMO_PEOPLE
from incident_app.services.demo.remediation import add_demo_remediation


def demo_intake(services: Services) -> dict[str, object]:
    """Intake facts for the demo, placed relative to 'now' so the deadline clocks are live."""
    now = services.ctx.now().astimezone(SHANGHAI).replace(second=0, microsecond=0)
    discovered = now - timedelta(hours=2, minutes=40)
    return {
        # Every free-text fact in both languages, so the English notices carry no Chinese prose.
        "title": {"zh-CN": "一键登录 SDK 接口泄露手机号与设备标识",
                  "en": "One-click-login SDK leaked phone numbers and device identifiers"},
        "summary": {
            "zh-CN": "第三方一键登录 SDK 供应商的日志接口未做鉴权，暴露了我方用户的手机号码、设备标识符"
                     "（IMEI/OAID）和登录 IP。安全研究人员通过 SRC 报告。",
            "en": "The log endpoint of our third-party one-click-login SDK vendor had no authentication and "
                  "exposed users' mobile phone numbers, device identifiers (IMEI/OAID) and login IP addresses. "
                  "A security researcher reported it to our security response centre (SRC).",
        },
        "occurred_at": to_iso(discovered - timedelta(days=6)),
        "occurred_until": to_iso(discovered - timedelta(hours=3)),
        "discovered_at": to_iso(discovered),
        "aware_at": to_iso(discovered + timedelta(minutes=25)),
        "discovered_by": {"zh-CN": "外部安全研究人员（SRC 报告 #2026-118）",
                          "en": "An outside security researcher (SRC report #2026-118)"},
        "location": {"zh-CN": "SDK 供应商日志服务 log.sdk-vendor.example",
                     "en": "The SDK vendor's log service, log.sdk-vendor.example"},
        "systems": {"zh-CN": ["一键登录 SDK", "用户注册数据库"],
                    "en": ["One-click-login SDK", "User registration database"]},
        "breach_types": ["leak"],
        "likelihood": "actual",
        "cause": "third_party",
        "malicious": False,
        "recipients": "unknown",
        "data_types": [t for t in ("phone_number", "device_identifiers", "ip_address")
                       if t in services.ctx.catalog.ids()],
        # The estimate matches the demo list (people.py: 200 people, 16 minors, 8 under 14), so the
        # intake, the assessment and every notice tell the same story.
        "affected_people": DEMO_PEOPLE,
        "affected_records": 260,
        "affected_minors": 16,
        "affected_minors_under_14": 8,
        "affected_minors_14_17": 8,
        "unintelligible": False,
        "eu_subjects": 0,
        "economic_loss_cny": 0,
        "police_notified": False,
        "drill": False,
    }


def load_demo(services: Services) -> Incident:
    """Create the demo incident with its affected people, first containment, remediation and a
    decision, so every screen is filled."""
    from incident_app.services.demo.people import import_demo_people

    incident = services.incidents.create(demo_intake(services))
    import_demo_people(services, incident.id)
    add_demo_remediation(services, incident)
    return incident

