"""Writing prepared notices to files: HTML, TXT, DOCX, PDF (through the PdfWriter port) and EML.

Layout under the output folder: ``<kind>/<channel>.<lang>.<ext>`` for each master;
``<kind>/letters.<lang>.pdf`` (all postal letters, one after another, for printing) and
``<kind>/eml/<reference>.eml`` (one per recipient) when recipients are given. File names never
carry a person's name or contact.

Every file is staged (services/private_files.py): written and synced under a temporary name, and
renamed into place only by :meth:`StagedOutputs.publish` once the export is logged."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from incident_app.domain.errors import ValidationError
from incident_app.domain.notices import (
    PERSONAL_KINDS,
    SHORT_CHANNELS,
    Channel,
    NoticeKind,
    NoticeRecipient,
    recipient_reference,
    short_form_body,
)
from incident_app.services.notices.documents import PdfWriter
from incident_app.services.notices.docx import write_docx
from incident_app.services.notices.eml import build_eml
from incident_app.services.notices.html_blocks import html_to_text
from incident_app.services.notices.personal import PersonalRenderer
from incident_app.services.notices.prepared import NoticeSet, NoticeState
from incident_app.services.notices.render import subject_of
from incident_app.services.private_files import StagedOutputs, safe_folder
from incident_app.services.progress import Progress

FORMATS = ("pdf", "docx", "html", "txt", "eml")
DRILL_WATERMARK = "演练 DRILL"
RecipientSource = Callable[[], Iterable[NoticeRecipient]]


@dataclass
class ExportResult:
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self, root: Path) -> dict[str, object]:
        return {"files": [str(p.relative_to(root)) for p in self.files], "notes": self.notes}


@dataclass
class NoticeExporter:
    """Exports one prepared :class:`NoticeSet`."""

    notice_set: NoticeSet
    out_dir: Path
    sender_name: str  # a Chinese recipient's view; English recipients see sender_name_en
    sender_email: str
    now: datetime
    pdf_writer: PdfWriter | None = None
    recipients: RecipientSource | None = None
    result: ExportResult = field(default_factory=ExportResult)
    staged: StagedOutputs = field(default_factory=StagedOutputs)
    sender_name_en: str = ""
    progress: Progress = field(default_factory=Progress)
    recipient_count: int = 0  # how many recipients the source yields (for the progress total)
    # Only the people who may get a letter (a few percent), for the letters passes; and about how
    # many recipients it yields. None: the letters passes read ``recipients``.
    letter_recipients: RecipientSource | None = None
    letter_count: int = 0

    def export(self, formats: Iterable[str]) -> ExportResult:
        """Stage every file; nothing is under a final name until ``staged.publish()``. Progress
        counts one step per master and format and one per recipient in each personal pass
        (e-mails, then each kind's and language's letters); Cancel stops at the next step."""
        wanted = _check_formats(formats)
        if "pdf" in wanted and self.pdf_writer is None:
            raise ValidationError.single("format", "PDF export needs the Qt PDF writer, which is not available here")
        self.progress.start(self._total_steps(wanted), "writing")
        for state in self.notice_set.notices:
            if state.rendered.error:
                self.result.notes.append(f"{state.rendered.template}: not exported ({state.rendered.error})")
                self.progress.advance(len(wanted))
                continue
            for fmt in wanted:
                self._export_master(state, fmt)
                self.progress.advance()
        if self.recipients is not None:
            self._export_personal(wanted)
        self.progress.finish()
        return self.result

    def _letter_passes(self) -> list[tuple[NoticeKind, str]]:
        planned = {p.kind for p in self.notice_set.plan}
        return [(kind, lang) for kind in PERSONAL_KINDS if kind in planned
                for lang in sorted({s.rendered.lang for s in self.notice_set.of_kind(kind)})]

    def _total_steps(self, wanted: list[str]) -> int:
        steps = len(self.notice_set.notices) * len(wanted)
        if self.recipients is not None:
            letters = len(self._letter_passes()) if "pdf" in wanted and self.pdf_writer else 0
            per_letter_pass = self.letter_count if self.letter_recipients is not None else self.recipient_count
            steps += ("eml" in wanted) * self.recipient_count + letters * per_letter_pass
        return steps

    @property
    def _watermark(self) -> str:
        return DRILL_WATERMARK if self.notice_set.snapshot.drill else ""

    def _path(self, kind: NoticeKind, name: str) -> Path:
        # A planted link as <out>/<kind> or <out>/<kind>/eml would send the files elsewhere.
        folder = safe_folder(self.out_dir, kind.value, *Path(name).parts[:-1])
        path = folder / Path(name).name
        self.result.files.append(path)
        return path

    def _write(self, path: Path, text: str | bytes) -> None:
        self.staged.write(path, text.encode("utf-8") if isinstance(text, str) else text)

    def _export_master(self, state: NoticeState, fmt: str) -> None:
        notice = state.rendered
        stem = f"{notice.channel.value}.{notice.lang}"
        printable = notice.channel in (Channel.LETTER, Channel.DOCUMENT)
        if fmt == "html" and notice.channel.is_html:
            self._write(self._path(notice.kind, f"{stem}.html"), notice.content)
        elif fmt == "txt" and notice.channel != Channel.EMAIL_HTML:  # its text part is email_text
            text = _text_of(notice.channel, notice.content, notice.lang)
            self._write(self._path(notice.kind, f"{stem}.txt"), text)
        elif fmt == "pdf" and printable and self.pdf_writer:
            with self.staged.temp(self._path(notice.kind, f"{stem}.pdf")) as (temp, _):
                self.pdf_writer.write_pdf([notice.content], temp, watermark=self._watermark)
        elif fmt == "docx" and printable:
            banner = self._notice_banner(notice.lang)
            with self.staged.output(self._path(notice.kind, f"{stem}.docx")) as (handle, _):
                write_docx(notice.content, handle, drill_banner=banner)
        elif fmt == "eml" and notice.channel == Channel.EMAIL_HTML and self.recipients is None:
            self._specimen_eml(state)

    def _notice_banner(self, lang: str) -> str:
        if not self._watermark:
            return ""
        if lang == "en":
            return "[DRILL] For an incident-response drill only"
        return "【演练 DRILL】本通知仅用于应急演练"

    def _specimen_eml(self, state: NoticeState) -> None:
        notice = state.rendered
        text = self._master(notice.kind, Channel.EMAIL_TEXT, notice.lang)
        body = build_eml(sender_name=self._sender_for(notice.lang), sender=self.sender_email,
                         to="undisclosed-recipients:;",
                         subject=subject_of(notice.content), text_body=text, html_body=notice.content,
                         reference=f"BD{self.notice_set.incident_id}-SPECIMEN", date=self.now)
        self._write(self._path(notice.kind, f"email.{notice.lang}.specimen.eml"), body)

    def _sender_for(self, lang: str) -> str:
        return self.sender_name_en if lang == "en" and self.sender_name_en else self.sender_name

    def _master(self, kind: NoticeKind, channel: Channel, lang: str) -> str:
        for state in self.notice_set.notices:
            r = state.rendered
            if (r.kind, r.channel, r.lang) == (kind, channel, lang):
                return r.content
        return ""

    # -- per recipient ---------------------------------------------------------------------------
    def _export_personal(self, formats: list[str]) -> None:
        assert self.recipients is not None
        planned = {p.kind for p in self.notice_set.plan}
        personal = PersonalRenderer(self.notice_set.renderers, allowed=planned & set(PERSONAL_KINDS))
        if "eml" in formats:
            self._emails(personal, planned)
        if "pdf" in formats and self.pdf_writer:
            for kind, lang in self._letter_passes():
                self._letters(personal, kind, lang)

    def _emails(self, personal: PersonalRenderer, planned: set[NoticeKind]) -> None:
        count = 0
        for recipient in self.recipients() if self.recipients else ():
            self.progress.advance(message="eml")
            kind = recipient.kind
            if not recipient.email or kind not in planned:
                continue
            email = personal.email(recipient)
            reference = recipient_reference(self.notice_set.incident_id, recipient.recipient_key)
            body = build_eml(sender_name=self._sender_for(recipient.language), sender=self.sender_email,
                             to=email.to_address,
                             subject=email.subject, text_body=email.text_body, html_body=email.html_body,
                             reference=reference, date=self.now)
            self._write(self._path(kind, f"eml/{reference}.eml"), body)
            count += 1
        self.result.notes.append(f"eml: {count} personal email file(s)")

    def _letters(self, personal: PersonalRenderer, kind: NoticeKind, lang: str) -> None:
        letters = [0]
        pages = self._letter_pages(personal, kind, lang, letters)
        first = next(pages, None)  # streamed: a million letters never sit in memory at once
        if first is None:
            return
        path = self._path(kind, f"letters.{lang}.pdf")
        assert self.pdf_writer is not None
        # A Cancel raised between two letters leaves the PDF unfinished under its temporary name,
        # which the caller discards: no half-written letters file is ever published.
        with self.staged.temp(path) as (temp, _):
            count = self.pdf_writer.write_pdf(itertools.chain([first], pages), temp, watermark=self._watermark)
        self.result.notes.append(f"{path.name}: {letters[0]} letter(s), {count} page(s)")

    def _letter_pages(self, personal: PersonalRenderer, kind: NoticeKind, lang: str,
                      counter: list[int]) -> Iterator[str]:
        source = self.letter_recipients or self.recipients
        for recipient in source() if source else ():
            self.progress.advance(message="letters")
            if recipient.kind == kind and recipient.by_letter and (recipient.language == "en") == (lang == "en"):
                counter[0] += 1
                yield personal.render(kind, Channel.LETTER, recipient)


def _text_of(channel: Channel, content: str, lang: str) -> str:
    if channel.is_html:
        return html_to_text(content, lang)
    if channel in SHORT_CHANNELS:
        return short_form_body(content) + "\n"
    return content


def _check_formats(formats: Iterable[str]) -> list[str]:
    wanted = [f.strip().lower() for f in formats if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise ValidationError.single("format", f"'{', '.join(bad)}' unknown; choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(wanted))
