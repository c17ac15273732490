"""Mass-messaging platform hand-off from the Notices tab: a masked preview of the recipients file,
writing it (progress and Cancel, which leaves no file), and the platform's delivery report checked
and summarised (delivered / failed / pending / unknown) before it is imported into the ledger.
Every call goes through the job runner."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobHandle, JobRunner, SyncJobRunner
from incident_app.services.ledger_keys import SharedLedgerKeyError
from incident_app.ui.common import ErrorReporter, run_with_progress
from incident_app.ui.common.errors import shared_ledger_key_text
from incident_app.ui.common.file_dialogs import ask_open_file, ask_save_file


class PlatformDialog(QDialog):
    """Export the recipients file for the company's platform; check and import its report."""

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, incident_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.tr_, self.incident_id = runner, tr, incident_id
        self.errors = ErrorReporter(self, tr)
        self.checked_report: Path | None = None
        self._shared_key_said = ""  # the preview's or the export's shared-key refusal on the status line
        self.setObjectName("platformDialog")
        self.resize(900, 560)
        self._build()

    def _build(self) -> None:
        t = self.tr_.t
        self.setWindowTitle(t("platform.title"))
        intro = QLabel(t("platform.intro"))
        intro.setWordWrap(True)
        self.preview_label = QLabel()
        self.preview_label.setWordWrap(True)
        self.preview = QTableWidget(0, 0)
        self.preview.setObjectName("platformPreview")
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().hide()
        self.merge_fields = QCheckBox(t("platform.merge_fields"))
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.btn_export = QPushButton(t("platform.export"))
        self.btn_check = QPushButton(t("platform.check_report"))
        self.btn_commit = QPushButton(t("platform.commit"))
        self.btn_commit.setEnabled(False)
        self.btn_export.clicked.connect(self._on_export_clicked)
        self.btn_check.clicked.connect(self._on_check_clicked)
        self.btn_commit.clicked.connect(self.commit_report)
        buttons = QHBoxLayout()
        for button in (self.btn_export, self.btn_check, self.btn_commit):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.merge_fields)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)

    # -- preview ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Load the masked preview (or say why the file cannot be exported yet)."""
        incident_id = self.incident_id
        self.runner.run(lambda s, _p: s.platform.preview(incident_id), on_success=self._show_preview,
                        on_failure=self._preview_refused)

    def _show_preview(self, preview: dict[str, Any]) -> None:
        self.preview.clear()
        self.preview.setColumnCount(len(preview["header"]))
        self.preview.setHorizontalHeaderLabels([self.tr_.t(f"platform.col.{name}") for name in preview["header"]])
        self.preview.setRowCount(len(preview["rows"]))
        for r, row in enumerate(preview["rows"]):
            for c, value in enumerate(row):
                self.preview.setItem(r, c, QTableWidgetItem(str(value)))
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.preview_label.setText(self.tr_.t("platform.preview", shown=len(preview["rows"]),
                                              people=f"{preview['people']:,}"))
        self.btn_export.setEnabled(True)
        if self._shared_key_said and self.status_label.text() == self._shared_key_said:
            self.status_label.clear()  # corrected since: the refusal beside the buttons no longer holds
        self._shared_key_said = ""

    def _preview_refused(self, error: BaseException, details: str = "") -> None:
        if not isinstance(error, ValidationError):
            self.errors.show(error, details)
            return
        self.preview.setRowCount(0)
        if isinstance(error, SharedLedgerKeyError):  # no counts; the refusal in words beside the buttons
            self.preview_label.setText(self.tr_.t("platform.preview_refused_below"))
            self._shared_key_said = shared_ledger_key_text(error, self.tr_)
            self.status_label.setText(self._shared_key_said)
            self.btn_export.setEnabled(False)
            return
        self.preview_label.setText(self.tr_.t("platform.preview_refused", reason=export_problems(error.problems,
                                                                                                 self.tr_)))
        self.btn_export.setEnabled(False)

    # -- export -------------------------------------------------------------------------------------
    def export_to(self, path: Path) -> JobHandle:
        """Write the file on a worker with a progress dialog (count, time left, Cancel)."""
        incident_id, merge = self.incident_id, self.merge_fields.isChecked()
        return run_with_progress(
            self, self.runner, self.tr_, self.tr_.t("platform.exporting"),
            lambda s, p: s.platform.export_recipients(incident_id, path, merge_fields=merge, progress=p),
            on_success=self._exported, on_failure=self._export_refused,
            on_cancelled=lambda: self.status_label.setText(self.tr_.t("platform.export_cancelled")),
            show_counts=True)

    def _export_refused(self, error: BaseException, details: str = "") -> None:
        """A refusal of the export (not approved, purged, two people sharing a key) said beside the
        buttons in the dialog's words, like the preview's; anything else goes to the error reporter."""
        if not isinstance(error, ValidationError):
            self.errors.show(error, details)
        elif isinstance(error, SharedLedgerKeyError):  # kept, so the next preview not refused clears it
            self._shared_key_said = shared_ledger_key_text(error, self.tr_)
            self.status_label.setText(self._shared_key_said)
        else:
            self.status_label.setText(self.tr_.t("platform.export_refused",
                                                 reason=export_problems(error.problems, self.tr_)))

    def _exported(self, result: dict[str, Any]) -> None:
        t = self.tr_.t
        lines = [t("platform.exported", rows=f"{result['rows']:,}", new=f"{result['new_ledger_rows']:,}")]
        changes = result.get("changes")
        if changes and changes["same_version"] and result["new_ledger_rows"]:
            corrected = result["corrected_contacts"]
            lines.append(t("platform.same_version_new", corrected=f"{corrected:,}",
                           added=f"{result['new_ledger_rows'] - corrected:,}"))
        elif changes and changes["same_version"]:
            lines.append(t("platform.same_version"))
        elif changes:
            separator = ", " if self.tr_.lang == "en" else "、"
            notices = separator.join(notice_name(c["notice"], self.tr_) for c in changes["notices_changed"]) or "—"
            lines.append(t("platform.new_version", notices=notices))
        self.status_label.setText("\n".join(lines))

    def _on_export_clicked(self) -> None:
        path, _ = ask_save_file(self, "handoff", self.tr_.t("platform.export"), "recipients.jsonl",
                                "JSON Lines (*.jsonl)")
        if path is not None:
            self.export_to(path)

    # -- delivery report ------------------------------------------------------------------------------
    def check_report(self, path: Path) -> None:
        """Read the report without writing anything and show what importing it would do."""
        incident_id = self.incident_id
        self.checked_report = None
        self.btn_commit.setEnabled(False)
        self.runner.run(lambda s, _p: s.platform.import_delivery(incident_id, path, commit=False),
                        on_success=lambda summary: self._show_summary(path, summary),
                        on_failure=self._report_refused)

    def _show_summary(self, path: Path, summary: dict[str, Any]) -> None:
        t = self.tr_.t
        text = t("platform.summary", **{k: f"{summary[k]:,}" for k in
                                        ("rows", "delivered", "failed", "pending", "unknown", "changed")})
        # Import is invited only for a report it would take: beside a refusal the invitation reads
        # as "import anyway".
        if summary["problems"]:
            problems = [FieldProblem(d["field"], d["message"]) for d in summary.get("problem_details", [])]
            text += "\n" + t("platform.summary_problems", problems=report_problems(problems[:5], self.tr_))
        else:
            text += " " + t("platform.summary_ready")
        self.status_label.setText(text)
        self.checked_report = None if summary["problems"] else path
        self.btn_commit.setEnabled(self.checked_report is not None)

    def _report_refused(self, error: BaseException, details: str = "") -> None:
        if not isinstance(error, ValidationError):
            self.errors.show(error, details)
            return
        self.status_label.setText(self.tr_.t("platform.summary_problems",
                                             problems=report_problems(error.problems[:5], self.tr_)))

    def commit_report(self) -> None:
        """Import the report last checked (all or nothing)."""
        path, incident_id = self.checked_report, self.incident_id
        if path is None:
            return
        self.btn_commit.setEnabled(False)
        self.runner.run(lambda s, _p: s.platform.import_delivery(incident_id, path),
                        on_success=self._imported, on_failure=self.errors.show)

    def _imported(self, summary: dict[str, Any]) -> None:
        self.checked_report = None
        self.status_label.setText(self.tr_.t("platform.imported", delivered=f"{summary['delivered']:,}",
                                             failed=f"{summary['failed']:,}", changed=f"{summary['changed']:,}"))

    def _on_check_clicked(self) -> None:
        path = ask_open_file(self, "handoff", self.tr_.t("platform.check_report"), "CSV (*.csv)")
        if path is not None:
            self.check_report(path)


