"""The send ledger table: one row per recipient and notice, filterable by state, addresses masked,
pages fetched through the job runner as the officer scrolls (a 1,000,000-row ledger never loads
at once)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QTableView, QVBoxLayout, QWidget

from incident_app.contact_scrub import scrub_contacts
from incident_app.domain.i18n import Translator
from incident_app.domain.mail import LedgerEntry, SendState, mask_email
from incident_app.domain.mail.sending import REQUEUEABLE_STATES, mask_phone_in_text
from incident_app.services.mail import SendBusy
from incident_app.ui.common import Index, TranslatedTableModel
from incident_app.ui.common.times import beijing_time

PAGE = 500
MAX_TEXT_COLUMN = 320  # px; the full reply is in the tooltip


class LedgerModel(TranslatedTableModel):
    """Rows arrive page by page from :class:`LedgerView`; the model never queries anything."""

    (COL_ID, COL_RECIPIENT, COL_KIND, COL_STATE, COL_ATTEMPTS, COL_DOUBT, COL_DETAIL, COL_FALLBACK,
     COL_UPDATED, COL_MESSAGE_ID) = range(10)
    _HEADER_KEYS = ("send.col.id", "send.col.recipient", "send.col.kind", "send.col.state", "send.col.attempts",
                    "send.col.in_doubt", "send.col.detail", "send.col.fallback", "send.col.updated",
                    "send.col.message_id")

    fetch_requested = Signal(int)  # id of the last row shown: the next page starts after it (keyset)

    def __init__(self, tr: Translator, parent: Any = None) -> None:
        super().__init__(tr, parent)
        self._rows: list[LedgerEntry] = []
        self._total = 0
        self._waiting = False

    def reset(self, total: int, first_page: list[LedgerEntry]) -> None:
        self.beginResetModel()
        self._total, self._rows, self._waiting = total, list(first_page), False
        self.endResetModel()

    def append_page(self, after_id: int, rows: list[LedgerEntry]) -> None:
        """Add the page fetched after row ``after_id`` (ignored unless it follows the last row)."""
        self._waiting = False
        if after_id != self._last_id() or not rows:
            return  # a stale page (the filter changed meanwhile)
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def total(self) -> int:
        return self._total

    def _last_id(self) -> int:
        return self._rows[-1].id if self._rows else 0

    def shown_rows(self) -> int:
        return len(self._rows)

    def record(self, row: int) -> LedgerEntry:
        return self._rows[row]

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._waiting and len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            self._waiting = True
            self.fetch_requested.emit(self._last_id())

    def cell(self, row: LedgerEntry, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_DETAIL:
            return _masked_detail(row)
        return None

    def _display(self, row: LedgerEntry, column: int) -> str:
        values = {
            self.COL_ID: str(row.id),
            self.COL_RECIPIENT: mask_email(row.to_address),
            self.COL_KIND: row.notice_kind,
            self.COL_STATE: self._tr.t(f"send.state.{row.state.value}"),
            self.COL_ATTEMPTS: str(row.attempts),
            self.COL_DOUBT: self._tr.t("send.in_doubt_mark") if row.in_doubt else "",
            self.COL_DETAIL: _masked_detail(row),
            self.COL_FALLBACK: self._tr.t(f"send.fallback.{row.fallback.value}") if row.fallback else "",
            self.COL_UPDATED: beijing_time(row.updated_at, seconds=True),
            self.COL_MESSAGE_ID: row.message_id,
        }
        return values[column]


def _masked_detail(row: LedgerEntry) -> str:
    """The relay's reply or the reason, with every address or phone number it echoes masked
    (relays echo recipients in any letter case)."""
    return scrub_contacts(row.reason or row.last_reply, mask_email, mask_phone_in_text)


class LedgerView(QWidget):
    """Filter combo, counts line, the re-queue button and the table; ``refresh()`` reloads through
    the runner."""

    refreshed = Signal()
    requeued = Signal(object)  # the Requeued result, after the rows went back in the queue
    counts_refreshed = Signal(object)  # the DeliveryOverview a refresh_counts() loaded

    def __init__(self, runner: Any, tr: Translator, incident_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.tr_, self.incident_id = runner, tr, incident_id
        self.model = LedgerModel(tr, self)
        self.model.fetch_requested.connect(self._on_model_fetch_requested)
        self.filter = QComboBox()
        self.filter.setObjectName("ledgerFilter")
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.summary = QLabel()
        self.summary.setObjectName("ledgerSummary")
        self.summary.setWordWrap(True)
        self.requeue_button = QPushButton()
        self.requeue_button.setObjectName("ledgerRequeueButton")
        self.requeue_button.setEnabled(False)
        self.requeue_button.clicked.connect(lambda _checked=False: self.requeue())
        self.notice = QLabel()
        self.notice.setObjectName("ledgerNotice")
        self.notice.setWordWrap(True)
        self.confirm: Any = self._ask_confirm  # replaceable so tests run without modal dialogs
        self.blocked = False  # the send dialog sets this while a run is sending
        self._requeueable = 0
        self._busy_pid: int | None = None  # a live run of another process holds the send lease
        self._busy_text = ""
        self.table = QTableView()
        self.table.setObjectName("ledgerTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        top = QHBoxLayout()
        self.filter_label = QLabel()
        top.addWidget(self.filter_label)
        top.addWidget(self.filter)
        top.addWidget(self.summary, 1)
        top.addWidget(self.requeue_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.table)
        self.retranslate()

    def retranslate(self) -> None:
        t = self.tr_.t
        self.filter_label.setText(t("send.filter"))
        self.requeue_button.setText(t("send.requeue_button"))
        current = self.filter.currentData()
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.addItem(t("send.filter.all"), None)
        for state in SendState:
            self.filter.addItem(t(f"send.state.{state.value}"), state)
        self.filter.setCurrentIndex(0 if current is None else max(0, self.filter.findData(current)))
        self.filter.blockSignals(False)
        self.model.set_translator(self.tr_)
        if not self.model.rowCount():
            # An empty ledger has no rows to size from: the headers themselves must not be cut.
            self.table.resizeColumnsToContents()

    def set_state_filter(self, state: SendState | None) -> None:
        self.filter.setCurrentIndex(0 if state is None else max(0, self.filter.findData(state)))

    def state_filter(self) -> SendState | None:
        data = self.filter.currentData()
        return SendState(data) if data else None

    def refresh(self) -> None:
        """Reload counts and the first page for the current filter."""
        incident_id, state = self.incident_id, self.state_filter()

        def load(services: Any, _progress: Any) -> tuple[Any, int, list[LedgerEntry], Any]:
            return (services.mail.overview(incident_id), services.mail.count(incident_id, state),
                    services.mail.page(incident_id, state, after_id=0, limit=PAGE),
                    services.mail.active_run(incident_id))

        self.runner.run(load, on_success=self._on_loaded, on_failure=self._on_failed)

    def refresh_counts(self) -> None:
        """Reload only the counts line (cheap: one grouped query), e.g. every second while a send
        runs; the table keeps its rows and scroll position. One load at a time."""
        if getattr(self, "_counting", False):
            return
        self._counting = True
        incident_id = self.incident_id
        self.runner.run(lambda services, _p: services.mail.overview(incident_id),
                        on_success=self._on_counts_loaded, on_failure=self._on_counts_failed)

    def _on_counts_loaded(self, overview: Any) -> None:
        self._counting = False
        self.summary.setText(summary_text(self.tr_, overview))
        self.counts_refreshed.emit(overview)

    def _on_counts_failed(self, exc: BaseException, details: str) -> None:
        self._counting = False  # a busy database now and then: the next tick tries again
        self._on_failed(exc, details)

    def _on_loaded(self, result: tuple[Any, int, list[LedgerEntry], Any]) -> None:
        overview, total, rows, active = result
        self.model.reset(total, rows)
        if rows:  # sized from the first page only: never measures the whole ledger
            self.table.resizeColumnsToContents()
            for column in (LedgerModel.COL_DETAIL, LedgerModel.COL_MESSAGE_ID):
                self.table.setColumnWidth(column, min(self.table.columnWidth(column), MAX_TEXT_COLUMN))
        self.summary.setText(summary_text(self.tr_, overview))
        self._requeueable = sum(overview.by_state.get(s, 0) for s in REQUEUEABLE_STATES)
        # Another process (a command-line send) may hold the lease: say so instead of offering a
        # button the service would refuse. This screen's own run is ``blocked`` instead.
        self._busy_pid = active.pid if active is not None and not self.blocked else None
        if self._busy_pid is not None and self._requeueable:
            self._show_busy(self._busy_pid)
        elif active is None and self._busy_text and self.notice.text() == self._busy_text:
            self.notice.clear()  # that run has ended
        self.set_blocked(self.blocked)
        self.refreshed.emit()

    def _show_busy(self, pid: int | None) -> None:
        self._busy_text = self.tr_.t("send.requeue_busy", pid=str(pid or "?"))
        self.notice.setText(self._busy_text)

    def set_blocked(self, blocked: bool) -> None:
        """No re-queue while a run is sending, here or in another process (the service refuses
        it too)."""
        self.blocked = blocked
        self.requeue_button.setEnabled(self._requeueable > 0 and not blocked and self._busy_pid is None)

    def requeue(self) -> None:
        """Put failed and in-doubt rows back in the queue, after the officer confirms the relay
        was fixed (one logged ``send.requeued`` event)."""
        if not self._requeueable:
            self.notice.setText(self.tr_.t("send.requeue_none"))
            return
        if not self.confirm(self.tr_.t("send.requeue_confirm", count=f"{self._requeueable:,}")):
            return
        incident_id, states = self.incident_id, sorted(REQUEUEABLE_STATES)
        self.runner.run(lambda services, _p: services.mail.requeue(incident_id, states),
                        on_success=self._on_requeued, on_failure=self._on_requeue_failed)

    def _on_requeue_failed(self, exc: BaseException, details: str) -> None:
        if not isinstance(exc, SendBusy):
            self._on_failed(exc, details)
            return
        # A send started meanwhile: not a broken ledger, just "wait for it".
        self._show_busy(exc.pid)
        self.refresh()

    def _on_requeued(self, result: Any) -> None:
        self.notice.setText(self.tr_.t("send.requeued", count=f"{result.total:,}",
                                       fallback=f"{result.fallback_cleared:,}"))
        self.refresh()
        self.requeued.emit(result)

    def _ask_confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.tr_.t("send.title"), text)
        return answer == QMessageBox.StandardButton.Yes

    def _on_model_fetch_requested(self, after_id: int) -> None:
        incident_id, state = self.incident_id, self.state_filter()
        self.runner.run(lambda services, _p: services.mail.page(incident_id, state, after_id=after_id, limit=PAGE),
                        on_success=lambda rows: self.model.append_page(after_id, rows), on_failure=self._on_failed)

    def _on_failed(self, exc: BaseException, _details: str) -> None:
        self.summary.setText(self.tr_.t("send.load_failed", message=str(exc)))
        self.set_blocked(self.blocked)


def summary_text(tr: Translator, overview: Any) -> str:
    """'共 120 · 已发送 100 · 失败 5（短信 2 / 信函 1 / 公告 2）…' from a DeliveryOverview."""
    states = " · ".join(f"{tr.t(f'send.state.{s.value}')} {overview.by_state.get(s, 0):,}" for s in SendState)
    fallback = " / ".join(f"{tr.t(f'send.fallback.{c.value}')} {n:,}" for c, n in overview.fallback.items())
    return tr.t("send.summary", total=f"{overview.total:,}", states=states, fallback=fallback,
                in_doubt=f"{overview.in_doubt:,}")
