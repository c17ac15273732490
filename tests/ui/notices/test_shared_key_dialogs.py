"""Every screen that sends or hands off says the refusal while two people would share a
send-ledger key in its own language, naming both people: the SMS batch file and the call list
(hand-off dialog), the platform's recipients file and the e-mail send. Nothing is written or sent."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from smtp_sink import Sink, start_sink

from incident_app.cli.main import run
from incident_app.domain.mail.sending import TlsMode
from incident_app.services.container import open_services
from incident_app.ui.notices.tab import NoticesTab
from tests.ledger_key_helpers import corrected_db, give_old_contacts_away
from tests.ui.helpers import notices_tab, shared_ledger_key_db

# The catalogue's words (error.shared_ledger_key), and the service's English that must not show.
WORDS = {"zh-CN": "更正前的联系方式", "en": "has the e-mail address or phone number that person"}
SERVICE_ENGLISH = ("--edit", "person {other}:", "(nothing was sent or written)",
                   "counted as one person's (one told twice, the other never):")
LANGS = pytest.mark.parametrize("lang", ["zh-CN", "en"])


@pytest.fixture
def sink() -> Iterator[Sink]:
    sink = Sink()
    controller = start_sink(sink)
    sink.port = controller.port
    yield sink
    controller.stop()


def refused(tmp_path: Path, qtbot: QtBot, lang: str) -> tuple[NoticesTab, int, int]:
    db, kept, other = shared_ledger_key_db(tmp_path)
    tab = notices_tab(qtbot, db, lang)
    tab.show()
    return tab, kept, other


def assert_said(text: str, lang: str, kept: int, other: int) -> None:
    """The refusal in ``lang``'s words, both people named, none of the service's English."""
    assert WORDS[lang] in text, text
    assert str(kept) in text and str(other) in text
    for english in SERVICE_ENGLISH:
        assert english.format(other=other) not in text, text


@LANGS
def test_the_sms_batch_file_refusal_is_said_in_the_dialog_s_language(qtbot: QtBot, tmp_path: Path,
                                                                     lang: str) -> None:
    tab, kept, other = refused(tmp_path, qtbot, lang)
    tab.open_handoff_dialog()
    dialog = tab.handoff_dialog
    out = tmp_path / "sms.csv"
    dialog.export_sms_to(out)
    assert_said(dialog.status_label.text() + "\n".join(dialog.errors.shown), lang, kept, other)
    assert not out.exists() and not list(tmp_path.glob("sms*.csv"))


@LANGS
def test_the_call_list_refusal_is_said_in_the_dialog_s_language(qtbot: QtBot, tmp_path: Path, lang: str) -> None:
    tab, kept, other = refused(tmp_path, qtbot, lang)
    tab.open_handoff_dialog()
    dialog = tab.handoff_dialog
    out = tmp_path / "calls.csv"
    dialog.export_calls_to(out)
    assert_said(dialog.status_label.text(), lang, kept, other)  # beside the buttons,
    assert dialog.errors.shown == []  # not in the generic pop-up ("could not finish … retry")
    assert not out.exists()


@LANGS
def test_the_platform_file_refusal_is_said_in_the_dialog_s_language(qtbot: QtBot, tmp_path: Path, lang: str) -> None:
    tab, kept, other = refused(tmp_path, qtbot, lang)
    tab.open_platform_dialog()
    dialog = tab.platform_dialog
    out = tmp_path / "recipients.jsonl"
    dialog.export_to(out)
    assert_said(dialog.status_label.text(), lang, kept, other)  # beside the buttons,
    assert dialog.errors.shown == []  # not in the generic pop-up ("could not finish … retry")
    assert not out.exists() and not list(tmp_path.glob("recipients.jsonl*"))


@LANGS
def test_the_send_refusal_is_said_in_the_dialog_s_language(qtbot: QtBot, tmp_path: Path, sink: Sink,
                                                           lang: str) -> None:
    tab, kept, other = refused(tmp_path, qtbot, lang)
    tab.open_send_dialog()
    dialog = tab.send_dialog
    dialog.confirm = lambda _text: True
    form = dialog.form
    form.host.setText("127.0.0.1")
    form.port.setValue(sink.port)
    form.security.setCurrentIndex(form.security.findData(TlsMode.PLAIN.value))
    form.from_address.setText("privacy@example.test")
    form.reply_to.setText("privacy@example.test")
    dialog.test_to.setText("officer@example.test")
    dialog.test_button.click()  # the test copy goes to the officer; the full send is refused
    assert sink.count() == 1 and dialog.send_button.isEnabled()
    dialog.send_button.click()
    assert_said(dialog.message.text() + "\n".join(dialog.errors.shown), lang, kept, other)
    assert sink.count() == 1


@LANGS
def test_the_sms_preview_states_the_refusal_beside_the_buttons_without_counts(qtbot: QtBot, tmp_path: Path,
                                                                              lang: str) -> None:
    """The preview refuses like the exports: no rows or counts as if they would work, both export
    buttons off, the refusal in the dialog's words beside them, no pop-up."""
    tab, kept, other = refused(tmp_path, qtbot, lang)
    tab.open_handoff_dialog()
    dialog = tab.handoff_dialog
    assert_said(dialog.status_label.text(), lang, kept, other)
    assert dialog.preview.rowCount() == 0
    assert dialog.preview_label.text() == dialog.tr_.t("handoff.preview_refused_below")
    assert not dialog.btn_sms.isEnabled() and not dialog.btn_calls.isEnabled()
    assert dialog.errors.shown == []


