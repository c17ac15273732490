"""Backup, evidence pack and retention purge from the GUI (issue 15 point 4), through the same
services as ``db backup``, ``evidence`` and ``retention purge``."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from helpers import make_window
from pytestqt.qtbot import QtBot

from incident_app.cli.main import run
from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import open_services
from incident_app.services.demo import load_demo
from incident_app.services.retention import set_retention_days
from incident_app.ui.database.backup import backup_to
from incident_app.ui.evidence.pack import write_pack_to


def _demo_db(path: Path) -> Path:
    services = open_services(path)
    load_demo(services)
    services.close()
    return path


def _rows(path: Path, table: str) -> list[dict[str, object]]:
    services = open_services(path)
    try:
        return list(services.ctx.store.db.table(table).rows)
    finally:
        services.close()


def test_gui_backup_opens_verifies_and_equals_the_source(qtbot: QtBot, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    db = _demo_db(tmp_path / "live.sqlite3")
    people_before = _rows(db, "people")
    window = make_window(qtbot, db)
    assert window.act_backup in window.menu_file.actions()
    done: list[object] = []
    out = tmp_path / "backups" / "copy.sqlite3"
    backup_to(window, window.runner, window.tr_, out, on_done=done.append, on_failure=window.errors.show,
              on_cancelled=lambda: None)
    assert done and not window.errors.shown
    assert (out.stat().st_mode & 0o777) == 0o600
    assert _rows(out, "people") == people_before
    assert _rows(out, "incidents") == _rows(db, "incidents")
    assert run(["audit", "verify", "--db", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_gui_evidence_pack_is_the_cli_pack(qtbot: QtBot, tmp_path: Path) -> None:
    db = _demo_db(tmp_path / "pack.sqlite3")
    window = make_window(qtbot, db)
    window.refresh()
    window.table.selectRow(0)
    assert window.act_evidence.isEnabled()
    packs: list[object] = []
    out = tmp_path / "evidence-1.zip"
    write_pack_to(window, window.runner, window.tr_, 1, out, on_done=packs.append, on_failure=window.errors.show)
    assert packs and not window.errors.shown
    with zipfile.ZipFile(out) as pack:
        names = pack.namelist()
    assert "manifest.json" in names and "incident.json" in names
    assert run(["evidence", "verify", str(out), "--db", str(db)]) == 0


def _closed_past_retention(path: Path) -> Path:
    services = open_services(path)
    incident = load_demo(services)
    services.incidents.change_status(incident.id, IncidentStatus.CLOSED, "summary report filed", force=True)
    set_retention_days(services, 0)
    services.close()
    return path


def test_gui_purge_asks_then_purges_like_the_cli(qtbot: QtBot, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    gui_db = _closed_past_retention(tmp_path / "gui.sqlite3")
    cli_db = tmp_path / "cli.sqlite3"
    shutil.copy(gui_db, cli_db)
    window = make_window(qtbot, gui_db)
    asked: list[str] = []
    window.confirm = lambda _title, text: asked.append(text) or False  # first: the officer says no
    window.purge_expired()
    assert len(asked) == 1 and "事件 1" in asked[0] and "受影响人员的联系信息" in asked[0]
    assert "无法撤销" in asked[0]
    assert any(p["name"] for p in _rows(gui_db, "people"))  # nothing purged without a yes
    window.confirm = lambda _title, _text: True
    window.purge_expired()
    assert "1" in window.statusBar().currentMessage() and not window.errors.shown
    assert run(["retention", "purge", "--db", str(cli_db)]) == 0
    cli_result = json.loads(capsys.readouterr().out)
    assert cli_result[0]["incident_id"] == 1 and cli_result[0]["records_by_target"]["people.contacts"] > 0
    strip = ("id",)
    assert [{k: v for k, v in r.items() if k not in strip} for r in _rows(gui_db, "people")] == \
        [{k: v for k, v in r.items() if k not in strip} for r in _rows(cli_db, "people")]
    assert not any(p["name"] for p in _rows(gui_db, "people"))
    window.purge_expired()  # nothing left: says so, asks nothing
    assert len(asked) == 1 and "没有需要清除" in window.statusBar().currentMessage()
