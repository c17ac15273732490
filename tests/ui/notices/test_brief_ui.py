"""The internal brief and the MIIT grade in the GUI: responsible persons and the telecom licence in
Settings, the brief listed in the Notices tab like every notice, sent from its own send dialog
to a real SMTP sink, and the MIIT grade on the Assessment tab."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot
from smtp_sink import Sink
from smtp_sink import sink as sink

from incident_app.domain.i18n import Translator
from incident_app.domain.mail.sending import TlsMode
from incident_app.domain.notices.kinds import NoticeKind
from incident_app.domain.profile import ResponsiblePerson
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.container import open_services
from incident_app.services.mail.secrets import SecretStore
from incident_app.services.resources import load_messages
from incident_app.ui.assessment.tab import AssessmentTab
from incident_app.ui.notices.tab import NoticesTab
from tests.ui.helpers import make_window

STAFF = [{"name": "王总", "role": "legal_representative", "email": "ceo@corp.test", "phone": "13911112222"}]


def test_settings_edit_responsible_persons_and_the_telecom_licence(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    window = make_window(qtbot, db, "en")
    window.open_settings()
    dialog = window.dialog
    dialog.add_person(ResponsiblePerson("Ada Lin", "ciso", "not-an-address"))
    dialog.submit()
    assert dialog.isVisible()
    # the bad row's tab is shown
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == load_messages()["en"]["settings.tab.responsible"]
    dialog.persons.item(0, 2).setText("ciso@corp.test")
    dialog.telecom_licence.setChecked(True)
    dialog.telecom_authority.setText("上海市通信管理局")
    dialog.submit()
    assert not dialog.isVisible()
    services = open_services(db)
    try:
        profile = services.profile.get()
        assert profile.responsible_persons == (ResponsiblePerson("Ada Lin", "ciso", "ciso@corp.test"),)
        assert profile.telecom_licence and profile.telecom_authority == "上海市通信管理局"
    finally:
        services.close()


def test_brief_is_listed_approved_and_sent_from_the_notices_tab(
    qtbot: QtBot, tmp_path: Path, intake: dict[str, object], sink: Sink
) -> None:
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    incident = services.incidents.create(intake)
    services.profile.save({"responsible_persons": STAFF})
    services.close()
    tab = NoticesTab(SyncJobRunner(lambda: open_services(db)), Translator(load_messages(), "zh-CN"), incident.id)
    tab.errors.interactive = False
    qtbot.addWidget(tab)
    tab.show()
    tab.select(NoticeKind.INTERNAL_BRIEF, "email_html", "zh-CN")
    assert "待履行的义务及时限" in tab.preview.toPlainText() and "现在需要作出的决定" in tab.preview.toPlainText()
    assert tab.btn_brief.text() == "发送内部简报…"
    tab.open_brief_dialog()
    dialog = tab.send_dialog
    dialog.secrets = SecretStore(use_keyring=False)
    dialog.confirm = lambda _text: True
    assert "内部简报尚未按当前内容批准" in dialog.approval.text() and not dialog.send_button.isEnabled()
    dialog.close()
    tab.approve("王安全", NoticeKind.INTERNAL_BRIEF)
    tab.open_brief_dialog()
    dialog = tab.send_dialog
    dialog.secrets = SecretStore(use_keyring=False)
    dialog.confirm = lambda _text: True
    form = dialog.form
    form.host.setText("127.0.0.1")
    form.port.setValue(sink.port)
    form.security.setCurrentIndex(form.security.findData(TlsMode.PLAIN.value))
    form.from_address.setText("privacy@example.test")
    form.reply_to.setText("privacy@example.test")
    dialog.test_to.setText("officer@example.test")
    dialog.test_button.click()
    dialog.send_button.click()
    assert dialog.last_result.outcome == "completed"
    assert sorted(r.address for r in sink.received) == ["ceo@corp.test", "officer@example.test"]
    dialog.close()


def test_assessment_tab_shows_the_miit_grade_for_a_licence_holder(qtbot: QtBot, tmp_path: Path,
                                                                 intake: dict[str, object]) -> None:
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    services.incidents.create({**intake, "affected_people": 150_000})
    services.profile.save({"telecom_authority": "上海市通信管理局", "telecom_licence": True})
    services.close()
    tab = AssessmentTab(SyncJobRunner(lambda: open_services(db)), Translator(load_messages(), "en"), 1)
    qtbot.addWidget(tab)
    tab.errors.interactive = False
    tab.refresh()
    assert tab.miit_grade.isVisibleTo(tab)
    text = tab.miit_grade.text()
    assert "MIIT plan grade: relatively major (较大)" in text
    assert "not confirmed by the fact base" in text and "❓" in text
