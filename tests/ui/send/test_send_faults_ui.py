"""Issue 13 in the GUI: a relay refusing the session stops the run with its reply and leaves the
ledger queued; failed and in-doubt rows go back in the queue with the ledger's button; rows a
killed run left in 'sending' are reported when the send dialog opens."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from misbehaving_smtp import RefusesEhlo, misbehaving
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from incident_app.domain.mail.ledger import AttemptResult, LedgerDraft, SendRun
from incident_app.domain.mail.sending import FallbackChannel, SendState
from incident_app.services.container import open_services
from incident_app.ui.send.ledger_view import LedgerModel
from tests.ui.send.test_ledger_view import make_view
from tests.ui.send.test_send_dialog import fill_relay, make_dialog


def test_a_relay_refusing_the_session_stops_the_dialog_and_fails_nobody(qtbot: QtBot, db: Path) -> None:
    dialog = make_dialog(qtbot, db, lang="en")
    with misbehaving(RefusesEhlo) as sink:
        fill_relay(dialog, sink.port)
        dialog.send_all()
    assert dialog.last_result.outcome == "aborted"
    text = dialog.message.text()
    assert "the rest stay queued" in text and "554 5.7.1 Client host rejected" in text
    assert "Queued 30" in dialog.ledger.summary.text() and "Failed 0" in dialog.ledger.summary.text()
    assert not dialog.ledger.requeue_button.isEnabled()  # nothing failed, nothing in doubt


def ledger_with_failed_and_in_doubt(db: Path) -> None:
    services = open_services(db)
    store, now = services.ctx.store, services.ctx.now()
    with store.transaction():
        store.send_ledger.enqueue([LedgerDraft(1, f"person:{i}", "individual_email", "v1", f"p{i}@example.net",
                                               "zh-CN", f"<bd.{i}@example.test>") for i in range(1, 7)], now=now)
        ids = [e.id for e in store.send_ledger.page(1)]
        store.send_ledger.claim([(i, f"p{i}@example.net") for i in ids[:5]], run_id="r", now=now)
        store.send_ledger.record(
            [AttemptResult(i, SendState.FAILED, 550, "550 no such user", "recipient refused") for i in ids[:2]]
            + [AttemptResult(i, SendState.IN_DOUBT, None, "", "delivery unknown", in_doubt=True) for i in ids[2:5]],
            now=now)
        store.send_ledger.set_fallbacks([(ids[0], FallbackChannel.SMS)])
    services.close()


def test_requeue_button_puts_failed_and_in_doubt_rows_back(qtbot: QtBot, db: Path) -> None:
    ledger_with_failed_and_in_doubt(db)
    view = make_view(qtbot, db, "en")
    asked: list[str] = []
    view.confirm = lambda text: asked.append(text) or True
    view.refresh()
    assert view.requeue_button.isEnabled() and "In doubt 3" in view.summary.text()
    with qtbot.waitSignal(view.requeued) as signal:
        view.requeue_button.click()
    assert "5 failed or in-doubt notices" in asked[0]
    assert signal.args[0].total == 5 and signal.args[0].fallback_cleared == 1
    assert "Put 5 notices back in the queue (1 lost their fallback channel)" in view.notice.text()
    assert "Queued 6" in view.summary.text() and not view.requeue_button.isEnabled()
    services = open_services(db)
    try:
        assert services.audit.timeline(1)[0].type == "send.requeued"
    finally:
        services.close()


def test_requeue_can_be_declined(qtbot: QtBot, db: Path) -> None:
    ledger_with_failed_and_in_doubt(db)
    view = make_view(qtbot, db, "en")
    view.confirm = lambda _text: False
    view.refresh()
    view.requeue_button.click()
    assert "Failed 2" in view.summary.text() and "In doubt 3" in view.summary.text()


def test_rows_a_killed_run_left_in_sending_are_reported_when_the_dialog_opens(qtbot: QtBot, db: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a real process id that no longer runs
    services = open_services(db)
    store, now = services.ctx.store, services.ctx.now()
    with store.transaction():
        store.send_ledger.enqueue([LedgerDraft(1, f"person:{i}", "individual_email", "v1", f"p{i}@example.net",
                                               "zh-CN", f"<bd.{i}@example.test>") for i in range(1, 5)], now=now)
        ids = [e.id for e in store.send_ledger.page(1)]
        store.send_ledger.claim([(i, f"p{i}@example.net") for i in ids[:3]], run_id="dead", now=now)
        old = now - timedelta(minutes=5)
        store.send_runs.start(SendRun("dead", 1, dead.pid, socket.gethostname(), old, old))
    services.close()
    dialog = make_dialog(qtbot, db, lang="en")
    assert dialog.left_in_flight.isVisibleTo(dialog)
    assert "3 notices were being sent" in dialog.left_in_flight.text()


def test_the_ledger_table_masks_addresses_the_relay_echoed(qtbot: QtBot, db: Path) -> None:
    services = open_services(db)
    store, now = services.ctx.store, services.ctx.now()
    with store.transaction():
        store.send_ledger.enqueue([LedgerDraft(1, "person:1", "individual_email", "v1", "zhang.san@example.net",
                                               "zh-CN", "<bd.1@example.test>")], now=now)
        (row,) = store.send_ledger.page(1)
        store.send_ledger.claim([(row.id, "zhang.san@example.net")], run_id="r", now=now)
        store.send_ledger.record([AttemptResult(row.id, SendState.FAILED, 550,
                                                "550 5.1.1 <ZHANG.SAN@EXAMPLE.NET> unknown; call 13800138000",
                                                "")], now=now)
    services.close()
    view = make_view(qtbot, db, "en")
    view.refresh()
    index = view.model.index(0, LedgerModel.COL_DETAIL)
    for text in (index.data(), index.data(Qt.ItemDataRole.ToolTipRole)):
        assert "<Z***N@EXAMPLE.NET>" in text and "ZHANG.SAN" not in text and "13800138000" not in text


def test_requeue_is_disabled_while_another_process_sends_and_says_so(qtbot: QtBot, db: Path) -> None:
    ledger_with_failed_and_in_doubt(db)
    # A live process of its own (like a command-line send) holds the incident's send lease.
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        services = open_services(db)
        now = services.ctx.now()
        with services.ctx.store.transaction():
            services.ctx.store.send_runs.start(SendRun("cli", 1, other.pid, socket.gethostname(), now, now))
        services.close()
        view = make_view(qtbot, db, "en")
        view.confirm = lambda _text: True
        view.refresh()
        assert "In doubt 3" in view.summary.text() and not view.requeue_button.isEnabled()
        assert f"A send is running in process {other.pid}; re-queue after it ends." in view.notice.text()
        view._busy_pid = None  # as if the run began after the screen loaded: the refusal is plain too
        view.requeue()
        qtbot.waitUntil(lambda: not view.requeue_button.isEnabled())
        assert f"process {other.pid}" in view.notice.text() and "Cannot read" not in view.summary.text()
        assert "Failed 2" in view.summary.text()
    finally:
        other.kill()
        other.wait()
    view.refresh()  # the process ended: the lease is stale and re-queueing is offered again
    qtbot.waitUntil(view.requeue_button.isEnabled)
    assert "process" not in view.notice.text()
