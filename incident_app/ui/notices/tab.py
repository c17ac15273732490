"""The Notices tab of an incident: the notices the obligations call for with their completeness,
a preview, the completeness list (present / empty / missing / waived / deferred), approve, waive an
element, write an element's text, edit a template, export. Self-contained: ``refresh()`` loads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from incident_app.domain.assessment.people import people_count
from incident_app.domain.i18n import Translator
from incident_app.domain.notices import NoticeKind
from incident_app.domain.notices.kinds import AUDIENCE_ELEMENTS, AUDIENCE_KINDS
from incident_app.jobs.runner import JobHandle, JobRunner, SyncJobRunner
from incident_app.services.container import Services
from incident_app.services.notices import FORMATS, NoticeSet, NoticeState
from incident_app.services.notices.brief_mail import brief_message_source
from incident_app.services.progress import Progress
from incident_app.ui.common import ErrorReporter, ask_yes_no, run_with_progress
from incident_app.ui.common.file_dialogs import ask_folder
from incident_app.ui.common.people_gap import people_gap_text
from incident_app.ui.notices.handoff_dialog import HandoffDialog
from incident_app.ui.notices.model import ElementModel, NoticeListModel
from incident_app.ui.notices.platform_dialog import PlatformDialog
from incident_app.ui.notices.recipient_preview import RecipientPreviewDialog
from incident_app.ui.notices.template_editor import ElementTextDialog, TemplateEditorDialog
from incident_app.ui.send import SendDialog, summary_text


def _export(services: Services, incident_id: int, folder: Path, formats: list[str], progress: Progress) -> Any:
    writer = None
    if "pdf" in formats:
        from incident_app.adapters.qt_pdf import QtPdfWriter  # heavy; only when a PDF is wanted

        writer = QtPdfWriter()
    return services.notices.export(incident_id, folder, formats, pdf_writer=writer, progress=progress)[1]


class NoticesTab(QWidget):
    """All reads and writes go through the job runner; the widget only shows results."""

    notices_loaded = Signal()
    approved = Signal(int)
    exported = Signal(object)

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, incident_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.tr_, self.incident_id = runner, tr, incident_id
        self.errors = ErrorReporter(self, tr)
        self.notice_set: NoticeSet | None = None
        self.notices_model = NoticeListModel(tr, self)
        self.elements_model = ElementModel(tr, self)
        self.confirm = self._ask_confirm  # tests replace the question (and read what it lists)
        self._build()
        self.retranslate()

    # -- construction -------------------------------------------------------------------------
    def _build(self) -> None:
        self.plan_label = QLabel()
        self.plan_label.setWordWrap(True)
        # Every column of the notice list sized to its text (the last one takes what is left):
        # stretched, 'Guardians of minors' came out as 'Guardians of …' in English.
        self.list_view = self._table(self.notices_model, None)
        self.list_view.horizontalHeader().setStretchLastSection(True)
        self.list_view.selectionModel().currentRowChanged.connect(self._on_list_view_current_changed)
        self.preview = QTextBrowser()
        self.preview.setObjectName("noticePreview")
        self.elements_view = self._table(self.elements_model, ElementModel.COL_DETAIL)
        self.btn_text, self.btn_waive, self.btn_template = QPushButton(), QPushButton(), QPushButton()
        self.btn_text.clicked.connect(self._on_text_clicked)
        self.btn_waive.clicked.connect(self._on_waive_clicked)
        self.btn_template.clicked.connect(self._on_template_clicked)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.preview)
        right.addWidget(self._with_row(self.elements_view, self.btn_text, self.btn_waive, self.btn_template))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.list_view)
        split.addWidget(right)
        split.setSizes([360, 760])
        self.split = split
        layout = QVBoxLayout(self)
        layout.addWidget(self.plan_label)
        self.people_gap = QLabel()
        self.people_gap.setObjectName("peopleGap")
        self.people_gap.setWordWrap(True)
        self.people_gap.setStyleSheet("color: #92400e;")
        self.people_gap.hide()
        layout.addWidget(self.people_gap)
        # Where the personal notices stand: emailed, failed and moved to SMS/letter/announcement.
        self.delivery_label = QLabel()
        self.delivery_label.setObjectName("deliveryOverview")
        self.delivery_label.setWordWrap(True)
        layout.addWidget(self.delivery_label)
        layout.addWidget(split, 1)
        layout.addLayout(self._action_bar())

    def _table(self, model: Any, stretch: int | None) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().hide()
        # Element and recipient names are short and few (tens of rows): sized to their text so
        # none is cut to '涉及的个人信…'; the free-text column takes the rest.
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if stretch is not None:
            view.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        return view

    def _fit_list(self) -> None:
        """Give the notice list the width its columns need (the preview keeps the rest)."""
        view = self.list_view
        header = view.horizontalHeader()
        needed = sum(max(view.sizeHintForColumn(c), header.sectionSizeHint(c))
                     for c in range(self.notices_model.columnCount()))
        needed += view.verticalScrollBar().sizeHint().width() + 2 * view.frameWidth() + 4
        sizes = self.split.sizes()
        total = sum(sizes)
        if total and sizes[0] < needed:
            left = min(needed, total * 3 // 5)
            self.split.setSizes([left, total - left])

    def _with_row(self, main: QWidget, *buttons: QPushButton) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(main)
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        return box

    def _action_bar(self) -> QVBoxLayout:
        self.approver_label, self.approver = QLabel(), QLineEdit()
        self.btn_approve, self.btn_export, self.btn_refresh = QPushButton(), QPushButton(), QPushButton()
        self.btn_preview = QPushButton()
        self.btn_preview.setObjectName("previewRecipient")
        self.btn_preview.clicked.connect(self.open_recipient_preview)
        self.btn_send = QPushButton()
        self.btn_send.setObjectName("sendByEmail")
        self.btn_send.clicked.connect(self.open_send_dialog)
        self.btn_brief = QPushButton()
        self.btn_brief.setObjectName("sendBrief")
        self.btn_brief.clicked.connect(self.open_brief_dialog)
        self.btn_handoff = QPushButton()
        self.btn_handoff.setObjectName("smsPhoneHandoff")
        self.btn_handoff.clicked.connect(self.open_handoff_dialog)
        self.btn_platform = QPushButton()
        self.btn_platform.setObjectName("platformHandoff")
        self.btn_platform.clicked.connect(self.open_platform_dialog)
        self.kind_choice = QComboBox()
        self.format_boxes = {fmt: QCheckBox(fmt.upper()) for fmt in FORMATS}
        for box in self.format_boxes.values():
            box.setChecked(True)
        self.btn_approve.clicked.connect(self._on_approve_clicked)
        self.btn_export.clicked.connect(self._on_export_clicked)
        self.btn_refresh.clicked.connect(self.refresh)
        self.status_label = QLabel()
        # Two rows: one row of every action is wider than a 1366-pixel laptop screen in English.
        approve_row = QHBoxLayout()
        for widget in (self.btn_preview, self.approver_label, self.approver, self.kind_choice, self.btn_approve):
            approve_row.addWidget(widget)
        approve_row.addSpacing(24)
        for box in self.format_boxes.values():
            approve_row.addWidget(box)
        approve_row.addWidget(self.btn_export)
        approve_row.addStretch(1)
        approve_row.addWidget(self.btn_refresh)
        send_row = QHBoxLayout()
        for button in (self.btn_send, self.btn_brief, self.btn_handoff, self.btn_platform):
            send_row.addWidget(button)
        self.status_label.setWordWrap(True)
        send_row.addWidget(self.status_label, 1)
        bar = QVBoxLayout()
        bar.addLayout(approve_row)
        bar.addLayout(send_row)
        return bar

    def retranslate(self) -> None:
        t = self.tr_.t
        self.btn_text.setText(t("notices.edit_text"))
        self.btn_waive.setText(t("notices.waive"))
        self.btn_template.setText(t("notices.edit_template"))
        self.approver_label.setText(t("notices.approver"))
        self.approver.setPlaceholderText(t("notices.approver_hint"))
        self.btn_approve.setText(t("notices.approve"))
        self.btn_export.setText(t("notices.export"))
        self.btn_refresh.setText(t("notices.refresh"))
        self.btn_preview.setText(t("preview.open"))
        self.btn_preview.setToolTip(t("preview.open_tip"))
        self.btn_send.setText(t("notices.send_email"))
        self.btn_send.setToolTip(t("notices.send_email_tip"))
        self._label_brief_button()
        self.btn_handoff.setText(t("notices.handoff"))
        self.btn_handoff.setToolTip(t("notices.handoff_tip"))
        self.btn_platform.setText(t("notices.platform"))
        self.btn_platform.setToolTip(t("notices.platform_tip"))
        self.notices_model.set_translator(self.tr_)
        self.elements_model.set_translator(self.tr_)
        self._fill_kind_choice()

    def set_language(self, tr: Translator) -> None:
        self.tr_ = tr
        self.errors.tr = tr
        self.retranslate()
        self._show_plan()
        dialog = getattr(self, "handoff_dialog", None)
        if dialog is not None and dialog.isVisible():  # an open hand-off follows the window's language
            dialog.set_language(tr)

    set_translator = set_language  # the workspace's language switch retranslates the tab in place

    # -- loading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Render and check every required notice on a worker; the lists update when it returns.

        Rendering stores notice versions (and logs them), so it waits until the tab is shown:
        opening the workspace only to read the facts writes nothing."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        incident_id = self.incident_id
        self.runner.run(lambda services, _p: services.notices.prepare(incident_id),
                        on_success=self._on_loaded, on_failure=self.errors.show)
        self.runner.run(lambda services, _p: services.mail.overview(incident_id),
                        on_success=self._on_delivery_loaded, on_failure=self.errors.show)

    def _on_delivery_loaded(self, overview: Any) -> None:
        self.delivery = overview
        self.delivery_label.setText(summary_text(self.tr_, overview) if overview.total
                                    else self.tr_.t("notices.delivery_none"))

    def open_send_dialog(self) -> None:
        """The send dialog for this incident (test send, dry run, send, progress, ledger)."""
        dialog = SendDialog(self.runner, self.tr_, self.incident_id, parent=self)
        dialog.errors.interactive = self.errors.interactive
        dialog.finished.connect(lambda _code: self.refresh())
        self.send_dialog = dialog
        dialog.show()
        dialog.refresh()

    def brief_update_due(self) -> bool:
        """Whether the facts, the grade or an obligation changed since the last brief was sent."""
        notice_set = getattr(self, "notice_set", None)
        return bool(notice_set is not None and notice_set.changes.get(NoticeKind.INTERNAL_BRIEF))

    def _label_brief_button(self) -> None:
        t = self.tr_.t
        self.btn_brief.setText(t("notices.send_brief_update" if self.brief_update_due() else "notices.send_brief"))
        self.btn_brief.setToolTip(t("notices.send_brief_tip"))

    def open_brief_dialog(self) -> None:
        """The send dialog over the internal brief and the profile's responsible persons."""
        dialog = SendDialog(self.runner, self.tr_, self.incident_id, source_factory=brief_message_source, parent=self)
        dialog.setWindowTitle(self.tr_.t("notices.brief_title"))
        dialog.errors.interactive = self.errors.interactive
        dialog.finished.connect(lambda _code: self.refresh())
        self.send_dialog = dialog
        dialog.show()
        dialog.refresh()

    def open_handoff_dialog(self) -> None:
        """The SMS and phone hand-off for this incident (approval pack, masked preview, files, report)."""
        dialog = HandoffDialog(self.runner, self.tr_, self.incident_id, parent=self)
        dialog.errors.interactive = self.errors.interactive
        dialog.finished.connect(lambda _code: self.refresh())
        self.handoff_dialog = dialog
        dialog.show()
        dialog.refresh()

    def open_platform_dialog(self) -> None:
        """The mass-messaging platform hand-off (masked preview, recipients file, delivery report)."""
        dialog = PlatformDialog(self.runner, self.tr_, self.incident_id, parent=self)
        dialog.errors.interactive = self.errors.interactive
        dialog.finished.connect(lambda _code: self.refresh())
        self.platform_dialog = dialog
        dialog.show()
        dialog.refresh()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if getattr(self, "_stale", True):
            self.refresh()

    def _on_loaded(self, notice_set: Any) -> None:
        current = self.list_view.currentIndex().row()
        self.notice_set = notice_set
        self.notices_model.set_rows(notice_set.notices)
        self._fill_kind_choice()
        self._show_plan()
        self._label_brief_button()
        if self.notices_model.rowCount():
            self.list_view.selectRow(max(0, min(current, self.notices_model.rowCount() - 1)))
        self._fit_list()
        self.notices_loaded.emit()

    def _show_plan(self) -> None:
        if self.notice_set is None:
            return
        counts = {s: sum(n.status == s for n in self.notice_set.notices) for s in ("approved", "incomplete")}
        separator = ", " if self.tr_.lang == "en" else "、"
        kinds = separator.join(self.tr_.t(f"notices.kind.{p.kind.value}") for p in self.notice_set.plan)
        provisional = any(p.provisional for p in self.notice_set.plan)
        self.plan_label.setText(self.tr_.t("notices.plan", kinds=kinds, total=len(self.notice_set.notices),
                                           **counts) + (" " + self.tr_.t("notices.provisional") if provisional else ""))
        people = people_count(self.notice_set.snapshot.data)
        self.people_gap.setText(people_gap_text(self.tr_, people["intake_estimate"], people["used"])
                                if people["gap_to_estimate"] else "")
        self.people_gap.setVisible(bool(people["gap_to_estimate"]))

    def _fill_kind_choice(self) -> None:
        current = self.kind_choice.currentData()
        self.kind_choice.clear()
        self.kind_choice.addItem(self.tr_.t("notices.all_kinds"), None)
        for planned in self.notice_set.plan if self.notice_set else ():
            self.kind_choice.addItem(self.tr_.t(f"notices.kind.{planned.kind.value}"), planned.kind)
        self.kind_choice.setCurrentIndex(max(0, self.kind_choice.findData(current)))

    def selected(self) -> NoticeState | None:
        row = self.list_view.currentIndex().row()
        return self.notices_model.row(row) if 0 <= row < self.notices_model.rowCount() else None

    def select(self, kind: NoticeKind, channel: str, lang: str) -> None:
        """Select a notice by its key (tests and other screens use this)."""
        for row in range(self.notices_model.rowCount()):
            r = self.notices_model.row(row).rendered
            if (r.kind, r.channel.value, r.lang) == (kind, channel, lang):
                self.list_view.selectRow(row)
                return

    def _on_list_view_current_changed(self, current: Any, _previous: Any) -> None:
        if not current.isValid():
            return
        state = self.notices_model.row(current.row())
        notice = state.rendered
        if notice.error:
            self.preview.setPlainText(self.tr_.t("notices.template_failed", message=notice.error))
        elif notice.channel.is_html:
            self.preview.setHtml(notice.content)
        else:
            self.preview.setPlainText(notice.content)
        self.elements_model.set_rows(notice.report.elements, notice.report.problems)

    # -- actions --------------------------------------------------------------------------------
    def approve(self, approver: str, kind: NoticeKind | None = None) -> None:
        """Approve the current rendering (all notices or one kind) on a worker."""
        incident_id = self.incident_id
        self.runner.run(lambda services, _p: services.notices.approve(incident_id, approver, kind),
                        on_success=self._on_approved, on_failure=self.errors.show)

    def _on_approved(self, approvals: Any) -> None:
        self.status_label.setText(self.tr_.t("notices.approved_count", count=len(approvals)))
        self.approved.emit(len(approvals))
        self.refresh()

    def waive(self, element: str, reason: str, decided_by: str) -> None:
        state, incident_id = self.selected(), self.incident_id
        if state is None:
            return
        kind = state.rendered.kind
        self.runner.run(lambda services, _p: services.notices.waive(incident_id, kind, element, reason, decided_by),
                        on_success=lambda _d: self.refresh(), on_failure=self.errors.show)

    def set_element_text(self, element: str, lang: str, text: str, audience: str = "") -> None:
        incident_id = self.incident_id
        self.runner.run(
            lambda services, _p: services.notices.set_element_text(incident_id, element, lang, text, audience),
            on_success=lambda _r: self.refresh(), on_failure=self.errors.show)

    def export_to(self, folder: Path, formats: list[str]) -> JobHandle:
        """Export on a worker with a progress dialog (count, time left, Cancel); a cancelled export
        leaves no file behind."""
        incident_id = self.incident_id
        self.status_label.setText(self.tr_.t("notices.exporting"))
        return run_with_progress(self, self.runner, self.tr_, self.tr_.t("notices.exporting"),
                                 lambda services, p: _export(services, incident_id, folder, formats, p),
                                 on_success=self._on_exported, on_failure=self._on_export_failed,
                                 on_cancelled=self._on_export_cancelled, show_counts=True)

    def _on_export_failed(self, exc: BaseException, details: str) -> None:
        self.status_label.setText("")
        self.errors.show(exc, details)

    def _on_export_cancelled(self) -> None:
        self.status_label.setText(self.tr_.t("notices.export_cancelled"))

    def _on_exported(self, result: Any) -> None:
        self.status_label.setText(self.tr_.t("notices.exported", count=len(result.files)))
        self.exported.emit(result)

    def open_recipient_preview(self) -> RecipientPreviewDialog:
        """One chosen person's actual e-mail, letter and SMS, masked (before approving)."""
        dialog = RecipientPreviewDialog(self.runner, self.tr_, self.incident_id, self)
        dialog.errors.interactive = self.errors.interactive
        self.preview_dialog = dialog
        dialog.show()
        dialog.load_people()
        return dialog

    def approval_summary(self, approver: str, kind: NoticeKind | None) -> str:
        """What Approve will sign: each notice not yet approved in its current form, one a line."""
        states = [n for n in (self.notice_set.of_kind(kind) if self.notice_set else []) if n.approval is None]
        if not states:
            return self.tr_.t("preview.confirm_none")
        t = self.tr_.t
        lines = [f"• {t(f'notices.kind.{n.rendered.kind.value}')} · {t(f'notices.channel.{n.rendered.channel.value}')}"
                 f" · {n.rendered.lang}" + ("" if n.rendered.report.complete and not n.rendered.error
                                            else " " + t("preview.confirm_incomplete")) for n in states]
        return t("preview.confirm", approver=approver or t("notices.officer"), count=len(states),
                 items="\n".join(lines))

    def _ask_confirm(self, text: str) -> bool:
        return ask_yes_no(self, self.errors, self.tr_.t("preview.confirm_title"), text)

    # -- buttons (open dialogs, then call the actions above) ----------------------------------
    def _on_approve_clicked(self) -> None:
        approver, kind = self.approver.text().strip(), self.kind_choice.currentData()
        if self.confirm(self.approval_summary(approver, kind)):
            self.approve(approver, kind)

    def _on_export_clicked(self) -> None:
        folder = ask_folder(self, "notices", self.tr_.t("notices.export_folder"))
        if folder is not None:
            self.export_to(folder, [f for f, box in self.format_boxes.items() if box.isChecked()])

    def _selected_element(self) -> str | None:
        return self.elements_model.element_at(self.elements_view.currentIndex().row())

    def _on_waive_clicked(self) -> None:
        element = self._selected_element()
        if element is None:
            return
        t = self.tr_.t
        reason, ok = QInputDialog.getMultiLineText(self, t("notices.waive"), t("notices.waive_reason"))
        if ok and reason.strip():
            self.waive(element, reason.strip(), self.approver.text().strip() or self.tr_.t("notices.officer"))

    def _on_text_clicked(self) -> None:
        element, state = self._selected_element(), self.selected()
        if element is None or state is None:
            return
        kind, lang, incident_id = state.rendered.kind, state.rendered.lang, self.incident_id
        # People and partners have their own wording of these elements; the rest is shared.
        audience = kind.value if kind in AUDIENCE_KINDS and element in AUDIENCE_ELEMENTS else ""
        self.runner.run(lambda services, _p: _current_text(services, incident_id, element, lang, audience),
                        on_success=lambda text: self._open_text_dialog(element, lang, audience, text),
                        on_failure=self.errors.show)

    def _open_text_dialog(self, element: str, lang: str, audience: str, text: str) -> None:
        dialog = ElementTextDialog(self.tr_, element, lang, self, audience=audience, text=text,
                                   shared=element in AUDIENCE_ELEMENTS)
        dialog.saved.connect(lambda e, lg, t: self.set_element_text(e, lg, t, audience))
        self.text_dialog = dialog
        dialog.open()

    def _on_template_clicked(self) -> None:
        state = self.selected()
        if state is None:
            return
        dialog = TemplateEditorDialog(self.runner, self.tr_, state.rendered.template, self)
        dialog.template_saved.connect(lambda _v: self.refresh())
        dialog.open()


def _current_text(services: Any, incident_id: int, element: str, lang: str, audience: str) -> str:
    """What the text box starts from: the officer's text, else (for an audience) the plain wording
    the notice carries now."""
    own = services.notices.element_texts(incident_id, audience).get(element, {}).get(lang, "")
    if own or not audience:
        return str(own)
    return str(services.notices.audience_defaults(incident_id, audience, lang).get(element, ""))
