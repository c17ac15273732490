"""Handing SMS notices and the phone call list to the systems that deliver them: the tool never
sends SMS and never calls. From the *approved* SMS masters it builds each notice's gateway
template and approval pack (domain/notices/sms_gateway.py), writes one row per recipient in the
provider's batch layout, and puts one ledger row per recipient in the send ledger (channel
``sms`` or ``phone``), the same ledger the e-mail sender keeps. The provider's send report, once
imported, marks those rows sent or failed, so obligations, the register and the evidence pack
see the SMS like the e-mails.

Files: CSV, UTF-8 with BOM, CRLF, every cell except the validated E.164/11-digit phone
formula-neutralised, mode 0600, written under a temporary name and renamed in the transaction
that logs the export. People are streamed from the store (a million is fine)."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.exports import neutralise_text
from incident_app.domain.mail import LedgerDraft
from incident_app.domain.notices import (
    Channel,
    NoticeKind,
    NoticeRecipient,
    recipient_reference,
    recipients_from_people,
    short_form_body,
)
from incident_app.domain.notices.recipient import SPECIMEN_KEY
from incident_app.domain.notices.sms_gateway import (
    DAILY_LIMIT_PER_NUMBER,
    Provider,
    ReportState,
    RowRefusedError,
    SmsMerge,
    SmsTemplate,
    billing,
    billing_problems,
    header,
    report_columns,
    report_state,
    signature_problems,
    template_from,
    template_problems,
)
from incident_app.domain.people.person import mask_phone
from incident_app.domain.profile import sms_signature_en_problems
from incident_app.services.audit import record_export
from incident_app.services.contact_history import same_contact, sent_rows_of, told_draft
from incident_app.services.context import AppContext
from incident_app.services.handoff.encoding import report_encoding as detect_report_encoding
from incident_app.services.ledger_keys import refuse_shared_ledger_keys
from incident_app.services.notices.prepared import NoticeSet, NoticeState
from incident_app.services.notices.service import NoticeService
from incident_app.services.private_files import StagedOutputs, check_readable_input, open_regular_file
from incident_app.services.settings import ProfileService
from incident_app.storage.send_ledger import SendLedgerRepository

SMS_CHANNELS = ("sms", "guardian_sms")
_CHUNK = 1000
REPORT_MAX_BYTES = 512 * 1024 * 1024
NOT_APPROVED = "not approved in its current form; run 'approve' first"
_Update = FieldProblem | tuple[int, str, str, str]  # (ledger row id, new state, reply, reason) or why not


@dataclass(frozen=True)
class SmsNotice:
    """One approved (or not) SMS master as a gateway template."""

    state: NoticeState
    template: SmsTemplate

    @property
    def kind(self) -> NoticeKind:
        return self.state.rendered.kind

    @property
    def lang(self) -> str:
        return self.state.rendered.lang

    @property
    def version_id(self) -> str:
        return str(self.state.version.id) if self.state.version else ""


@dataclass(frozen=True)
class Signatures:
    """The SMS signatures the gateway adds: the Chinese one, and the one for English SMS (the
    Chinese one when no English signature is set)."""

    zh: str
    en: str
    # An English signature was given (``--signature-en``) or set in the profile: it follows the
    # profile field's rule (Latin letters), not only the gateway's. False: English SMS carry the
    # Chinese one (flagged by its billing).
    english_own: bool = False

    def of(self, lang: str) -> str:
        """The signature of an SMS in ``lang``."""
        return self.en if lang == "en" else self.zh

    def problems_of(self, lang: str) -> list[str]:
        """The breaches of the signature an SMS in ``lang`` carries: the gateway's rule, and for an
        English signature of its own the profile field's (domain/profile.py), with its message."""
        if lang == "en" and self.english_own:
            return [p.message for p in sms_signature_en_problems(self.en, "signature_en")]
        return signature_problems(self.of(lang))

    def problems(self) -> list[FieldProblem]:
        """Each signature's breaches of its rule, by field (``signature``, ``signature_en``)."""
        found = [FieldProblem("signature", p) for p in signature_problems(self.zh)]
        if self.english_own:
            found += sms_signature_en_problems(self.en, "signature_en")
        return found


