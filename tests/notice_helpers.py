"""Helpers for notice tests: a renderer over the fixed sample snapshot and recipient factories."""

from __future__ import annotations

from incident_app.domain.notices.kinds import NoticeKind
from incident_app.domain.notices.recipient import NoticeRecipient
from incident_app.services.notices.context import NoticeContextBuilder, ReportInfo
from incident_app.services.notices.render import NoticeRenderer, contact_expectations
from incident_app.services.notices.sample import sample_snapshot
from incident_app.services.notices.templates import NoticeTemplates
from incident_app.services.resources import load_catalog, load_default_profile


def sample_renderer(templates: NoticeTemplates | None = None, *, drill: bool = False) -> NoticeRenderer:
    snapshot = sample_snapshot(load_default_profile(), load_catalog(), drill=drill)
    builder = NoticeContextBuilder(snapshot, ReportInfo(planned=tuple(NoticeKind)))
    return NoticeRenderer(templates or NoticeTemplates(), builder, contact_expectations(builder))


def person(i: int, *, lang: str = "zh-CN", guardian: bool = False, types: tuple[str, ...] = ()) -> NoticeRecipient:
    """A recipient whose name, email and address are unique to ``i`` (so leaks are detectable)."""
    name = f"Person{i:05d}Name" if lang == "en" else f"测试人{i:05d}号"
    return NoticeRecipient(
        recipient_key=f"user-{i:05d}", display_name=name, language=lang, email=f"p{i:05d}@example.com",
        phone=f"1380000{i:04d}", address=f"Unit {i:05d}, Example Road", data_type_ids=types,
        is_guardian=guardian, child_display_name=f"童*{i:05d}" if guardian else "",
    )
