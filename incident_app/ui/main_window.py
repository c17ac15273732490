"""The main window: the incident register (home) with filters, an empty state that says what to
do, and the entry points — New incident, open an incident's workspace, change status, export,
settings. Reads and writes go through the job runner, never on the UI thread."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from incident_app.domain.i18n import LANGUAGES, Translator
from incident_app.domain.reminders import CloseAction
from incident_app.jobs.change_watch import DataWatcher
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.encryption import DatabaseKind, database_kind
from incident_app.services.register import RegisterRow
from incident_app.services.register.helper import details_off_process, rows_off_process
from incident_app.services.register.view import (
    RegisterChanges,
    RegisterLoad,
    register_changes,
    register_first_rows,
)
from incident_app.services.settings import load_settings, save_ui_language
from incident_app.services.settings.reminders import save_reminder_settings
from incident_app.ui.common import ErrorReporter, RecordRole, ask_yes_no
from incident_app.ui.common.file_dialogs import ask_open_file, ask_save_file
from incident_app.ui.common.gc_policy import freeze_long_lived_objects
from incident_app.ui.common.geometry import restore_window, save_window
from incident_app.ui.common.qt_translations import install_qt_translator
from incident_app.ui.common.screen_fit import fit_to_screen
from incident_app.ui.common.warm_up import ImportWarmUp
from incident_app.ui.database.recent import (
    add_recent,
    recent_databases,
    remove_missing,
    remove_recent,
    same_database,
)
from incident_app.ui.database.switching import ask_connect_hook, unreadable_database
from incident_app.ui.database.upgrade import upgrade_before_open
from incident_app.ui.register import (
    MetricsPanel,
    RegisterFilterBar,
    RegisterFilterProxy,
    RegisterModel,
    ask_and_export,
)
from incident_app.ui.register.model import BATCH as FIRST_SCREEN_ROWS
from incident_app.ui.register.table import RegisterTable, size_columns
from incident_app.ui.reminders.tray import app_icon

if TYPE_CHECKING:  # each imported where it is first used: the first screen needs none of them
    from incident_app.ui.help.about import AboutDialog
    from incident_app.ui.intake import IntakeWizard
    from incident_app.ui.reminders.tray import DeadlineTray
    from incident_app.ui.workspace import WorkspaceWindow

log = logging.getLogger(__name__)
COUNTDOWN_TICK_MS = 30_000
VISIBLE_SETTLE_MS = 60  # after scrolling settles this long, the rows in view are assessed
WINDOW_NAME = "main"
# What the officer opens next from the register: imported a module at a time once the register is
# in and the window idle, so the first double-click only builds the window (ui/common/warm_up.py).
WARM_UP_MODULES = ("incident_app.ui.workspace.window", "incident_app.ui.intake")
WARM_UP_DELAY_MS = 500
# Builds the main window of another database (app.py passes it in: the UI cannot build services).
WindowFactory = Callable[[Path, Any], "MainWindow"]


class MainWindow(QMainWindow):
    """Home screen."""

    incident_activated = Signal(int)
    register_refreshed = Signal()

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, db_path: Path | None = None,
                 window_factory: WindowFactory | None = None) -> None:
        super().__init__()
        self.runner = runner
        self.tr_ = tr
        self.db_path = db_path
        self.window_factory = window_factory
        self.successor: MainWindow | None = None  # the window of the database switched to
        # Swappable in tests (no modal dialog): how a database is unlocked, how a question is asked.
        self.ask_hook: Callable[[QWidget | None, Path, Translator], tuple[bool, Any]] = ask_connect_hook
        self.confirm: Callable[[str, str], bool] = lambda title, text: ask_yes_no(self, self.errors, title, text)
        self.errors = ErrorReporter(self, tr)
        self.model = RegisterModel(tr, self, request_details=self._request_details)
        self.workspaces: dict[int, WorkspaceWindow] = {}
        self._closed_workspaces: list[WorkspaceWindow] = []  # freed on the next open, not mid-close
        self.dialog: Any = None
        self.last_verify_message = ""
        self.watcher: DataWatcher | None = None
        self.tray: DeadlineTray | None = None
        self._quitting = False
        self._seq: int | None = None  # the event the rows shown are current as of (None: read them all)
        self._loading = False  # a refresh is on its way: another one asked meanwhile runs after it
        self._refresh_again = False
        self.setWindowIcon(app_icon())
        self._build()
        self.incident_activated.connect(self.open_incident_soon)
        self.retranslate()
        fit_to_screen(self, 1280, 740)
        restore_window(self, WINDOW_NAME, [self.body_splitter])  # where it was last time, clamped
        self.ticker = QTimer(self)
        self.ticker.setInterval(COUNTDOWN_TICK_MS)
        self.ticker.timeout.connect(self.refresh_countdowns)
        self.ticker.start()
        self.warm_up = ImportWarmUp(WARM_UP_MODULES, self)
        self.warm_up.finished.connect(freeze_long_lived_objects)  # the modules it imported live as long
        freeze_long_lived_objects()  # the imported UI and this window: never walked by a collection again

    # -- construction -------------------------------------------------------------------
    def _build(self) -> None:
        self.proxy = RegisterFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = RegisterTable()
        self.table.setObjectName("registerTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(RegisterModel.COL_ID, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self._columns_sized = False  # sized from a sample once rows are in (then the officer's widths stay)
        self.table.activated.connect(self._on_table_activated)
        self.table.selectionModel().selectionChanged.connect(self._update_selection_actions)
        # A refresh, a sort or a filter rebuilds the rows: the selected incident stays selected.
        self._kept_selection: int | None = None
        self._hidden_selection: int | None = None  # selected, then hidden by a filter
        self.proxy.modelAboutToBeReset.connect(self._remember_selection)
        self.proxy.modelReset.connect(self._restore_selection)
        self.proxy.modelReset.connect(self._update_selection_actions)
        # The rows in view are the ones to assess (once scrolling settles, not on every step).
        self._visible_timer = QTimer(self)
        self._visible_timer.setSingleShot(True)
        self._visible_timer.setInterval(VISIBLE_SETTLE_MS)
        self._visible_timer.timeout.connect(self._on_view_settled)
        # (Through a lambda: valueChanged(int) straight into start(int) would make the value the interval.)
        self.table.verticalScrollBar().valueChanged.connect(lambda _v: self._visible_timer.start())
        self.proxy.modelReset.connect(lambda: self._visible_timer.start())
        self.proxy.rowsInserted.connect(lambda *_a: self._visible_timer.start())
        self.filters = RegisterFilterBar(self.tr_)
        self.filters.filters_changed.connect(self._on_filters_changed)
        register_page = QWidget()
        layout = QVBoxLayout(register_page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.filters)
        # Metrics beside the table: the regulator and management ask for them next to the list.
        self.metrics = MetricsPanel(self.runner, self.tr_)
        self.metrics.setMaximumWidth(340)
        self.metrics.register_exported.connect(
            lambda path: self.statusBar().showMessage(self.tr_.t("register.export.done", path=path)))
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(self.table)
        body.addWidget(self.metrics)
        body.setStretchFactor(0, 1)
        self.body_splitter = body
        layout.addWidget(body, 1)
        self.empty = QLabel()
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(register_page)
        self.register_page = register_page
        self.setCentralWidget(self.stack)
        self._build_actions()

    def _action(self, slot: Any, shortcut: Any = None) -> QAction:
        action = QAction(self)
        action.triggered.connect(slot)
        if shortcut is not None:
            action.setShortcut(shortcut)
        return action

    def _build_actions(self) -> None:
        self.act_new = self._action(self.open_wizard, QKeySequence.StandardKey.New)
        self.act_open = self._action(self.open_selected, QKeySequence("Ctrl+O"))
        self.act_status = self._action(self.open_status_for_selected, QKeySequence("Ctrl+T"))
        self.act_export = self._action(self.export_register)
        self.act_settings = self._action(self.open_settings, QKeySequence("Ctrl+,"))
        self.act_demo = self._action(self.load_demo)
        self.act_verify = self._action(self.verify_log)
        self.act_refresh = self._action(self.reload, QKeySequence.StandardKey.Refresh)
        self.act_find = self._action(lambda: self.filters.search.setFocus(), QKeySequence.StandardKey.Find)
        self.act_quit = self._action(self.quit_app, QKeySequence.StandardKey.Quit)
        self.act_new_db = self._action(self.new_database)
        self.act_open_db = self._action(self.open_database)
        self.act_backup = self._action(self.backup_database)
        self.act_evidence = self._action(self.write_evidence_pack)
        self.act_purge = self._action(self.purge_expired)
        self.act_about = self._action(self.show_about)
        self.act_remove_missing = self._action(self._remove_missing_recent)
        self.addActions([self.act_refresh, self.act_find])
        self.language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for lang in LANGUAGES:
            action = QAction(self, checkable=True)
            action.setChecked(lang == self.tr_.lang)
            action.triggered.connect(lambda _=False, code=lang: self.set_language(code))
            self.language_group.addAction(action)
            self.language_actions[lang] = action
        self.toolbar = QToolBar()
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for item in (self.act_new, self.act_open, self.act_status, self.act_export, None,
                     self.act_settings, None, self.act_demo, self.act_verify):
            if item is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(item)
        self.addToolBar(self.toolbar)
        primary = self.toolbar.widgetForAction(self.act_new)
        if primary is not None:
            primary.setObjectName("primaryAction")  # the one thing to do first stands out
            primary.style().unpolish(primary)
            primary.style().polish(primary)
        self._build_menus()
        self._update_selection_actions()

    def _update_selection_actions(self) -> None:
        # Open and Change status act on the selected incident; greyed out when there is none.
        selected = bool(self.table.selectionModel().selectedRows())
        self.act_open.setEnabled(selected)
        self.act_status.setEnabled(selected)
        self.act_evidence.setEnabled(selected)

    def _build_menus(self) -> None:
        self.menu_file = self.menuBar().addMenu("")
        self.menu_recent = QMenu(self)
        self.menu_recent.aboutToShow.connect(self.rebuild_recent_menu)
        for item in (self.act_new, self.act_open, self.act_export, None, self.act_new_db, self.act_open_db,
                     self.menu_recent, None, self.act_backup, self.act_evidence, None, self.act_demo, None,
                     self.act_quit):
            if item is None:
                self.menu_file.addSeparator()
            elif isinstance(item, QMenu):
                self.menu_file.addMenu(item)
            else:
                self.menu_file.addAction(item)
        self.menu_incident = self.menuBar().addMenu("")
        self.menu_incident.addAction(self.act_status)
        self.menu_view = self.menuBar().addMenu("")
        self.menu_view.addAction(self.act_refresh)
        self.menu_language = self.menu_view.addMenu("")
        for action in self.language_actions.values():
            self.menu_language.addAction(action)
        self.menu_tools = self.menuBar().addMenu("")
        self.menu_tools.addAction(self.act_settings)
        self.menu_tools.addAction(self.act_purge)
        self.menu_help = self.menuBar().addMenu("")
        self.menu_help.addAction(self.act_verify)
        self.menu_help.addAction(self.act_about)
        self.rebuild_recent_menu()

    def retranslate(self) -> None:
        t = self.tr_.t
        # Which database is open, always in sight (the app may start on the one used last).
        self.setWindowTitle(t("app.title") + (f" — {self.db_path.name}" if self.db_path else ""))
        self.empty.setText(t("register.empty"))
        for action, key in ((self.act_new, "menu.new_incident"), (self.act_open, "register.open"),
                            (self.act_status, "register.change_status"), (self.act_export, "register.export"),
                            (self.act_settings, "settings.menu"), (self.act_demo, "menu.load_demo"),
                            (self.act_verify, "menu.verify_log"), (self.act_refresh, "register.refresh"),
                            (self.act_quit, "menu.quit"), (self.act_new_db, "db.menu.new"),
                            (self.act_open_db, "db.menu.open"), (self.act_backup, "backup.menu"),
                            (self.act_evidence, "evidence.menu"), (self.act_purge, "purge.menu"),
                            (self.act_about, "about.menu"), (self.act_remove_missing, "db.recent.remove_missing")):
            action.setText(t(key))
        self.menu_recent.setTitle(t("db.menu.recent"))
        self.act_export.setToolTip(t("register.export.tip"))
        for lang, action in self.language_actions.items():
            action.setText(t(f"settings.language.{lang}"))
        for menu, key in ((self.menu_file, "menu.file"), (self.menu_incident, "register.menu.incident"),
                          (self.menu_view, "menu.view"), (self.menu_language, "menu.language"),
                          (self.menu_tools, "settings.menu.tools"), (self.menu_help, "menu.help")):
            menu.setTitle(t(key))
        self.filters.retranslate(self.tr_)
        self.metrics.set_translator(self.tr_)
        self.model.set_translator(self.tr_)
        if self._columns_sized:  # the other language's words, measured in the next turn of the event
            # loop: the window's texts change in one and its columns in another (no single long stall)
            QTimer.singleShot(0, self, lambda: size_columns(self.table, RegisterModel.COL_TITLE))
        self._update_count()

    def set_language(self, lang: str) -> None:
        """Switch every open window to ``lang`` and remember the choice."""
        self.tr_ = self.tr_.with_language(lang)
        app = QApplication.instance()
        if app is not None:
            install_qt_translator(app, lang)
        self.errors.tr = self.tr_
        self.language_actions[lang].setChecked(True)
        self.retranslate()
        for workspace in self.workspaces.values():
            workspace.set_translator(self.tr_)
        if self.tray is not None:
            self.tray.set_translator(self.tr_)
        self.runner.run(lambda s, _p: save_ui_language(s, lang), on_failure=self.errors.show)

    # -- data ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Bring the register up to date on a worker: the first time (and after :meth:`reload`)
        the first screen's rows from one short query, then every row from the helper process;
        after that only the incidents changed since (a live refresh never reads 10,000 rows)."""
        if self.watcher is not None:  # this reload shows every commit so far: no second refresh for it
            self.watcher.absorb()
        if self._loading:
            self._refresh_again = True  # one more pass when the one running is done
            return
        self._loading = True
        since = self._seq
        if since is None:
            self.runner.run(lambda services, _p: register_first_rows(services, FIRST_SCREEN_ROWS),
                            on_success=self._on_first_rows, on_failure=self._on_load_failed)
        else:
            self.runner.run(lambda services, _p: register_changes(services, since),
                            on_success=self._on_changes, on_failure=self._on_load_failed)

    def reload(self) -> None:
        """Read every row again (View → Refresh), not only the changed ones."""
        self._seq = None
        self.refresh()

    def _on_first_rows(self, load: RegisterLoad) -> None:
        self._on_rows_loaded(load.rows, done=False)
        if len(load.rows) < FIRST_SCREEN_ROWS:  # that was every incident
            self._loaded_as_of(load.seq)
            return
        first_seq = load.seq
        self.runner.run(lambda services, _p: rows_off_process(services),
                        on_success=lambda every: self._on_every_row(first_seq, every),
                        on_failure=self._on_load_failed)

    def _on_every_row(self, first_seq: int, load: RegisterLoad) -> None:
        # As current as the first screen's rows: those already assessed keep their grade.
        self.model.set_rows(load.rows, keep_details=load.seq == first_seq)
        self._update_count()
        self._loaded_as_of(load.seq)

    def _on_changes(self, changes: RegisterChanges) -> None:
        if changes.rows or changes.gone or changes.reassess_all:
            self.model.apply_changes(changes.rows, changes.gone, changes.reassess_all)
            self.stack.setCurrentWidget(self.register_page if self.model.total_rows() else self.empty)
            self._update_count()
            self.metrics.refresh()
        self._loaded_as_of(changes.seq)

    def _loaded_as_of(self, seq: int) -> None:
        self._seq = seq
        self._loading = False
        self.register_refreshed.emit()
        freeze_long_lived_objects()  # every row is in: later collections do not walk them again
        self.warm_up.start_after(WARM_UP_DELAY_MS)  # a no-op once it is done
        if self._refresh_again:
            self._refresh_again = False
            self.refresh()

    def _on_load_failed(self, exc: BaseException, details: str) -> None:
        self._loading = False
        self._refresh_again = False
        self.errors.show(exc, details)

    def _request_details(self, generation: int, ids: list[int]) -> None:
        """Grade and next deadline of one batch of rows: cached, else assessed in a helper process."""
        self.runner.run(lambda services, _progress: details_off_process(services, ids),
                        on_success=lambda details: self.model.details_loaded(generation, details),
                        on_failure=lambda exc, details: self._on_details_failed(generation, exc, details))

    def _on_details_failed(self, generation: int, exc: BaseException, details: str) -> None:
        self.model.details_failed(generation)
        self.errors.show(exc, details)

    def _on_rows_loaded(self, rows: Any, done: bool = True) -> None:
        """Show ``rows`` (every row, or the first screen's when not ``done``); the metrics follow."""
        self.stack.setCurrentWidget(self.register_page if rows else self.empty)
        self.model.set_rows(rows)  # the selection is kept by _remember/_restore_selection
        if rows and not self._columns_sized:
            size_columns(self.table, RegisterModel.COL_TITLE)
            self._columns_sized = True
        self._update_count()
        if rows:
            self.metrics.refresh()
        if done:
            self.register_refreshed.emit()

    def _remember_selection(self) -> None:
        selected = self.selected_row()
        self._kept_selection = selected.id if selected is not None else self._hidden_selection

    def _restore_selection(self) -> None:
        # A refresh after a change elsewhere, a sort or a filter must not drop the officer's selection;
        # a row a filter hides stays remembered, so clearing the filter selects it again.
        kept = self._kept_selection
        self._hidden_selection = kept if kept is not None and not self._reselect(kept) else None

    def _reselect(self, incident_id: int) -> bool:
        position = self.model.ensure_fetched(incident_id)  # after a sort it may be far down
        if position is not None:
            index = self.proxy.mapFromSource(self.model.index(position, 0))
            if index.isValid():
                self.table.selectRow(index.row())
                return True
        return False

    def _on_view_settled(self) -> None:
        self.model.set_visible(*self.table.visible_rows())

    def refresh_countdowns(self) -> None:
        """The 30-s tick: repaint the countdowns of the rows in view only."""
        first, last = self.table.visible_rows()
        if first >= 0:
            self.model.refresh_countdowns(first, last)

    # -- changes made elsewhere -----------------------------------------------------------
    def attach_watcher(self, watcher: DataWatcher) -> None:
        """One change-notification path: any commit to the file (another tab or window, the
        command line in another process) refreshes the register, the metrics, every open
        workspace and the tray's next deadline."""
        self.watcher = watcher
        watcher.changed.connect(self.on_data_changed)

    def on_data_changed(self) -> None:
        self.refresh()
        for workspace in list(self.workspaces.values()):
            workspace.refresh()
        if self.tray is not None:
            self.tray.check()

    # -- the tray -------------------------------------------------------------------------
    def attach_tray(self, tray: DeadlineTray) -> None:
        """Deadline reminders: a notification or the tray's deadline line opens the incident."""
        self.tray = tray
        tray.open_requested.connect(self.show_incident)
        tray.show_requested.connect(self.show_again)
        tray.quit_requested.connect(self.quit_app)

    def show_again(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        self.refresh()

    def show_incident(self, incident_id: int) -> WorkspaceWindow:
        self.show_again()
        return self.open_incident(incident_id)

    def quit_app(self) -> None:
        """Quit for real (File → Quit, the tray's Quit): no 'keep in tray' question."""
        self._quitting = True
        self.close()

    def _keeps_running_in_tray(self) -> bool:
        if self._quitting or self.tray is None or not self.tray.available():
            return False
        check = self.tray.last_check
        action = check.settings.close_action if check is not None else CloseAction.ASK
        if action is CloseAction.ASK:
            action = self.ask_close_action()
            self.runner.run(lambda s, _p: save_reminder_settings(s, close_action=action.value),
                            on_failure=self.errors.show)
        return action is CloseAction.TRAY

    def ask_close_action(self) -> CloseAction:
        """Asked once (the answer is stored). Keeping the reminders is the default button: a
        deadline reminder that silently stops is the costlier surprise."""
        from PySide6.QtWidgets import QMessageBox

        t = self.tr_.t
        box = QMessageBox(QMessageBox.Icon.Question, t("tray.close.title"), t("tray.close.question"), parent=self)
        keep = box.addButton(t("tray.close.keep"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(t("tray.close.quit"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        if not self.errors.interactive:
            return CloseAction.TRAY
        box.exec()
        return CloseAction.TRAY if box.clickedButton() is keep else CloseAction.QUIT

    def _on_filters_changed(self) -> None:
        self.proxy.set_filters(**self.filters.values())
        self._update_count()

    def _update_count(self) -> None:
        self.filters.show_count(self.model.shown_rows(), self.model.total_rows(), self.tr_)

    def load_demo(self) -> None:
        from incident_app.services.demo import load_demo

        self.runner.run(lambda services, _p: load_demo(services).id,
                        on_success=lambda _id: self.refresh(), on_failure=self.errors.show)

    def verify_log(self) -> None:
        self.runner.run(lambda services, _p: services.audit.verify(),
                        on_success=self._on_verified, on_failure=self.errors.show)

    def _on_verified(self, report: Any) -> None:
        from incident_app.ui.workspace import verify_message

        text = verify_message(report, self.tr_)
        self.statusBar().showMessage(text)
        self.last_verify_message = text

    # -- opening things -----------------------------------------------------------------
    def selected_row(self) -> RegisterRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.proxy.data(rows[0], RecordRole) if rows else None

    def _on_table_activated(self, index: Any) -> None:
        row = self.proxy.data(index, RecordRole)
        if row is not None:
            self.incident_activated.emit(row.id)

    def open_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.incident_activated.emit(row.id)

    def open_incident_soon(self, incident_id: int) -> None:
        """The officer's double-click or Enter on a row: open the workspace now, or — while the
        import warm-up is still bringing in its modules — once it is done, in its ticks, with the
        window answering meanwhile (at most about half a second; a busy cursor says so)."""
        if incident_id in self.workspaces or self.warm_up.is_done():
            self.open_incident(incident_id)
            return
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        self.warm_up.when_done(lambda: self._open_when_warm(incident_id))

    def _open_when_warm(self, incident_id: int) -> None:
        QApplication.restoreOverrideCursor()
        self.open_incident(incident_id)

    def open_incident(self, incident_id: int) -> WorkspaceWindow:
        """Open the incident's workspace, or bring the already open one to the front."""
        self._closed_workspaces.clear()
        workspace = self.workspaces.get(incident_id)
        if workspace is None:
            from incident_app.ui.workspace import WorkspaceWindow

            # Owned by Python (no delete-on-close): a result still on its way keeps the window
            # alive until delivered, and dropping it from self.workspaces frees it.
            workspace = WorkspaceWindow(self.runner, self.tr_, incident_id, interactive=self.errors.interactive)
            workspace.incident_changed.connect(lambda _id: self.refresh())
            workspace.closed.connect(self._on_workspace_closed)
            self.workspaces[incident_id] = workspace
        workspace.show()
        workspace.raise_()
        workspace.activateWindow()
        return workspace

    def _on_workspace_closed(self, incident_id: int) -> None:
        closed = self.workspaces.pop(incident_id, None)
        if closed is not None:
            self._closed_workspaces.append(closed)

    def open_wizard(self) -> IntakeWizard:
        from incident_app.ui.intake import IntakeWizard

        wizard = IntakeWizard(self.runner, self.tr_, self.errors, self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.incident_created.connect(self._on_incident_created)
        self.dialog = wizard
        wizard.open()
        return wizard

    def _on_incident_created(self, incident_id: int) -> None:
        self.refresh()
        self.open_incident(incident_id)

    def open_status_for_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        incident_id = row.id
        self.runner.run(lambda s, _p: s.incidents.get(incident_id),
                        on_success=self._show_status_dialog, on_failure=self.errors.show)

    def _show_status_dialog(self, incident: Any) -> None:
        from incident_app.ui.workspace import StatusDialog, next_status

        self.dialog = StatusDialog(self.runner, self.tr_, self.errors, incident, next_status(incident.status), self)
        self.dialog.saved.connect(lambda _r: self._after_status_change(incident.id))
        self.dialog.open()

    def _after_status_change(self, incident_id: int) -> None:
        self.refresh()
        if incident_id in self.workspaces:
            self.workspaces[incident_id].refresh()

    def open_settings(self) -> None:
        self.runner.run(lambda s, _p: load_settings(s), on_success=self._show_settings, on_failure=self.errors.show)

    def _show_settings(self, snapshot: Any) -> None:
        from incident_app.ui.settings import SettingsDialog

        self.dialog = SettingsDialog(self.runner, self.tr_, self.errors, snapshot, self)
        self.dialog.saved.connect(lambda _r: self.statusBar().showMessage(self.tr_.t("settings.saved"), 5000))
        self.dialog.open()

    def export_register(self) -> None:
        ask_and_export(self, self.runner, self.tr_,
                       on_done=lambda path: self.statusBar().showMessage(self.tr_.t("register.export.done", path=path)),
                       on_failure=self.errors.show)

    # -- databases (File → New / Open / Recent) --------------------------------------------
    def rebuild_recent_menu(self) -> None:
        """One entry per recent database; a missing file is marked and removed when chosen."""
        self.menu_recent.clear()
        entries = recent_databases()
        for entry in entries:
            label = str(entry.path)
            if entry.missing:
                label = self.tr_.t("db.recent.missing", path=label)
            action = self.menu_recent.addAction(label)
            action.setData(str(entry.path))
            action.triggered.connect(lambda _=False, path=entry.path: self.open_recent(path))
        if not entries:
            empty = self.menu_recent.addAction(self.tr_.t("db.recent.empty"))
            empty.setEnabled(False)
        self.menu_recent.addSeparator()
        self.menu_recent.addAction(self.act_remove_missing)
        self.act_remove_missing.setEnabled(any(e.missing for e in entries))

    def _remove_missing_recent(self) -> None:
        count = remove_missing()
        self.rebuild_recent_menu()
        self.statusBar().showMessage(self.tr_.t("db.recent.removed", n=count), 5000)

    def open_recent(self, path: Path) -> MainWindow | None:
        """Open a recent database; a missing one is offered for removal from the list instead."""
        if not path.is_file():
            if self.confirm(self.tr_.t("db.menu.recent"), self.tr_.t("db.recent.gone", path=str(path))):
                remove_recent(path)
                self.rebuild_recent_menu()
            return None
        return self.open_database_at(path)

    def new_database(self) -> MainWindow | None:
        """Ask for a new file name, choose plain or encrypted, switch to it."""
        path, _ = ask_save_file(self, "database", self.tr_.t("db.new.title"), "breach-desk.sqlite3",
                                self.tr_.t("db.filter"))
        if path is None:
            return None
        return self.create_database_at(path)

    def create_database_at(self, path: Path) -> MainWindow | None:
        if database_kind(path) is not DatabaseKind.NEW:  # never replace a database by a new one
            self.errors.show(FileExistsError(self.tr_.t("db.new.exists", path=str(path))))
            return None
        return self.open_database_at(path)

    def open_database(self) -> MainWindow | None:
        path = ask_open_file(self, "database", self.tr_.t("db.open.title"), self.tr_.t("db.filter"))
        return self.open_database_at(path) if path is not None else None

    def open_database_at(self, path: Path) -> MainWindow | None:
        """Unlock (or create) ``path`` and switch this window's place to it."""
        if self.db_path is not None and same_database(path, self.db_path):  # also through a link or ..
            self.statusBar().showMessage(self.tr_.t("db.already_open", path=str(path)), 5000)
            return self
        refused = unreadable_database(path, self.tr_)  # before anything of this one is closed
        if refused is not None:
            self.errors.show(refused)
            return None
        if not self.close_everything_for_switch():
            return None
        unlocked, hook = self.ask_hook(self, path, self.tr_)
        if not unlocked:
            return None
        return self.switch_database(path, hook)

    def open_dialogs(self) -> list[QDialog]:
        """Visible dialogs of this window and its workspaces (they may hold unsaved edits)."""
        owners: list[QWidget] = [self, *self.workspaces.values()]
        found = []
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible() and _owned_by(widget, owners):
                found.append(widget)
        return found

    def close_everything_for_switch(self) -> bool:
        """Before another database opens: ask before discarding open dialogs (a running save
        cannot be interrupted), close the workspaces and let running jobs finish."""
        dialogs = self.open_dialogs()
        # A dialog whose job runs (a save, a send — even paused —, an import) would be closed under
        # it and wait_all() below would freeze the window until it ends (forever, when paused).
        if any(bool(getattr(d, "busy", False)) for d in dialogs):
            self.statusBar().showMessage(self.tr_.t("db.switch.busy"), 8000)
            return False
        if dialogs:
            names = "\n".join(f"• {d.windowTitle()}" for d in dialogs)
            if not self.confirm(self.tr_.t("db.switch.title"), self.tr_.t("db.switch.unsaved", windows=names)):
                return False
            for dialog in dialogs:
                QDialog.done(dialog, QDialog.DialogCode.Rejected)  # agreed: no second "discard?" question
        for workspace in list(self.workspaces.values()):
            workspace.close()
        self.runner.wait_all()
        return True

    def switch_database(self, path: Path, connect_hook: Any) -> MainWindow | None:
        """Open ``path`` in a new main window, then close this one; on failure this one stays."""
        if self.window_factory is None:
            return None
        try:
            # An older file is upgraded first, off this thread behind its dialog (this window
            # stays painted, and nothing of it reaches the other file meanwhile).
            if not upgrade_before_open(self, path, connect_hook, self.tr_):
                return None
            window = self.window_factory(path, connect_hook)
        except Exception as exc:  # noqa: BLE001 - a file that cannot be opened: say so, keep this one
            # Damaged, cut short or from a newer version: the file's fault, in the officer's words
            # (SQLite's English goes to the log only); anything else as it is.
            refused = unreadable_database(path, self.tr_, exc)
            if refused is not None:
                log.warning("cannot open %s as a database: %s", path, exc)
            self.errors.show(refused or exc, "" if refused else traceback.format_exc())
            return None
        window.errors.interactive = self.errors.interactive
        add_recent(path)
        self.successor = window
        save_window(self, WINDOW_NAME, [self.body_splitter])
        window.show()
        window.refresh()
        self.close()
        return window

    # -- backup, evidence pack, retention purge, about -----------------------------------
    def backup_database(self) -> None:
        from incident_app.ui.database.backup import ask_and_backup

        ask_and_backup(self, self.runner, self.tr_, self.db_path, on_done=self._on_backed_up,
                       on_failure=self.errors.show,
                       on_cancelled=lambda: self.statusBar().showMessage(self.tr_.t("backup.cancelled"), 8000))

    def _on_backed_up(self, result: Any) -> None:
        self.statusBar().showMessage(self.tr_.t("backup.done", path=str(result.path)))

    def write_evidence_pack(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        from incident_app.ui.evidence.pack import ask_and_write_pack

        ask_and_write_pack(self, self.runner, self.tr_, row.id, on_done=self._on_pack_written,
                           on_failure=self.errors.show)

    def _on_pack_written(self, pack: Any) -> None:
        self.statusBar().showMessage(self.tr_.t("evidence.done", path=str(pack.path), n=len(pack.files)))

    def purge_expired(self) -> None:
        from incident_app.ui.retention.purge import start_purge

        start_purge(self, self.runner, self.tr_, confirm=self.confirm, on_done=self._on_purged,
                    on_nothing=lambda: self.statusBar().showMessage(self.tr_.t("purge.nothing"), 8000),
                    on_failure=self.errors.show,
                    on_cancelled=lambda: self.statusBar().showMessage(self.tr_.t("purge.cancelled"), 8000))

    def _on_purged(self, results: Any) -> None:
        self.statusBar().showMessage(self.tr_.t("purge.done", n=len(results)))
        self.refresh()

    def show_about(self) -> AboutDialog:
        from incident_app.ui.help.about import AboutDialog

        about = AboutDialog(self.tr_, self.db_path, self)
        self.dialog = about
        about.open()
        return about

    def closeEvent(self, event: Any) -> None:
        save_window(self, WINDOW_NAME, [self.body_splitter])
        for workspace in list(self.workspaces.values()):
            workspace.close()
        if self.successor is None and self._keeps_running_in_tray():
            event.ignore()
            self.hide()
            self.statusBar().showMessage(self.tr_.t("tray.kept"), 10_000)
            return
        self.shutdown()
        super().closeEvent(event)
        app = QApplication.instance()
        if self.successor is None and app is not None and not QApplication.quitOnLastWindowClosed():
            app.quit()  # the tray kept the app alive: closing for good ends it (not a database switch)

    def shutdown(self) -> None:
        """Stop the tray and the change watcher (closes the watcher's database connection), and
        the import warm-up: a workspace still waiting for it is not opened from a closed window."""
        for _waiting in range(self.warm_up.drop_waiting()):
            QApplication.restoreOverrideCursor()
        if self.tray is not None:
            self.tray.stop()
        if self.watcher is not None:
            self.watcher.close()


def _owned_by(widget: QWidget, owners: list[QWidget]) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if any(parent is owner for owner in owners):
            return True
        parent = parent.parentWidget()
    return False
