"""The intake form's facts in both languages: side-by-side boxes, 'start from the other language'
marked untranslated until edited, and the stored facts loaded back with their marks."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from incident_app.domain.i18n import Translator
from incident_app.domain.incident import parse_intake
from incident_app.services.resources import load_messages
from incident_app.ui.common import FieldErrors
from incident_app.ui.intake.forms import WhatHappenedForm


def make_form(qtbot: QtBot) -> WhatHappenedForm:
    tr = Translator(load_messages(), "en")
    form = WhatHappenedForm(tr, FieldErrors())
    qtbot.addWidget(form)
    form.show()
    return form


def test_both_languages_side_by_side_and_untranslated_until_edited(qtbot: QtBot) -> None:
    form = make_form(qtbot)
    form.summary.setText("存储桶配置错误", "zh-CN")
    assert form.values()["summary"] == "存储桶配置错误"  # Chinese only: the plain form
    assert form.summary.copy_buttons["en"].isVisible() and not form.summary.copy_buttons["zh-CN"].isVisible()
    form.summary.copy_buttons["en"].click()
    assert form.summary.text("en") == "存储桶配置错误"
    assert form.summary.badges["en"].isVisible() and form.summary.badges["en"].text() == "untranslated"
    assert form.values()["summary"] == {"zh-CN": "存储桶配置错误", "en": "存储桶配置错误", "untranslated": ["en"]}
    form.summary.setText("A storage bucket was misconfigured", "en")  # the officer translates it
    assert not form.summary.badges["en"].isVisible()
    assert form.values()["summary"] == {"zh-CN": "存储桶配置错误", "en": "A storage bucket was misconfigured"}
    form.systems.setText("会员系统、订单系统", "zh-CN")
    form.systems.setText("Members, Orders", "en")
    assert form.values()["systems"] == {"zh-CN": ["会员系统", "订单系统"], "en": ["Members", "Orders"]}


def test_stored_facts_load_with_their_untranslated_marks(qtbot: QtBot) -> None:
    facts = parse_intake({"title": {"zh-CN": "标题", "en": "Title"}, "discovered_at": "2026-11-20T09:00:00+08:00",
                          "location": {"zh-CN": "上海", "en": "上海", "untranslated": ["en"]}})
    form = make_form(qtbot)
    form.set_facts(facts)
    assert (form.title.text("zh-CN"), form.title.text("en")) == ("标题", "Title")
    assert form.location.badges["en"].isVisible() and not form.title.badges["en"].isVisible()
    assert parse_intake({**facts.to_dict(), **{k: form.values()[k] for k in ("title", "location")}}) == facts
