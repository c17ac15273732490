"""A fixed, realistic fact snapshot: officer-edited templates are validated against it, the golden
files are rendered from it and the benchmark uses it. Every notice element has something to say."""

from __future__ import annotations

from incident_app.domain.catalog import Catalog
from incident_app.domain.clock import parse_time
from incident_app.domain.incident import Incident, IncidentStatus, parse_intake
from incident_app.domain.notices import FactSnapshot, SnapshotInputs, build_snapshot
from incident_app.domain.profile import OrganisationProfile
from incident_app.domain.remediation import (
    ActionKind,
    ActionStatus,
    NoteKind,
    NoticeNote,
    RemediationAction,
)

SAMPLE_INTAKE: dict[str, object] = {
    "title": {"zh-CN": "一键登录 SDK 日志接口泄露手机号与设备标识",
              "en": "One-click-login SDK log endpoint exposed phone numbers and device identifiers"},
    "summary": {"zh-CN": "第三方一键登录SDK供应商的日志接口未做访问鉴权，"
                         "暴露了部分用户的手机号码、设备标识符和登录IP地址。一名安全研究人员通过我们的安全应急响应中心报告了该问题。",
                "en": "The log endpoint of our third-party one-click-login SDK supplier had no access control and "
                      "exposed some users' mobile phone numbers, device identifiers and login IP addresses. A "
                      "security researcher reported it through our security response centre."},
    "occurred_at": "2026-11-14T06:20:00+08:00", "occurred_until": "2026-11-20T06:20:00+08:00",
    "discovered_at": "2026-11-20T09:20:00+08:00", "aware_at": "2026-11-20T09:45:00+08:00",
    "discovered_by": {"zh-CN": "外部安全研究人员（安全应急响应中心报告 #2026-118）",
                      "en": "An outside security researcher (security response centre report #2026-118)"},
    "location": {"zh-CN": "SDK 供应商日志服务", "en": "The SDK supplier's log service"},
    "systems": {"zh-CN": ["一键登录 SDK", "用户注册数据库"],
                "en": ["One-click-login SDK", "User registration database"]},
    "breach_types": ["leak"], "likelihood": "actual", "cause": "third_party", "malicious": False,
    "recipients": "unknown", "data_types": ["phone_number", "device_identifiers", "ip_address"],
    "affected_people": 48213, "affected_records": 61870, "affected_minors": 37, "affected_minors_under_14": 12,
    "affected_minors_14_17": 25, "eu_subjects": 12,
}
SAMPLE_TEXTS: dict[str, dict[str, str]] = {
    "trend": {"zh-CN": "泄露接口已关闭，暂未发现数据在公开渠道传播；我们将持续监测至少90天。",
              "en": "The exposed endpoint is closed and we have not seen the data offered anywhere public; "
                    "we will keep watching for at least 90 days."},
    "tracing_leads": {"zh-CN": "访问日志显示3个境外IP地址曾批量调用该接口，相关日志已保全。",
                      "en": "Access logs show bulk calls to the endpoint from 3 foreign IP addresses; "
                            "the logs are preserved."},
    "scene_protection": {"zh-CN": "供应商日志服务的访问日志和配置已导出并计算哈希值封存，相关服务器快照已保留。",
                         "en": "The access logs and configuration of the supplier's log service have been exported "
                               "and sealed with hashes; snapshots of the servers concerned are kept."},
    "accountability": {"zh-CN": "已依据合同追究供应商责任；内部负责供应商安全评估的人员已接受问责谈话。",
                       "en": "We have held the supplier to account under the contract; the staff responsible "
                             "for supplier security reviews have been formally held to account."},
    "rectification": {"zh-CN": "所有第三方SDK的日志接口已完成鉴权检查，新增季度供应商安全审计。",
                      "en": "Every third-party SDK log endpoint has been checked for authentication, and "
                            "quarterly supplier security audits have been added."},
    "lessons": {"zh-CN": "接入第三方SDK前须评估其日志与数据回传机制，并在合同中约定安全事件通知义务。",
                "en": "Before adopting a third-party SDK we must review how it logs and sends back data, "
                      "and the contract must oblige the supplier to report incidents to us."},
    "harm_caused": {"zh-CN": "截至报告时，未收到因此次事件导致财产损失的投诉。",
                    "en": "By the time of this report we had received no complaint of financial loss "
                          "caused by the incident."},
}


def _action(action_id: int, text: str, text_en: str, status: ActionStatus, kind: ActionKind,
            when: str) -> RemediationAction:
    moment = parse_time(when)
    done = moment if status == ActionStatus.DONE else None
    due = None if status == ActionStatus.DONE else moment
    return RemediationAction(action_id, 1, text, kind, status, "安全部", due, done, text_en)


SAMPLE_ACTIONS: tuple[RemediationAction, ...] = (
    _action(1, "关闭SDK供应商日志接口的公网访问", "closed public access to the SDK supplier's log endpoint",
            ActionStatus.DONE, ActionKind.CONTAINMENT, "2026-11-20T10:05:00+08:00"),
    _action(2, "要求供应商删除日志中的全部用户数据并出具证明",
            "required the supplier to delete all user data from its logs and confirm it in writing",
            ActionStatus.IN_PROGRESS, ActionKind.CONTAINMENT, "2026-11-21T18:00:00+08:00"),
    _action(3, "对全部第三方SDK开展安全评估", "review the security of every third-party SDK",
            ActionStatus.PLANNED, ActionKind.PREVENTION, "2026-12-05T18:00:00+08:00"),
)
SAMPLE_NOTES: tuple[NoticeNote, ...] = (
    NoticeNote(1, 1, NoteKind.ADVICE, "如发现账号有异常登录，请立即修改密码并联系我们。",
               "If you see a sign-in to your account that was not you, change your password at once and tell us."),
    NoticeNote(2, 1, NoteKind.REMEDY, "为受影响用户免费开通账号异常登录提醒。",
               "Free alerts for unusual sign-ins to your account."),
    NoticeNote(3, 1, NoteKind.REMEDY, "开通专线电话，工作日北京时间9:00–18:00解答疑问。",
               "A dedicated phone line, working days 9:00–18:00 Beijing time."),
)


def sample_incident(*, drill: bool = False) -> Incident:
    facts = parse_intake({**SAMPLE_INTAKE, "drill": drill}, now=parse_time("2026-12-31T00:00:00+08:00"))
    stamp = parse_time("2026-11-20T12:00:00+08:00")
    return Incident(1, facts, IncidentStatus.ASSESSED, stamp, stamp,
                    handling_closed_at=parse_time("2026-12-10T17:00:00+08:00"))


def sample_snapshot(profile: OrganisationProfile, catalog: Catalog, *, drill: bool = False) -> FactSnapshot:
    """The fixed snapshot (grade 一般, every element filled)."""
    return build_snapshot(SnapshotInputs(
        incident=sample_incident(drill=drill), profile=profile, catalog=catalog, actions=SAMPLE_ACTIONS,
        notes=SAMPLE_NOTES, element_texts=SAMPLE_TEXTS, grade="一般",
        as_of=parse_time("2026-11-20T12:00:00+08:00"),
    ))