def notice_name(key: str, tr: Translator) -> str:
    """A notice of the hand-off (``kind/channel/lang``, as the service keys its versions) in words
    in ``tr``'s language: 受影响个人（邮件（HTML），简体中文）; a key of another form as it is."""
    parts = key.split("/")
    if len(parts) != 3:
        return key
    kind, channel, lang = parts
    return tr.t("platform.notice_name", kind=tr.t(f"notices.kind.{kind}"), channel=tr.t(f"notices.channel.{channel}"),
                language=tr.t(f"settings.language.{lang}"))


# Why the recipients file cannot be exported yet (services/handoff/platform.py), in the officer's words.
_EXPORT_PROBLEMS: tuple[tuple[str, str], ...] = (
    (r"^not approved in its current form", "platform.refused.not_approved"),
    (r"^this incident plans no personal notice", "platform.refused.no_notice"),
    (r"^the contacts of incident \d+ were purged on (?P<at>\S+)", "platform.refused.purged"),
)


def export_problems(problems: Any, tr: Translator) -> str:
    """Why the export is refused in ``tr``'s language: the notices not yet approved named once per
    kind in words (受影响个人、未成年人监护人：…), any other message (a template error) as the
    service wrote it, after the notice it concerns."""
    colon = ": " if tr.lang == "en" else "："
    groups: dict[str, list[str]] = {}
    for problem in problems:
        message = problem.message
        for pattern, key in _EXPORT_PROBLEMS:
            if found := re.search(pattern, message):
                message = tr.t(key, **found.groupdict())
                break
        parts = problem.field.split("/")
        if len(parts) == 3 and message == tr.t("platform.refused.not_approved"):
            where = tr.t(f"notices.kind.{parts[0]}")
        else:
            where = notice_name(problem.field, tr) if len(parts) == 3 else ""
        names = groups.setdefault(message, [])
        if where and where not in names:
            names.append(where)
    separator = ", " if tr.lang == "en" else "、"
    return ("; " if tr.lang == "en" else "；").join(
        f"{separator.join(names)}{colon}{message}" if names else message for message, names in groups.items())


