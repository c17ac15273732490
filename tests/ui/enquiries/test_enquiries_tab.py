"""The Enquiries tab (pytest-qt, offscreen): log an enquiry, the lookup, filters, a bulk phone
reply by template, closing a request, the FAQ in both languages, masked contacts, and the lazy
list that fetches only the pages shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from incident_app.domain.clock import parse_time
from incident_app.domain.enquiries import ReplyKind
from incident_app.domain.i18n import Translator
from incident_app.domain.mail.sending import SmtpSettings, TlsMode
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.container import open_services
from incident_app.services.enquiries import ReplyMail
from incident_app.services.resources import load_messages
from incident_app.ui.enquiries.model import PAGE_SIZE, EnquiryModel
from incident_app.ui.enquiries.tab import EnquiriesTab
from incident_app.ui.workspace.tabs import TAB_SPECS

PEOPLE = "user_id,name,email,phone,data_types\nU1,张三,zhang@example.com,13800138000,phone_number\n"


@pytest.fixture
def factory(db_path: Path, clock, intake, tmp_path: Path):  # type: ignore[no-untyped-def]
    def make():  # type: ignore[no-untyped-def]
        return open_services(db_path, clock=clock)

    services = make()
    services.incidents.create(intake | {"occurred_at": "2026-11-10T08:00:00"})  # enquiries from Nov 16
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    services.people.import_file(1, people)
    services.close()
    return make


def make_tab(qtbot: QtBot, factory, clock, lang: str = "zh-CN") -> EnquiriesTab:  # type: ignore[no-untyped-def]
    tab = EnquiriesTab(SyncJobRunner(factory), Translator(load_messages(), lang), 1)
    tab.now = clock
    tab.errors.interactive = False
    qtbot.addWidget(tab)
    tab.refresh()
    return tab


def select_rows(tab: EnquiriesTab, rows: range) -> None:
    selection = tab.table.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(tab.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)


def test_the_workspace_has_an_enquiries_tab() -> None:
    assert "enquiries" in [spec.key for spec in TAB_SPECS]


def test_log_look_up_and_see_it_masked(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, factory, clock)
    tab.add_contact.setText("138 0013 8000")
    tab.add_received.setText("2026-11-20T10:00")
    tab.add_topic.setCurrentIndex(tab.add_topic.findData("deletion"))
    with qtbot.waitSignal(tab.data_changed):
        tab.add_button.click()
    assert "#1" in tab.add_result.text() and "2026-11-25 23:59" in tab.add_result.text()
    assert "受影响人员" in tab.add_result.text()
    assert tab.model.rowCount() == 1
    assert tab.model.index(0, EnquiryModel.COL_CONTACT).data() == "138****8000"
    assert tab.model.index(0, EnquiryModel.COL_TOPIC).data() == "删除请求"
    tab.lookup_value.setText("zhang@example.com")
    tab.lookup_kind.setCurrentIndex(tab.lookup_kind.findData("email"))
    tab.lookup_button.click()
    assert "受影响：找到 1 人" in tab.lookup_result.text() and "张*" in tab.lookup_result.text()
    assert "zhang@" not in tab.lookup_result.text() and "手机号码" in tab.lookup_result.text()
    tab.lookup_value.setText("13700137000")
    tab.lookup_kind.setCurrentIndex(tab.lookup_kind.findData("phone"))
    tab.lookup_button.click()
    assert "未在本事件" in tab.lookup_result.text()


def test_bad_input_is_shown_next_to_the_form(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, factory, clock)
    tab.add_contact.setText("")
    tab.add_button.click()
    assert tab.add_result.text() == "联系方式：请填写来询人提供的手机号、邮箱或用户ID。" and tab.model.rowCount() == 0


def test_bulk_reply_filters_and_close(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    services = factory()
    for topic in ("protect", "protect", "protect", "compensation"):
        services.enquiries.add(1, {"channel": "phone", "contact": "U1", "topic": topic,
                                   "received_at": "2026-11-16T10:00:00+08:00"})
    services.close()
    clock.now = parse_time("2026-11-20T12:00:00+08:00")  # the third working day (Nov 19) has passed
    tab = make_tab(qtbot, factory, clock)
    assert tab.model.rowCount() == 4 and "逾期 4 个" in tab.metrics_label.text()
    assert "尚无答复" in tab.metrics_label.text() and "—" not in tab.metrics_label.text()
    assert "已逾期" in tab.model.index(0, EnquiryModel.COL_STATUS).data()
    tab.topic_filter.setCurrentIndex(tab.topic_filter.findData("protect"))
    assert tab.model.rowCount() == 3
    select_rows(tab, range(3))
    assert "3" in tab.selected_label.text()
    assert "二次验证" in tab.reply_preview.toPlainText()
    with qtbot.waitSignal(tab.data_changed):
        tab.reply_button.click()
    assert "已答复 3 个" in tab.reply_result.text()
    tab.topic_filter.setCurrentIndex(0)
    tab.status_filter.setCurrentIndex(tab.status_filter.findData("closed"))
    assert tab.model.rowCount() == 3
    tab.status_filter.setCurrentIndex(0)
    tab.overdue_filter.setChecked(True)
    assert tab.model.rowCount() == 1  # the compensation request is still unanswered
    select_rows(tab, range(1))
    tab.close_button.click()
    assert "请先答复" in tab.reply_result.text() and "reply" not in tab.reply_result.text()
    tab.reply_button.click()
    tab.overdue_filter.setChecked(False)
    select_rows(tab, range(1))
    tab.close_outcome.setCurrentIndex(tab.close_outcome.findData("refused"))
    tab.close_button.click()
    assert "已办结" in tab.reply_result.text()
    assert "0%" in tab.metrics_label.text()  # every first reply came after its due time


def test_faq_in_both_languages(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, factory, clock, lang="en")
    tab.faq_topic.setCurrentIndex(tab.faq_topic.findData("what_leaked"))
    text = tab.faq_text.toPlainText()
    assert "泄露了什么" in text and "What leaked?" in text and "Test leak" in text


def test_the_list_fetches_only_the_pages_shown(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    services = factory()
    rows = [(1, "phone", "2026-11-20T10:00:00+08:00", "phone", "+8613800138000", "protect", "", "x", None,
             "open", None, 0, "2026-11-25T23:59:59+08:00", None, None, None, "2026-11-20T10:00:00+08:00")] * 5000
    with services.ctx.store.transaction():
        services.ctx.store.db.conn.executemany(
            "INSERT INTO enquiries (incident_id, channel, received_at, contact_kind, contact, topic, text, handler,"
            " person_id, status, outcome, needs_verification, reply_due, close_due, first_reply_at, closed_at,"
            " recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    services.close()
    tab = make_tab(qtbot, factory, clock)
    assert tab.model.rowCount() == 5000
    tab.model.index(4999, 0).data()
    assert tab.model.cached_pages() <= 3 and tab.model.index(4999, 0).data() == "1"
    assert tab.model.index(PAGE_SIZE, 0).data() == str(5000 - PAGE_SIZE)


def test_email_reply_through_the_relay_from_settings(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    from smtp_sink import Sink, smtp_settings, start_sink

    sink = Sink()
    controller = start_sink(sink)
    try:
        services = factory()
        services.mail.remember_smtp(smtp_settings(controller.port, from_address="dpo@ooopic.com",
                                                  reply_to="dpo@ooopic.com"))
        services.enquiries.add(1, {"channel": "email", "contact": "zhang@example.com", "topic": "protect",
                                   "received_at": "2026-11-20T10:00:00+08:00"})
        services.enquiries.add(1, {"channel": "phone", "contact": "13800138000", "topic": "protect",
                                   "received_at": "2026-11-20T10:00:00+08:00"})
        services.close()
        tab = make_tab(qtbot, factory, clock)
        select_rows(tab, range(2))
        with qtbot.waitSignal(tab.data_changed):
            tab.email_button.click()
    finally:
        controller.stop()
    assert [r.address for r in sink.received] == ["zhang@example.com"]
    # The caller on the phone gave no address: that one fails, the e-mail one is answered.
    assert "已答复 1 个" in tab.reply_result.text() and "失败 1 个" in tab.reply_result.text()


def test_email_reply_without_a_relay_says_what_to_do(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    services = factory()
    services.enquiries.add(1, {"channel": "email", "contact": "zhang@example.com", "topic": "protect"})
    services.close()
    tab = make_tab(qtbot, factory, clock)
    select_rows(tab, range(1))
    tab.email_button.click()
    assert "邮件服务器" in tab.reply_result.text()


def test_a_refresh_keeps_the_enquiries_picked_for_a_reply(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    """A change elsewhere (the command line, another window, a reminder's event) refreshes the
    tab; the list used to come back with nothing selected, so the officer's pick was lost."""
    services = factory()
    for n in range(5):
        services.enquiries.add(1, {"channel": "phone", "contact": f"1380013800{n}", "topic": "deletion",
                                   "received_at": "2026-11-20T10:00:00+08:00"})
    services.close()
    tab = make_tab(qtbot, factory, clock)
    tab.show()
    qtbot.waitUntil(lambda: tab.model.enquiry(4) is not None)
    select_rows(tab, range(1, 4))
    picked = [e.id for e in tab.selected()]
    assert len(picked) == 3
    tab.refresh()
    qtbot.waitUntil(lambda: [e.id for e in tab.selected()] == picked, timeout=5_000)
    assert "3" in tab.selected_label.text()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_no_column_header_is_cut(qtbot: QtBot, factory, clock, lang: str) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, factory, clock, lang)
    header = tab.table.horizontalHeader()
    for column in range(tab.model.columnCount() - 1):  # the last one stretches
        assert tab.table.columnWidth(column) >= header.sectionSizeHint(column), tab.model.headerData(
            column, Qt.Orientation.Horizontal)