class HandoffService:
    """SMS approval packs, SMS and call-list batch files, and provider report imports."""

    def __init__(self, ctx: AppContext, notices: NoticeService) -> None:
        self._ctx = ctx
        self._notices = notices
        self._profile = ProfileService(ctx)

    # -- templates and the approval pack ---------------------------------------------------------
    def signature(self, given: str | None = None) -> str:
        """The SMS signature: the one given, else the company's Chinese name."""
        return (given or self._profile.get().company_zh).strip()

    def signatures(self, given: str | None = None, given_en: str | None = None) -> Signatures:
        """The signatures by language: the ones given, else the profile's (``sms_signature_en``
        for English SMS; the Chinese signature when it is empty)."""
        zh = self.signature(given)
        english = (given_en or "").strip() or self._profile.get().sms_signature_en.strip()
        return Signatures(zh, english or zh, english_own=bool(english))

    def sms_notices(self, incident_id: int, notice_set: NoticeSet | None = None) -> list[SmsNotice]:
        """Every SMS master the incident has, as a template whose variable is the reference code."""
        notice_set = notice_set or self._notices.prepare(incident_id)
        specimen = recipient_reference(incident_id, SPECIMEN_KEY)
        found = []
        for state in notice_set.notices:
            if state.rendered.channel == Channel.SMS and not state.rendered.error:
                body = short_form_body(state.rendered.content)
                found.append(SmsNotice(state, template_from(body, specimen, specimen)))
        return found

    def approval_pack(self, incident_id: int, *, signature: str | None = None,
                      provider: Provider = Provider.GENERIC, signature_en: str | None = None) -> dict[str, Any]:
        """For each SMS notice: the fixed text with its variables named, each variable's kind,
        maximum length and an example, the worst-case length and segment count with the signature
        counted as the gateway bills it (its encoding, the parts), and what breaks the gateway rules."""
        signs = self.signatures(signature, signature_en)
        notices = []
        for sms in self.sms_notices(incident_id):
            worst, sign = sms.template.worst_case(), signs.of(sms.lang)
            bill = billing(sign, worst)
            notices.append({
                "kind": sms.kind.value, "lang": sms.lang, "notice_version_id": sms.version_id,
                "sha256": sms.state.rendered.sha256, "approved": sms.state.approval is not None,
                "template": sms.template.text, "provider_template": sms.template.for_provider(provider),
                "variables": [{"name": v.name, "kind": v.kind, "max_length": v.max_length, "example": v.example}
                              for v in sms.template.variables],
                "example": f"【{sign}】{sms.template.fill({v.name: v.example for v in sms.template.variables})}",
                "signature": sign, "encoding": bill.encoding,
                "worst_case_length": bill.length, "segments": bill.parts,
                "problems": signs.problems_of(sms.lang) + template_problems(sms.template, provider,
                                                                         website=self._profile.get().website)
                + billing_problems(sign, worst, sms.lang),
            })
        return {"incident": incident_id, "provider": provider.value, "signature": signs.zh,
                "signature_en": signs.en,
                "rules": {"signature": "2-12", "template_max": 500, "variable": "1-35, each once, never adjacent",
                          "billing": "signature included; GSM 7-bit (signature and text): 160, then 153 per "
                                     "part; otherwise UCS-2: 70, then 67 per part; at most 2 parts",
                          "daily_limit_per_number_per_template": DAILY_LIMIT_PER_NUMBER},
                "notices": notices}

    # -- SMS batch file ----------------------------------------------------------------------------
    def export_sms(self, incident_id: int, out: Path, *, provider: Provider = Provider.GENERIC,
                   signature: str | None = None, signature_en: str | None = None) -> dict[str, Any]:
        """Write one row per SMS recipient in the provider's layout and queue their ledger rows.
        Refused (nothing written) when an SMS master is not approved or breaks the gateway rules,
        or a recipient's row cannot be written for this provider."""
        sign = self.signatures(signature, signature_en)
        notices = self._approved_sms(incident_id, sign, provider)
        refuse_shared_ledger_keys(self._ctx.store.people, incident_id)
        by_key = {(n.kind, n.lang): n for n in notices}
        kinds = sorted({n.kind.value for n in notices})
        layout = header(notices[0].template, provider)
        rows = self._sms_rows(incident_id, by_key, sign, provider)
        written = self._write(incident_id, out, layout, rows, channel="sms", what="sms_batch",
                              details={"provider": provider.value, "kinds": kinds,
                                       "versions": sorted({n.version_id for n in notices})})
        return {"incident": incident_id, "provider": provider.value, "rows": sum(n for _, n in written),
                "files": [{"path": str(p), "rows": n} for p, n in written],
                "signature": sign.zh, "signature_en": sign.en,
                "notice_versions": {f"{n.kind.value}/{n.lang}": n.version_id for n in notices}}

    def _approved_sms(self, incident_id: int, sign: Signatures, provider: Provider) -> list[SmsNotice]:
        notices = self.sms_notices(incident_id)
        problems = [FieldProblem(f"{n.kind.value}/sms/{n.lang}", NOT_APPROVED) for n in notices
                    if n.state.approval is None]
        problems += sign.problems()
        website = self._profile.get().website
        for n in notices:
            where = f"{n.kind.value}/sms/{n.lang}"
            problems += [FieldProblem(where, p) for p in template_problems(n.template, provider, website=website)
                         + billing_problems(sign.of(n.lang), n.template.worst_case(), n.lang)]
        if not notices:
            problems.append(FieldProblem("notice", "this incident has no SMS notice to hand off"))
        if problems:
            raise ValidationError(problems)
        return notices

    def _sms_rows(self, incident_id: int, by_key: dict[tuple[NoticeKind, str], SmsNotice], sign: Signatures,
                  provider: Provider) -> Iterator[tuple[str, list[str], LedgerDraft]]:
        merges = {key: SmsMerge(sms.template, provider, sign=sign.of(sms.lang), kind=sms.kind.value, lang=sms.lang,
                                version_id=sms.version_id, sha256=sms.state.rendered.sha256)
                  for key, sms in by_key.items()}
        ledger_versions = {key: f"sms:{sms.version_id}" for key, sms in by_key.items()}
        number = 0
        for recipient in self.recipients(incident_id, "sms"):
            if recipient.channel not in SMS_CHANNELS or not recipient.phone:
                continue
            number += 1  # the row this recipient would have in the batch file
            key = (recipient.kind, recipient.language)
            if key not in merges:
                key = (recipient.kind, "zh-CN")
                if key not in merges:
                    continue
            merge = merges[key]
            reference = recipient_reference(incident_id, recipient.recipient_key)
            message = out_id(incident_id, recipient.recipient_key, merge.kind, merge.version_id)
            try:
                row = merge.row(recipient.phone, {"code": reference}, message)
            except RowRefusedError as exc:  # one problem per rule, so the screens can word each
                raise ValidationError([FieldProblem(f"SMS recipient {number} ({reference})", p)
                                       for p in exc.problems]) from None
            draft = LedgerDraft(incident_id, recipient.recipient_key, merge.kind, ledger_versions[key],
                                recipient.phone, merge.lang, message)
            yield merge.route, row, draft

    # -- phone call list ---------------------------------------------------------------------------
    def export_calls(self, incident_id: int, out: Path) -> dict[str, Any]:
        """The call list for the approved phone script: everyone with a phone number who is not
        reached by e-mail (SMS people, and those with only a landline), one row each, with the
        script's version and hash; one ledger row each (channel ``phone``)."""
        refuse_shared_ledger_keys(self._ctx.store.people, incident_id)
        notice_set = self._notices.prepare(incident_id)
        scripts = {s.rendered.lang: s for s in notice_set.notices if s.rendered.channel == Channel.PHONE_SCRIPT
                   and not s.rendered.error}
        problems = [FieldProblem(f"individual/phone_script/{lang}", NOT_APPROVED)
                    for lang, s in scripts.items() if s.approval is None]
        if not scripts:
            problems.append(FieldProblem("notice", "this incident has no phone script to hand off"))
        if problems:
            raise ValidationError(problems)
        layout = ["phone", "name", "reference", "language", "script_version_id", "script_sha256", "out_id"]
        written = self._write(incident_id, out, layout, self._call_rows(incident_id, scripts), channel="phone",
                              what="call_list", details={"versions": sorted(str(s.version.id) for s in scripts.values()
                                                                            if s.version)})
        return {"incident": incident_id, "out": str(out), "rows": sum(n for _, n in written),
                "scripts": {lang: str(s.version.id) if s.version else "" for lang, s in scripts.items()}}

    def _call_rows(self, incident_id: int,
                   scripts: dict[str, NoticeState]) -> Iterator[tuple[str, list[str], LedgerDraft]]:
        # Per script, once: its version and the spreadsheet-safe constant cells.
        constant = {lang: (str(s.version.id), s.rendered.lang, [neutralise_text(c) for c in (
            s.rendered.lang, str(s.version.id), s.rendered.sha256)]) for lang, s in scripts.items() if s.version}
        for recipient in self.recipients(incident_id, "phone"):
            if recipient.kind != NoticeKind.INDIVIDUAL or not recipient.phone or recipient.channel == "email":
                continue
            found = constant.get(recipient.language) or constant.get("zh-CN")
            if found is None:
                continue
            version, lang, cells = found
            reference = recipient_reference(incident_id, recipient.recipient_key)
            message = out_id(incident_id, recipient.recipient_key, "phone", version)
            row = [recipient.phone, neutralise_text(recipient.display_name), neutralise_text(reference), *cells,
                   neutralise_text(message)]
            yield "", row, LedgerDraft(incident_id, recipient.recipient_key, recipient.kind.value, f"phone:{version}",
                                   recipient.phone, lang, message)

    # -- masked preview (GUI) --------------------------------------------------------------------
    def preview(self, incident_id: int, *, provider: Provider = Provider.GENERIC, signature: str | None = None,
                limit: int = 5, signature_en: str | None = None) -> dict[str, Any]:
        """The first rows of the SMS batch file with the phone masked, and how many rows it has;
        raises like :meth:`export_sms` when it cannot be exported, two people sharing a send-ledger
        key too (the counts would read as if the export would work)."""
        sign = self.signatures(signature, signature_en)
        notices = self._approved_sms(incident_id, sign, provider)
        refuse_shared_ledger_keys(self._ctx.store.people, incident_id)
        by_key = {(n.kind, n.lang): n for n in notices}
        rows: list[list[str]] = []
        drafts: list[LedgerDraft] = []
        total = 0
        for _, row, draft in self._sms_rows(incident_id, by_key, sign, provider):
            total += 1
            if len(rows) < limit:
                rows.append([mask_phone(draft.to_address) or "", *row[1:]])
                drafts.append(draft)
        # The out ids the export would write (a corrected number's is a new one).
        for row, drafted, draft in zip(rows, drafts, with_current_contacts(self._ctx.store.send_ledger, "sms", drafts),
                                       strict=True):
            if row[-1] == drafted.message_id:
                row[-1] = draft.message_id
        return {"header": header(notices[0].template, provider), "rows": rows, "total": total}

    # -- writing ---------------------------------------------------------------------------------
    def recipients(self, incident_id: int, audience: str | None = None) -> Iterable[NoticeRecipient]:
        """The addressees of the personal notices, streamed from the people store: with ``audience``
        ("sms", "phone", "letter") only the people who may be reached that way are read when the store
        can filter them (an SMS hand-off of 10M people reads the third with a phone); callers still
        choose row by row. Without it, everyone."""
        narrowed = self._notices.audience_source
        if audience is not None and narrowed is not None:
            return recipients_from_people(narrowed(incident_id, audience))
        source = self._notices.people_source
        return recipients_from_people(source(incident_id)) if source is not None else ()

    def _write(self, incident_id: int, out: Path, layout: Sequence[str],
               rows: Iterator[tuple[str, list[str], LedgerDraft]], *, channel: str, what: str,
               details: dict[str, Any]) -> list[tuple[Path, int]]:
        """Stream the rows into their files (one per route: ``""`` is ``out`` itself, another
        route ``<stem>.<route><suffix>``), queue the ledger drafts, log the export; all or nothing."""
        staged = StagedOutputs(self._ctx.store.path)
        store = self._ctx.store
        enqueue = lambda drafts: store.send_ledger.enqueue_handoff(drafts, channel, now=self._ctx.now())  # noqa: E731
        resolve = lambda drafts: with_current_contacts(store.send_ledger, channel, drafts)  # noqa: E731
        try:
            with staged.committing(), store.transaction():
                with contextlib.ExitStack() as stack:
                    files = _RoutedCsv(stack, staged, out, layout)
                    written = files.stream(rows, enqueue, resolve)
                if channel == "sms":
                    self._refuse_over_daily_limit(incident_id)
                count = sum(n for _, n in written)
                self._ctx.record(f"{channel}.handed_off", "incident", incident_id,
                                 {"rows": count, "files": len(written)} | details, incident_id)
                # Phone numbers (and for calls, names) leave the tool: an unmasked export.
                record_export(self._ctx, what=what, where=str(out.resolve()), count=count, unmasked=True,
                              incident_id=incident_id, details=details)
                staged.publish()
        except BaseException:
            staged.discard()
            raise
        return written

    def _refuse_over_daily_limit(self, incident_id: int) -> None:
        crowded = self._ctx.store.send_ledger.crowded_numbers(incident_id, "sms", DAILY_LIMIT_PER_NUMBER)
        if crowded:
            raise ValidationError([
                FieldProblem(f"{kind} notice", f"{n} messages to {mask_phone(phone)}; a gateway sends at most "
                             f"{DAILY_LIMIT_PER_NUMBER} a day to one number for one template: send the rest later")
                for phone, kind, n in crowded])

    # -- provider report -------------------------------------------------------------------------
    def import_report(self, incident_id: int, path: Path, *, provider: Provider = Provider.GENERIC,
                      channel: str = "sms", encoding: str | None = None) -> dict[str, Any]:
        """Mark the hand-off rows the provider's report names sent or failed. Every row is checked
        first: an unknown out id or number, a status not understood or a missing column refuses
        the whole file (row numbers named) and nothing is written. A row already in the state the
        report gives is left alone, so importing the same report twice counts nothing twice.
        Streamed in two passes (check, then apply in chunks): a report of a million rows is fine.
        ``encoding``: the file's text encoding, when it is neither UTF-8 nor Chinese GB18030 (a file
        that is neither is refused, naming the line, rather than read as mojibake)."""
        check_readable_input(path, REPORT_MAX_BYTES)
        problems: list[FieldProblem] = []
        for item in self._report_updates(incident_id, path, provider, channel, encoding):
            if isinstance(item, FieldProblem):
                problems.append(item)
                if len(problems) > 50:
                    break
        if problems:
            raise ValidationError(problems[:50] + [FieldProblem("file", "more rows refused after these")
                                                   ] * (len(problems) > 50))
        now = self._ctx.now()
        tally = {"rows": 0, "delivered": 0, "failed": 0, "changed": 0}
        with self._ctx.store.transaction():
            chunk: list[tuple[int, str, str, str, datetime]] = []
            for item in self._report_updates(incident_id, path, provider, channel, encoding):
                assert not isinstance(item, FieldProblem)  # checked above, in the same transaction's view
                tally["rows"] += 1
                tally["delivered" if item[1] == "sent" else "failed"] += 1
                chunk.append((*item, now))
                if len(chunk) >= _CHUNK:
                    tally["changed"] += self._ctx.store.send_ledger.record_report(chunk)
                    chunk = []
            tally["changed"] += self._ctx.store.send_ledger.record_report(chunk)
            self._ctx.record(f"{channel}.report_imported", "incident", incident_id,
                             {"provider": provider.value} | tally, incident_id)
        return {"incident": incident_id, "provider": provider.value, "unchanged": tally["rows"] - tally["changed"]
                } | tally

    def _report_updates(self, incident_id: int, path: Path, provider: Provider,
                        channel: str, encoding: str | None = None) -> Iterator[_Update]:
        """Each report row as (ledger row id, new state, reply, reason), or the problem with it;
        the ledger rows are looked up a chunk of report rows at a time, not one query a row."""
        rows: list[tuple[int, ReportState | None, _ReportCells]] = []
        for number, row, columns, width in _report_rows(path, encoding):
            if columns is None:
                yield FieldProblem("header", "no column for the status, or for the phone number (or out_id);"
                                   " the report needs both")
                return
            if len(row) > width:
                # A cell beyond the header is a reason or status split at an unquoted separator:
                # reading the first cells only would record it half-read, unseen.
                yield FieldProblem(f"row {number}", extra_cells_problem(len(row), width))
                continue
            cell = _cells(row, columns)
            rows.append((number, report_state(cell.status), cell))
            if len(rows) >= _CHUNK:
                yield from self._matched(incident_id, channel, provider, rows)
                rows = []
        yield from self._matched(incident_id, channel, provider, rows)

    def _matched(self, incident_id: int, channel: str, provider: Provider,
                 rows: list[tuple[int, ReportState | None, _ReportCells]]) -> Iterator[_Update]:
        """The updates (or problems) of a chunk of report rows, in the file's order."""
        keys = [(cell.out_id, "" if cell.out_id else _e164(cell.phone)) if state else ("", "")
                for _, state, cell in rows]
        ledger = self._ctx.store.send_ledger
        by_out = ledger.handoff_rows_by(incident_id, channel, "message_id", [o for o, _ in keys if o])
        by_phone = ledger.handoff_rows_by(incident_id, channel, "to_address", [p for o, p in keys if p])
        for (number, state, cell), (out_id, phone) in zip(rows, keys, strict=True):
            if state is None:
                yield FieldProblem(f"row {number}", f"status '{cell.status[:40]}' not understood"
                                   " (delivered / failed / pending, or the provider's words)")
                continue
            found = by_out.get(out_id, []) if out_id else by_phone.get(phone, [])
            if not found:
                what = f"message id '{out_id[:60]}'" if out_id else f"number {mask_phone(phone)}"
                yield FieldProblem(f"row {number}", f"{what} is not in this incident's {channel} hand-off;"
                                   " export it first or check the file belongs to this incident")
                continue
            if state == ReportState.PENDING:
                continue
            new_state = "sent" if state == ReportState.DELIVERED else "failed"
            reply = f"{provider.value} {cell.message_id[:80]} {cell.status[:40]}".strip()
            reason = "" if new_state == "sent" else (cell.reason[:200] or "the provider reported it failed")
            for row_id, _, _ in found:
                yield row_id, new_state, reply, reason


