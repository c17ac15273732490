"""The People tab of an incident: counts, a masked table that scrolls through a million people
without loading them, search with age-band and channel filters, the logged "show unmasked" and
"correct contacts" actions and the import dialog.

Self-contained: give it the job runner, a Translator and the incident id; :meth:`refresh`
reloads. Every read goes through the runner, never on the UI thread."""

from __future__ import annotations

from typing import Any, TypeVar

from PySide6.QtCore import QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.people import SearchInterrupted
from incident_app.services.resources import load_catalog
from incident_app.ui.common import ErrorReporter
from incident_app.ui.common.times import beijing_time
from incident_app.ui.people.edit_dialog import PersonEditDialog
from incident_app.ui.people.import_dialog import ImportDialog
from incident_app.ui.people.model import PeopleModel, PersonRole, PersonRow, prepare_rows

SEARCH_DELAY_MS = 300
BAND_FILTERS = ("", "child", "teen", "adult")  # "" = everyone; the values services.people.page takes
CHANNEL_FILTERS = ("", "email", "sms", "letter", "none")
COLUMN_WIDTHS = (70, 110, 90, 190, 120, 170, 80, 200, 110)  # the first: the person id, "#210"
W = TypeVar("W", bound=QWidget)


def _named(widget: W, name: str) -> W:
    """Set the object name (tests and style sheets find widgets by it)."""
    widget.setObjectName(name)
    return widget


def _catalog_name(type_id: str, lang: str) -> str:
    try:
        return load_catalog().get(type_id).name(lang)
    except KeyError:
        return type_id


def _fill(combo: QComboBox, items: list[tuple[str, str]]) -> None:
    """Replace the combo's (text, value) items, keeping the chosen value."""
    current = combo.currentData()
    blocked = combo.blockSignals(True)
    combo.clear()
    for text, value in items:
        combo.addItem(text, value)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    combo.blockSignals(blocked)  # a new language is not a new filter


def _label(name: str) -> QLabel:
    label = _named(QLabel(), name)
    label.setWordWrap(True)
    return label


