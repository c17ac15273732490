"""The Enquiries tab of an incident. Left: the enquiries (newest first, a lazy list that stays
fast at 150,000), filtered by topic, status and overdue, with the reply metrics. Right: log an
enquiry, "is this person affected?", reply by template to the selected enquiries (one or many;
a phone reply is recorded), close, and the FAQ the phone team reads, both languages.

Every read and write goes through the job runner, never on the UI thread; contacts are masked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from incident_app.domain.clock import parse_time, utc_now
from incident_app.domain.enquiries import (
    ContactKind,
    Enquiry,
    EnquiryChannel,
    EnquiryFilter,
    EnquiryStatus,
    ReplyKind,
    RequestOutcome,
    Topic,
)
from incident_app.domain.i18n import Translator
from incident_app.domain.mail.sending import SmtpSettings, TlsMode
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.enquiries import ReplyMail
from incident_app.services.mail import SecretStore, account_name
from incident_app.ui.common import ErrorReporter
from incident_app.ui.enquiries.model import PAGE_SIZE, EnquiryModel, EnquiryRole, local

COLUMN_WIDTHS = (50, 120, 90, 110, 120, 90, 80)
LANGUAGES = ("zh-CN", "en")


def _combo(name: str, items: list[tuple[str, str]]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for text, value in items:
        combo.addItem(text, value)
    return combo


def _label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


# The service names a contact's problems by its kind; the form has one contact field.
_FIELD_OF = {"email": "contact", "phone": "contact", "contact_kind": "contact"}
# A bulk reply's refusal reads "field: message"; the relay's own answer has no such prefix.
_REFUSAL_FIELDS = ("contact: ", "enquiry: ", "incident: ", "to: ", "smtp: ", "template: ", "note: ")


class EnquiriesTab(QWidget):
    """What affected people asked about one incident, and the answers."""

    data_changed = Signal()
    list_refreshed = Signal()

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, incident_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.tr_, self.incident_id = runner, tr, incident_id
        self.errors = ErrorReporter(self, tr)
        self.now = utc_now
        self.secrets = SecretStore()
        self.password_prompt: Callable[[str], str | None] = self._ask_password
        self.model = EnquiryModel(tr, self._request_page, lambda: self.now(), self)
        self._generation, self._reselect_ids = 0, set[int]()
        self._build()
        self.refresh()

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        splitter = QSplitter()
        splitter.addWidget(self._build_list())
        side = QScrollArea()
        side.setWidgetResizable(True)
        panel = QWidget()
        column = QVBoxLayout(panel)
        for group in (self._build_add(), self._build_lookup(), self._build_reply(), self._build_faq()):
            column.addWidget(group)
        column.addStretch(1)
        side.setWidget(panel)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def _build_list(self) -> QWidget:
        t = self.tr_.t
        self.topic_filter = _combo("topicFilter", [(t("enquiry.filter.all_topics"), "")]
                                   + [(t(f"enquiry.topic.{x.value}"), x.value) for x in Topic])
        self.status_filter = _combo("statusFilter", [(t("enquiry.filter.all_statuses"), "")]
                                    + [(t(f"enquiry.status.{x.value}"), x.value) for x in EnquiryStatus])
        self.overdue_filter = QCheckBox(t("enquiry.filter.overdue"))
        self.overdue_filter.setObjectName("overdueFilter")
        for combo in (self.topic_filter, self.status_filter):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.overdue_filter.toggled.connect(lambda _c: self.refresh())
        filters = QHBoxLayout()
        for widget in (self.topic_filter, self.status_filter, self.overdue_filter):
            filters.addWidget(widget)
        filters.addStretch(1)
        self.count_label = _label("enquiryCount")
        self.metrics_label = _label("enquiryMetrics")
        self.table = QTableView()
        self.table.setObjectName("enquiryTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)  # never ResizeToContents: lazy rows
        for column, width in enumerate(COLUMN_WIDTHS):
            # never narrower than its header: 'Request outcome' showed as 'quest outcor'
            self.table.setColumnWidth(column, max(width, header.sectionSizeHint(column)))
        header.setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._show_selected())
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.addLayout(filters)
        layout.addWidget(self.count_label)
        layout.addWidget(self.metrics_label)
        layout.addWidget(self.table, 1)
        return box

    def _build_add(self) -> QGroupBox:
        t = self.tr_.t
        group = QGroupBox(t("enquiry.add.title"))
        self.add_channel = _combo("addChannel", [(t(f"enquiry.channel.{c.value}"), c.value) for c in EnquiryChannel])
        self.add_received = QLineEdit()
        self.add_received.setObjectName("addReceived")
        self.add_received.setPlaceholderText(t("enquiry.add.received_hint"))
        self.add_contact = QLineEdit()
        self.add_contact.setObjectName("addContact")
        self.add_contact.setPlaceholderText(t("enquiry.add.contact_hint"))
        self.add_topic = _combo("addTopic", [(t(f"enquiry.topic.{x.value}"), x.value) for x in Topic])
        self.add_text = QPlainTextEdit()
        self.add_text.setObjectName("addText")
        self.add_text.setFixedHeight(56)
        self.add_handler = QLineEdit()
        self.add_handler.setObjectName("addHandler")
        self.add_handler.setPlaceholderText(t("enquiry.add.handler_hint"))
        self.add_button = QPushButton(t("enquiry.add.button"))
        self.add_button.setObjectName("addButton")
        self.add_button.clicked.connect(self.add_enquiry)
        self.add_result = _label("addResult")
        form = QFormLayout(group)
        form.addRow(t("enquiry.col.channel"), self.add_channel)
        form.addRow(t("enquiry.col.received"), self.add_received)
        form.addRow(t("enquiry.col.contact"), self.add_contact)
        form.addRow(t("enquiry.col.topic"), self.add_topic)
        form.addRow(t("enquiry.add.text"), self.add_text)
        form.addRow(t("enquiry.field.handler"), self.add_handler)
        form.addRow(self.add_button)
        form.addRow(self.add_result)
        return group

    def _build_lookup(self) -> QGroupBox:
        t = self.tr_.t
        group = QGroupBox(t("enquiry.lookup.title"))
        self.lookup_kind = _combo("lookupKind", [(t(f"enquiry.contact.{k.value}"), k.value) for k in
                                                 (ContactKind.PHONE, ContactKind.EMAIL, ContactKind.USER_ID)])
        self.lookup_value = QLineEdit()
        self.lookup_value.setObjectName("lookupValue")
        self.lookup_value.returnPressed.connect(self.look_up)
        self.lookup_button = QPushButton(t("enquiry.lookup.button"))
        self.lookup_button.setObjectName("lookupButton")
        self.lookup_button.clicked.connect(self.look_up)
        self.lookup_result = _label("lookupResult")
        row = QHBoxLayout()
        row.addWidget(self.lookup_kind)
        row.addWidget(self.lookup_value, 1)
        row.addWidget(self.lookup_button)
        layout = QVBoxLayout(group)
        layout.addLayout(row)
        layout.addWidget(self.lookup_result)
        return group

    def _build_reply(self) -> QGroupBox:
        t = self.tr_.t
        group = QGroupBox(t("enquiry.reply.title"))
        self.selected_label = _label("selectedEnquiry")
        self.reply_template = _combo("replyTemplate", [(t(f"enquiry.topic.{x.value}"), x.value) for x in Topic])
        self.reply_language = _combo("replyLanguage", [(t(f"enquiry.language.{lang}"), lang) for lang in LANGUAGES])
        for combo in (self.reply_template, self.reply_language):
            combo.currentIndexChanged.connect(lambda _i: self._preview())
        self.reply_preview = QPlainTextEdit()
        self.reply_preview.setObjectName("replyPreview")
        self.reply_preview.setReadOnly(True)
        self.reply_preview.setMinimumHeight(120)
        self.reply_button = QPushButton(t("enquiry.reply.phone_button"))
        self.reply_button.setObjectName("replyButton")
        self.reply_button.clicked.connect(self.reply_selected)
        self.email_button = QPushButton(t("enquiry.reply.email_button"))
        self.email_button.setObjectName("emailButton")
        self.email_button.clicked.connect(self.email_selected)
        self.close_outcome = _combo("closeOutcome", [(t(f"enquiry.outcome.{o.value}"), o.value)
                                                     for o in RequestOutcome if o != RequestOutcome.PENDING])
        self.close_button = QPushButton(t("enquiry.reply.close_button"))
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.close_selected)
        self.reply_result = _label("replyResult")
        pick = QHBoxLayout()
        pick.addWidget(self.reply_template, 1)
        pick.addWidget(self.reply_language)
        closing = QHBoxLayout()
        closing.addWidget(self.close_outcome, 1)
        closing.addWidget(self.close_button)
        layout = QVBoxLayout(group)
        layout.addWidget(self.selected_label)
        layout.addLayout(pick)
        layout.addWidget(self.reply_preview)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reply_button)
        buttons.addWidget(self.email_button)
        layout.addLayout(buttons)
        layout.addLayout(closing)
        layout.addWidget(self.reply_result)
        return group

    def _build_faq(self) -> QGroupBox:
        t = self.tr_.t
        group = QGroupBox(t("enquiry.faq.title"))
        self.faq_topic = _combo("faqTopic", [(t(f"enquiry.topic.{x.value}"), x.value) for x in Topic])
        self.faq_topic.currentIndexChanged.connect(lambda _i: self.load_faq())
        self.faq_text = QPlainTextEdit()
        self.faq_text.setObjectName("faqText")
        self.faq_text.setReadOnly(True)
        self.faq_text.setMinimumHeight(120)
        layout = QVBoxLayout(group)
        layout.addWidget(self.faq_topic)
        layout.addWidget(self.faq_text)
        return group

    # -- the list ------------------------------------------------------------------------------
    def filter(self) -> EnquiryFilter:
        topic, status = self.topic_filter.currentData(), self.status_filter.currentData()
        return EnquiryFilter(Topic(topic) if topic else None, EnquiryStatus(status) if status else None,
                             self.now() if self.overdue_filter.isChecked() else None)

    def refresh(self) -> None:
        incident, query = self.incident_id, self.filter()

        def load(services: Any, _p: Any) -> tuple[int, int, Any]:
            return (services.enquiries.count(incident, query), services.enquiries.count(incident),
                    services.enquiries.metrics(incident))

        self.runner.run(load, on_success=self._on_counts, on_failure=self.errors.show)
        self.load_faq()

    def _on_counts(self, loaded: tuple[int, int, Any]) -> None:
        matching, total, metrics = loaded
        t = self.tr_.t
        # A refresh after a change elsewhere (the command line, another window, a reminder's
        # event) must not drop the enquiries the officer picked for a reply: they are selected
        # again as their pages arrive.
        self._reselect_ids = {e.id for e in self.selected()}
        self._generation = self.model.reset(matching)
        self.count_label.setText(t("enquiry.count", shown=f"{matching:,}", total=f"{total:,}"))
        self.metrics_label.setText(self._metrics_text(metrics))
        self.list_refreshed.emit()

    def _metrics_text(self, metrics: Any) -> str:
        """The reply metrics in words: "no replies yet" rather than a dash before an hour unit;
        a drill's figures say they stay out of the register metrics."""
        t, overdue = self.tr_.t, f"{metrics.overdue:,}"
        if metrics.median_reply_hours is None:
            text = t("enquiry.metrics_no_replies", overdue=overdue)
        else:
            share = "—" if metrics.on_time_share is None else f"{metrics.on_time_share:.0%}"
            text = t("enquiry.metrics", median=f"{metrics.median_reply_hours:g}", share=share, overdue=overdue)
        return t("enquiry.metrics_drill", metrics=text) if metrics.drill else text

    def _request_page(self, generation: int, page: int, offset: int, limit: int) -> None:
        incident, query = self.incident_id, self.filter()
        self.runner.run(lambda services, _p: services.enquiries.page(incident, query, offset, limit),
                        on_success=lambda rows: self._page_loaded(generation, page, rows),
                        on_failure=lambda exc, tb: self._page_failed(generation, page, exc, tb))

    def _page_loaded(self, generation: int, page: int, rows: list[Enquiry]) -> None:
        self.model.page_loaded(generation, page, rows)
        if generation != self._generation or not self._reselect_ids:
            return
        wanted, self._reselect_ids = self._reselect_ids, self._reselect_ids - {e.id for e in rows}
        selection = self.table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for offset, enquiry in enumerate(rows):
            if enquiry.id in wanted:
                selection.select(self.model.index(page * PAGE_SIZE + offset, 0), flags)

    def _page_failed(self, generation: int, page: int, exc: BaseException, tb: str) -> None:
        self.model.page_failed(generation, page)
        self.errors.show(exc, tb)

    def selected(self) -> list[Enquiry]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        found = [self.model.index(row, 0).data(EnquiryRole) for row in rows]
        return [e for e in found if isinstance(e, Enquiry)]

    def _show_selected(self) -> None:
        chosen = self.selected()
        t = self.tr_.t
        if len(chosen) == 1:
            e = chosen[0]
            self.selected_label.setText(t("enquiry.reply.one", id=e.id, topic=t(f"enquiry.topic.{e.topic.value}"),
                                          received=local(e.received_at), contact=e.masked_contact,
                                          handler=e.handler))
            self.reply_template.setCurrentIndex(max(self.reply_template.findData(e.topic.value), 0))
        elif chosen:
            self.selected_label.setText(t("enquiry.reply.many", count=len(chosen)))
        else:
            self.selected_label.setText(t("enquiry.reply.none"))
        self._preview()

    def _preview(self) -> None:
        chosen = self.selected()
        if not chosen:
            self.reply_preview.setPlainText("")
            return
        enquiry_id, template, lang = chosen[0].id, self.reply_template.currentData(), self.reply_language.currentData()
        self.runner.run(lambda services, _p: services.enquiries.draft(enquiry_id, template, lang),
                        on_success=lambda draft: self.reply_preview.setPlainText(draft[2]),
                        on_failure=self.errors.show)

    # -- actions -------------------------------------------------------------------------------
    def add_enquiry(self) -> None:
        incident = self.incident_id
        data = {"channel": self.add_channel.currentData(), "received_at": self.add_received.text().strip() or "now",
                "contact": self.add_contact.text(), "topic": self.add_topic.currentData(),
                "text": self.add_text.toPlainText(), "handler": self.add_handler.text()}
        self.runner.run(lambda services, _p: services.enquiries.add(incident, data),
                        on_success=self._on_added, on_failure=self._on_add_failed)

    def _on_added(self, enquiry: Enquiry) -> None:
        t = self.tr_.t
        self.add_contact.clear()
        self.add_text.clear()
        self.add_received.clear()
        matched = t("enquiry.add.matched") if enquiry.person_id is not None else t("enquiry.add.not_matched")
        text = t("enquiry.add.done", id=enquiry.id, due=local(enquiry.reply_due), matched=matched)
        years = enquiry.unpublished_years()
        if years:
            text += "\n" + t("enquiry.add.calendar_estimate", years=", ".join(str(y) for y in years))
        self.add_result.setText(text)
        self.refresh()
        self.data_changed.emit()

    def _on_add_failed(self, exc: BaseException, tb: str) -> None:
        from incident_app.domain.errors import ValidationError

        if isinstance(exc, ValidationError):
            self.add_result.setText(self._problems(exc))
            return
        self.errors.show(exc, tb)

    def _problems(self, exc: Any) -> str:
        """A refusal in the screen's language: the field's label and the message, one per line
        (the service speaks English for the command line)."""
        from incident_app.ui.common.problems import problem_text

        lines = []
        for problem in exc.problems:
            field = _FIELD_OF.get(problem.field, problem.field)
            key = f"enquiry.field.{field}"
            label = self.tr_.t(key)
            text = problem_text(problem, self.tr_)
            lines.append(text if label == key else f"{label}：{text}" if self.tr_.lang == "zh-CN"
                         else f"{label}: {text}")
        return "\n".join(lines)

    def look_up(self) -> None:
        incident, kind, value = self.incident_id, self.lookup_kind.currentData(), self.lookup_value.text()
        self.runner.run(lambda services, _p: services.enquiries.lookup(incident, kind, value),
                        on_success=self._on_looked_up, on_failure=self._on_lookup_failed)

    def _on_looked_up(self, result: Any) -> None:
        t = self.tr_.t
        if not result.affected:
            self.lookup_result.setText(t("enquiry.lookup.not_affected"))
            return
        lines = [t("enquiry.lookup.affected", count=len(result.matches))]
        for match in result.matches:
            info = match.to_dict()
            delivered = (t("enquiry.lookup.delivered", at=local(parse_time(info["notice_delivered_at"])))
                         if info["notice_delivered_at"]
                         else t("enquiry.lookup.not_delivered"))
            separator = ", " if self.tr_.lang == "en" else "、"
            types = separator.join(self._type_name(x) for x in info["data_types"]) or t("common.none")
            lines.append(t("enquiry.lookup.person", user_id=info["user_id"] or "", name=info["name"] or "",
                           types=types, channel=t(f"people.channel.{info['channel']}"), delivered=delivered)
                         + (t("enquiry.lookup.via_guardian") if info["contact_is_guardian"] else "")
                         + (t("enquiry.lookup.older_contact", at=local(parse_time(info["older_contact_told_at"])))
                            if info["older_contact_told_at"] else ""))
        self.lookup_result.setText("\n".join(lines))

    def _type_name(self, type_id: str) -> str:
        from incident_app.services.resources import load_catalog

        try:
            return load_catalog().get(type_id).name(self.tr_.lang)
        except KeyError:
            return type_id

    def _on_lookup_failed(self, exc: BaseException, tb: str) -> None:
        from incident_app.domain.errors import ValidationError

        if isinstance(exc, ValidationError):
            self.lookup_result.setText(self._problems(exc))
            return
        self.errors.show(exc, tb)

    def reply_selected(self) -> None:
        """Record the chosen template as a phone reply to every selected enquiry (bulk when many)."""
        chosen = [e.id for e in self.selected()]
        if not chosen:
            self.reply_result.setText(self.tr_.t("enquiry.reply.none"))
            return
        incident = self.incident_id
        template, lang = self.reply_template.currentData(), self.reply_language.currentData()
        self.runner.run(lambda services, _p: services.enquiries.bulk_reply(
            incident, chosen, via=ReplyKind.PHONE, template=template, language=lang),
            on_success=self._on_replied, on_failure=self.errors.show)

    def email_selected(self) -> None:
        """Send the chosen template by e-mail to every selected enquirer who gave an address,
        through the relay set in Settings (the notices' relay)."""
        chosen = [e.id for e in self.selected()]
        if not chosen:
            self.reply_result.setText(self.tr_.t("enquiry.reply.none"))
            return
        self.runner.run(lambda services, _p: (services.mail.saved_smtp(), services.profile.get().officer_email),
                        on_success=lambda loaded: self._email(chosen, *loaded), on_failure=self.errors.show)

    def _email(self, chosen: list[int], saved: dict[str, Any], officer: str) -> None:
        if not saved.get("host") or not saved.get("port"):
            self.reply_result.setText(self.tr_.t("enquiry.reply.no_relay"))
            return
        sender = str(saved.get("from_address") or officer)
        settings = SmtpSettings(host=str(saved["host"]), port=int(saved["port"]),
                                tls_mode=TlsMode(saved.get("tls_mode") or TlsMode.STARTTLS.value),
                                from_address=sender, from_name=str(saved.get("from_name") or ""),
                                reply_to=officer, user=str(saved.get("user") or ""))
        password = None
        if settings.user:
            account = account_name(settings.host, settings.port, settings.user)
            password = self.secrets.lookup(account) or self.password_prompt(account)
            if not password:
                return
            self.secrets.remember(account, password)
        incident = self.incident_id
        template, lang = self.reply_template.currentData(), self.reply_language.currentData()
        mail = ReplyMail(settings, password)
        self.runner.run(lambda services, _p: services.enquiries.bulk_reply(
            incident, chosen, via=ReplyKind.EMAIL, template=template, language=lang, mail=mail),
            on_success=self._on_replied, on_failure=self.errors.show)

    def _ask_password(self, account: str) -> str | None:
        text, ok = QInputDialog.getText(self, self.tr_.t("send.password_title"),
                                        self.tr_.t("send.password_prompt", account=account),
                                        QLineEdit.EchoMode.Password)
        return text if ok and text else None

    def _on_replied(self, result: dict[str, Any]) -> None:
        from incident_app.domain.errors import FieldProblem
        from incident_app.ui.common.problems import problem_text

        lines = [self.tr_.t("enquiry.reply.done", replied=result["replied"], skipped=result["skipped_closed"],
                            failed=len(result["failed"]))]
        # Why they failed (each distinct reason once, with the first enquiries it hit), in the screen's language.
        reasons: dict[str, list[int]] = {}
        for enquiry_id, reason in result["failed"].items():
            message = str(reason).split(": ", 1)[1] if str(reason).startswith(_REFUSAL_FIELDS) else reason
            reasons.setdefault(problem_text(FieldProblem("", str(message)), self.tr_), []).append(enquiry_id)
        for text, ids in list(reasons.items())[:3]:
            lines.append(self.tr_.t("enquiry.reply.failed_reason", ids=", ".join(f"#{i}" for i in ids[:5])
                                    + ("…" if len(ids) > 5 else ""), reason=text))
        self.reply_result.setText("\n".join(lines))
        self.refresh()
        self.data_changed.emit()

    def close_selected(self) -> None:
        chosen = self.selected()
        if len(chosen) != 1:
            self.reply_result.setText(self.tr_.t("enquiry.reply.pick_one"))
            return
        enquiry = chosen[0]
        outcome = self.close_outcome.currentData() if enquiry.topic.is_request else ""
        self.runner.run(lambda services, _p: services.enquiries.close(enquiry.id, outcome),
                        on_success=self._on_closed, on_failure=self._on_close_failed)

    def _on_closed(self, enquiry: Enquiry) -> None:
        self.reply_result.setText(self.tr_.t("enquiry.reply.closed", id=enquiry.id))
        self.refresh()
        self.data_changed.emit()

    def _on_close_failed(self, exc: BaseException, tb: str) -> None:
        from incident_app.domain.errors import ValidationError

        if isinstance(exc, ValidationError):
            self.reply_result.setText(self._problems(exc))
            return
        self.errors.show(exc, tb)

    def load_faq(self) -> None:
        incident, topic = self.incident_id, Topic(self.faq_topic.currentData())

        def load(services: Any, _p: Any) -> str:
            return "\n\n".join(services.enquiries.faq(incident, topic, lang) for lang in LANGUAGES)

        self.runner.run(load, on_success=self.faq_text.setPlainText, on_failure=self.errors.show)

