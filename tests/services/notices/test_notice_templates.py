from __future__ import annotations

import re

import pytest

from incident_app.domain.errors import ValidationError
from incident_app.domain.notices.kinds import Channel, NoticeKind
from incident_app.services.container import Services
from incident_app.services.notices.personal import PersonalRenderer
from incident_app.services.notices.templates import NoticeTemplates
from tests.notice_helpers import person, sample_renderer

EMAIL = "individual/email.zh-CN.html"


def test_sandbox_escape_is_refused_with_a_clear_message(services: Services) -> None:
    check = services.notices.templates.validate(EMAIL, "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    assert not check.ok
    assert "tries to access '__class__'" in check.message and "not allowed" in check.message


def test_unknown_field_names_the_field_and_the_available_ones(services: Services) -> None:
    check = services.notices.templates.validate(EMAIL, "{{ incident.victims }}")
    assert not check.ok
    assert "unknown field incident.victims" in check.message and "affected_people" in check.message
    check = services.notices.templates.validate(EMAIL, "{{ secrets }}")
    assert "unknown field secrets; available fields:" in check.message and "contact" in check.message


def test_unknown_element_text_is_an_error_not_a_blank(services: Services) -> None:
    check = services.notices.templates.validate(EMAIL, "{{ texts.causee }}")
    assert not check.ok and "causee" in check.message


def test_syntax_error_and_path_escape(services: Services) -> None:
    assert "syntax error on line 1" in services.notices.templates.validate(EMAIL, "{% if %}").message
    check = services.notices.templates.validate(EMAIL, '{% extends "../../../etc/passwd" %}')
    assert not check.ok and "does not exist" in check.message


def test_completeness_check_catches_a_deliberately_broken_template(services: Services) -> None:
    source = services.notices.templates.source(EMAIL)
    broken = source.replace('{% include "individual/_sections.zh-CN.html" %}',
                            '<section data-element="situation"><h2>事件基本情况</h2><p>出事了。</p></section>')
    check = services.notices.templates.validate(EMAIL, broken)
    assert not check.ok
    assert "incomplete" in check.message and "data_types: missing" in check.message
    with pytest.raises(ValidationError):
        services.notices.templates.save(EMAIL, broken, "王安全")
    assert services.notices.templates.history(EMAIL) == []


def test_broken_partial_is_caught_through_the_templates_that_include_it(services: Services) -> None:
    partial = "individual/_sections.en.html"
    source = services.notices.templates.source(partial)
    broken = re.sub(r'<section data-element="remedies">.*?</section>', "", source, flags=re.S)
    check = services.notices.templates.validate(partial, broken)
    assert not check.ok and "remedies: missing" in check.message


def test_blank_template_is_refused(services: Services) -> None:
    check = services.notices.templates.validate("individual/sms.en.txt", "   ")
    assert not check.ok


def test_saved_template_is_versioned_used_and_reset(services: Services, intake: dict[str, object]) -> None:
    templates = services.notices.templates
    edited = templates.source(EMAIL).replace("我们十分抱歉地通知您", "我们非常抱歉地通知您")
    first = templates.save(EMAIL, edited, "王安全")
    assert (first.version, first.author) == (1, "王安全") and templates.version(EMAIL) == 1
    incident = services.incidents.create(intake)
    content = {(n.rendered.channel, n.rendered.lang): n.rendered.content
               for n in services.notices.prepare(incident.id, kinds=[NoticeKind.INDIVIDUAL]).notices}
    assert "我们非常抱歉地通知您" in content[(Channel.EMAIL_HTML, "zh-CN")]
    assert "我们十分抱歉地通知您" in content[(Channel.LETTER, "zh-CN")]
    second = templates.reset(EMAIL, "王安全")
    assert second.version == 2 and second.reset and templates.source(EMAIL) == templates.current().bundled_source(EMAIL)
    assert [e.type for e in services.audit.timeline(incident.id)] != []
    assert "notice.template_saved" in {e.type for e in services.ctx.store.events.iter_all()}


def test_render_error_is_reported_not_raised() -> None:
    templates = NoticeTemplates({EMAIL: ("{{ 1 // 0 }}", 1)})
    notice = sample_renderer(templates).render_master(NoticeKind.INDIVIDUAL, Channel.EMAIL_HTML, "zh-CN")
    assert notice.error and "ZeroDivisionError" in notice.error and not notice.report.complete


def test_fast_personalisation_equals_full_rendering() -> None:
    renderer = sample_renderer()
    personal = PersonalRenderer({NoticeKind.INDIVIDUAL: renderer, NoticeKind.GUARDIAN: renderer}, full_check_every=1)
    for i in range(40):
        recipient = person(i, lang="en" if i % 2 else "zh-CN", guardian=i % 4 == 0,
                           types=("phone_number",) if i % 3 else ())
        kind = NoticeKind.GUARDIAN if recipient.is_guardian else NoticeKind.INDIVIDUAL
        for channel in (Channel.EMAIL_HTML, Channel.EMAIL_TEXT, Channel.LETTER):
            assert personal.render(kind, channel, recipient)  # full_check_every=1 compares every one
    assert personal.slow_renders == 120  # one full render per recipient per channel, all equal


def test_template_that_inspects_a_personal_field_falls_back_to_full_rendering() -> None:
    source = sample_renderer().templates.source("individual/sms.en.txt")
    found = "we found a security incident."
    sneaky = source.replace(found, found + " {{ recipient.salutation|upper }}")
    assert sneaky != source
    renderer = sample_renderer(NoticeTemplates({"individual/sms.en.txt": (sneaky, 1)}))
    personal = PersonalRenderer({NoticeKind.INDIVIDUAL: renderer})
    out = [personal.render(NoticeKind.INDIVIDUAL, Channel.SMS, person(i, lang="en")) for i in range(3)]
    assert [f"DEAR PERSON{i:05d}NAME," in o for i, o in enumerate(out)] == [True, True, True]