def _report_rows(path: Path, encoding: str | None = None
                 ) -> Iterator[tuple[int, list[str], dict[str, int] | None, int]]:
    """(row number, cells, columns, header width) of each non-empty data row; columns None when
    the header lacks the status or the phone/out id."""
    yield from _rows_in(path, report_encoding(path, encoding))


def extra_cells_problem(got: int, want: int) -> str:
    """The refusal of a report row longer than its header: what it means and what to do (shared
    by the platform's and the SMS gateway's delivery reports)."""
    return (f"{got} cells but the header has {want} columns; a cell holds an unquoted separator (comma,"
            " semicolon or tab) or the row ends with an extra one — put that cell in double quotes or remove"
            " the extra separator, then import the whole report again (nothing was imported)")


def report_encoding(path: Path, encoding: str | None = None) -> str:
    """The report's codec: ``encoding`` when given (checked), else UTF-8 (with or without BOM), else
    GB18030 when that reading is Chinese text; a file that is neither is refused naming the
    line (services/handoff/encoding.py)."""
    return detect_report_encoding(path, REPORT_MAX_BYTES, encoding)


def _rows_in(path: Path, encoding: str) -> Iterator[tuple[int, list[str], dict[str, int] | None, int]]:
    with open_regular_file(path, REPORT_MAX_BYTES) as raw, \
            io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        header = next(reader, [])
        columns = report_columns(header)
        if "status" not in columns or not ({"phone", "out_id"} & set(columns)):
            yield 1, [], None, len(header)
            return
        for number, row in enumerate(reader, 2):
            if any(cell.strip() for cell in row):
                yield number, row, columns, len(header)


