"""Officer-edited templates: list, read, validate against the sample snapshot, save as a new
version, reset to the bundled text. A template that breaks (syntax, unknown field, sandbox escape)
or that renders but drops a required element is refused with a message that says why."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from incident_app.domain.errors import ValidationError
from incident_app.domain.i18n import LANGUAGES
from incident_app.domain.notices import CHANNELS, Channel, CompletenessReport, NoticeKind, TemplateVersion
from incident_app.services.context import AppContext
from incident_app.services.notices.context import NoticeContextBuilder, ReportInfo
from incident_app.services.notices.render import NoticeRenderer, channel_template, contact_expectations
from incident_app.services.notices.sample import sample_snapshot
from incident_app.services.notices.templates import NoticeTemplateError, NoticeTemplates
from incident_app.services.settings import ProfileService


@dataclass(frozen=True)
class TemplateCheck:
    """The verdict on a template source: ``ok`` or a message naming the problem."""

    ok: bool
    message: str
    reports: tuple[CompletenessReport, ...] = ()


def _is_partial(name: str) -> bool:
    """A partial is a file or lives in a folder whose name starts with "_" (``individual/_sections…``,
    ``_shared/regulator_items…``): channel templates include, import or extend it."""
    return any(part.startswith("_") for part in name.split("/"))


def _channels_using(name: str) -> Iterator[tuple[NoticeKind, Channel, str]]:
    """The notices a template affects: itself if it is a channel template; a partial affects every
    channel template of its language, the layout every HTML one."""
    base = name.rsplit("/", 1)[-1]
    for kind, channels in CHANNELS.items():
        for channel in channels:
            for lang in LANGUAGES:
                partial = _is_partial(name) and f".{lang}." in base
                layout = base == "_layout.html" and channel.is_html
                if partial or layout or channel_template(kind, channel, lang) == name:
                    yield kind, channel, lang


class NoticeTemplateService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._templates = NoticeTemplates()

    def current(self) -> NoticeTemplates:
        """The templates in use: bundled, overridden by the newest officer version of each."""
        stored = self._ctx.store.notices.current_templates()
        self._templates.set_overrides({n: (t.source, t.version) for n, t in stored.items() if not t.reset})
        return self._templates

    def names(self) -> list[str]:
        return self._templates.names()

    def source(self, name: str) -> str:
        return self.current().source(name)

    def version(self, name: str) -> int:
        return self.current().version(name)

    def history(self, name: str) -> list[TemplateVersion]:
        return self._ctx.store.notices.template_history(name)

    def validate(self, name: str, source: str) -> TemplateCheck:
        """Render every notice the template affects against the sample snapshot (normal and drill)."""
        if not self._templates.exists(name):
            return TemplateCheck(False, f"{name}: no such template; choose one of the bundled templates")
        candidate = self.current().with_candidate(name, source)
        try:
            candidate.get(name)
        except NoticeTemplateError as exc:
            return TemplateCheck(False, str(exc))
        reports: list[CompletenessReport] = []
        for drill in (False, True):
            renderer = self._sample_renderer(candidate, drill)
            for kind, channel, lang in _channels_using(name):
                notice = renderer.render_master(kind, channel, lang)
                if notice.error:
                    return TemplateCheck(False, notice.error, tuple(reports))
                if not notice.report.complete:
                    missing = "; ".join(notice.report.missing())
                    return TemplateCheck(False, f"{notice.template}: the template renders, but the notice is "
                                                f"incomplete: {missing}", (*reports, notice.report))
                reports.append(notice.report)
        return TemplateCheck(True, f"{name}: renders and passes the completeness check", tuple(reports))

    def _sample_renderer(self, templates: NoticeTemplates, drill: bool) -> NoticeRenderer:
        snapshot = sample_snapshot(ProfileService(self._ctx).get(), self._ctx.catalog, drill=drill)
        builder = NoticeContextBuilder(snapshot, ReportInfo(planned=tuple(NoticeKind)))
        return NoticeRenderer(templates, builder, contact_expectations(builder))

    def save(self, name: str, source: str, author: str | None = None) -> TemplateVersion:
        """Validate and store a new version; refuses (ValidationError) with the check's message."""
        check = self.validate(name, source)
        if not check.ok:
            raise ValidationError.single("template", check.message)
        return self._store(name, source, author, reset=False)

    def reset(self, name: str, author: str | None = None) -> TemplateVersion:
        """Return to the bundled template (recorded as a new version)."""
        if not self._templates.exists(name):
            raise ValidationError.single("template", f"{name}: no such template")
        return self._store(name, self._templates.bundled_source(name), author, reset=True)

    def _store(self, name: str, source: str, author: str | None, *, reset: bool) -> TemplateVersion:
        store = self._ctx.store
        with store.transaction():
            saved = store.notices.add_template(name, source, author or self._ctx.actor, self._ctx.now(), reset=reset)
            self._ctx.record("notice.template_saved", "notice_template", name, {
                "name": name, "version": saved.version, "reset": reset,
                "source_sha256": hashlib.sha256(source.encode("utf-8")).hexdigest()})
        return saved
