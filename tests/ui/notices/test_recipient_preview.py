"""Before approving: the recipient preview shows a chosen person's actual notices masked — the
very text the sender and the letters export produce, with the People tab's masking — and a
logged unmasking; Approve first lists what it will approve."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from incident_app.domain.i18n import Translator
from incident_app.domain.notices import Channel, NoticeKind
from incident_app.domain.notices.recipient import recipients_from_person
from incident_app.domain.people.person import mask_name
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.container import open_services
from incident_app.services.demo.incident import load_demo
from incident_app.services.notices.personal import PersonalRenderer
from incident_app.services.notices.recipient_preview import mask_personal_text
from incident_app.services.resources import load_messages
from incident_app.ui.notices.tab import NoticesTab


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    load_demo(services)
    services.close()
    return db


@pytest.fixture
def tab(qtbot: QtBot, demo_db: Path) -> NoticesTab:
    widget = NoticesTab(SyncJobRunner(lambda: open_services(demo_db)), Translator(load_messages(), "zh-CN"), 1)
    widget.errors.interactive = False
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_preview_shows_the_picked_persons_real_text_masked(tab: NoticesTab, demo_db: Path) -> None:
    dialog = tab.open_recipient_preview()
    assert dialog.people.count() == 200
    assert all("*" in dialog.people.item(i).text() for i in range(5))  # the list is masked too
    dialog.pick(0)
    assert dialog.previews, "an adult with an e-mail address has at least the e-mail"
    email = next(p for p in dialog.previews if p.channel == Channel.EMAIL_TEXT)
    dialog.notice_choice.setCurrentIndex(dialog.previews.index(email))
    services = open_services(demo_db)
    try:
        person = services.people.page(1, 0, 1)[0]
        recipient = recipients_from_person(person)[0]
        # The sender's own path (what `send` hands to the relay), rendered before approval.
        real = next(iter(services.notices.personal_emails(1, [recipient], require_approval=False)))
    finally:
        services.close()
    assert email.text == real.text_body and real.text_body != email.masked_text
    shown = dialog.text.toPlainText()
    assert shown == mask_personal_text(real.text_body, person, recipient)
    assert person.name and person.name not in shown and mask_name(person.name) in shown
    assert person.email and person.email not in dialog.header.text() and email.reference in dialog.header.text()


def test_letters_and_sms_come_from_the_same_renderer(tab: NoticesTab, demo_db: Path) -> None:
    dialog = tab.open_recipient_preview()
    services = open_services(demo_db)
    try:
        people = services.people.page(1, 0, 200)
        row = next(i for i, p in enumerate(people) if p.address and p.minor_band.value == "adult")
        # only the address left: the plan reaches this person by letter (the preview shows the plan's channel)
        person = services.people.edit_person(1, people[row].id, {"email": "", "phone": ""}, "核对信函").person
        assert person.channel.value == "letter"
        notice_set = services.notices.prepare(1, kinds=[NoticeKind.INDIVIDUAL])
        letter = PersonalRenderer(notice_set.renderers).render(NoticeKind.INDIVIDUAL, Channel.LETTER,
                                                              recipients_from_person(person)[0])
    finally:
        services.close()
    dialog.pick(row)
    shown = next(p for p in dialog.previews if p.channel == Channel.LETTER)
    assert shown.text == letter and person.address not in shown.masked_text


def test_an_email_person_sees_only_the_email_and_why_a_fallback_would_apply(
        tab: NoticesTab, demo_db: Path) -> None:
    services = open_services(demo_db)
    try:
        people = services.people.page(1, 0, 200)
    finally:
        services.close()
    row = next(i for i, p in enumerate(people) if p.minor_band.value == "adult" and p.channel.value == "email"
               and p.phone)
    dialog = tab.open_recipient_preview()
    dialog.pick(row)
    assert [p.channel for p in dialog.previews] == [Channel.EMAIL_TEXT], "no SMS or letter the plan never sends"
    assert dialog.previews[0].fallback == "sms"
    assert "若这封邮件最终无法送达（退信或被拒收），将改用短信告知" in dialog.header.text()
    sms_row = next(i for i, p in enumerate(people) if p.minor_band.value == "adult" and p.channel.value == "sms")
    dialog.pick(sms_row)
    assert [p.channel for p in dialog.previews] == [Channel.SMS] and dialog.previews[0].fallback == ""
    assert "无法送达" not in dialog.header.text()


def test_unmasking_in_the_preview_is_logged(tab: NoticesTab, demo_db: Path) -> None:
    dialog = tab.open_recipient_preview()
    dialog.pick(0)
    dialog.ask_reason = lambda: ""  # cancelled: stays masked, nothing logged
    dialog.unmask_button.click()
    assert dialog.text.toPlainText() == dialog.current().masked_text
    dialog.ask_reason = lambda: "核对通知抬头"
    dialog.unmask_button.click()
    assert dialog.text.toPlainText() == dialog.current().text
    services = open_services(demo_db)
    try:
        logged = [e for e in services.ctx.store.events.for_incident(1) if e.type == "personal_data.unmasked"]
    finally:
        services.close()
    assert len(logged) == 1 and logged[0].payload.get("reason") == "核对通知抬头"
    assert "notice preview" in str(logged[0].payload)
    dialog.pick(1)  # another person: masked again
    assert dialog.text.toPlainText() == dialog.current().masked_text


def test_approve_first_lists_what_it_will_approve(tab: NoticesTab) -> None:
    asked: list[str] = []
    tab.confirm = lambda text: asked.append(text) or False  # the officer says no
    tab.approver.setText("王安全")
    tab.kind_choice.setCurrentIndex(tab.kind_choice.findData(NoticeKind.REGULATOR_INITIAL))
    tab.btn_approve.click()
    assert len(asked) == 1 and "王安全" in asked[0] and "2 份通知" in asked[0]
    assert asked[0].count("•") == 2 and asked[0].count(tab.tr_.t("notices.kind.regulator_initial")) == 2
    assert all(n.approval is None for n in tab.notice_set.notices)  # "no" approves nothing
    tab.confirm = lambda text: asked.append(text) or True
    tab.btn_approve.click()
    assert any(n.approval for n in tab.notice_set.of_kind(NoticeKind.REGULATOR_INITIAL))
    tab.btn_approve.click()
    assert "没有需要审批的通知" in asked[-1]
