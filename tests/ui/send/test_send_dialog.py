from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from smtp_sink import Sink, password_authenticator, start_sink

from incident_app.app import services_factory
from incident_app.domain.i18n import Translator
from incident_app.domain.mail.sending import SendState, TlsMode
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.mail.secrets import SecretStore
from incident_app.services.mail.sources import StaticMessageSource, SyntheticMessageSource
from incident_app.services.resources import load_messages
from incident_app.ui.send.dialog import SendDialog

OFFICER = "officer@example.test"


@pytest.fixture
def sink() -> Any:
    sink = Sink()
    controller = start_sink(sink)
    sink.port = controller.port
    yield sink
    controller.stop()


def make_dialog(qtbot: QtBot, db: Path, source_factory: Callable[[Any], Any] | None = None, *,
                runner: Any = None, secrets: SecretStore | None = None, lang: str = "zh-CN") -> SendDialog:
    factory = source_factory or (lambda _services: SyntheticMessageSource(30))
    dialog = SendDialog(runner or SyncJobRunner(services_factory(db)), Translator(load_messages(), lang), 1,
                        source_factory=factory, secrets=secrets or SecretStore(use_keyring=False))
    qtbot.addWidget(dialog)
    dialog.errors.interactive = False
    dialog.confirm = lambda _text: True
    dialog.refresh()
    return dialog


def fill_relay(dialog: SendDialog, port: int, user: str = "") -> None:
    form = dialog.form
    form.host.setText("127.0.0.1")
    form.port.setValue(port)
    form.security.setCurrentIndex(form.security.findData(TlsMode.PLAIN.value))
    form.from_address.setText("privacy@example.test")
    form.reply_to.setText("privacy@example.test")
    form.user.setText(user)
    form.concurrency.setValue(3)
    dialog.test_to.setText(OFFICER)


def test_test_first_then_send_to_all(qtbot: QtBot, db: Path, sink: Sink) -> None:
    dialog = make_dialog(qtbot, db)
    assert "30" in dialog.counts.text() and "已审批" in dialog.approval.text()
    fill_relay(dialog, sink.port)
    assert not dialog.send_button.isEnabled()  # the officer tests first
    dialog.test_button.click()
    assert [r.address for r in sink.received] == [OFFICER] and dialog.test_sent
    assert dialog.send_button.isEnabled() and "o***r@example.test" in dialog.message.text()
    dialog.send_button.click()
    assert dialog.last_result.outcome == "completed" and sink.count() == 31
    assert dialog.progress.value() == dialog.progress.maximum() == 30
    assert "发送结束" in dialog.message.text() and "已发送 30" in dialog.ledger.summary.text()
    assert dialog.ledger.model.rowCount() == 30
    assert not dialog.pause_button.isEnabled() and not dialog.cancel_button.isEnabled()


def test_unapproved_notices_allow_only_a_dry_run(qtbot: QtBot, db: Path, tmp_path: Path) -> None:
    messages = list(SyntheticMessageSource(5).iter_messages(1))
    dialog = make_dialog(qtbot, db, lambda _s: StaticMessageSource(messages, approved=False,
                                                                   reason="the notices changed after approval"),
                         lang="en")
    assert "the notices changed after approval" in dialog.approval.text() and not dialog.send_button.isEnabled()
    dialog.choose_folder = lambda: str(tmp_path / "eml")
    fill_relay(dialog, 2525)
    dialog.dry_run_button.click()
    assert len(list((tmp_path / "eml").glob("*.eml"))) == 5 and "Wrote 5 .eml files" in dialog.message.text()


def test_without_people_the_dialog_says_why(qtbot: QtBot, db: Path) -> None:
    from incident_app.services.mail.sources import default_message_source

    dialog = make_dialog(qtbot, db, default_message_source, lang="en")
    assert "import the people list on the Affected people tab first" in dialog.approval.text()
    assert not dialog.test_button.isEnabled() and not dialog.send_button.isEnabled()


