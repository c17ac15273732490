"""The demo incident's remediation actions, advice, remedies and one recorded decision, so the
Remediation and Decisions tabs are filled when a newcomer loads the demo."""

from __future__ import annotations

from datetime import timedelta

from incident_app.domain.clock import to_iso
from incident_app.domain.incident import Incident
from incident_app.services.container import Services


def add_demo_remediation(services: Services, incident: Incident) -> None:
    """Actions around the SDK leak (times relative to its discovery) plus advice and remedies."""
    found = incident.facts.discovered_at
    suggested = services.remediation.suggested_advice(incident.id)
    services.remediation.add(incident.id, {
        "actions": [
            {"description": "通知 SDK 供应商关闭未鉴权的日志接口并确认已下线",
             "description_en": "Had the SDK vendor shut down the unauthenticated log endpoint and confirm it is"
                               " offline",
             "kind": "containment", "status": "done", "owner": "安全运营 王磊",
             "done_at": to_iso(found + timedelta(minutes=50))},
            {"description": "暂停向该 SDK 传输手机号与设备标识",
             "description_en": "Stop sending phone numbers and device ids to the SDK",
             "kind": "containment", "status": "done", "owner": "移动端 刘洋",
             "done_at": to_iso(found + timedelta(hours=1, minutes=30))},
            {"description": "比对日志确定受影响用户清单", "description_en": "Match logs to list the affected users",
             "kind": "investigation", "status": "in_progress", "owner": "数据平台 陈静",
             "started_at": to_iso(found + timedelta(hours=1)), "due_at": to_iso(found + timedelta(hours=8))},
            {"description": "对 SDK 供应商开展数据安全审计", "description_en": "Audit the SDK vendor's data security",
             "kind": "prevention", "status": "planned", "owner": "法务合规 赵敏",
             "due_at": to_iso(found + timedelta(days=7))},
        ],
        "advice": [{"zh": n.text_zh, "en": n.text_en} for n in suggested],
        "remedies": [{"zh": "开通 7×24 小时专线 021-38760448 解答疑问",
                      "en": "A 24/7 hotline, +86 21 3876 0448, answers questions"},
                     {"zh": "免费提供账号异常登录提醒服务", "en": "Free alerts on unusual sign-ins to your account"}],
    })
    services.decisions.record(incident.id, {
        "kind": "other", "decided_by": "个人信息保护负责人 张敏",
        "rationale": "供应商整改并通过审计前，暂停与其共享任何个人信息。",
        "details": {"note": "SDK 供应商整改期间暂停数据共享 / data sharing paused during vendor remediation"},
    })