def test_refusals_speak_the_screens_language(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, factory, clock)
    tab.add_contact.setText("12345@")
    tab.add_received.setText("2030-01-01 10:00")
    tab.add_button.click()
    text = tab.add_result.text()
    assert "收到时间：时间晚于现在" in text and "联系方式：不是有效的邮箱地址" in text
    assert not any(word in text for word in ("received_at", "email", "future", "valid"))
    english = make_tab(qtbot, factory, clock, "en")
    english.add_contact.setText("")
    english.add_button.click()
    assert english.add_result.text() == "Contact: Give the phone, e-mail or user id the enquirer gave."


def test_a_failed_bulk_reply_says_why(qtbot: QtBot, factory, clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    services = factory()
    services.enquiries.add(1, {"channel": "phone", "contact": "13800138000", "topic": "protect",
                               "received_at": "2026-11-19T10:00:00+08:00"})
    settings = SmtpSettings(host="127.0.0.1", port=2525, tls_mode=TlsMode.PLAIN, from_address="privacy@example.com")
    result = services.enquiries.bulk_reply(1, [1], via=ReplyKind.EMAIL, template="protect",
                                           mail=ReplyMail(settings, dry_run=tmp_path))
    services.close()
    tab = make_tab(qtbot, factory, clock)
    tab._on_replied(result)
    assert "失败 1 个" in tab.reply_result.text()
    assert "#1：来询人未提供邮箱：请改为电话或信函答复。" in tab.reply_result.text()


def test_lookup_tells_the_delivery_in_beijing_time(qtbot: QtBot, db_path: Path, clock, intake,  # type: ignore[no-untyped-def]
                                                    tmp_path: Path) -> None:
    from proof_helpers import prepared_incident, send_all
    from smtp_sink import Sink, start_sink

    clock.now = parse_time("2026-11-20T04:00:00+00:00")  # the PC's clock in UTC: noon in Beijing
    services = open_services(db_path, clock=clock)
    incident_id = prepared_incident(services, intake, tmp_path)
    controller = start_sink(Sink())
    try:
        send_all(services, incident_id, controller.port)
    finally:
        controller.stop()
    services.close()
    tab = EnquiriesTab(SyncJobRunner(lambda: open_services(db_path, clock=clock)),
                       Translator(load_messages(), "zh-CN"), incident_id)
    tab.errors.interactive = False
    qtbot.addWidget(tab)
    tab.lookup_kind.setCurrentIndex(tab.lookup_kind.findData("email"))
    tab.lookup_value.setText("USER1@example.test")
    tab.look_up()
    assert "告知已于 2026-11-20 12:00 送达邮件服务器" in tab.lookup_result.text()


def test_the_form_takes_the_handler_and_the_selection_shows_it(qtbot: QtBot, factory, clock) -> None:  # type: ignore[no-untyped-def]
    tab = make_tab(qtbot, factory, clock)
    tab.add_contact.setText("13800138000")
    tab.add_handler.setText("李客服")
    with qtbot.waitSignal(tab.data_changed):
        tab.add_button.click()
    select_rows(tab, range(1))
    assert "经办人 李客服" in tab.selected_label.text()
    services = factory()
    assert services.enquiries.get(1).handler == "李客服"
    services.close()


def test_an_estimated_clock_is_said_so(qtbot: QtBot, factory, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from incident_app.domain.assessment import deadlines

    real = deadlines._official_workday

    def announced_until_2026(day):  # type: ignore[no-untyped-def]
        if day.year > 2026:
            raise deadlines.CalendarNotPublishedError(f"no data for {day.year}")
        return real(day)

    monkeypatch.setattr(deadlines, "_official_workday", announced_until_2026)
    services = factory()
    services.profile.set_value("handling_working_days", "60")
    services.close()
    tab = make_tab(qtbot, factory, clock)
    tab.add_contact.setText("13800138000")
    tab.add_topic.setCurrentIndex(tab.add_topic.findData("complaint"))
    with qtbot.waitSignal(tab.data_changed):
        tab.add_button.click()
    assert "2027 年的法定节假日安排尚未公布" in tab.add_result.text()


def test_a_drill_incidents_metrics_say_they_stay_out_of_the_register(  # type: ignore[no-untyped-def]
        qtbot: QtBot, factory, clock) -> None:
    services = factory()
    services.incidents.update_facts(1, {"drill": True})
    services.close()
    tab = make_tab(qtbot, factory, clock, "en")
    assert tab.metrics_label.text().startswith("Drill incident: these figures are not counted")
    assert "No replies yet" in tab.metrics_label.text() and "— h" not in tab.metrics_label.text()
