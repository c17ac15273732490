"""Remediation: the actions taken and planned (owner, due, done) and the texts for individuals —
advice they can follow (suggested from the data types) and remedies the company offers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from incident_app.domain.clock import utc_now
from incident_app.domain.i18n import Translator
from incident_app.domain.remediation import ActionStatus, NoteKind, NoticeNote, RemediationAction
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.container import Services
from incident_app.services.incidents import format_time
from incident_app.ui.common import Column, ErrorReporter, RecordTableModel, ask_yes_no, record_table
from incident_app.ui.common.table_model import set_rows_keeping_selection
from incident_app.ui.remediation.dialogs import ActionDialog, DoneDialog, NoteDialog

D = TypeVar("D", ActionDialog, NoteDialog, DoneDialog)


@dataclass(frozen=True)
class RemediationData:
    actions: list[RemediationAction]
    notes: list[NoticeNote]


def _description(a: RemediationAction, tr: Translator) -> str:
    return a.description if tr.lang.startswith("zh") or not a.description_en else a.description_en


def _due_tone(a: RemediationAction) -> str:
    # Only a due time that has passed makes an action late; its start time never does.
    return "alert" if a.overdue(utc_now()) else "muted" if a.status == ActionStatus.DONE else ""


ACTION_COLUMNS = [
    Column("remediation.col.description", _description, tooltip=lambda a, _tr: f"{a.description}\n{a.description_en}"),
    Column("remediation.col.kind", lambda a, tr: tr.t(f"remediation.kind.{a.kind.value}")),
    Column("remediation.col.owner", lambda a, _tr: a.owner),
    Column("remediation.col.status", lambda a, tr: tr.t(f"remediation.status.{a.status.value}"),
           tone=lambda a: "muted" if a.status == ActionStatus.DONE else ""),
    Column("remediation.col.started", lambda a, tr: format_time(a.started_at, tr) if a.started_at else ""),
    Column("remediation.col.due", lambda a, tr: format_time(a.due_at, tr) if a.due_at else "",
           sort=lambda a: a.due_at.timestamp() if a.due_at else float("inf"), tone=_due_tone),
    Column("remediation.col.done", lambda a, tr: format_time(a.done_at, tr) if a.done_at else ""),
]
NOTE_COLUMNS = [
    Column("remediation.note.zh", lambda n, _tr: n.text_zh),
    Column("remediation.note.en", lambda n, _tr: n.text_en),
]


class RemediationTab(QWidget):
    data_changed = Signal()
    loaded = Signal()

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, incident_id: int) -> None:
        super().__init__()
        self.runner, self.tr_, self.incident_id = runner, tr, incident_id
        self.errors = ErrorReporter(self, tr)
        self.dialog: ActionDialog | NoteDialog | DoneDialog | None = None
        self.actions_model = RecordTableModel(ACTION_COLUMNS, tr, self)
        self.advice_model = RecordTableModel(NOTE_COLUMNS, tr, self)
        self.remedy_model = RecordTableModel(NOTE_COLUMNS, tr, self)
        self.actions_table = record_table(self.actions_model, 0)
        self.actions_table.doubleClicked.connect(lambda _i: self.edit_selected_action())
        self.advice_table = record_table(self.advice_model, None)
        self.remedy_table = record_table(self.remedy_model, None)
        self.message = QLabel()
        self.message.setObjectName("muted")
        splitter = QSplitter()
        splitter.addWidget(self._note_box(NoteKind.ADVICE, self.advice_table))
        splitter.addWidget(self._note_box(NoteKind.REMEDY, self.remedy_table))
        vertical = QSplitter()
        vertical.setOrientation(Qt.Orientation.Vertical)
        vertical.addWidget(self._actions_box())
        vertical.addWidget(splitter)
        vertical.setSizes([320, 240])
        layout = QVBoxLayout(self)
        layout.addWidget(vertical)
        layout.addWidget(self.message)

    def _buttons(self, *specs: tuple[str, object]) -> QHBoxLayout:
        row = QHBoxLayout()
        for key, slot in specs:
            button = QPushButton(self.tr_.t(key))
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _actions_box(self) -> QGroupBox:
        box = QGroupBox(self.tr_.t("remediation.actions.title"))
        layout = QVBoxLayout(box)
        layout.addLayout(self._buttons(("remediation.actions.add", self.open_add_action),
                                       ("remediation.actions.edit", self.edit_selected_action),
                                       ("remediation.actions.mark_done", self.mark_selected_done)))
        layout.addWidget(self.actions_table)
        return box

    def _note_box(self, kind: NoteKind, table: QTableView) -> QGroupBox:
        box = QGroupBox(self.tr_.t(f"remediation.notes.title.{kind.value}"))
        layout = QVBoxLayout(box)
        specs: list[tuple[str, object]] = [("remediation.notes.add", lambda: self.open_add_note(kind)),
                                           ("remediation.notes.delete", lambda: self.delete_selected_note(kind))]
        if kind == NoteKind.ADVICE:
            specs.append(("remediation.notes.suggest", self.suggest_advice))
        layout.addLayout(self._buttons(*specs))
        layout.addWidget(table)
        return box

    # -- data ---------------------------------------------------------------------------
    def refresh(self) -> None:
        incident_id = self.incident_id

        def load(s: Services, _p: object) -> RemediationData:
            return RemediationData(s.remediation.actions(incident_id), s.remediation.notes(incident_id))

        self.runner.run(load, on_success=self._on_loaded, on_failure=self.errors.show)

    def _on_loaded(self, data: RemediationData) -> None:
        by_id: Callable[[Any], object] = lambda record: record.id  # noqa: E731
        set_rows_keeping_selection(self.actions_table, self.actions_model, data.actions, by_id)
        set_rows_keeping_selection(self.advice_table, self.advice_model,
                                   [n for n in data.notes if n.kind == NoteKind.ADVICE], by_id)
        set_rows_keeping_selection(self.remedy_table, self.remedy_model,
                                   [n for n in data.notes if n.kind == NoteKind.REMEDY], by_id)
        self.loaded.emit()

    def _changed(self, _result: object = None) -> None:
        self.refresh()
        self.data_changed.emit()

    # -- actions ------------------------------------------------------------------------
    def _selected(self, table: QTableView, model: RecordTableModel) -> object | None:
        rows = table.selectionModel().selectedRows()
        return model.record(rows[0].row()) if rows else None

    def open_add_action(self) -> ActionDialog:
        return self._open(ActionDialog(self.runner, self.tr_, self.errors, self.incident_id, None, self))

    def edit_selected_action(self) -> ActionDialog | None:
        action = self._selected(self.actions_table, self.actions_model)
        if not isinstance(action, RemediationAction):
            return None
        return self._open(ActionDialog(self.runner, self.tr_, self.errors, self.incident_id, action, self))

    def mark_selected_done(self) -> DoneDialog | None:
        """Ask when the selected action was completed (default now), then mark it done."""
        action = self._selected(self.actions_table, self.actions_model)
        if not isinstance(action, RemediationAction) or action.status == ActionStatus.DONE:
            return None
        return self._open(DoneDialog(self.runner, self.tr_, self.errors, action, self))

    def open_add_note(self, kind: NoteKind) -> NoteDialog:
        return self._open(NoteDialog(self.runner, self.tr_, self.errors, self.incident_id, kind, self))

    def delete_selected_note(self, kind: NoteKind) -> None:
        table, model = (self.advice_table, self.advice_model) if kind == NoteKind.ADVICE else \
            (self.remedy_table, self.remedy_model)
        note = self._selected(table, model)
        title, question = self.tr_.t("remediation.notes.delete"), self.tr_.t("remediation.notes.confirm_delete")
        if not isinstance(note, NoticeNote) or not ask_yes_no(self, self.errors, title, question):
            return
        incident_id, note_id = self.incident_id, note.id
        self.runner.run(lambda s, __p: s.remediation.delete_note(incident_id, note_id),
                        on_success=self._changed, on_failure=self.errors.show)

    def suggest_advice(self) -> None:
        incident_id = self.incident_id

        def add_suggestions(s: Services, _p: object) -> int:
            drafts = s.remediation.suggested_advice(incident_id)
            if drafts:
                s.remediation.add(incident_id, {"advice": [{"zh": d.text_zh, "en": d.text_en} for d in drafts]})
            return len(drafts)

        self.runner.run(add_suggestions, on_success=self._on_suggested, on_failure=self.errors.show)

    def _on_suggested(self, count: int) -> None:
        self.message.setText(self.tr_.t("remediation.notes.suggested", count=count))
        if count:
            self._changed()

    def _open(self, dialog: D) -> D:
        self.dialog = dialog
        dialog.saved.connect(self._changed)
        dialog.open()
        return dialog
