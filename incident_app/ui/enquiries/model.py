"""Table model of an incident's enquiries, windowed over SQL pages like the People table:
``rowCount`` is the full count, only the pages the view asks for are fetched (through the job
runner), and a bounded cache keeps memory flat at 150,000 enquiries. Contacts are masked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from incident_app.domain.enquiries import Enquiry
from incident_app.domain.i18n import Translator
from incident_app.ui.common import Index
from incident_app.ui.common.paged_model import PagedTableModel, PageRequest
from incident_app.ui.common.times import beijing_time

EnquiryRole = Qt.ItemDataRole.UserRole + 1
PAGE_SIZE = 200
MAX_PAGES = 40
RED = QColor("#b3261e")


def local(moment: datetime | None) -> str:
    return beijing_time(moment)


class EnquiryModel(PagedTableModel[Enquiry]):
    page_size, max_pages = PAGE_SIZE, MAX_PAGES
    COL_ID, COL_RECEIVED, COL_CHANNEL, COL_TOPIC, COL_CONTACT, COL_STATUS, COL_REQUEST, COL_DUE = range(8)
    _HEADER_KEYS = ("enquiry.col.id", "enquiry.col.received", "enquiry.col.channel", "enquiry.col.topic",
                    "enquiry.col.contact", "enquiry.col.status", "enquiry.col.request", "enquiry.col.due")

    def __init__(self, tr: Translator, request_page: PageRequest, now: Callable[[], datetime],
                 parent: Any = None) -> None:
        super().__init__(tr, request_page, parent)
        self._now = now

    def enquiry(self, row: int) -> Enquiry | None:
        return self.cached_row(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Display, the enquiry itself, and red/bold for an overdue one; a row whose page has not
        arrived shows a placeholder and asks for nothing else."""
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, EnquiryRole,
                                               Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole):
            return None
        enquiry = self.enquiry(index.row())
        if enquiry is None:
            return self._tr.t("people.loading") if role == Qt.ItemDataRole.DisplayRole else None
        if role == EnquiryRole:
            return enquiry
        overdue = enquiry.overdue(self._now())
        if role == Qt.ItemDataRole.ForegroundRole:
            return RED if overdue else None
        if role == Qt.ItemDataRole.FontRole:
            if not overdue:
                return None
            font = QFont()
            font.setBold(True)
            return font
        return self._display(enquiry, index.column(), overdue)

    def _display(self, e: Enquiry, column: int, overdue: bool) -> str:
        t = self._tr.t
        if column == self.COL_ID:
            return str(e.id)
        if column == self.COL_RECEIVED:
            return local(e.received_at)
        if column == self.COL_CHANNEL:
            return t(f"enquiry.channel.{e.channel.value}")
        if column == self.COL_TOPIC:
            return t(f"enquiry.topic.{e.topic.value}")
        if column == self.COL_CONTACT:
            return e.masked_contact
        if column == self.COL_STATUS:
            status = t(f"enquiry.status.{e.status.value}")
            return t("enquiry.overdue_mark", status=status) if overdue else status
        if column == self.COL_REQUEST:
            return t(f"enquiry.outcome.{e.outcome.value}") if e.outcome else ""
        due = e.reply_due if e.first_reply_at is None else e.close_due
        return local(due) if e.closed_at is None else ""