@LANGS
def test_the_platform_preview_states_the_refusal_beside_the_buttons_without_counts(qtbot: QtBot, tmp_path: Path,
                                                                                   lang: str) -> None:
    tab, kept, other = refused(tmp_path, qtbot, lang)
    tab.open_platform_dialog()
    dialog = tab.platform_dialog
    assert_said(dialog.status_label.text(), lang, kept, other)
    assert dialog.preview.rowCount() == 0
    assert dialog.preview_label.text() == dialog.tr_.t("platform.preview_refused_below")
    assert not dialog.btn_export.isEnabled() and dialog.errors.shown == []


def test_once_corrected_the_previews_show_the_counts_and_the_refusal_goes(qtbot: QtBot, tmp_path: Path) -> None:
    db, _, other = shared_ledger_key_db(tmp_path)
    tab = notices_tab(qtbot, db, "en")
    tab.show()
    tab.open_handoff_dialog()
    tab.open_platform_dialog()
    services = open_services(db)
    try:
        services.people.edit_person(1, other, {"email": "bing@example.com"}, "他自己的地址")
    finally:
        services.close()
    handoff, platform = tab.handoff_dialog, tab.platform_dialog
    for dialog in (handoff, platform):
        dialog.refresh()
        assert dialog.status_label.text() == "", dialog.status_label.text()
    # Everyone of this list is reached by e-mail: an SMS file of no rows, three platform lines.
    assert handoff.preview_label.text() == handoff.tr_.t("handoff.preview", shown=0, total=0)
    assert platform.preview.rowCount() == 3
    assert handoff.btn_sms.isEnabled() and handoff.btn_calls.isEnabled() and platform.btn_export.isEnabled()


# A notice not yet approved, as each dialog words it (the catalogue), and the service's English.
NOT_APPROVED = {"zh-CN": ("当前版本尚未批准", "电话脚本"), "en": ("Not approved in its current form", "phone script")}
PLATFORM_NOT_APPROVED = {"zh-CN": "未导出：", "en": "Not exported: "}


def unapproved(tmp_path: Path, qtbot: QtBot, lang: str) -> NoticesTab:
    db = tmp_path / "db.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0  # its notices rendered, none approved
    tab = notices_tab(qtbot, db, lang)
    tab.show()
    return tab