# The delivery report's problems (services/handoff/platform.py speaks English, as the CLI prints
# it): each message form and the catalog key saying it in the officer's language.
_REPORT_PROBLEMS: tuple[tuple[str, str], ...] = (
    (r"^'(?P<value>.*)' is not in this incident's platform hand-off", "platform.problem.unknown"),
    (r"^empty; copy the 'reference'", "platform.problem.empty_reference"),
    (r"^empty time; write it as ISO 8601", "platform.problem.empty_time"),
    (r"^longer than (?P<limit>[\d,]+) characters; a report row", "platform.problem.long_line"),
    (r"^not valid CSV \(.*\); save the report as CSV$", "platform.problem.bad_header"),
    (r"^the same reference as row (?P<first>\d+)", "platform.problem.repeated"),
    (r"^'(?P<value>.*)' not understood; use", "platform.problem.status"),
    (r"^(?P<value>\S+) is in the future; check", "platform.problem.future"),
    (r"^before the export \((?P<value>[^)]*)\)", "platform.problem.before_export"),
    (r"^'(?P<value>.*)' is not an ISO 8601", "platform.problem.bad_time"),
    (r"^only (?P<got>\d+) of (?P<want>\d+) columns", "platform.problem.short_row"),
    (r"^(?P<got>\d+) cells but the header has (?P<want>\d+) columns", "platform.problem.extra_cells"),
    (r"^not valid CSV", "platform.problem.bad_csv"),
    (r"^no column for (?P<columns>.*); the report needs", "platform.problem.no_column"),
    (r"looks like UTF-16", "platform.problem.utf16"),
    (r"^(?P<file>.+?) is not UTF-8, and read as GB18030 it is not Chinese text \('(?P<value>.*)'\)",
     "platform.problem.not_chinese"),
    (r"^(?P<file>.+?) is neither UTF-8 nor GB18030 text", "platform.problem.not_text"),
    (r"^the report has a header but no rows", "platform.problem.no_rows"),
)


# The SMS gateway's and call centre's report problems (services/handoff/service.py) that are
# not the platform's; the file-level ones (encoding, extra cells) are shared with the table above.
_SMS_REPORT_PROBLEMS: tuple[tuple[str, str], ...] = (
    (r"^no column for the status, or for the phone number", "handoff.problem.no_column"),
    (r"^status '(?P<value>.*)' not understood", "handoff.problem.status"),
    (r"^message id '(?P<value>.*)' is not in this incident's", "handoff.problem.unknown_id"),
    (r"^number (?P<value>\S+) is not in this incident's", "handoff.problem.unknown_number"),
    (r"^more rows refused after these", "handoff.problem.more"),
)


def report_problems(problems: Any, tr: Translator, *, sms: bool = False) -> str:
    """The problems of a delivery report, each with its row and column, in ``tr``'s language
    (a message of another form is shown as the service wrote it); ``sms`` for the SMS gateway's
    or call centre's report rather than the platform's."""
    table = (*_SMS_REPORT_PROBLEMS, *_REPORT_PROBLEMS) if sms else _REPORT_PROBLEMS
    return ("; " if tr.lang == "en" else "；").join(_report_problem(p, tr, table) for p in problems)


def _report_problem(problem: FieldProblem, tr: Translator,
                    table: tuple[tuple[str, str], ...] = _REPORT_PROBLEMS) -> str:
    where = problem.field
    match = re.fullmatch(r"row (?P<row>\d+)(?:, (?P<field>\w+))?", where)
    if match and match["field"]:
        where = tr.t("platform.problem.where_row", row=match["row"],
                     field=tr.t(f"platform.problem.field.{match['field']}"))
    elif match:
        where = tr.t("platform.problem.where_row_only", row=match["row"])
    elif line := re.fullmatch(r"line (?P<line>\d+)", where):
        where = tr.t("platform.problem.where_line", line=line["line"])
    elif where in ("header", "file"):
        where = tr.t(f"platform.problem.field.{where}")
    message = problem.message
    for pattern, key in table:
        found = re.search(pattern, message)
        if found:
            message = tr.t(key, **found.groupdict())
            break
    separator = "：" if tr.lang != "en" else ": "
    return f"{where}{separator}{message}"
