"""The incident workspace: one window per incident with a header (title, status, drill mark) and
the tabs listed in workspace_tabs.TAB_SPECS. A change made in one tab (or elsewhere) reloads the
tab in view and marks the others stale (each reloads when shown), and tells the register."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QSplitter, QTabWidget, QVBoxLayout, QWidget

from incident_app.domain.i18n import Translator
from incident_app.domain.incident import Incident
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.ui.common import ErrorReporter
from incident_app.ui.common.geometry import restore_window, save_window
from incident_app.ui.common.screen_fit import fit_to_screen
from incident_app.ui.workspace.tabs import TAB_SPECS, TabSpec

WINDOW_NAME = "workspace"


class WorkspaceWindow(QMainWindow):
    incident_changed = Signal(int)
    closed = Signal(int)
    header_loaded = Signal()

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, incident_id: int,
                 specs: Sequence[TabSpec] = TAB_SPECS, *, interactive: bool = True) -> None:
        super().__init__()
        self.runner, self.tr_, self.incident_id, self.specs = runner, tr, incident_id, list(specs)
        self.errors = ErrorReporter(self, tr)
        self.errors.interactive = interactive
        self.tab_widgets: dict[str, QWidget] = {}
        self.incident: Incident | None = None
        self.title = QLabel()
        self.title.setObjectName("workspaceTitle")
        self.title.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("statusChip")
        self.drill = QLabel()
        self.drill.setObjectName("drillChip")
        self.drill.hide()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        # Tabs whose data changed while hidden: reloaded when shown, not all at every change.
        self.stale_tabs: set[str] = set()
        self._untranslated: list[str] = []  # hidden tabs still to rebuild after a language switch
        self.tabs.currentChanged.connect(self._on_current_changed)
        self._lay_out()
        self._add_shortcuts()
        self._build_tabs()
        self.retranslate()
        fit_to_screen(self, 1280, 740)
        # Every workspace opens where and how the last one was closed (size, splitters in its tabs).
        restore_window(self, WINDOW_NAME, self.splitters())
        self.refresh_header()

    def splitters(self) -> list[QSplitter]:
        """The splitters of the tabs, in tab order (the same list for every workspace)."""
        return [s for widget in self.tab_widgets.values() for s in widget.findChildren(QSplitter)]

    def _lay_out(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.drill)
        header.addWidget(self.status)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(body)

    def _add_shortcuts(self) -> None:
        close = QAction(self)
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        refresh = QAction(self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        self.addActions([close, refresh])
        for n in range(len(self.specs)):
            jump = QAction(self)
            jump.setShortcut(QKeySequence(f"Alt+{n + 1}"))
            jump.triggered.connect(lambda _=False, index=n: self.tabs.setCurrentIndex(index))
            self.addAction(jump)

    def _build_tabs(self) -> None:
        current = self.tabs.currentIndex()
        for widget in self.tab_widgets.values():
            widget.deleteLater()
        self.tabs.clear()
        self.tab_widgets = {}
        for spec in self.specs:
            self.tabs.addTab(self._make_tab(spec), self.tr_.t(spec.title_key))
        self.tabs.setCurrentIndex(max(current, 0))
        for widget in self.tab_widgets.values():
            widget.refresh()  # type: ignore[attr-defined]

    def _make_tab(self, spec: TabSpec) -> QWidget:
        widget = spec.factory(self.runner, self.tr_, self.incident_id)
        if isinstance(getattr(widget, "errors", None), ErrorReporter):
            widget.errors = self.errors  # type: ignore[attr-defined]
        changed = getattr(widget, "data_changed", None)
        if changed is not None:
            changed.connect(lambda *_a, key=spec.key: self._on_tab_data_changed(key))
        self.tab_widgets[spec.key] = widget
        return widget

    def retranslate(self) -> None:
        self.drill.setText(self.tr_.t("workspace.drill"))
        self._show_header()

    def set_translator(self, tr: Translator) -> None:
        """Switch language in place: a tab with ``set_translator`` retranslates itself (keeping
        its selection, scroll position and unsaved typing); a tab without one is rebuilt on its own,
        in its place — the one in view now, the hidden ones one per turn of the event loop (each
        takes 10-60 ms to build: all at once froze the window for a few hundred), and a hidden
        one shown before its turn at once. The tab titles and the header are retranslated."""
        self.tr_ = tr
        self.errors.tr = tr
        current = self.current_tab_key()
        for index, spec in enumerate(self.specs):
            widget = self.tab_widgets[spec.key]
            retranslate = getattr(widget, "set_translator", None)
            if retranslate is not None:
                retranslate(tr)
            elif spec.key == current:
                self._rebuild_tab(index, spec)
            elif spec.key not in self._untranslated:
                self._untranslated.append(spec.key)
            self.tabs.setTabText(index, tr.t(spec.title_key))
        self.retranslate()
        if self._untranslated:
            QTimer.singleShot(0, self, self._rebuild_next)

    def _rebuild_next(self) -> None:
        """Rebuild one hidden tab still in the other language, and come back for the next."""
        if not self._untranslated:
            return
        self._rebuild_key(self._untranslated.pop(0))
        if self._untranslated:
            QTimer.singleShot(0, self, self._rebuild_next)

    def _rebuild_key(self, key: str) -> None:
        index, spec = next((i, s) for i, s in enumerate(self.specs) if s.key == key)
        if key in self._untranslated:
            self._untranslated.remove(key)
        self._rebuild_tab(index, spec, load=key == self.current_tab_key())

    def untranslated_tabs(self) -> list[str]:
        """The hidden tabs still waiting to be rebuilt in the new language (empty once done)."""
        return list(self._untranslated)

    def _rebuild_tab(self, index: int, spec: TabSpec, *, load: bool = True) -> None:
        current = self.tabs.currentIndex()
        old = self.tab_widgets[spec.key]
        self.tabs.blockSignals(True)  # no reload of a stale tab for the moment it is swapped
        try:
            self.tabs.removeTab(index)
            widget = self._make_tab(spec)
            self.tabs.insertTab(index, widget, self.tr_.t(spec.title_key))
            self.tabs.setCurrentIndex(current)
        finally:
            self.tabs.blockSignals(False)
        old.deleteLater()
        if load:
            self.stale_tabs.discard(spec.key)
            widget.refresh()  # type: ignore[attr-defined]
        else:  # a hidden tab loads when it is shown
            self.stale_tabs.add(spec.key)

    # -- data ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the header and the tab in view; the other tabs reload when they are shown."""
        self.refresh_header()
        self._refresh_tabs(set(self.tab_widgets))

    def _refresh_tabs(self, keys: set[str]) -> None:
        current = self.current_tab_key()
        self.stale_tabs |= keys - {current}
        if current in keys:
            self.stale_tabs.discard(current)
            self.tab_widgets[current].refresh()  # type: ignore[attr-defined]

    def show_tab(self, key: str) -> QWidget:
        """Bring tab ``key`` into view (reloaded first if it went stale while hidden)."""
        self.tabs.setCurrentWidget(self.tab_widgets[key])
        return self.tab_widgets[key]  # a new one when it was still in the other language

    def current_tab_key(self) -> str | None:
        widget = self.tabs.currentWidget()
        return next((k for k, w in self.tab_widgets.items() if w is widget), None)

    def _on_current_changed(self, _index: int) -> None:
        key = self.current_tab_key()
        if key is not None and key in self._untranslated:  # shown before its turn: rebuilt now
            self._rebuild_key(key)
            return
        if key is not None and key in self.stale_tabs:
            self.stale_tabs.discard(key)
            self.tab_widgets[key].refresh()  # type: ignore[attr-defined]

    def refresh_header(self) -> None:
        incident_id = self.incident_id
        self.runner.run(lambda s, _p: s.incidents.get(incident_id),
                        on_success=self._on_header_loaded, on_failure=self.errors.show)

    def _on_header_loaded(self, incident: Incident) -> None:
        self.incident = incident
        self._show_header()
        self.header_loaded.emit()

    def _show_header(self) -> None:
        t = self.tr_.t
        if self.incident is None:
            self.setWindowTitle(t("workspace.window_title", id=self.incident_id, title=""))
            return
        facts = self.incident.facts
        self.title.setText(t("workspace.heading", id=self.incident_id, title=facts.title))
        self.status.setText(t(f"status.{self.incident.status.value}"))
        self.drill.setVisible(facts.drill)
        self.setWindowTitle(t("workspace.window_title", id=self.incident_id, title=facts.title))

    def _on_tab_data_changed(self, key: str) -> None:
        self.refresh_header()
        self._refresh_tabs(set(self.tab_widgets) - {key})
        self.incident_changed.emit(self.incident_id)

    def closeEvent(self, event: QCloseEvent) -> None:
        save_window(self, WINDOW_NAME, self.splitters())
        self.closed.emit(self.incident_id)
        super().closeEvent(event)
