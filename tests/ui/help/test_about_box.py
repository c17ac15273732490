"""Help → About (issue 15 point 1): the real version, database and log paths, and licences read
from the installed libraries' metadata; Copy puts it all on the clipboard."""

from __future__ import annotations

import importlib.metadata as metadata
import re
import tomllib
from pathlib import Path

from helpers import make_window
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from incident_app import __version__
from incident_app.diagnostics import log_path
from incident_app.services.licences import DIRECT_REQUIREMENTS, shipped_libraries

ROOT = Path(__file__).resolve().parents[3]


def test_about_shows_version_paths_and_licences(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "about.sqlite3"
    window = make_window(qtbot, db, "en")
    assert window.act_about in window.menu_help.actions()
    about = window.show_about()
    text = about.details.toPlainText()
    assert f"Version: {__version__}" in text
    assert f"Database: {db}" in text
    assert f"Diagnostic log: {log_path()}" in text
    assert "GNU LGPL version 3" in text
    pyside = metadata.distribution("PySide6-Essentials")
    assert f"{pyside.metadata['Name']} {pyside.version}: LGPL-3.0-only" in text
    jinja = metadata.distribution("Jinja2")
    assert f"Jinja2 {jinja.version}: " in text
    about.copy()
    assert QGuiApplication.clipboard().text() == text
    about.close()


def test_about_in_chinese(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "zh.sqlite3")
    text = window.show_about().text
    assert f"版本：{__version__}" in text and "诊断日志" in text


def test_the_licence_list_follows_pyproject() -> None:
    pinned = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {re.match(r"[A-Za-z0-9._-]+", p).group(0).lower() for p in pinned}  # type: ignore[union-attr]
    assert names == {n.lower() for n in DIRECT_REQUIREMENTS}
    listed = {re.sub(r"[-_.]+", "-", lib.name).lower() for lib in shipped_libraries()}
    assert {re.sub(r"[-_.]+", "-", n).lower() for n in DIRECT_REQUIREMENTS} <= listed
    # installer tools a dependency names (sqlite-utils requires pip) are not shipped, so not listed
    assert not listed & {"pip", "setuptools", "wheel"}, listed & {"pip", "setuptools", "wheel"}
