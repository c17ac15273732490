"""The send dialog: counts, relay settings, test send to yourself, dry run, send to all with a
progress bar (rate and ETA), pause/resume and cancel, and the ledger table below.

Every service call goes through the job runner; the password comes from the keyring or a prompt
and stays in this process's memory (SecretStore), never in settings or the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from incident_app.cli.progress_bar import eta_seconds, format_eta
from incident_app.domain.errors import NotFoundError, ValidationError
from incident_app.domain.i18n import Translator
from incident_app.domain.mail import DeliveryOverview
from incident_app.domain.mail.sending import ApprovalStatus, SendState, SmtpSettings
from incident_app.domain.profile import OrganisationProfile
from incident_app.services.ledger_keys import SharedLedgerKeyError
from incident_app.services.mail import (
    NotApproved,
    PauseFlag,
    SecretStore,
    SendAborted,
    SendBusy,
    account_name,
    default_message_source,
)
from incident_app.services.progress import ProgressSnapshot
from incident_app.ui.common import ErrorReporter
from incident_app.ui.common.errors import shared_ledger_key_text
from incident_app.ui.common.file_dialogs import ask_folder
from incident_app.ui.common.screen_fit import fit_to_screen
from incident_app.ui.send.ledger_view import LedgerView
from incident_app.ui.send.smtp_form import SmtpForm

KNOWN_FAILURES = (NotApproved, SendAborted, SendBusy, ValidationError, NotFoundError, ConnectionError)
LEDGER_REFRESH_MS = 1000  # how often the counts line follows a running send


@dataclass(frozen=True)
class _Status:
    messages: int
    approval: ApprovalStatus
    overview: DeliveryOverview
    saved: dict[str, Any]
    profile: OrganisationProfile
    problem: str = ""
    left_in_flight: int = 0  # rows a run that died left in 'sending' (reported when the dialog opens)


def _load_status(services: Any, source_factory: Callable[[Any], Any], incident_id: int) -> _Status:
    overview, saved, profile = services.mail.overview(incident_id), services.mail.saved_smtp(), services.profile.get()
    left = services.mail.left_in_flight(incident_id)
    try:
        source = source_factory(services)
    except NotFoundError as exc:
        return _Status(0, ApprovalStatus(False, str(exc)), overview, saved, profile, str(exc), left)
    return _Status(source.count(incident_id), source.approval(incident_id), overview, saved, profile, "", left)


class SendDialog(QDialog):
    """Self-contained: give it the runner, the translator and the incident id."""

    status_loaded = Signal()
    job_finished = Signal(str)  # 'test', 'dry_run', 'send'

    def __init__(self, runner: Any, tr: Translator, incident_id: int, *,
                 source_factory: Callable[[Any], Any] = default_message_source,
                 secrets: SecretStore | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.tr_, self.incident_id = runner, tr, incident_id
        self.source_factory = source_factory
        self.secrets = secrets or SecretStore()
        self.errors = ErrorReporter(self, tr)
        # Replaceable so tests run without modal dialogs.
        self.password_prompt: Callable[[str], str | None] = self._ask_password
        self.confirm: Callable[[str], bool] = self._ask_confirm
        self.choose_folder: Callable[[], str] = self._ask_folder
        self.status: _Status | None = None
        self.test_sent = False
        self.last_result: Any = None
        self._running = False
        self._job_kind = ""
        self._handle: Any = None
        self._pause = PauseFlag()
        self._build()
        self.retranslate()
        fit_to_screen(self, 1100, 760)

    # -- construction -------------------------------------------------------------------------
    def _build(self) -> None:
        self.counts = QLabel()
        self.counts.setObjectName("sendCounts")
        self.counts.setWordWrap(True)
        self.approval = QLabel()
        self.approval.setObjectName("sendApproval")
        self.approval.setWordWrap(True)
        self.form = SmtpForm(self.tr_)
        self.relay_box = QGroupBox()
        QVBoxLayout(self.relay_box).addWidget(self.form)
        self.test_to = QLineEdit()
        self.test_to.setObjectName("sendTestTo")
        self.test_button = _button("sendTestButton", self.send_test)
        self.dry_run_button = _button("sendDryRunButton", self.dry_run)
        self.send_button = _button("sendAllButton", self.send_all)
        self.pause_button = _button("sendPauseButton", self.toggle_pause)
        self.cancel_button = _button("sendCancelButton", self.cancel)
        self.progress = QProgressBar()
        self.progress.setObjectName("sendProgress")
        self.rate_label = QLabel()
        self.rate_label.setObjectName("sendRate")
        self.message = QLabel()
        self.message.setObjectName("sendMessage")
        self.message.setWordWrap(True)
        self.left_in_flight = QLabel()
        self.left_in_flight.setObjectName("sendLeftInFlight")
        self.left_in_flight.setWordWrap(True)
        self.ledger = LedgerView(self.runner, self.tr_, self.incident_id)
        self.ledger.requeued.connect(lambda _result: self.refresh())
        # While a send runs the ledger's counts follow it (the run commits its outcomes in small
        # groups, so another connection sees them), instead of the counts from before the run.
        self.ledger_timer = QTimer(self)
        self.ledger_timer.setInterval(LEDGER_REFRESH_MS)
        self.ledger_timer.timeout.connect(self.ledger.refresh_counts)
        self._lay_out()
        self._update_buttons()

    def _lay_out(self) -> None:
        test_row = QHBoxLayout()
        self.test_label = QLabel()
        for widget in (self.test_label, self.test_to, self.test_button, self.dry_run_button):
            test_row.addWidget(widget)
        actions = QHBoxLayout()
        for widget in (self.send_button, self.pause_button, self.cancel_button):
            actions.addWidget(widget)
        actions.addWidget(self.progress, 1)
        actions.addWidget(self.rate_label)
        top = QHBoxLayout()
        left = QVBoxLayout()
        for widget in (self.counts, self.approval, self.left_in_flight, self.message):
            left.addWidget(widget)
        left.addStretch(1)
        top.addLayout(left, 1)
        top.addWidget(self.relay_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(test_row)
        layout.addLayout(actions)
        layout.addWidget(self.ledger, 1)

    def retranslate(self) -> None:
        t = self.tr_.t
        self.setWindowTitle(t("send.title"))
        self.relay_box.setTitle(t("send.relay"))
        self.test_label.setText(t("send.test_to"))
        self.test_to.setPlaceholderText(t("send.test_to_hint"))
        self.test_button.setText(t("send.test_button"))
        self.dry_run_button.setText(t("send.dry_run_button"))
        self.send_button.setText(t("send.send_button"))
        self.pause_button.setText(t("send.resume_button" if self._pause.paused else "send.pause_button"))
        self.cancel_button.setText(t("send.cancel_button"))
        self.form.retranslate()
        self.ledger.retranslate()
        self._show_status()

    # -- loading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload counts, approval and saved settings, and the ledger table."""
        factory, incident_id = self.source_factory, self.incident_id
        self.runner.run(lambda services, _p: _load_status(services, factory, incident_id),
                        on_success=self._on_status_loaded, on_failure=self._on_job_failed)
        self.ledger.refresh()

    def _on_status_loaded(self, status: _Status) -> None:
        first = self.status is None
        self.status = status
        if first:
            self.form.load(status.saved, status.profile)
            self.test_to.setText(status.profile.officer_email)
        self._show_status()
        self._update_buttons()
        self.status_loaded.emit()

    def _show_status(self) -> None:
        if self.status is None:
            return
        t, s = self.tr_.t, self.status
        self.counts.setText(t("send.counts", messages=f"{s.messages:,}"))
        reason = t(f"send.reason.{s.approval.code}") if s.approval.code else s.approval.reason
        self.approval.setText(t("send.approved") if s.approval.approved
                              else t("send.not_approved", reason=reason))
        self.approval.setToolTip("" if s.approval.approved else s.approval.reason)
        self.left_in_flight.setText(t("send.left_in_flight", count=f"{s.left_in_flight:,}") if s.left_in_flight else "")
        self.left_in_flight.setVisible(bool(s.left_in_flight))

    def _update_buttons(self) -> None:
        running = self._running
        status = self.status
        has_source = status is not None and not status.problem and status.messages > 0
        resumable = status is not None and status.overview.by_state.get(SendState.SENT, 0) > 0
        approved = status is not None and status.approval.approved
        self.test_button.setEnabled(has_source and not running)
        self.dry_run_button.setEnabled(has_source and not running)
        # Test first: the full send opens only after a test copy reached the officer (or when
        # an earlier run already sent some, i.e. this is a resume).
        self.send_button.setEnabled(has_source and approved and (self.test_sent or resumable) and not running)
        self.pause_button.setEnabled(running and self._job_kind == "send")
        self.cancel_button.setEnabled(running and self._job_kind == "send")
        self.ledger.set_blocked(running and self._job_kind == "send")

    # -- actions ------------------------------------------------------------------------------
    def send_test(self) -> None:
        settings = self._settings()
        password = self._password(settings) if settings else None
        if settings is None or (settings.user and password is None):
            return
        factory, incident_id, to = self.source_factory, self.incident_id, self.test_to.text().strip()
        self._start("test", lambda services, _p: services.mail.send_test(
            incident_id, factory(services), settings, password, to))

    def dry_run(self) -> None:
        settings = self._settings(needs_server=False)
        folder = self.choose_folder() if settings else ""
        if not folder or settings is None:
            return
        factory, incident_id = self.source_factory, self.incident_id
        self._start("dry_run", lambda services, _p: services.mail.dry_run(
            incident_id, factory(services), settings, Path(folder)))

    def send_all(self) -> None:
        settings = self._settings()
        if settings is None or self.status is None:
            return
        pending = self.status.messages - self.status.overview.by_state.get(SendState.SENT, 0)
        if not self.confirm(self.tr_.t("send.confirm", count=f"{pending:,}", host=settings.host)):
            return
        password = self._password(settings)
        if settings.user and password is None:
            return
        self._pause = PauseFlag()
        pause, factory, incident_id = self._pause, self.source_factory, self.incident_id

        def job(services: Any, progress: Any) -> Any:
            services.mail.remember_smtp(settings)
            return services.mail.send(incident_id, factory(services), settings, password,
                                      progress=progress, pause=pause)

        self.progress.setValue(0)
        self._start("send", job, on_progress=self._on_progress)

    @property
    def busy(self) -> bool:
        """A test send, dry run or send is running (switching the database must wait for it)."""
        return self._running

    def toggle_pause(self) -> None:
        if self._pause.paused:
            self._pause.resume()
        else:
            self._pause.pause()
        self.pause_button.setText(self.tr_.t("send.resume_button" if self._pause.paused else "send.pause_button"))

    def reject(self) -> None:
        """Closing while sending stops the run first; the dialog stays until it has stopped."""
        if self._running and self._job_kind == "send":
            self.cancel()
            return
        super().reject()

    def cancel(self) -> None:
        if self._running and self._handle is not None:
            self._handle.progress.cancel()
            self.message.setText(self.tr_.t("send.cancelling"))

    # -- job plumbing -------------------------------------------------------------------------
    def _start(self, kind: str, fn: Callable[[Any, Any], Any], **kwargs: Any) -> None:
        self._job_kind, self._running = kind, True
        if kind == "send":
            self.ledger_timer.start()
        self._update_buttons()
        self.message.setText(self.tr_.t(f"send.running.{kind}"))
        # A synchronous runner (tests) finishes inside run(); the handle is kept for cancel.
        self._handle = self.runner.run(fn, on_success=lambda r: self._on_job_done(kind, r),
                                       on_failure=self._on_job_failed, **kwargs)

    def _on_progress(self, snapshot: ProgressSnapshot) -> None:
        self.progress.setMaximum(max(snapshot.total or 0, 1))
        self.progress.setValue(snapshot.done)
        phase = self.tr_.t(f"send.phase.{snapshot.message}") if snapshot.message else ""
        self.rate_label.setText(self.tr_.t("send.rate_eta", rate=f"{snapshot.rate_per_s:,.0f}",
                                           eta=format_eta(eta_seconds(snapshot)), phase=phase))

    def _on_job_done(self, kind: str, result: Any) -> None:
        self._running, self.last_result = False, result
        self.ledger_timer.stop()
        self.test_sent = self.test_sent or kind == "test"
        self._update_buttons()
        if kind == "test":
            self.message.setText(self.tr_.t("send.test_done", to=result.to))
        elif kind == "dry_run":
            self.message.setText(self.tr_.t("send.dry_run_done", written=result.written, blocked=result.blocked,
                                            folder=result.folder))
        else:
            self._show_summary(result)
        self.refresh()
        self.job_finished.emit(kind)

    def _show_summary(self, summary: Any) -> None:
        if summary.outcome == "completed":
            self.progress.setValue(self.progress.maximum())
        self.rate_label.setText(self.tr_.t("send.rate_done", rate=f"{summary.to_dict()['rate_per_s']:,.0f}",
                                           elapsed=format_eta(summary.duration_s)))
        text = self.tr_.t(f"send.outcome.{summary.outcome}", sent=summary.run.sent, failed=summary.run.failed)
        if summary.run.in_doubt:
            text += "\n" + self.tr_.t("send.outcome.in_doubt", count=f"{summary.run.in_doubt:,}")
        if summary.outcome == "aborted":
            text += "\n" + summary.run.aborted
        self.message.setText(text)

    def _on_job_failed(self, exc: BaseException, details: str) -> None:
        self._running = False
        self.ledger_timer.stop()
        self._update_buttons()
        if isinstance(exc, SharedLedgerKeyError):  # the service's English names the CLI's options
            self.message.setText(shared_ledger_key_text(exc, self.tr_))
        elif isinstance(exc, KNOWN_FAILURES):
            self.message.setText(self.tr_.t("send.failed", message=str(exc)))
        else:
            self.errors.show(exc, details)
        self.job_finished.emit("failed")

    # -- inputs -------------------------------------------------------------------------------
    def _settings(self, *, needs_server: bool = True) -> SmtpSettings | None:
        try:
            return self.form.settings(needs_server=needs_server)
        except ValidationError as exc:
            self.message.setText(self.tr_.t("send.invalid", problems="; ".join(str(p) for p in exc.problems)))
            return None

    def _password(self, settings: SmtpSettings) -> str | None:
        """From memory/keyring, else asked for (kept in memory for this session only)."""
        if not settings.user:
            return None
        account = account_name(settings.host, settings.port, settings.user)
        password = self.secrets.lookup(account) or self.password_prompt(account)
        if password:
            self.secrets.remember(account, password)
        return password or None

    def _ask_password(self, account: str) -> str | None:
        text, ok = QInputDialog.getText(self, self.tr_.t("send.password_title"),
                                        self.tr_.t("send.password_prompt", account=account),
                                        QLineEdit.EchoMode.Password)
        return text if ok and text else None

    def _ask_confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.tr_.t("send.title"), text)
        return answer == QMessageBox.StandardButton.Yes

    def _ask_folder(self) -> str:
        folder = ask_folder(self, "dry_run", self.tr_.t("send.dry_run_button"))
        return str(folder) if folder is not None else ""


def _button(name: str, slot: Callable[[], None]) -> QPushButton:
    button = QPushButton()
    button.setObjectName(name)
    button.clicked.connect(lambda _checked=False: slot())
    return button