@LANGS
def test_the_call_list_s_other_refusals_are_said_in_words_beside_the_buttons(qtbot: QtBot, tmp_path: Path,
                                                                             lang: str) -> None:
    tab = unapproved(tmp_path, qtbot, lang)
    tab.open_handoff_dialog()
    dialog = tab.handoff_dialog
    out = tmp_path / "calls.csv"
    dialog.export_calls_to(out)
    text = dialog.status_label.text()
    assert all(words in text for words in NOT_APPROVED[lang]), text
    assert "run 'approve' first" not in text and "phone_script" not in text
    assert dialog.errors.shown == [] and not out.exists()


@LANGS
def test_the_platform_file_s_other_refusals_are_said_in_words_beside_the_buttons(qtbot: QtBot, tmp_path: Path,
                                                                                 lang: str) -> None:
    tab = unapproved(tmp_path, qtbot, lang)
    tab.open_platform_dialog()
    dialog = tab.platform_dialog
    out = tmp_path / "recipients.jsonl"
    dialog.export_to(out)
    text = dialog.status_label.text()
    assert text.startswith(PLATFORM_NOT_APPROVED[lang]), text
    assert dialog.tr_.t("platform.refused.not_approved") in text and "email_html" not in text
    assert dialog.errors.shown == [] and not out.exists()


@LANGS
def test_the_dry_run_refusal_is_said_in_the_dialog_s_language(qtbot: QtBot, tmp_path: Path, lang: str) -> None:
    """The dry run's count would read as if the send would work: refused like the send, no file."""
    tab, kept, other = refused(tmp_path, qtbot, lang)
    tab.open_send_dialog()
    dialog = tab.send_dialog
    folder = tmp_path / "eml"
    dialog.choose_folder = lambda: str(folder)
    dialog.form.from_address.setText("privacy@example.test")
    dialog.dry_run_button.click()
    assert_said(dialog.message.text(), lang, kept, other)
    assert dialog.errors.shown == [] and (not folder.exists() or not list(folder.iterdir()))


@LANGS
def test_an_export_s_refusal_goes_once_the_cause_is_corrected(qtbot: QtBot, tmp_path: Path, lang: str) -> None:
    """The dialogs were opened before two people shared a key, so their previews were not refused:
    the exports' refusal beside the buttons goes with the next preview that is not refused."""
    db, [kept] = corrected_db(tmp_path, 1)
    tab = notices_tab(qtbot, db, lang)
    tab.show()
    tab.open_handoff_dialog()
    tab.open_platform_dialog()
    handoff, platform = tab.handoff_dialog, tab.platform_dialog
    assert handoff.status_label.text() == platform.status_label.text() == ""
    [other] = give_old_contacts_away(db, tmp_path, 1)
    handoff.export_calls_to(tmp_path / "calls.csv")
    platform.export_to(tmp_path / "recipients.jsonl")
    for dialog in (handoff, platform):
        assert_said(dialog.status_label.text(), lang, kept, other)
    services = open_services(db)
    try:
        services.people.edit_person(1, other, {"email": "ta@example.com"}, "他自己的地址")
    finally:
        services.close()
    for dialog in (handoff, platform):
        dialog.refresh()
        assert dialog.status_label.text() == "", dialog.status_label.text()
    assert handoff.btn_calls.isEnabled() and platform.btn_export.isEnabled()


MORE = {"zh-CN": "另有 3 对人员有同样的问题，这里只列出前 20 对",
        "en": "…and 3 more pairs like these (only the first 20"}


@LANGS
def test_more_pairs_than_the_refusal_names_are_counted(qtbot: QtBot, tmp_path: Path, lang: str) -> None:
    db, kept = corrected_db(tmp_path, 23)
    others = give_old_contacts_away(db, tmp_path, 23)
    tab = notices_tab(qtbot, db, lang)
    tab.show()
    tab.open_platform_dialog()
    text = tab.platform_dialog.status_label.text()
    assert MORE[lang] in text, text
    lines = text.splitlines()
    assert len(lines) == 21 and lines[-1].startswith(MORE[lang][:4])  # twenty pairs, then the count
    named = {(int(k), int(o)) for o, k, _again in (re.findall(r"#(\d+)", line) for line in lines[:20])}
    assert len(named) == 20 and named <= set(zip(kept, others, strict=True))  # both people of each pair
