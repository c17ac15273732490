"""Services behind the wizard and the workspace: one-transaction intake with containment actions,
marking actions done, suggested advice, settings saved together, timeline summaries, the fact
sheet, and a cancellable chain verification."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from incident_app.domain.errors import ValidationError
from incident_app.domain.i18n import Translator
from incident_app.services.audit.timeline import timeline_rows
from incident_app.services.container import Services
from incident_app.services.demo.incident import load_demo
from incident_app.services.incidents.fact_sheet import fact_rows, plain_summary
from incident_app.services.incidents.intake import create_incident_with_containment
from incident_app.services.incidents.overview import deadline_clocks, preview_obligations
from incident_app.services.progress import Cancelled, Progress
from incident_app.services.resources import load_messages
from incident_app.services.settings.preferences import (
    load_settings,
    load_smtp_settings,
    load_ui_language,
    save_settings,
    save_ui_language,
)

ZH = Translator(load_messages(), "zh-CN")
EN = Translator(load_messages(), "en")
ACTION = {"description": "关闭公开存储桶", "status": "done", "done_at": "2026-11-20T10:00:00+08:00", "owner": "SRE"}


def test_intake_and_containment_are_saved_together(services: Services, intake: dict[str, Any]) -> None:
    incident = create_incident_with_containment(services, intake, [ACTION])
    assert [a.description for a in services.remediation.actions(incident.id)] == ["关闭公开存储桶"]
    assert [e.type for e in services.audit.timeline(incident.id)] == ["remediation.added", "incident.created"]


def test_a_bad_action_saves_nothing_and_all_problems_are_listed(services: Services, intake: dict[str, Any]) -> None:
    intake["affected_minors"] = 5000
    with pytest.raises(ValidationError) as exc:
        create_incident_with_containment(services, intake, [ACTION, {"description": "", "status": "sideways"}])
    fields = {(p.field, p.row) for p in exc.value.problems}
    assert {("affected_minors", None), ("actions.description", 2), ("actions.status", 2)} <= fields
    assert services.incidents.list() == []
    assert services.ctx.store.events.count() == 0


def test_no_actions_is_fine(services: Services, intake: dict[str, Any]) -> None:
    incident = create_incident_with_containment(services, intake, [])
    assert services.remediation.actions(incident.id) == []


def test_mark_done_and_update(services: Services, intake: dict[str, Any]) -> None:
    incident = services.incidents.create(intake)
    actions, _ = services.remediation.add(incident.id, [{"description": "轮换密钥", "owner": "SRE"}])
    done = services.remediation.mark_done(actions[0].id)
    assert done.status.value == "done" and done.done_at == services.ctx.now()
    changed = services.remediation.update_action_from(actions[0].id, {"description": "轮换全部密钥", "status": "done",
                                                                       "done_at": "2026-11-20T11:00:00+08:00"})
    assert changed.description == "轮换全部密钥" and changed.owner == ""
    with pytest.raises(ValidationError):
        services.remediation.update_action_from(actions[0].id, {"description": ""})
    assert [e.type for e in services.audit.timeline(incident.id)][:2] == ["remediation.updated", "remediation.updated"]


def test_suggested_advice_comes_from_the_catalog_once(services: Services, intake: dict[str, Any]) -> None:
    incident = services.incidents.create(intake)
    suggestions = services.remediation.suggested_advice(incident.id)
    assert [s.text_zh for s in suggestions] == [services.ctx.catalog.get("phone_number").advice_zh]
    services.remediation.add(incident.id, {"advice": [{"zh": s.text_zh, "en": s.text_en} for s in suggestions]})
    assert services.remediation.suggested_advice(incident.id) == []


def test_settings_are_validated_together_and_saved_atomically(services: Services) -> None:
    snapshot = load_settings(services)
    assert snapshot.profile.company_zh and ("上海市", "Shanghai") in snapshot.provinces
    with pytest.raises(ValidationError) as exc:
        save_settings(services, {"officer_email": "dpo@example.com"}, {"host": "bad host", "port": 465,
                                                                       "security": "starttls"}, "")
    assert {p.field for p in exc.value.problems} == {"smtp.host", "smtp.security", "actor"}
    assert services.profile.get().officer_email != "dpo@example.com"
    save_settings(services, {"officer_email": "dpo@example.com"}, {"host": "smtp.example.com", "port": 587}, "张敏")
    assert services.profile.get().officer_email == "dpo@example.com"
    assert load_smtp_settings(services).host == "smtp.example.com"
    assert services.ctx.actor == "张敏"
    count = services.ctx.store.events.count()
    save_settings(services, {}, {"host": "smtp.example.com", "port": 587}, "张敏")
    assert services.ctx.store.events.count() == count  # nothing changed, nothing logged


def test_ui_language_is_remembered(services: Services) -> None:
    assert load_ui_language(services) is None
    save_ui_language(services, "en")
    assert load_ui_language(services) == "en"
    with pytest.raises(ValueError, match="unsupported"):
        save_ui_language(services, "fr")


def test_timeline_rows_summarise_each_event(services: Services) -> None:
    incident = load_demo(services)
    services.incidents.change_status(incident.id, incident.status.CONTAINED, "接口已下线")
    services.incidents.update_facts(incident.id, {"affected_people": 50_000})
    rows = timeline_rows(services, incident.id, ZH)
    assert [r.type_label for r in rows[:2]] == ["修改事实", "状态变更"]
    assert rows[0].summary == "修改了：受影响人数（估计）"
    assert rows[1].summary == "已登记 → 已控制：接口已下线"
    assert timeline_rows(services, incident.id, EN)[1].summary == "Reported → Contained: 接口已下线"
    assert next(r for r in rows if r.type == "remediation.added").summary == "措施 4 项，防范建议 3 条，补救措施 2 条"


def test_timeline_summaries_of_other_events_are_words_never_key_value(services: Services, tmp_path: Path) -> None:
    incident = load_demo(services)
    services.notices.export(incident.id, tmp_path / "out", ["txt"])
    for tr in (ZH, EN):
        rows = timeline_rows(services, incident.id, tr)
        for row in rows:
            assert "=" not in row.summary and "snapshot_sha256" not in row.summary, (row.type, row.summary)
        exported = next(r for r in rows if r.type == "notice.exported").summary
        assert ("语言：中文、英文" if tr is ZH else "Languages: Chinese, English") in exported, exported
        assert ("格式：txt" if tr is ZH else "Formats: txt") in exported
        written = next(r for r in rows if r.type == "export.written").summary
        assert ("内容：通知文件" if tr is ZH else "What: notice files") in written


def test_fact_sheet_and_plain_summary(services: Services, intake: dict[str, Any]) -> None:
    facts = services.incidents.validate_intake(intake)
    rows = {r.key: r for r in fact_rows(facts, services.ctx.catalog, ZH)}
    assert rows["discovered_at"].value == "2026-11-20 09:00"
    assert rows["cause"].value == "配置错误"
    assert rows["data_types"].value == "手机号码"
    summary = plain_summary(facts, services.ctx.catalog, EN, containment_count=2)
    assert summary[0].startswith("Discovered 2026-11-20 09:00 (Beijing time): “Test leak”")
    assert "About 1,200 people" in summary[5]
    assert summary[-1] == "2 first containment action(s) recorded."


def test_deadline_clocks_come_from_the_assessment(services: Services, intake: dict[str, Any]) -> None:
    incident = services.incidents.create(intake)  # 3 minors: the minors' rules apply regardless of head-count
    clocks = deadline_clocks(services, incident.id, "en")
    regimes = {c.label.split(" · ")[0] for c in clocks}
    assert {"PIPL-57", "MINORS-2024"} <= regimes
    assert all(c.source for c in clocks)
    assert {c.confidence for c in clocks} <= {"confirmed", "secondary", "unconfirmed"}
    open_due = [c.due for c in clocks if not c.done and c.due is not None]
    assert open_due == sorted(open_due)
    preview = preview_obligations(incident.facts, services.profile.get(), "en", now=services.ctx.now())
    assert {c.label for c in preview} == {c.label for c in clocks}


def test_chain_verification_reports_progress_and_stops_on_cancel(services: Services) -> None:
    load_demo(services)
    seen: list[int] = []
    progress = Progress(on_change=lambda snap: seen.append(snap.done), min_interval_s=0)
    assert services.audit.verify(progress).ok
    assert seen[-1] == services.ctx.store.events.count()
    cancelled = Progress()
    cancelled.cancel()
    with pytest.raises(Cancelled):
        services.audit.verify(cancelled)
