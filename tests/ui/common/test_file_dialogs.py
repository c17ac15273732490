"""One helper for every file dialog (issue 15 point 5): it starts in the folder last used for that
kind of file, else Documents — never the program's own folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths

from incident_app.ui.common import file_dialogs
from incident_app.ui.common.file_dialogs import documents_folder, remember_folder, start_folder

UI = Path(__file__).resolve().parents[3] / "incident_app" / "ui"


def test_first_time_it_is_documents_not_the_program_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the program's folder, as when the app is double-clicked
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    expected = Path(docs) if Path(docs).is_dir() else Path.home()
    assert start_folder("backup") == expected == documents_folder()
    assert start_folder("backup") != tmp_path


def test_the_last_folder_of_each_kind_is_remembered(tmp_path: Path) -> None:
    backups, packs = tmp_path / "backups", tmp_path / "packs"
    backups.mkdir()
    packs.mkdir()
    remember_folder("backup", backups / "copy.sqlite3")
    remember_folder("evidence", packs)
    assert start_folder("backup") == backups
    assert start_folder("evidence") == packs
    assert start_folder("register") == documents_folder()  # another kind keeps its own


def test_a_remembered_folder_that_is_gone_falls_back_to_documents(tmp_path: Path) -> None:
    gone = tmp_path / "usb-stick"
    gone.mkdir()
    remember_folder("database", gone / "a.sqlite3")
    gone.rmdir()
    assert start_folder("database") == documents_folder()


def test_the_chosen_file_is_remembered_by_the_helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = tmp_path / "out" / "register.csv"
    chosen.parent.mkdir()
    seen: list[str] = []

    def fake_save(_parent: object, _title: str, start: str, _filters: str) -> tuple[str, str]:
        seen.append(start)
        return str(chosen), ""

    monkeypatch.setattr(file_dialogs.QFileDialog, "getSaveFileName", fake_save)
    assert file_dialogs.ask_save_file(None, "register", "t", "breach-register.csv") == (chosen, "")
    file_dialogs.ask_save_file(None, "register", "t", "breach-register.csv")
    assert seen == [str(documents_folder() / "breach-register.csv"), str(chosen.parent / "breach-register.csv")]


def test_no_screen_calls_qfiledialog_directly() -> None:
    offenders = [p.relative_to(UI) for p in UI.rglob("*.py")
                 if "QFileDialog" in p.read_text(encoding="utf-8") and p.name != "file_dialogs.py"]
    assert offenders == []
