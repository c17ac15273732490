"""One free-text fact in both languages, side by side: the Chinese box and the English box, a
"start from the other language" button that fills an empty box with the other one's text, and an
"untranslated" badge that stays until the officer edits that box. ``value()`` is the intake-JSON
form (a plain string while there is no English and nothing is marked)."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from incident_app.domain.i18n import Translator

LANGS = ("zh-CN", "en")
SEPARATORS = re.compile(r"[,，、;；\n]")


class BilingualField(QWidget):
    """Two editors (zh-CN, en) for one fact. ``multiline``: prose boxes; ``as_list``: systems."""

    def __init__(self, tr: Translator, *, multiline: bool = False, as_list: bool = False,
                 max_length: int = 0) -> None:
        super().__init__()
        self.tr_, self.as_list = tr, as_list
        self.untranslated: set[str] = set()
        # What set_value loaded (each language's value and the marks): changes() is measured from it.
        self._loaded: tuple[dict[str, Any], set[str]] | None = None
        self._filling = False
        self.editors: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.badges: dict[str, QLabel] = {}
        self.copy_buttons: dict[str, QPushButton] = {}
        self.lang_labels: dict[str, QLabel] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for lang in LANGS:
            row.addLayout(self._column(lang, multiline, max_length), 1)
        self.retranslate()

    def _column(self, lang: str, multiline: bool, max_length: int) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(2)
        head = QHBoxLayout()
        label, badge, button = QLabel(), QLabel(), QPushButton()
        label.setObjectName("muted")
        badge.setObjectName("untranslated")
        badge.setVisible(False)
        button.setFlat(True)
        button.clicked.connect(lambda _=False, lang=lang: self.start_from_other(lang))
        head.addWidget(label)
        head.addWidget(badge)
        head.addStretch(1)
        head.addWidget(button)
        editor: QLineEdit | QPlainTextEdit
        if multiline:
            editor = QPlainTextEdit()
            editor.setTabChangesFocus(True)
            editor.setMinimumHeight(70)
            editor.setMaximumHeight(150)
        else:
            editor = QLineEdit()
            if max_length:
                editor.setMaxLength(max_length)
        editor.textChanged.connect(lambda *_a, lang=lang: self._edited(lang))
        column.addLayout(head)
        column.addWidget(editor)
        self.editors[lang], self.badges[lang], self.copy_buttons[lang], self.lang_labels[lang] = (
            editor, badge, button, label)
        return column

    def retranslate(self) -> None:
        t = self.tr_.t
        for lang in LANGS:
            self.lang_labels[lang].setText(t(f"wizard.bilingual.lang.{lang}"))
            self.badges[lang].setText(t("wizard.bilingual.untranslated"))
            self.copy_buttons[lang].setText(t("wizard.bilingual.start_from_other"))
            self.copy_buttons[lang].setToolTip(t("wizard.bilingual.start_from_other_tip"))

    # -- the zh-CN box answers the single-language calls older code and tests make -------------------
    def text(self, lang: str = "zh-CN") -> str:
        editor = self.editors[lang]
        return editor.text() if isinstance(editor, QLineEdit) else editor.toPlainText()

    def setText(self, text: str, lang: str = "zh-CN") -> None:
        editor = self.editors[lang]
        if isinstance(editor, QLineEdit):
            editor.setText(text)
        else:
            editor.setPlainText(text)

    toPlainText = text  # noqa: N815 - Qt naming
    setPlainText = setText  # noqa: N815 - Qt naming

    def setPlaceholderText(self, text: str) -> None:
        self.editors["zh-CN"].setPlaceholderText(text)

    # -- state -------------------------------------------------------------------------------------
    def start_from_other(self, lang: str) -> None:
        """Fill ``lang`` with the other language's text, marked untranslated until edited."""
        other = "en" if lang == "zh-CN" else "zh-CN"
        source = self.text(other)
        if not source.strip():
            return
        self._filling = True
        try:
            self.setText(source, lang)
        finally:
            self._filling = False
        self.untranslated.add(lang)
        self._show_marks()

    def _edited(self, lang: str) -> None:
        if not self._filling and lang in self.untranslated:
            self.untranslated.discard(lang)
            self._show_marks()
        self._show_buttons()

    def _show_marks(self) -> None:
        for lang in LANGS:
            self.badges[lang].setVisible(lang in self.untranslated)
        self._show_buttons()

    def _show_buttons(self) -> None:
        for lang in LANGS:
            other = "en" if lang == "zh-CN" else "zh-CN"
            self.copy_buttons[lang].setVisible(not self.text(lang).strip() and bool(self.text(other).strip()))

    def _part(self, lang: str) -> Any:
        text = self.text(lang).strip()
        return [s.strip() for s in SEPARATORS.split(text) if s.strip()] if self.as_list else text

    def value(self) -> Any:
        """The intake-JSON value: plain zh-CN while alone, else {"zh-CN", "en"[, "untranslated"]}."""
        zh, en = self._part("zh-CN"), self._part("en")
        marks = [lang for lang in LANGS if lang in self.untranslated and self.text(lang).strip()]
        if not en and not marks:
            return zh
        out: dict[str, Any] = {"zh-CN": zh, "en": en}
        if marks:
            out["untranslated"] = marks
        return out

    def set_value(self, zh: Any, en: Any, untranslated: set[str], separator: str = ", ") -> None:
        self._filling = True
        try:
            for lang, value in (("zh-CN", zh), ("en", en)):
                self.setText(separator.join(value) if self.as_list else str(value or ""), lang)
        finally:
            self._filling = False
        self.untranslated = set(untranslated)
        self._loaded = ({lang: self._part(lang) for lang in LANGS}, set(self.untranslated))
        self._show_marks()

    def changes(self) -> Any:
        """Only what the officer changed since :meth:`set_value`, as a partial object
        (``{"en": …}``), so rewriting one language after approval marks the other untranslated;
        None when nothing changed. The marks go along only when a box became a copy (started
        from the other language), which the service cannot infer."""
        if self._loaded is None:
            return self.value()
        loaded, marks = self._loaded
        changed: dict[str, Any] = {lang: self._part(lang) for lang in LANGS if self._part(lang) != loaded[lang]}
        now_marked = {lang for lang in self.untranslated if self.text(lang).strip()}
        if now_marked - marks:
            changed["untranslated"] = sorted(now_marked)
        return changed or None