class _RoutedCsv:
    """CSV files (UTF-8 with BOM, CRLF) opened on their first row, one per route; rows come
    with every cell but the phone already spreadsheet-safe."""

    def __init__(self, stack: contextlib.ExitStack, staged: StagedOutputs, out: Path, layout: Sequence[str]) -> None:
        self._stack, self._staged, self._out, self._layout = stack, staged, out, layout
        self._texts: dict[str, io.TextIOWrapper] = {}
        self._writers: dict[str, Any] = {}
        self._paths: dict[str, Path] = {}
        self._counts: dict[str, int] = {}

    def _writer(self, route: str) -> Any:
        if route not in self._writers:
            path = self._out if not route else self._out.with_name(f"{self._out.stem}.{route}{self._out.suffix}")
            handle, _ = self._stack.enter_context(self._staged.output(path))
            # csv.writer straight into a buffered text layer: one encode per buffer, not per row.
            text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
            text.write("\ufeff")  # the BOM, so Excel shows Chinese
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(self._layout)
            self._texts[route], self._writers[route], self._paths[route], self._counts[route] = text, writer, path, 0
        return self._writers[route]

    def stream(self, rows: Iterator[tuple[str, list[str], LedgerDraft]], enqueue: Any,
               resolve: Any) -> list[tuple[Path, int]]:
        """Write every row, queueing the ledger drafts in chunks; (path, rows) per file. Each
        chunk's drafts are first ``resolve``d against the ledger (:func:`with_current_contacts`):
        a recipient whose number was corrected since this version was handed off gets a new out
        id, written in the row's last cell (where the layout carries one) instead of the old."""
        chunk: list[tuple[str, list[str], LedgerDraft]] = []
        try:
            for item in rows:
                chunk.append(item)
                if len(chunk) >= _CHUNK:
                    self._flush(chunk, enqueue, resolve)
                    chunk = []
            if chunk:
                self._flush(chunk, enqueue, resolve)
            if not self._writers:
                self._writer("")  # nobody to hand off: the file still says so, with its header
        finally:
            for text in self._texts.values():
                # Hand the file back to its staged output (which syncs and closes it).
                with contextlib.suppress(ValueError):
                    text.flush()
                    text.detach()
        return [(self._paths[r], self._counts[r]) for r in self._writers]

    def _flush(self, chunk: list[tuple[str, list[str], LedgerDraft]], enqueue: Any, resolve: Any) -> None:
        drafts = resolve([draft for _, _, draft in chunk])
        for (route, row, drafted), draft in zip(chunk, drafts, strict=True):
            if draft.message_id != drafted.message_id and row and row[-1] == drafted.message_id:
                row = [*row[:-1], draft.message_id]
            # The phone is validated digits (E.164 or 11 digits): kept as it is for the gateway's parser.
            self._writer(route).writerow(row)
            self._counts[route] += 1
        enqueue(drafts)


