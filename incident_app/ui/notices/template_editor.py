"""Dialogs of the Notices tab: the template editor (check against the sample snapshot, save as a
new version, reset to the bundled text) and the editor of one element's own wording."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from incident_app.domain.i18n import Translator
from incident_app.domain.notices import heading
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.ui.common import ErrorReporter
from incident_app.ui.common.screen_fit import fit_to_screen


class TemplateEditorDialog(QDialog):
    """Edits one template. Save is refused (with the checker's message) when the template breaks
    or drops a required element; nothing is stored then."""

    template_saved = Signal(int)
    checked = Signal(bool, str)

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.tr_, self.name = runner, tr, name
        self.errors = ErrorReporter(self, tr)
        self.setWindowTitle(tr.t("notices.template_title", name=name))
        self.editor = QPlainTextEdit()
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.version_label, self.message = QLabel(), QLabel()
        self.message.setWordWrap(True)
        self.btn_check, self.btn_save, self.btn_reset = (QPushButton(tr.t(k)) for k in (
            "notices.template_check", "notices.template_save", "notices.template_reset"))
        self.btn_check.clicked.connect(self.check)
        self.btn_save.clicked.connect(self.save)
        self.btn_reset.clicked.connect(self.reset)
        close = QPushButton(tr.t("notices.close"))
        close.clicked.connect(self.reject)
        row = QHBoxLayout()
        for widget in (self.version_label, self.btn_check, self.btn_save, self.btn_reset, close):
            row.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.message)
        layout.addLayout(row)
        fit_to_screen(self, 980, 720)
        self.load()

    def load(self) -> None:
        name = self.name
        self.runner.run(lambda s, _p: (s.notices.templates.source(name), s.notices.templates.version(name)),
                        on_success=self._on_loaded, on_failure=self.errors.show)

    def _on_loaded(self, result: Any) -> None:
        source, version = result
        self.editor.setPlainText(source)
        self.version_label.setText(self.tr_.t("notices.template_version", version=version) if version
                                   else self.tr_.t("notices.template_bundled"))

    def check(self) -> None:
        name, source = self.name, self.editor.toPlainText()
        self.runner.run(lambda s, _p: s.notices.templates.validate(name, source),
                        on_success=self._on_checked, on_failure=self.errors.show)

    def _on_checked(self, result: Any) -> None:
        self._say(result.ok, result.message)

    def save(self) -> None:
        name, source = self.name, self.editor.toPlainText()

        def work(services: Any, _p: Any) -> Any:
            check = services.notices.templates.validate(name, source)
            return services.notices.templates.save(name, source) if check.ok else check

        self.runner.run(work, on_success=self._on_saved, on_failure=self.errors.show)

    def reset(self) -> None:
        name = self.name
        self.runner.run(lambda s, _p: s.notices.templates.reset(name), on_success=self._on_saved,
                        on_failure=self.errors.show)

    def _on_saved(self, result: Any) -> None:
        if hasattr(result, "ok"):  # the check failed: say why, store nothing
            self._say(False, result.message)
            return
        self._say(True, self.tr_.t("notices.template_saved", version=result.version))
        self.load()
        self.template_saved.emit(result.version)

    def _say(self, ok: bool, text: str) -> None:
        self.message.setStyleSheet("color: #1b7f3b;" if ok else "color: #b00020;")
        self.message.setText(text)
        self.checked.emit(ok, text)


class ElementTextDialog(QDialog):
    """The officer's own wording for one element of the notices (empty = back to the generated text)."""

    saved = Signal(str, str, str)

    def __init__(self, tr: Translator, element: str, lang: str, parent: QWidget | None = None, *,
                 audience: str = "", text: str = "", shared: bool = False) -> None:
        """``audience``: the notice kind whose own wording this is (pre-filled with ``text``);
        ``shared``: the authorities' text (the element also has audience texts)."""
        super().__init__(parent)
        self.element, self.lang, self.audience = element, lang, audience
        self.setWindowTitle(tr.t("notices.edit_text_title", element=heading(element, lang), lang=lang))
        self.editor = QPlainTextEdit()
        self.editor.setFont(QFont(self.font()))
        self.editor.setPlainText(text)
        if audience:
            note = tr.t("notices.edit_text_hint_audience", audience=tr.t(f"notices.kind.{audience}"))
        else:
            note = tr.t("notices.edit_text_hint_shared" if shared else "notices.edit_text_hint")
        hint = QLabel(note)
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, 640, 360)

    def _on_accepted(self) -> None:
        self.saved.emit(self.element, self.lang, self.editor.toPlainText())
        self.accept()
