"""SMS and phone hand-off from the Notices tab: the gateway template approval pack, a masked
preview of the SMS batch file, writing it (or the call list) for the provider, and importing the
provider's send report into the send ledger. Every call goes through the job runner."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.i18n import Translator
from incident_app.domain.notices.sms_gateway import Provider
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.ledger_keys import SharedLedgerKeyError
from incident_app.ui.common import ErrorReporter
from incident_app.ui.common.errors import shared_ledger_key_text
from incident_app.ui.common.file_dialogs import ask_open_file, ask_save_file
from incident_app.ui.common.problems import problem_text
from incident_app.ui.notices.platform_dialog import report_problems

# Where the service says a problem lies: a notice ("individual/sms/en"), a recipient's row, a
# notice kind over its daily limit. The signature fields need no name: their messages say it.
_NOTICE_FIELD = re.compile(r"^(?P<kind>\w+)/(?P<channel>sms|phone_script)/(?P<lang>[\w-]+)$")
_RECIPIENT_FIELD = re.compile(r"^SMS recipient (?P<number>\d+) \((?P<reference>.+)\)$")
_KIND_FIELD = re.compile(r"^(?P<kind>\w+) notice$")
_UNNAMED_FIELDS = ("signature", "signature_en", "notice")


def handoff_problem(problem: FieldProblem, tr: Translator) -> str:
    """One refusal of the SMS hand-off in the officer's language: where (a notice, a recipient's
    row) and the gateway rule it breaks, worded by the catalog rather than the service's English."""
    text = problem_text(problem, tr)
    if problem.field in _UNNAMED_FIELDS:
        return text
    if match := _NOTICE_FIELD.match(problem.field):
        where = tr.t("handoff.where.notice" if match["channel"] == "sms" else "handoff.where.phone_script",
                     kind=tr.word("notices.kind", match["kind"]), lang=tr.word("notices.lang", match["lang"]))
    elif match := _RECIPIENT_FIELD.match(problem.field):
        where = tr.t("handoff.where.recipient", number=match["number"], reference=match["reference"])
    elif match := _KIND_FIELD.match(problem.field):
        where = tr.t("handoff.where.kind_notice", kind=tr.word("notices.kind", match["kind"]))
    else:
        where = problem.field
    return tr.t("handoff.where.problem", where=where, text=text)


def bullets(lines: list[str]) -> str:
    """Problems one a line, so a long list wraps inside the dialog instead of widening it."""
    return "".join(f"\n• {line}" for line in lines)


