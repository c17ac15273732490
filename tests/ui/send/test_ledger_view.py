from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from incident_app.app import services_factory
from incident_app.domain.i18n import Translator
from incident_app.domain.mail.ledger import AttemptResult, LedgerDraft
from incident_app.domain.mail.sending import SendState
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.container import open_services
from incident_app.services.resources import load_messages
from incident_app.ui.send.ledger_view import PAGE, LedgerModel, LedgerView


def seeded_db(tmp_path: Path, intake: dict[str, object], rows: int = 1200) -> Path:
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    incident_id = services.incidents.create(intake).id
    store, now = services.ctx.store, services.ctx.now()
    with store.transaction():
        store.send_ledger.enqueue([LedgerDraft(incident_id, f"person:{i}", "individual_email", "v1",
                                               f"zhang{i}@example.net", "zh-CN", f"<bd.{i}@example.test>")
                                   for i in range(1, rows + 1)], now=now)
        ids = [e.id for e in store.send_ledger.page(incident_id, limit=10)]
        store.send_ledger.claim([(i, f"zhang{i}@example.net") for i in ids], run_id="r", now=now)
        store.send_ledger.record([AttemptResult(i, SendState.FAILED, 550, "550 no such user", "recipient refused")
                                  for i in ids[:4]] + [AttemptResult(i, SendState.SENT, 250, "250 ok", "")
                                                       for i in ids[4:]], now=now)
    services.close()
    return db


def make_view(qtbot: QtBot, db: Path, lang: str = "zh-CN") -> LedgerView:
    view = LedgerView(SyncJobRunner(services_factory(db)), Translator(load_messages(), lang), 1)
    qtbot.addWidget(view)
    return view


def test_pages_load_lazily_and_addresses_are_masked(qtbot: QtBot, tmp_path: Path, intake: dict[str, object]) -> None:
    view = make_view(qtbot, seeded_db(tmp_path, intake))
    view.refresh()
    model = view.model
    assert model.total() == 1200 and model.rowCount() == PAGE
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * PAGE
    shown = model.index(0, LedgerModel.COL_RECIPIENT).data()
    assert shown == "z***1@example.net" and "zhang1" not in shown
    assert model.headerData(LedgerModel.COL_STATE, Qt.Orientation.Horizontal) == "状态"
    assert "已发送 6" in view.summary.text() and "失败 4" in view.summary.text()


def test_filter_by_state(qtbot: QtBot, tmp_path: Path, intake: dict[str, object]) -> None:
    view = make_view(qtbot, seeded_db(tmp_path, intake), "en")
    with qtbot.waitSignal(view.refreshed):
        view.set_state_filter(SendState.FAILED)
    model = view.model
    assert model.rowCount() == 4 and not model.canFetchMore(QModelIndex())
    assert model.index(0, LedgerModel.COL_STATE).data() == "Failed"
    assert model.index(0, LedgerModel.COL_DETAIL).data() == "recipient refused"
    assert model.index(0, LedgerModel.COL_FALLBACK).data() == ""
    view.set_state_filter(None)
    assert model.total() == 1200


def test_scrolling_to_the_end_shows_every_row_once_in_order(qtbot: QtBot, tmp_path: Path,
                                                            intake: dict[str, object]) -> None:
    """Pages are keyset pages (after the last id shown): scrolling through every page, filtered
    or not, shows each row once, in id order; a page that does not follow the last row is dropped."""
    db = seeded_db(tmp_path, intake)
    services = open_services(db)
    expected = {state: [e.id for e in services.ctx.store.send_ledger.iter_entries(1, state)]
                for state in (None, SendState.QUEUED)}
    services.close()
    view = make_view(qtbot, db)
    for state, ids in expected.items():
        view.set_state_filter(state)
        view.refresh()
        model = view.model
        while model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
        assert [model.record(r).id for r in range(model.rowCount())] == ids
    shown = model.rowCount()
    model.append_page(model.record(0).id, [model.record(1)])  # stale: not after the last row
    assert model.rowCount() == shown
