"""The one way the UI asks for a file or folder: every dialog starts in the folder last used for
that kind of file, else the user's Documents folder (QStandardPaths), else the home folder —
never the program's own folder (the working directory of a double-clicked app)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from incident_app.ui.common.app_settings import app_settings

_KEY = "last_folder/{kind}"


def documents_folder() -> Path:
    """The user's Documents folder, or the home folder when the platform names none that exists."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if location and Path(location).is_dir():
        return Path(location)
    return Path.home()


def start_folder(kind: str) -> Path:
    """Where a dialog for ``kind`` (``database``, ``backup``, ``evidence``, ``register``,
    ``people``, ``notices``, ``attachment``…) opens."""
    saved = app_settings().value(_KEY.format(kind=kind), "")
    if saved and Path(str(saved)).is_dir():
        return Path(str(saved))
    return documents_folder()


def remember_folder(kind: str, chosen: Path) -> None:
    """Remember the folder of ``chosen`` (a file, or a folder itself) for the next ``kind`` dialog."""
    folder = chosen if chosen.is_dir() else chosen.parent
    settings = app_settings()
    settings.setValue(_KEY.format(kind=kind), str(folder))
    settings.sync()


def ask_open_file(parent: QWidget | None, kind: str, title: str, filters: str = "") -> Path | None:
    """An existing file to read, or None when cancelled."""
    name, _chosen = QFileDialog.getOpenFileName(parent, title, str(start_folder(kind)), filters)
    return _remembered(kind, name)


def ask_save_file(parent: QWidget | None, kind: str, title: str, suggested_name: str,
                  filters: str = "") -> tuple[Path | None, str]:
    """(file to write or None when cancelled, the filter chosen)."""
    name, chosen = QFileDialog.getSaveFileName(parent, title, str(start_folder(kind) / suggested_name), filters)
    return _remembered(kind, name), chosen


def ask_folder(parent: QWidget | None, kind: str, title: str) -> Path | None:
    """A folder to write into, or None when cancelled."""
    name = QFileDialog.getExistingDirectory(parent, title, str(start_folder(kind)))
    return _remembered(kind, name)


def _remembered(kind: str, name: str) -> Path | None:
    if not name:
        return None
    path = Path(name)
    remember_folder(kind, path)
    return path
