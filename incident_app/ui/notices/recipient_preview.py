"""Before approving: one chosen affected person's actual e-mail, letter and SMS. The officer picks
the person from the people list (masked, searchable like the People tab); the notices are
rendered on the worker by ``NoticeService.preview_person`` — the sender's and the export's own
rendering — and shown masked. "Show unmasked…" asks for a reason and is logged through
``PeopleService.unmask`` like the People tab's."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.ui.common import ErrorReporter

PICK_ROWS = 200  # the first matches of a search; a search narrows it down


class RecipientPreviewDialog(QDialog):
    """Pick a person, see each of their notices masked; unmask with a logged reason."""

    previews_loaded = Signal(object)

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, incident_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.tr_, self.incident_id = runner, tr, incident_id
        self.errors = ErrorReporter(self, tr)
        self.previews: list[Any] = []
        self.unmasked_person: int | None = None
        self.ask_reason = self._ask_reason  # tests replace the question
        self._build()
        self.setWindowTitle(tr.t("preview.title"))
        self.resize(1000, 640)

    def _build(self) -> None:
        t = self.tr_.t
        self.search = QLineEdit()
        self.search.setObjectName("previewSearch")
        self.search.setPlaceholderText(t("people.search"))
        self.search.returnPressed.connect(self.load_people)
        self.people = QListWidget()
        self.people.setObjectName("previewPeople")
        self.people.currentItemChanged.connect(lambda item, _old: self._on_person_picked(item))
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.search)
        column.addWidget(self.people)
        self.notice_choice = QComboBox()
        self.notice_choice.setObjectName("previewNotice")
        self.notice_choice.currentIndexChanged.connect(lambda _i: self._show_current())
        self.header = QLabel()
        self.header.setObjectName("previewHeader")
        self.header.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setObjectName("previewText")
        self.text.setReadOnly(True)
        self.unmask_button = QPushButton(t("people.unmask"))
        self.unmask_button.setObjectName("previewUnmask")
        self.unmask_button.clicked.connect(self._on_unmask_clicked)
        self.note = QLabel(t("preview.note"))
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        right = QWidget()
        body = QVBoxLayout(right)
        body.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.notice_choice, 1)
        row.addWidget(self.unmask_button)
        body.addLayout(row)
        body.addWidget(self.header)
        body.addWidget(self.text, 1)
        body.addWidget(self.note)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([300, 700])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(t("preview.close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        self.unmask_button.setEnabled(False)

    # -- people ---------------------------------------------------------------------------------
    def load_people(self) -> None:
        """The first people matching the search, masked (as the People tab lists them)."""
        incident_id, search = self.incident_id, self.search.text().strip()
        self.runner.run(lambda services, _p: [p.masked() for p in services.people.page(incident_id, 0, PICK_ROWS,
                                                                                          search)],
                        on_success=self._on_people_loaded, on_failure=self.errors.show)

    def _on_people_loaded(self, people: list[Any]) -> None:
        self.people.clear()
        for person in people:
            band = self.tr_.t(f"preview.band.{person.minor_band.value}")
            label = " · ".join(v for v in (person.user_id or "", person.name or "", band) if v)
            item = QListWidgetItem(label)
            item.setData(256, person.id)
            self.people.addItem(item)
        if not people:
            self.header.setText(self.tr_.t("preview.no_people"))

    def pick(self, row: int) -> None:
        """Choose the person on ``row`` of the list (tests and keyboard use this)."""
        self.people.setCurrentRow(row)

    def _on_person_picked(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        person_id, incident_id = int(item.data(256)), self.incident_id
        self.unmasked_person = None
        self.runner.run(lambda services, _p: services.notices.preview_person(incident_id, person_id),
                        on_success=self._on_previews, on_failure=self.errors.show)

    def _on_previews(self, previews: list[Any]) -> None:
        self.previews = previews
        self.notice_choice.blockSignals(True)
        self.notice_choice.clear()
        for preview in previews:
            self.notice_choice.addItem(self.tr_.t("preview.item", kind=self.tr_.t(f"notices.kind.{preview.kind.value}"),
                                                  channel=self.tr_.t(f"preview.channel.{preview.channel.value}"),
                                                  lang=preview.lang))
        self.notice_choice.blockSignals(False)
        self.unmask_button.setEnabled(bool(previews))
        if not previews:
            self.header.setText(self.tr_.t("preview.nothing"))
            self.text.clear()
        else:
            self._show_current()
        self.previews_loaded.emit(previews)

    def current(self) -> Any | None:
        index = self.notice_choice.currentIndex()
        return self.previews[index] if 0 <= index < len(self.previews) else None

    def _show_current(self) -> None:
        preview = self.current()
        if preview is None:
            return
        unmasked = self.unmasked_person == preview.person_id
        to = self.tr_.t("preview.to", to=preview.to_masked, reference=preview.reference)
        subject = preview.subject  # already masked: a subject carries no one's data, but be sure
        lines = [to, *([self.tr_.t("preview.subject", subject=subject)] if subject else []),
                 *([self.tr_.t(f"preview.fallback.{preview.fallback}")] if preview.fallback else [])]
        self.header.setText("\n".join(lines))
        self.text.setPlainText(preview.text if unmasked else preview.masked_text)

    # -- unmasking (logged) ---------------------------------------------------------------------
    def _ask_reason(self) -> str:
        reason, ok = QInputDialog.getText(self, self.tr_.t("people.unmask.title"), self.tr_.t("people.unmask.reason"))
        return reason.strip() if ok else ""

    def _on_unmask_clicked(self) -> None:
        preview = self.current()
        if preview is None:
            return
        reason = self.ask_reason()
        if not reason:
            return
        incident_id, person_id = self.incident_id, preview.person_id
        self.runner.run(lambda services, _p: services.people.unmask(incident_id, person_id, reason,
                                                                    where="notice preview"),
                        on_success=lambda _person: self._on_unmasked(person_id), on_failure=self.errors.show)

    def _on_unmasked(self, person_id: int) -> None:
        self.unmasked_person = person_id
        self._show_current()