def test_bad_settings_are_named_and_nothing_runs(qtbot: QtBot, db: Path, sink: Sink) -> None:
    dialog = make_dialog(qtbot, db, lang="en")
    fill_relay(dialog, 465)  # then force a mismatch: port 465 with no encryption
    dialog.form.security.setCurrentIndex(dialog.form.security.findData(TlsMode.PLAIN.value))
    dialog.test_button.click()
    assert "port 465 speaks implicit TLS" in dialog.message.text() and sink.count() == 0


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_password_is_asked_once_and_kept_in_memory_only(qtbot: QtBot, db: Path) -> None:
    secret = "Pa55-对话框"
    sink = Sink()
    controller = start_sink(sink, authenticator=password_authenticator("officer", secret), auth_require_tls=False,
                            auth_required=True)
    asked: list[str] = []
    try:
        dialog = make_dialog(qtbot, db)
        dialog.password_prompt = lambda account: asked.append(account) or secret
        fill_relay(dialog, controller.port, user="officer")
        dialog.test_button.click()
        dialog.send_button.click()
    finally:
        controller.stop()
    assert asked == [f"officer@127.0.0.1:{controller.port}"] and sink.count() == 31
    stored = b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))
    assert secret.encode() not in stored


def test_pause_and_stop_on_a_threaded_runner(qtbot: QtBot, db: Path) -> None:
    sink = Sink()
    controller = start_sink(sink, reply_delay=0.005)
    runner = JobRunner(services_factory(db))
    try:
        dialog = make_dialog(qtbot, db, lambda _s: SyntheticMessageSource(400), runner=runner)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.status is not None, timeout=10_000)
        fill_relay(dialog, controller.port)
        with qtbot.waitSignal(dialog.job_finished, timeout=20_000):
            dialog.test_button.click()
        assert dialog.send_button.isEnabled()
        dialog.send_button.click()
        qtbot.waitUntil(lambda: dialog.progress.value() >= 10, timeout=20_000)
        dialog.pause_button.click()
        assert dialog.pause_button.text() == "继续"
        qtbot.waitUntil(lambda: "已暂停" in dialog.rate_label.text(), timeout=20_000)
        with qtbot.waitSignal(dialog.job_finished, timeout=30_000):
            dialog.reject()  # closing while sending means: stop first
            assert dialog.isVisible()
        assert runner.wait_all()
    finally:
        controller.stop()
    assert dialog.last_result.outcome == "cancelled" and "已停止" in dialog.message.text()
    sent = dialog.last_result.overview.by_state[SendState.SENT]
    assert 10 <= sent < 400 and sink.count() == sent + 1


def test_ledger_counts_follow_a_running_send(qtbot: QtBot, db: Path) -> None:
    """A slow relay (30 ms before every reply): while the send runs, the ledger's counts line
    shows the rows queued and then sent so far — never the "共 0" from before the run."""
    sink = Sink()
    controller = start_sink(sink, reply_delay=0.03)
    runner = JobRunner(services_factory(db))
    try:
        dialog = make_dialog(qtbot, db, lambda _s: SyntheticMessageSource(120), runner=runner)
        dialog.ledger_timer.setInterval(100)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.status is not None, timeout=10_000)
        fill_relay(dialog, controller.port)
        with qtbot.waitSignal(dialog.job_finished, timeout=20_000):
            dialog.test_button.click()
        seen: list[Any] = []
        dialog.ledger.counts_refreshed.connect(seen.append)
        dialog.send_button.click()
        qtbot.waitUntil(lambda: any(0 < o.by_state.get(SendState.SENT, 0) < 120 for o in seen), timeout=30_000)
        assert dialog._running  # still sending
        assert "共 120" in dialog.ledger.summary.text()
        with qtbot.waitSignal(dialog.job_finished, timeout=60_000):
            pass
        assert runner.wait_all()
    finally:
        controller.stop()
    assert dialog.last_result.outcome == "completed" and not dialog.ledger_timer.isActive()
    assert seen[-1].total == 120 and seen[-1].by_state.get(SendState.SENT, 0) > 0
