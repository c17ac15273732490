"""The main window: the incident register (home) with an empty state that says what to do."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QTableView,
    QToolBar,
)

from incident_app.domain.i18n import LANGUAGES, Translator
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.demo import load_demo
from incident_app.services.register_view import register_rows
from incident_app.ui.errors import ErrorReporter
from incident_app.ui.register_model import RecordRole, RegisterModel, SortRole


class MainWindow(QMainWindow):
    """Home screen. Reads and writes go through the job runner, never on the UI thread."""

    incident_activated = Signal(int)
    register_refreshed = Signal()

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator) -> None:
        super().__init__()
        self.runner = runner
        self.tr_ = tr
        self.errors = ErrorReporter(self, tr)
        self.model = RegisterModel(tr, self)
        self._build()
        self.retranslate()
        self.resize(1280, 760)

    # -- construction -------------------------------------------------------------------
    def _build(self) -> None:
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = QTableView()
        self.table.setObjectName("registerTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(RegisterModel.COL_TITLE, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._on_table_activated)
        self.empty = QLabel()
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.setCentralWidget(self.stack)
        self._build_actions()

    def _build_actions(self) -> None:
        self.act_demo = QAction(self)
        self.act_demo.triggered.connect(self.load_demo)
        self.act_verify = QAction(self)
        self.act_verify.triggered.connect(self.verify_log)
        self.act_quit = QAction(self)
        self.act_quit.setShortcut(QKeySequence.StandardKey.Quit)
        self.act_quit.triggered.connect(self.close)
        self.language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for lang in LANGUAGES:
            action = QAction(lang, self, checkable=True)
            action.setChecked(lang == self.tr_.lang)
            action.triggered.connect(lambda _=False, code=lang: self.set_language(code))
            self.language_group.addAction(action)
            self.language_actions[lang] = action
        self.toolbar = QToolBar()
        self.toolbar.setMovable(False)
        self.toolbar.addAction(self.act_demo)
        self.toolbar.addAction(self.act_verify)
        self.addToolBar(self.toolbar)
        self.menu_file = self.menuBar().addMenu("")
        self.menu_file.addAction(self.act_demo)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_quit)
        self.menu_view = self.menuBar().addMenu("")
        self.menu_language = self.menu_view.addMenu("")
        for action in self.language_actions.values():
            self.menu_language.addAction(action)
        self.menu_help = self.menuBar().addMenu("")
        self.menu_help.addAction(self.act_verify)

    def retranslate(self) -> None:
        t = self.tr_.t
        self.setWindowTitle(t("app.title"))
        self.empty.setText(t("register.empty"))
        self.act_demo.setText(t("menu.load_demo"))
        self.act_verify.setText(t("menu.verify_log"))
        self.act_quit.setText(t("menu.quit"))
        self.menu_file.setTitle(t("menu.file"))
        self.menu_view.setTitle(t("menu.view"))
        self.menu_language.setTitle(t("menu.language"))
        self.menu_help.setTitle(t("menu.help"))
        self.model.set_translator(self.tr_)

    def set_language(self, lang: str) -> None:
        self.tr_ = self.tr_.with_language(lang)
        self.errors.tr = self.tr_
        self.language_actions[lang].setChecked(True)
        self.retranslate()

    # -- data ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the register rows on a worker; the table updates when they arrive."""
        self.runner.run(lambda services, _progress: register_rows(services),
                        on_success=self._on_rows_loaded, on_failure=self.errors.show)

    def _on_rows_loaded(self, rows: Any) -> None:
        self.model.set_rows(rows)
        self.stack.setCurrentWidget(self.table if rows else self.empty)
        self.register_refreshed.emit()

    def load_demo(self) -> None:
        self.runner.run(lambda services, _p: load_demo(services).id,
                        on_success=lambda _id: self.refresh(), on_failure=self.errors.show)

    def verify_log(self) -> None:
        self.runner.run(lambda services, _p: services.audit.verify(),
                        on_success=self._on_verified, on_failure=self.errors.show)

    def _on_verified(self, report: Any) -> None:
        if report.ok:
            text = self.tr_.t("audit.ok", count=report.checked)
        else:
            text = self.tr_.t("audit.bad", seq=report.first_bad_seq, reason=report.reason)
        self.statusBar().showMessage(text)
        self.last_verify_message = text

    def _on_table_activated(self, index: Any) -> None:
        row = self.proxy.data(index, RecordRole)
        if row is not None:
            self.incident_activated.emit(row.id)

