"""The GUI composition root: builds the services factory, the job runner and the windows, and
passes them in. No global app object; nothing else constructs services for the GUI."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from incident_app import __version__
from incident_app.domain.i18n import DEFAULT_LANGUAGE, Translator
from incident_app.services.container import Services, open_services
from incident_app.services.encryption import DatabaseKind, connect_hook_for, database_kind
from incident_app.services.resources import load_messages
from incident_app.storage.database import ENV_DB, default_db_path
from incident_app.storage.store import ConnectHook

log = logging.getLogger(__name__)


def parse_gui_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="incident-app", description="Breach Desk (GUI)")
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--lang", default=None, choices=["zh-CN", "en"])
    return parser.parse_args(list(argv))


def startup_database(named: Path | None) -> Path:
    """The database to open at start: ``--db``, else ``$INCIDENT_APP_DB``, else the one used last
    (File → Open / New / Recent is remembered), else the default file in the user data folder."""
    if named is not None:
        return named
    if os.environ.get(ENV_DB):
        return default_db_path()
    from incident_app.ui.database.recent import last_used_database

    return last_used_database() or default_db_path()


def refuse_unreadable_start(db_path: Path, tr: Translator, exc: BaseException, *, from_recent: bool,
                            interactive: bool = True) -> str | None:
    """At start: a database that cannot be opened (damaged, not a database, from a newer version)
    is said in the officer's words instead of the 'unexpected error' box; one opened only because
    it was used last is dropped from the recent list, so the next start does not stop on it
    again. Returns the text shown, or None when ``exc`` is not about the file."""
    from PySide6.QtWidgets import QMessageBox

    from incident_app.ui.database.recent import remove_recent
    from incident_app.ui.database.switching import unreadable_database

    refused = unreadable_database(db_path, tr, exc)
    if refused is None:
        return None
    log.warning("cannot open %s at start: %s", db_path, exc)
    text = str(refused)
    if from_recent:
        remove_recent(db_path)
        text += "\n\n" + tr.t("db.start.dropped_recent")
    if interactive:
        QMessageBox.warning(None, tr.t("error.title"), text)
    return text


def _is_recent(path: Path) -> bool:
    from incident_app.ui.database.recent import recent_databases, same_database

    return any(same_database(entry.path, path) for entry in recent_databases())


def services_factory(db_path: Path, connect_hook: ConnectHook | None = None):  # type: ignore[no-untyped-def]
    """A factory so each worker thread opens its own connection to the same file."""

    def factory() -> Services:
        return open_services(db_path, connect_hook=connect_hook)

    return factory


def unlock_database(db_path: Path, tr: Translator) -> tuple[bool, ConnectHook | None]:
    """Ask for the passphrase when ``db_path`` is encrypted. Returns (go on?, connect hook)."""
    if database_kind(db_path) is not DatabaseKind.ENCRYPTED:
        return True, None
    from PySide6.QtWidgets import QDialog

    from incident_app.jobs.background import BackgroundCall
    from incident_app.ui.database.passphrase_dialog import PassphraseDialog

    caller = BackgroundCall()
    dialog = PassphraseDialog(db_path, tr, lambda p: connect_hook_for(db_path, p), caller)
    unlocked = dialog.exec() == QDialog.DialogCode.Accepted
    return unlocked, dialog.connect_hook


def choose_new_database(db_path: Path, tr: Translator) -> tuple[bool, ConnectHook | None]:
    """First start on a new file: plain or encrypted, chosen once, now (an existing file is
    opened as it is: see :func:`unlock_database`)."""
    if database_kind(db_path) is not DatabaseKind.NEW:
        return True, None
    from PySide6.QtWidgets import QDialog

    from incident_app.jobs.background import BackgroundCall
    from incident_app.ui.database.new_database_dialog import NewDatabaseDialog

    dialog = NewDatabaseDialog(db_path, tr, lambda p: connect_hook_for(db_path, p, encrypt_new=True),
                               BackgroundCall())
    created = dialog.exec() == QDialog.DialogCode.Accepted
    return created, dialog.connect_hook


def saved_language(db_path: Path, connect_hook: ConnectHook | None = None) -> str | None:
    """The interface language chosen last time (read once at start-up, before any window)."""
    from incident_app.services.settings.preferences import load_ui_language

    services = open_services(db_path, connect_hook=connect_hook)
    try:
        return load_ui_language(services)
    finally:
        services.close()


def build_main_window(db_path: Path, lang: str = DEFAULT_LANGUAGE, *, synchronous: bool = False,  # type: ignore[no-untyped-def]
                      connect_hook: ConnectHook | None = None):
    """Wire the main window for ``db_path`` (also used by tests and the screenshot script)."""
    from incident_app.jobs.change_watch import DataWatcher
    from incident_app.jobs.runner import JobRunner, SyncJobRunner
    from incident_app.ui.main_window import MainWindow

    factory = services_factory(db_path, connect_hook)
    factory().close()  # create and migrate the file up front, on this thread, before any worker
    runner = SyncJobRunner(factory) if synchronous else JobRunner(factory)
    tr = Translator(load_messages(), lang)
    from incident_app.services.register.helper import POOL

    POOL.prestart()  # the register's helper process imports while the window is built

    def open_other(path: Path, hook: ConnectHook | None) -> MainWindow:
        # File → New / Open / Recent: the other database in the language in use now.
        other: MainWindow = build_main_window(path, window.tr_.lang, synchronous=synchronous, connect_hook=hook)
        if window.tray is not None:  # the deadline tray follows the database
            start_tray(other)
        return other

    window = MainWindow(runner, tr, db_path=db_path, window_factory=open_other)
    if isinstance(runner, JobRunner):
        runner.setParent(window)
    watcher = DataWatcher(factory, busy=lambda: runner.active_count() > 0, parent=window)
    window.attach_watcher(watcher)
    from incident_app.ui.database.recent import add_recent

    add_recent(db_path)
    return window


def start_tray(window: Any) -> Any:
    """The deadline tray for a running GUI; with a tray, the app outlives its last window."""
    from PySide6.QtWidgets import QApplication

    from incident_app.ui.reminders.tray import DeadlineTray

    tray = DeadlineTray(window.runner, window.tr_, parent=window)
    window.attach_tray(tray)
    if tray.available():
        QApplication.setQuitOnLastWindowClosed(False)
    tray.start()
    return tray


def run_gui(argv: Sequence[str]) -> int:
    """Start the desktop application."""
    args = parse_gui_args(argv)
    from PySide6.QtWidgets import QApplication

    from incident_app.ui.common.errors import ErrorReporter, install_excepthook
    from incident_app.ui.common.qt_translations import install_qt_translator
    from incident_app.ui.common.style import apply_look

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Breach Desk")
    apply_look(app)
    db_path = startup_database(args.db)
    env_lang = args.lang or os.environ.get("INCIDENT_APP_LANG")
    start_tr = Translator(load_messages(), env_lang or DEFAULT_LANGUAGE)
    install_qt_translator(app, start_tr.lang)
    install_excepthook(ErrorReporter(None, start_tr))
    log.info("GUI start: Breach Desk %s on %s", __version__, sys.platform)
    created, connect_hook = choose_new_database(db_path, start_tr)
    if not created:
        return 1
    if connect_hook is None:
        unlocked, connect_hook = unlock_database(db_path, start_tr)
        if not unlocked:
            return 1
    from incident_app.ui.database.recent import unavailable_last_used

    named = args.db is not None or bool(os.environ.get(ENV_DB))
    missing_last = None if named else unavailable_last_used()
    from incident_app.ui.database.upgrade import upgrade_before_open

    try:
        # Before anything reads the file: an upgrade runs off this thread behind its dialog.
        if not upgrade_before_open(None, db_path, connect_hook, start_tr):
            return 1
        lang = env_lang or saved_language(db_path, connect_hook) or DEFAULT_LANGUAGE
        install_qt_translator(app, lang)
        window = build_main_window(db_path, lang, connect_hook=connect_hook)
    except Exception as exc:
        if not refuse_unreadable_start(db_path, start_tr, exc, from_recent=not named and _is_recent(db_path)):
            raise
        return 1
    window.show()
    window.refresh()
    if missing_last is not None:  # not silently on another database than last time
        window.statusBar().showMessage(window.tr_.t("db.start.last_missing", missing=str(missing_last),
                                                    opened=str(db_path)))
    start_tray(window)
    code = int(app.exec())
    while window is not None:  # the first window and every one File → Open switched to
        window.runner.wait_all()
        window = window.successor
    return code
