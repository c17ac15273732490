"""'Verify event log' (main window) and the Timeline's 'Verify chain' on a database whose key is
not on this computer: a distinct "cannot verify" message, never the intact one; a change made there
is refused with a plain message and nothing is saved. And a forged event shows as altered."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from chain_helpers import forge_event
from pytestqt.qtbot import QtBot

from incident_app.services.container import open_services
from incident_app.services.demo import load_demo
from incident_app.storage import chain_key
from tests.ui.helpers import make_window


def _demo_db(path: Path) -> Path:
    services = open_services(path)
    load_demo(services)
    services.close()
    return path


def test_missing_key_is_cannot_verify_in_both_places(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _demo_db(tmp_path / "db.sqlite3")
    monkeypatch.setenv(chain_key.ENV_KEY_DIR, str(tmp_path / "other-computer"))
    window = make_window(qtbot, db)
    window.refresh()
    window.verify_log()
    assert "无法校验事件日志" in window.last_verify_message and "哈希链无断裂" not in window.last_verify_message
    assert "other-computer" in window.last_verify_message
    workspace = window.open_incident(1)
    tab = workspace.tab_widgets["timeline"]
    with qtbot.waitSignal(tab.verified) as verified:
        tab.verify_chain()
    assert verified.args[0].key_missing and "无法校验事件日志" in tab.result.text()
    assert tab.result.property("tone") == "warn"
    before = tab.model.rowCount()
    window.load_demo()  # any change needs a new event, which needs the key
    assert any("不能记录任何更改" in shown for shown in window.errors.shown)
    services = open_services(db)
    try:
        assert len(services.incidents.list()) == 1  # the refused demo left nothing half written
    finally:
        services.close()
    tab.refresh()
    assert tab.model.rowCount() == before


def test_forged_event_shows_as_altered(qtbot: QtBot, tmp_path: Path) -> None:
    db = _demo_db(tmp_path / "db.sqlite3")
    with closing(sqlite3.connect(db)) as conn:
        seq = forge_event(conn)
    window = make_window(qtbot, db)
    window.verify_log()
    assert "事件日志被改动" in window.last_verify_message and f"第 {seq} 条" in window.last_verify_message