def sms_text(sms: SmsNotice, sign: Signatures, reference: str) -> str:
    """The final text of one recipient's SMS: the signature of the SMS's language and the approved
    template filled with the recipient's reference code (the SMS batch and the platform hand-off
    both send this)."""
    return f"【{sign.of(sms.lang)}】{sms.template.fill({'code': reference})}"


def out_id(incident_id: int, key: str, kind: str, version: str) -> str:
    """The stable id of one recipient's hand-off message (the provider echoes it back)."""
    digest = hashlib.sha256(f"handoff:{incident_id}:{key}:{kind}:{version}".encode()).hexdigest()[:20]
    return f"bd{incident_id}{kind[:1]}{digest}"


def corrected_out_id(first: str, contact_seq: int) -> str:
    """The out id of a message handed off again to a corrected contact (``contact_seq`` 1, 2,
    …): the first one's prefix and length, another digest — stable, so exporting the same
    correction twice gives the same id, and never the old message's, whose report stays its own."""
    digest = hashlib.sha256(f"corrected:{first}:{contact_seq}".encode()).hexdigest()[:20]
    return first[:-20] + digest if len(first) > 20 else f"{first}c{contact_seq}"


def with_current_contacts(ledger: SendLedgerRepository, channel: str, drafts: Sequence[LedgerDraft],
                          readdressed: frozenset[str] = frozenset()) -> list[LedgerDraft]:
    """``drafts`` (one incident's, of one hand-off ``channel``) as the ledger must take them.

    A recipient with no row of the draft's version yet: the draft as it is. One whose latest row
    went to the same contact (letter case and spaces aside): that row's ``contact_seq`` and out
    id — nothing new is queued, the provider gets the same id again. One whose contact was
    corrected since: the next ``contact_seq`` under a new out id (:func:`corrected_out_id`), a
    new row; the old row keeps what was sent to the old contact (history is never rewritten).
    One whose contact went back to one this version was already delivered to (a correction
    undone): a copy of that delivered row, its out id (services/contact_history.py) — told there,
    no new message. A row without a contact (a letter handed to the platform before its rows
    kept the address) counts as the same contact: what it was sent to is not on record, and handing every letter
    off again after an upgrade would post them all twice — unless its key is in ``readdressed``
    (the person's address was corrected after that row was handed off: the letter went to the
    address corrected away, so the corrected one is a new row)."""
    if not drafts:
        return []
    incident_id = drafts[0].incident_id
    held = ledger.latest_contacts_by_version(incident_id, channel, drafts)
    resolved = list(drafts)
    moved: list[tuple[int, int]] = []  # (index, latest contact_seq) of drafts whose contact moved
    for i, draft in enumerate(drafts):
        latest = held[draft.notice_version].get((draft.recipient_key, draft.notice_kind))
        if latest is None:
            continue
        seq, address, message, _ = latest
        if (not address and draft.recipient_key not in readdressed) or same_contact(address, draft.to_address):
            resolved[i] = replace(draft, contact_seq=seq, message_id=message)
        else:
            moved.append((i, seq))
    sent = sent_rows_of(ledger, channel, [drafts[i] for i, _ in moved])
    for i, seq in moved:
        draft = drafts[i]
        # Back to a contact this version was already delivered to: a copy of that row, the same
        # reference (the provider has it already), no new message.
        told = told_draft(draft, seq, sent.get((draft.notice_version, draft.recipient_key, draft.notice_kind), []))
        # Else the draft's id is the first contact's (out_id): the corrected one derives from it.
        resolved[i] = told or replace(draft, contact_seq=seq + 1,
                                      message_id=corrected_out_id(draft.message_id, seq + 1))
    return resolved




class _ReportCells(NamedTuple):
    status: str
    out_id: str
    phone: str
    message_id: str
    reason: str


_REPORT_FIELDS = _ReportCells._fields


def _cells(row: Sequence[str], columns: dict[str, int]) -> _ReportCells:
    """The cells of one report row the import reads, stripped (and without a leading ')."""
    size = len(row)
    return _ReportCells(*(row[i].strip().lstrip("'") if (i := columns.get(name, size)) < size else ""
                          for name in _REPORT_FIELDS))


def _e164(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if digits.startswith("+"):
        return digits
    if digits.startswith("86") and len(digits) == 13:
        return "+" + digits
    return "+86" + digits if len(digits) == 11 and digits.startswith("1") else digits



