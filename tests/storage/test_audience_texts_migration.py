"""A database from before audience texts upgrades: the shared texts of the audience elements,
which every notice printed, are copied to each audience, so existing notices read as before;
other shared texts stay shared; a stored intake with plain strings reads as zh-CN values."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_app.domain.clock import parse_time
from incident_app.domain.notices.kinds import NoticeKind
from incident_app.services.container import open_services
from incident_app.storage import database


def test_shared_texts_from_before_audience_texts_keep_reaching_people(
        db_path: Path, monkeypatch: pytest.MonkeyPatch, intake: dict[str, object]) -> None:
    real = database.discover_migrations()
    monkeypatch.setattr(database, "discover_migrations", lambda: [m for m in real if m.number < 27])
    clock = lambda: parse_time("2026-11-20T12:00:00+08:00")  # noqa: E731
    services = open_services(db_path, clock=clock)
    incident = services.incidents.create(intake | {"summary": "旧的中文摘要"})
    for element, text in (("self_protection", "请修改密码。"), ("trend", "持续监测。")):
        services.ctx.store.db.execute(
            "INSERT INTO notice_element_texts (incident_id, element, lang, text, author, created_at)"
            " VALUES (?, ?, 'zh-CN', ?, 'x', '2026-11-20T10:00:00+08:00')", [incident.id, element, text])
    services.ctx.store.db.conn.commit()
    services.close()

    monkeypatch.setattr(database, "discover_migrations", lambda: real)
    services = open_services(db_path, clock=clock)
    try:
        texts = services.ctx.store.notices.audience_texts(incident.id)
        assert texts[""] == {"self_protection": {"zh-CN": "请修改密码。"}, "trend": {"zh-CN": "持续监测。"}}
        for audience in ("individual", "guardian", "minor", "public_announcement", "partner"):
            assert texts[audience] == {"self_protection": {"zh-CN": "请修改密码。"}}
        assert services.incidents.get(incident.id).facts.summary == "旧的中文摘要"
        notice_set = services.notices.prepare(incident.id, kinds=[NoticeKind.INDIVIDUAL], langs=["zh-CN"])
        assert all("请修改密码。" in n.rendered.content for n in notice_set.notices
                   if n.rendered.channel.value in ("email_html", "letter"))
    finally:
        services.close()