class HandoffDialog(QDialog):
    """Hand SMS notices and the call list to the provider; read its report back."""

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, incident_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.tr_, self.incident_id = runner, tr, incident_id
        self.errors = ErrorReporter(self, tr)
        self._shared_key_said = ""  # the preview's or an export's shared-key refusal on the status line
        self.setObjectName("handoffDialog")
        self.resize(900, 620)
        self._build()

    def _build(self) -> None:
        self.provider = QComboBox()
        for provider in Provider:
            self.provider.addItem("", provider.value)
        self.provider.currentIndexChanged.connect(lambda _i: self.refresh())
        self.signature = QLineEdit()
        self.signature.editingFinished.connect(self.refresh)
        self.signature_en = QLineEdit()
        self.signature_en.setObjectName("handoffSignatureEn")
        self.signature_en.editingFinished.connect(self.refresh)
        self.provider_label, self.signature_label, self.signature_en_label = QLabel(), QLabel(), QLabel()
        form = QFormLayout()
        form.addRow(self.provider_label, self.provider)
        form.addRow(self.signature_label, self.signature)
        form.addRow(self.signature_en_label, self.signature_en)
        self.pack_label = QLabel()
        self.pack = QTextBrowser()
        self.pack.setObjectName("handoffPack")
        self.preview_label = QLabel()
        self.preview_label.setObjectName("handoffPreviewLabel")
        self.preview_label.setWordWrap(True)
        self.preview = QTableWidget(0, 0)
        self.preview.setObjectName("handoffPreview")
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().hide()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.btn_sms, self.btn_calls = QPushButton(), QPushButton()
        self.btn_report, self.btn_call_report = QPushButton(), QPushButton()
        self.btn_sms.clicked.connect(self._on_sms_clicked)
        self.btn_calls.clicked.connect(self._on_calls_clicked)
        self.btn_report.clicked.connect(lambda: self._on_report_clicked("sms"))
        self.btn_call_report.clicked.connect(lambda: self._on_report_clicked("phone"))
        buttons = QHBoxLayout()
        for button in (self.btn_sms, self.btn_calls, self.btn_report, self.btn_call_report):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.pack_label)
        layout.addWidget(self.pack, 2)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.preview, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)
        self.retranslate()

    def retranslate(self) -> None:
        """Every fixed text in the current language (the pack and preview follow on refresh)."""
        t = self.tr_.t
        self.setWindowTitle(t("handoff.title"))
        for index in range(self.provider.count()):
            self.provider.setItemText(index, t(f"handoff.provider.{self.provider.itemData(index)}"))
        self.signature.setPlaceholderText(t("handoff.signature_hint"))
        self.signature_en.setPlaceholderText(t("handoff.signature_en_hint"))
        self.provider_label.setText(t("handoff.provider"))
        self.signature_label.setText(t("handoff.signature"))
        self.signature_en_label.setText(t("handoff.signature_en"))
        self.pack_label.setText(t("handoff.pack"))
        self.btn_sms.setText(t("handoff.export_sms"))
        self.btn_calls.setText(t("handoff.export_calls"))
        self.btn_report.setText(t("handoff.import_sms_report"))
        self.btn_call_report.setText(t("handoff.import_call_report"))

    def set_language(self, tr: Translator) -> None:
        """The window's language switch: labels, then the pack and the preview's reasons, again."""
        self.tr_ = tr
        self.errors.tr = tr
        self.retranslate()
        self.status_label.clear()  # a result worded in the other language
        self.refresh()

    # -- loading ----------------------------------------------------------------------------------
    def _choice(self) -> tuple[Provider, str | None]:
        return Provider(self.provider.currentData()), self.signature.text().strip() or None

    def _signature_en(self) -> str | None:
        return self.signature_en.text().strip() or None

    def refresh(self) -> None:
        """Load the approval pack and the masked preview for the chosen provider."""
        incident_id, (provider, signature), english = self.incident_id, self._choice(), self._signature_en()
        self.runner.run(lambda s, _p: s.handoff.approval_pack(incident_id, signature=signature, provider=provider,
                                                              signature_en=english),
                        on_success=self._show_pack, on_failure=self.errors.show)
        self.runner.run(lambda s, _p: s.handoff.preview(incident_id, provider=provider, signature=signature,
                                                        signature_en=english),
                        on_success=self._show_preview, on_failure=self._preview_refused)

    def _show_pack(self, pack: dict[str, Any]) -> None:
        t = self.tr_.t
        lines = [t("handoff.signature_line", signature=pack["signature"]),
                 t("handoff.signature_en_line", signature=pack["signature_en"])]
        for notice in pack["notices"]:
            # Each gateway rule in the officer's language (the service words them for the CLI).
            state = t("handoff.ok") if not notice["problems"] else t("handoff.breaks") + bullets(
                [problem_text(FieldProblem("signature", p), self.tr_) for p in notice["problems"]])
            approved = t("handoff.approved") if notice["approved"] else t("handoff.not_approved")
            variables = ", ".join(
                f"{v['name']} ({t('handoff.kind.' + v['kind'].replace(' ', '_'))}, ≤{v['max_length']})"
                for v in notice["variables"])
            lines.append(t("handoff.pack_line", kind=t(f"notices.kind.{notice['kind']}"),
                           lang=self.tr_.word("notices.lang", notice["lang"]),
                           approved=approved, template=notice["provider_template"], variables=variables,
                           length=notice["worst_case_length"], segments=notice["segments"], state=state,
                           encoding=notice["encoding"], signature=notice["signature"]))
        self.pack.setPlainText("\n\n".join(lines))

    def _show_preview(self, preview: dict[str, Any]) -> None:
        self.preview.clear()
        self.preview.setColumnCount(len(preview["header"]))
        self.preview.setHorizontalHeaderLabels(preview["header"])
        self.preview.setRowCount(len(preview["rows"]))
        for r, row in enumerate(preview["rows"]):
            for c, value in enumerate(row):
                self.preview.setItem(r, c, QTableWidgetItem(str(value)))
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.preview_label.setText(self.tr_.t("handoff.preview", shown=len(preview["rows"]), total=preview["total"]))
        self.btn_sms.setEnabled(True)
        self._shared_key_cleared()

    def _preview_refused(self, error: BaseException, details: str = "") -> None:
        if not isinstance(error, ValidationError):
            self.errors.show(error, details)
            return
        if isinstance(error, SharedLedgerKeyError):
            self._shared_key_refused(error)
            return
        # Not approved or breaking a gateway rule: say why where the preview would be.
        self.preview.setRowCount(0)
        self.preview_label.setText(self.tr_.t("handoff.preview_refused", reason=self._reasons(error)))
        self.btn_sms.setEnabled(False)
        self._shared_key_cleared()  # the call list may be exported

    def _shared_key_refused(self, error: SharedLedgerKeyError) -> None:
        """Two people would share a send-ledger key: both exports would refuse (the call list
        too), so no counts, both buttons off, and the refusal in the dialog's words beside them."""
        self.preview.setRowCount(0)
        self.preview_label.setText(self.tr_.t("handoff.preview_refused_below"))
        self.btn_sms.setEnabled(False)
        self.btn_calls.setEnabled(False)
        self._shared_key_said = shared_ledger_key_text(error, self.tr_)
        self.status_label.setText(self._shared_key_said)

    def _shared_key_cleared(self) -> None:
        """No longer refused for a shared key (corrected since): the call list's button back on,
        the refusal beside the buttons gone unless another result has replaced it."""
        self.btn_calls.setEnabled(True)
        if self._shared_key_said and self.status_label.text() == self._shared_key_said:
            self.status_label.clear()
        self._shared_key_said = ""

    # -- actions -----------------------------------------------------------------------------------
    def export_sms_to(self, path: Path) -> None:
        incident_id, (provider, signature), english = self.incident_id, self._choice(), self._signature_en()
        self.runner.run(lambda s, _p: s.handoff.export_sms(incident_id, path, provider=provider, signature=signature,
                                                           signature_en=english),
                        on_success=lambda r: self._done("handoff.exported", r), on_failure=self._export_refused)

    def _reasons(self, error: ValidationError) -> str:
        return bullets([handoff_problem(p, self.tr_) for p in error.problems])

    def _export_refused(self, error: BaseException, details: str = "") -> None:
        # The SMS file's or the call list's refusal (a rule broken since the preview, a number's
        # daily limit, a script not approved, two people sharing a key): said beside the buttons,
        # in the dialog's words, not in a pop-up.
        if not isinstance(error, ValidationError):
            self.errors.show(error, details)
            return
        if isinstance(error, SharedLedgerKeyError):  # not a gateway rule: its own words, both people named
            # Kept like the preview's, so the next preview that is not refused clears it.
            self._shared_key_said = shared_ledger_key_text(error, self.tr_)
            self.status_label.setText(self._shared_key_said)
            return
        self.status_label.setText(self.tr_.t("handoff.export_refused", reason=self._reasons(error)))

    def export_calls_to(self, path: Path) -> None:
        incident_id = self.incident_id
        self.runner.run(lambda s, _p: s.handoff.export_calls(incident_id, path),
                        on_success=lambda r: self._done("handoff.exported", r), on_failure=self._export_refused)

    def import_report(self, path: Path, channel: str) -> None:
        incident_id, (provider, _) = self.incident_id, self._choice()
        self.runner.run(lambda s, _p: s.handoff.import_report(incident_id, path, provider=provider, channel=channel),
                        on_success=lambda r: self._done("handoff.imported", r), on_failure=self._report_refused)

    def _report_refused(self, error: BaseException, details: str = "") -> None:
        # A refused report (nothing imported): each row's problem in the dialog's language, beside
        # the buttons, like the platform's report.
        if not isinstance(error, ValidationError):
            self.errors.show(error, details)
            return
        self.status_label.setText(self.tr_.t("handoff.report_refused",
                                             problems=report_problems(error.problems[:5], self.tr_, sms=True)))

    def _done(self, key: str, result: dict[str, Any]) -> None:
        self.status_label.setText(self.tr_.t(key, rows=result.get("rows", 0), changed=result.get("changed", 0),
                                             delivered=result.get("delivered", 0), failed=result.get("failed", 0)))

    def _on_sms_clicked(self) -> None:
        # Like every file dialog: in the folder last used for hand-off files, else Documents (a bare
        # "sms.csv" put it in the program's working directory).
        path, _ = ask_save_file(self, "handoff", self.tr_.t("handoff.export_sms"), "sms.csv", "CSV (*.csv)")
        if path is not None:
            self.export_sms_to(path)

    def _on_calls_clicked(self) -> None:
        path, _ = ask_save_file(self, "handoff", self.tr_.t("handoff.export_calls"), "calls.csv", "CSV (*.csv)")
        if path is not None:
            self.export_calls_to(path)

    def _on_report_clicked(self, channel: str) -> None:
        title = self.tr_.t("handoff.import_call_report" if channel == "phone" else "handoff.import_sms_report")
        path = ask_open_file(self, "handoff", title, "CSV (*.csv)")
        if path is not None:
            self.import_report(path, channel)