class RowNumberHeader(QHeaderView):
    """The row numbers: as wide as the largest number needs, worked out from that one number.
    Qt's own header measures the numbers, seven model calls each: at least the first and last
    hundred on every reset, and on main, after a name search replaced the list while it was
    scrolled to the end, every one of the 197,582 found at ten million people (13 s of the UI
    thread, bench/gui_stalls.py --people-db)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self._hint: tuple[int, QSize] | None = None

    def sizeHint(self) -> QSize:
        model = self.model()
        digits = len(str(max(model.rowCount() if model is not None else 0, 1)))
        if self._hint is None or self._hint[0] != digits:
            margin = self.style().pixelMetric(self.style().PixelMetric.PM_HeaderMargin, None, self)
            width = self.fontMetrics().horizontalAdvance("9" * digits) + 2 * margin + 4
            self._hint = (digits, QSize(width, self.defaultSectionSize()))
        return self._hint[1]

    def paintSection(self, painter: QPainter, rect: QRect, logicalIndex: int) -> None:  # noqa: N803
        """Only the numbers in view: when a shorter list replaced one scrolled far down, Qt's
        paint event covered every section for a moment (its offset past the new end)."""
        if rect.bottom() >= 0 and rect.top() <= self.viewport().height():
            super().paintSection(painter, rect, logicalIndex)

    def sectionSizeFromContents(self, logicalIndex: int) -> QSize:  # noqa: N803 - Qt's keyword
        """Every row number takes the size of the largest (Qt asks this of every section when
        it re-measures the header, seven model calls each otherwise)."""
        del logicalIndex
        return self.sizeHint()


class PeopleTab(QWidget):
    """Affected people of one incident."""

    people_refreshed = Signal()
    person_unmasked = Signal(int)
    person_corrected = Signal(object)  # the services' Correction
    data_changed = Signal()  # the workspace then refreshes the assessment, timeline… (counts changed)

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, incident_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.tr_ = tr
        self.incident_id = incident_id
        self.errors = ErrorReporter(self, tr)
        self.model = PeopleModel(tr, self._request_page, self, type_names=_catalog_name)
        self.last_status = ""
        self._refreshes = 0  # numbers each refresh: only the newest one's count is shown
        self._counts: tuple[Any, int | None, bool] | None = None  # the last counts shown (None: counting)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self._build()
        self.retranslate()

    def _build(self) -> None:
        self.search = _named(QLineEdit(), "peopleSearch")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.import_button = _named(QPushButton(), "peopleImport")
        self.import_button.clicked.connect(self.open_import_dialog)
        self.unmask_button = _named(QPushButton(), "peopleUnmask")
        self.unmask_button.clicked.connect(self._on_unmask_clicked)
        self.edit_button = _named(QPushButton(), "peopleEdit")
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.band_label = _named(QLabel(), "peopleBandLabel")
        self.channel_label = _named(QLabel(), "peopleChannelLabel")
        self.band = _named(QComboBox(), "peopleBand")
        self.channel = _named(QComboBox(), "peopleChannel")
        for combo in (self.band, self.channel):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        for widget in (self.band_label, self.band, self.channel_label, self.channel, self.edit_button,
                       self.unmask_button, self.import_button):
            bar.addWidget(widget)
        self.summary = _label("peopleSummary")
        self.purged = _label("peoplePurged")  # shown once the retention purge anonymised the list
        self.purged.hide()
        self.note = _label("peopleMaskedNote")
        self.status = _label("peopleStatus")
        self.table = self._make_table()
        self.empty = _label("peopleEmpty")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.purged)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.note)

    def _make_table(self) -> QTableView:
        table = _named(QTableView(), "peopleTable")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        # Fixed row heights: the view then never measures a million rows to lay them out; the
        # row numbers' width comes from the widest number, not from measuring 200 of them.
        rows = RowNumberHeader(table)
        table.setVerticalHeader(rows)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
        columns = table.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        columns.setStretchLastSection(True)
        # Fixed starting widths: measuring contents would touch rows that are not loaded.
        for column, width in enumerate(COLUMN_WIDTHS):
            columns.resizeSection(column, width)
        return table

    def retranslate(self) -> None:
        t = self.tr_.t
        self.search.setPlaceholderText(t("people.search"))
        self.import_button.setText(t("people.import"))
        self.unmask_button.setText(t("people.unmask"))
        self.edit_button.setText(t("people.edit"))
        self.band_label.setText(t("people.filter.band"))
        self.channel_label.setText(t("people.filter.channel"))
        _fill(self.band, [(t(f"people.band.{b}") if b else t("people.filter.band.all"), b) for b in BAND_FILTERS])
        _fill(self.channel, [(t(f"people.filter.channel.{c}") if c else t("people.filter.channel.all"), c)
                             for c in CHANNEL_FILTERS])
        self.note.setText(t("people.masked_note"))
        self.empty.setText(t("people.empty"))
        self.model.set_translator(self.tr_)
        self._show_counts()

    def set_translator(self, tr: Translator) -> None:
        self.tr_ = tr
        self.errors.tr = tr
        self.retranslate()

    # -- data -------------------------------------------------------------------------------
    def filters(self) -> dict[str, str]:
        """The search text and the band and channel chosen ("" = all), as page() takes them."""
        return {"search": self.search.text(), "band": str(self.band.currentData() or ""),
                "channel": str(self.channel.currentData() or "")}

    def refresh(self) -> None:
        """Reload the counts and restart the table (keeps the search text and filters). Everyone
        and a channel are counted from the kept counters, an exact contact through its index;
        any other search shows "counting…" while its count scans on a worker and the table fills
        page by page meanwhile. A count still scanning for an earlier search (seconds at ten
        million people) stops: only the newest refresh is wanted."""
        incident, filters = self.incident_id, self.filters()
        self._refreshes += 1
        serial = self._refreshes

        def load(services: Any, _progress: Any) -> tuple[Any, int | None, Any]:
            people = services.people
            known = people.quick_count(incident, filters["search"], band=filters["band"], channel=filters["channel"])
            return people.summary(incident), known, (people.purged_at(incident), people.purge_started_at(incident))

        self.runner.run(load, on_success=lambda loaded: self._on_counts_loaded(serial, loaded),
                        on_failure=self._on_refresh_failed)

    def _on_refresh_failed(self, exc: BaseException, details: str) -> None:
        if not isinstance(exc, SearchInterrupted):  # replaced by a newer search: nothing to say
            self.errors.show(exc, details)

    def _on_counts_loaded(self, serial: int, loaded: tuple[Any, int | None, Any]) -> None:
        if serial != self._refreshes:
            return  # an older search's count; the newest one is on its way
        summary, matching, purge = loaded
        self._show_purged(purge)
        self._counts = (summary, matching, any(self.filters().values()))
        self._show_counts()
        self.stack.setCurrentWidget(self.table if summary.total else self.empty)
        # A new list starts at its top; scrolled there first, the header's offset is never past
        # the end of a shorter list (Qt then painted every row number: 13 s at ten million).
        self.table.scrollToTop()
        if matching is not None:
            self.model.reset(matching)
            self.people_refreshed.emit()
            return
        self.model.reset_open()  # the first page is asked for now, the count beside it
        incident, filters = self.incident_id, self.filters()

        def count(services: Any, _progress: Any) -> int:
            return int(services.people.count(incident, filters["search"], band=filters["band"],
                                             channel=filters["channel"], stop=lambda: self._refreshes != serial))

        self.runner.run(count, on_success=lambda counted: self._on_matches_counted(serial, counted),
                        on_failure=self._on_refresh_failed)

    def _on_matches_counted(self, serial: int, matching: int) -> None:
        if serial != self._refreshes or self._counts is None:
            return
        summary, _counting, searched = self._counts
        self._counts = (summary, matching, searched)
        self._show_counts()
        self.model.set_total(matching)
        self.people_refreshed.emit()

    def _show_counts(self) -> None:
        # Also on a language switch (retranslate): the line is not left in the other language.
        if self._counts is None:
            return
        summary, matching, searched = self._counts
        t = self.tr_.t
        text = t("people.summary", total=f"{summary.total:,}", minors=f"{summary.minors:,}",
                 children=f"{summary.children:,}", teens=f"{summary.teens:,}",
                 unreachable=f"{summary.unreachable:,}", merged=f"{summary.duplicates_merged:,}",
                 rejected=f"{summary.rejected_rows:,}")
        if searched:
            text += " — " + (t("people.summary.counting") if matching is None
                             else t("people.summary.search", count=f"{matching:,}"))
        self.summary.setText(text)

    def _show_purged(self, purge: tuple[Any, Any]) -> None:
        """After the retention purge there is nothing left to show unmasked or to add to; a purge
        that was interrupted (some people blank, the others not yet) says so and offers nothing
        either, until the next purge finishes it."""
        purged_at, started_at = purge
        when = purged_at if purged_at is not None else started_at
        self.purged.setVisible(when is not None)
        if when is not None:
            key = "proof.people.purged" if purged_at is not None else "proof.people.purge_unfinished"
            self.purged.setText(self.tr_.t(key, date=beijing_time(when)))
        self.unmask_button.setEnabled(when is None)
        self.edit_button.setEnabled(when is None)
        self.import_button.setEnabled(when is None)

    def _request_page(self, generation: int, page: int, offset: int, limit: int) -> None:
        # Scrolling down continues after the last person of the page above (keyset paging);
        # a jump counts from the start, which costs a filtered list its matches before it.
        # The rows come back masked and as the cells' texts (prepare_rows), made on the worker.
        incident, filters, after = self.incident_id, self.filters(), self.model.key_before(page)
        tr, names = self.tr_, self.model.type_names

        def stale() -> bool:  # a new search or filter reset the table: stop scanning for this one
            return self.model.generation != generation

        def load(services: Any, _progress: Any) -> list[PersonRow]:
            people = services.people.page(incident, offset, limit, filters["search"], band=filters["band"],
                                          channel=filters["channel"], after=after, stop=stale)
            return prepare_rows(people, tr, names)

        self.runner.run(
            load,
            on_success=lambda people: self.model.page_loaded(generation, page, people),
            on_failure=lambda exc, tb: self._on_page_failed(generation, page, exc, tb),
        )

    def _on_page_failed(self, generation: int, page: int, exc: BaseException, details: str) -> None:
        self.model.page_failed(generation, page)
        if not isinstance(exc, SearchInterrupted):
            self.errors.show(exc, details)

    def _on_search_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_filter_changed(self, _index: int) -> None:
        self.refresh()

    # -- unmasking --------------------------------------------------------------------------
    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _on_unmask_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            self._show_status(self.tr_.t("people.unmask.pick"))
            return
        reason, ok = QInputDialog.getText(self, self.tr_.t("people.unmask.title"), self.tr_.t("people.unmask.reason"))
        if ok and reason.strip():
            self.unmask_row(row, reason)

    def unmask_row(self, row: int, reason: str) -> None:
        """Log the viewing (with the reason) on a worker, then show that row in full."""
        person = self.model.data(self.model.index(row, 0), PersonRole)
        if person is None:
            return
        incident, person_id = self.incident_id, person.id
        self.runner.run(lambda services, _p: services.people.unmask(incident, person_id, reason),
                        on_success=lambda shown: self._on_unmasked(row, shown), on_failure=self.errors.show)

    def _on_unmasked(self, row: int, person: Any) -> None:
        self.model.show_unmasked(person)
        self._show_status(self.tr_.t("people.unmask.shown", row=row + 1))
        self.person_unmasked.emit(person.id)

    # -- correcting one person ----------------------------------------------------------------
    def _on_edit_clicked(self) -> None:
        row = self.selected_row()
        if row is None:
            self._show_status(self.tr_.t("people.unmask.pick"))
            return
        self.open_edit_dialog(row)

    def open_edit_dialog(self, row: int) -> PersonEditDialog | None:
        """Open the correction dialog for the person in ``row`` (window-modal, non-blocking);
        after a save the table and the counts reload."""
        person = self.model.data(self.model.index(row, 0), PersonRole)
        if person is None:
            return None
        dialog = PersonEditDialog(self.runner, self.tr_, self.errors, self.incident_id, person, self)
        dialog.saved.connect(lambda result: self._on_corrected(row, result))
        dialog.open()
        return dialog

    def _on_corrected(self, row: int, result: Any) -> None:
        t = self.tr_.t
        # A row shown unmasked before shows the corrected person masked again.
        self.model.forget_unmasked(result.person.id)
        fields = ", ".join(t(f"people.edit.field.{f}") for f in result.fields)
        text = t("people.edit.done", row=row + 1, fields=fields,
                 before=t(f"people.channel.{result.channel_before.value}"),
                 after=t(f"people.channel.{result.channel_after.value}"))
        self._show_status("\n".join([text, *result.warnings]))
        self.refresh()
        if row < self.model.rowCount():
            self.table.selectRow(row)
        self.person_corrected.emit(result)
        self.data_changed.emit()

    def _show_status(self, text: str) -> None:
        self.last_status = text
        self.status.setText(text)

    # -- import -----------------------------------------------------------------------------
    def open_import_dialog(self) -> ImportDialog:
        """Open the import dialog (non-modal); the tab reloads when an import finishes."""
        dialog = ImportDialog(self.runner, self.tr_, self.incident_id, self)
        dialog.imported.connect(self._on_imported)
        dialog.show()
        return dialog

    def _on_imported(self, _result: Any) -> None:
        self.refresh()
        self.data_changed.emit()  # new counts for the assessment and the workspace header
