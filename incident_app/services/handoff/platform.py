"""Handing the approved personal notices to the company's own mass-messaging platform, for
populations no workstation should e-mail, and reading the platform's delivery report back.

``export-recipients`` streams one JSON line per recipient of the approved personal notices
(individual, guardian, minor): the channel the person is reached by (email, sms, letter), the
address or number in full (the file goes to the company's own platform: mode 0600, written under
a temporary name and renamed in the transaction that logs the export), the text exactly as the
e-mail sender (services/notices/personal.py) and the SMS hand-off (service.py) render it — or,
with ``merge_fields``, the template id and the recipient's merge fields — the notice versions and
hashes, and a ``reference`` the platform echoes back. A manifest beside the file gives the count,
the incident, the time and the file's SHA-256. Each line is one send-ledger row (channel
``platform``), queued until the report is imported: re-exporting the same approvals gives the same
references and no new rows; a new approval is a new hand-off version (new references for
everyone), and the result says which notices changed. A person whose address or number was
corrected since gets a new reference and a new row (``contact_seq``): the old row keeps what was
handed off to the old contact.

``import-delivery`` reads the report (reference, status, time, reason; UTF-8 or GB18030), checks
every row first in a staging table (unknown references, duplicates, statuses, times before the
export or in the future) and then marks the rows sent or failed at the platform's time in one
statement: all or nothing, importing twice changes nothing, a later report updates in order.

Both stream: people are read in pages, lines written as they come, ledger rows queued in chunks."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO

from incident_app.domain.clock import to_iso
from incident_app.domain.errors import FieldProblem, NotFoundError, ValidationError
from incident_app.domain.mail import LedgerDraft
from incident_app.domain.notices import PERSONAL_KINDS, Channel, NoticeKind, NoticeRecipient, recipient_reference
from incident_app.domain.notices.platform_report import (
    FUTURE_TOLERANCE,
    PLATFORM_COLUMNS,
    REQUIRED_COLUMNS,
    delivery_state,
    delivery_time,
)
from incident_app.domain.notices.recipient import recipients_from_people
from incident_app.domain.notices.sms_gateway import report_columns
from incident_app.domain.people.person import mask_address, mask_email, mask_phone
from incident_app.services.audit import record_export
from incident_app.services.context import AppContext
from incident_app.services.handoff.service import (
    REPORT_MAX_BYTES,
    HandoffService,
    Signatures,
    SmsNotice,
    extra_cells_problem,
    out_id,
    report_encoding,
    sms_text,
    with_current_contacts,
)
from incident_app.services.ledger_keys import refuse_shared_ledger_keys
from incident_app.services.notices.personal import PersonalRenderer
from incident_app.services.notices.prepared import NoticeSet, NoticeState
from incident_app.services.notices.render import recipient_fields
from incident_app.services.notices.service import NoticeService
from incident_app.services.people.service import PURGE_TARGET as PEOPLE_PURGE_TARGET
from incident_app.services.private_files import (
    StagedOutputs,
    check_readable_input,
    open_regular_file,
    remove_leftover_temps,
)
from incident_app.services.progress import Progress

CHANNEL = "platform"  # the send ledger's channel of these rows
EXPORT_EVENT = "platform.handed_off"
IMPORT_EVENT = "platform.delivery_imported"
_CHUNK = 1000
_MAX_PROBLEMS = 20
# Which notice channels each way of reaching a person uses (people channels without guardian_).
_NOTICE_CHANNELS: dict[str, tuple[Channel, ...]] = {
    "email": (Channel.EMAIL_HTML, Channel.EMAIL_TEXT), "sms": (Channel.SMS,), "letter": (Channel.LETTER,)}


@dataclass(frozen=True)
class _Approved:
    """The approved personal notices of one export: states by (kind, channel, language)."""

    notice_set: NoticeSet
    states: dict[tuple[NoticeKind, Channel, str], NoticeState]
    sms: dict[tuple[NoticeKind, str], SmsNotice]
    signature: Signatures

    @cached_property
    def version(self) -> str:
        """One id for all of them: a new approval of any is a new hand-off version (the
        corrected notice goes to everyone again, as with the e-mail sender)."""
        digest = hashlib.sha256("".join(sorted(s.rendered.sha256 for s in self.states.values())).encode())
        return "platform:" + digest.hexdigest()[:16]

    def versions(self) -> dict[str, str]:
        """``kind/channel/lang`` -> ``version id:hash prefix`` (the event and the manifest)."""
        return {f"{k.value}/{c.value}/{lang}": f"{s.version.id if s.version else ''}:{s.rendered.sha256[:12]}"
                for (k, c, lang), s in sorted(self.states.items())}

    def state(self, kind: NoticeKind, channel: Channel, lang: str) -> NoticeState | None:
        return self.states.get((kind, channel, lang)) or self.states.get((kind, channel, "zh-CN"))


class PlatformHandoff:
    """``export-recipients`` and ``import-delivery`` (and the GUI's preview and report check)."""

    def __init__(self, ctx: AppContext, notices: NoticeService, handoff: HandoffService) -> None:
        self._ctx = ctx
        self._notices = notices
        self._handoff = handoff

    # -- export ----------------------------------------------------------------------------------
    def export_recipients(self, incident_id: int, out: Path, *, merge_fields: bool = False,
                          progress: Progress | None = None) -> dict[str, Any]:
        """Write the JSONL (and its manifest) and queue one ledger row per line; all or nothing.
        Refused (ValidationError, nothing written) while a personal notice is not approved.
        ``progress`` counts recipients; its Cancel leaves no file and no ledger row."""
        progress = progress or Progress()
        self._ctx.store.incidents.get(incident_id)
        purged = self._ctx.store.retention.purged_at(incident_id, PEOPLE_PURGE_TARGET)
        if purged is not None:
            raise ValidationError.single("people", f"the contacts of incident {incident_id} were purged on "
                                         f"{to_iso(purged)} (retention): there is nobody left to hand off")
        approved = self._approved(incident_id)
        refuse_shared_ledger_keys(self._ctx.store.people, incident_id)
        stats = self._ctx.store.people.stats(incident_id)
        progress.start(stats.total + stats.teens, "recipients")
        previous = self._previous_export(incident_id)
        staged = StagedOutputs(self._ctx.store.path)
        store = self._ctx.store
        manifest_path = out.with_name(out.name + ".manifest.json")
        # A run killed mid-export (SIGKILL, power loss) left its hidden temporary file, every
        # address in full: the next export to that name removes it.
        leftovers = remove_leftover_temps(out) + remove_leftover_temps(manifest_path)
        try:
            with staged.committing(), store.transaction():
                with staged.output(out) as (handle, _):
                    written = self._stream(incident_id, approved, handle, merge_fields, progress)
                new_rows, corrected = written.pop("_new"), written.pop("_corrected")
                rows = sum(written["by_channel"].values())
                manifest = {"incident": incident_id, "generated_at": to_iso(self._ctx.now()), "rows": rows,
                            "sha256": written.pop("_sha256"), "bytes": written.pop("_bytes"),
                            "handoff_version": approved.version, "merge_fields": merge_fields,
                            "notices": approved.versions(), **written,
                            "report": "CSV: reference,status,time[,reason] — import with 'import-delivery'"}
                staged.write(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
                changes = _changes(previous, approved, store.send_ledger.handed_off_counts)
                details = {"rows": rows, "new_rows": new_rows, "corrected_contacts": corrected,
                           "by_channel": written["by_channel"],
                           "by_kind": written["by_kind"], "handoff_version": approved.version,
                           "notices": approved.versions(), "merge_fields": merge_fields}
                self._ctx.record(EXPORT_EVENT, "incident", incident_id, details, incident_id)
                # Addresses and numbers leave the tool (to the company's own platform): an unmasked export.
                record_export(self._ctx, what="platform_recipients", where=str(out.resolve()), count=rows,
                              unmasked=True, incident_id=incident_id,
                              details={"handoff_version": approved.version, "new_rows": new_rows})
                staged.publish()
        except BaseException:
            staged.discard()
            raise
        progress.finish()
        return {"incident": incident_id, "out": str(out), "manifest": str(manifest_path), "rows": rows,
                "new_ledger_rows": new_rows, "corrected_contacts": corrected, "by_channel": manifest["by_channel"],
                "by_kind": manifest["by_kind"],
                "skipped_unreachable": manifest["skipped_unreachable"], "sha256": manifest["sha256"],
                "handoff_version": approved.version, "changes": changes, "removed_leftovers": leftovers}

    def _approved(self, incident_id: int) -> _Approved:
        """The planned personal notices of the channels handed off; refuses any not approved."""
        notice_set = self._notices.prepare(incident_id, kinds=list(PERSONAL_KINDS))
        wanted = {c for channels in _NOTICE_CHANNELS.values() for c in channels}
        states = {(s.rendered.kind, s.rendered.channel, s.rendered.lang): s for s in notice_set.notices
                  if s.rendered.kind in PERSONAL_KINDS and s.rendered.channel in wanted}
        problems = [FieldProblem(f"{k.value}/{c.value}/{lang}",
                                 s.rendered.error or "not approved in its current form; approve it first: "
                                 f"approve {incident_id} --notice {k.value} --by NAME (or Notices tab → Approve)")
                    for (k, c, lang), s in sorted(states.items()) if s.rendered.error or s.approval is None]
        if not states:
            problems.append(FieldProblem("notice", "this incident plans no personal notice to hand off"))
        if problems:
            raise ValidationError(problems)
        sms = {(n.kind, n.lang): n for n in self._handoff.sms_notices(incident_id, notice_set)}
        return _Approved(notice_set, states, sms, self._handoff.signatures())

    def _stream(self, incident_id: int, approved: _Approved, handle: BinaryIO, merge_fields: bool,
                progress: Progress) -> dict[str, Any]:
        """Write every line, queue the ledger rows in chunks; the counts and the file's hash.

        Each chunk's rows are first matched with the ledger (:func:`with_current_contacts`): a
        person whose address or number was corrected since this version was handed off gets a
        new reference and a new row, and the line carries it; the old row stays as it was."""
        ledger, now = self._ctx.store.send_ledger, self._ctx.now()
        renderer = PersonalRenderer(approved.notice_set.renderers, allowed={k for k, _, _ in approved.states})
        digest, size, new, corrected = hashlib.sha256(), 0, 0, 0
        readdressed = self._readdressed(incident_id, approved.version)
        by_channel: Counter[str] = Counter()
        by_kind: Counter[str] = Counter()
        skipped = 0
        chunk: list[tuple[dict[str, Any], LedgerDraft]] = []

        def flush() -> int:
            nonlocal size
            drafts = with_current_contacts(ledger, CHANNEL, [draft for _, draft in chunk], readdressed)
            for (line, _), draft in zip(chunk, drafts, strict=True):
                line["reference"] = draft.message_id
                data = (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
                handle.write(data)
                digest.update(data)
                size += len(data)
            chunk.clear()
            # Counted apart: a corrected contact's new row (contact_seq > 0) under the same
            # approved notices is a message the platform has not had yet, as a new person's is.
            nonlocal corrected
            fixed = ledger.enqueue_handoff([d for d in drafts if d.contact_seq > 0], CHANNEL, now=now)
            corrected += fixed
            return fixed + ledger.enqueue_handoff([d for d in drafts if d.contact_seq == 0], CHANNEL, now=now)

        for recipient in self._recipients(incident_id):
            progress.advance()
            line = self._line(incident_id, approved, renderer, recipient, merge_fields)
            if line is None:
                skipped += 1
                continue
            by_channel[line["channel"]] += 1
            by_kind[line["kind"]] += 1
            # The row keeps the contact the line goes to — a letter's postal address too — so a
            # corrected contact is told apart from the one this row was handed off to.
            chunk.append((line, LedgerDraft(incident_id, recipient.recipient_key, line["kind"], approved.version,
                                            line["to"], line["language"], line["reference"])))
            if len(chunk) >= _CHUNK:
                new += flush()
        new += flush()
        return {"by_channel": dict(sorted(by_channel.items())), "by_kind": dict(sorted(by_kind.items())),
                "skipped_unreachable": skipped, "_sha256": digest.hexdigest(), "_bytes": size, "_new": new,
                "_corrected": corrected}

    def _line(self, incident_id: int, approved: _Approved, renderer: PersonalRenderer,
              recipient: NoticeRecipient, merge_fields: bool) -> dict[str, Any] | None:
        """One recipient's JSON object, or None when the person cannot be reached (no contact)."""
        how = recipient.channel.removeprefix("guardian_")
        to = {"email": recipient.email, "sms": recipient.phone, "letter": recipient.address}.get(how, "")
        if not to:
            return None  # nobody to write to: counted for the public announcement, not handed off
        kind, lang = recipient.kind, recipient.language
        states = [approved.state(kind, c, lang) for c in _NOTICE_CHANNELS[how]]
        sms = (approved.sms.get((kind, lang)) or approved.sms.get((kind, "zh-CN"))) if how == "sms" else None
        if any(s is None for s in states) or (how == "sms" and sms is None):
            return None  # no notice of this kind for this channel is planned
        used = [s for s in states if s is not None]
        reference = recipient_reference(incident_id, recipient.recipient_key)
        lang = used[0].rendered.lang
        line: dict[str, Any] = {
            "reference": out_id(incident_id, recipient.recipient_key, kind.value, approved.version),
            "incident": incident_id, "kind": kind.value, "channel": how, "to": to, "name": recipient.display_name,
            "language": lang, "recipient_reference": reference,
            "notice_version_id": "+".join(str(s.version.id) if s.version else "" for s in used),
            "notice_sha256": "+".join(s.rendered.sha256 for s in used)}
        if merge_fields:
            line["template_id"] = f"{kind.value}.{how}.{lang}.v{line['notice_version_id']}"
            line["merge_fields"] = ({"code": reference, "signature": approved.signature.of(lang)} if how == "sms"
                                    else recipient_fields(incident_id, recipient))
        elif how == "email":
            email = renderer.email(recipient)
            line |= {"subject": email.subject, "text": email.text_body, "html": email.html_body}
        elif how == "sms" and sms is not None:
            line["text"] = sms_text(sms, approved.signature, reference)
        else:
            line["html"] = renderer.render(kind, Channel.LETTER, recipient)
        return line

    def _recipients(self, incident_id: int) -> Iterator[NoticeRecipient]:
        """Every addressee, streamed, keyed as the e-mail and SMS hand-off key them
        (domain.notices.recipient.person_key: a person without user id, e-mail or phone by their
        row, so two of them never share a reference)."""
        source = self._notices.people_source
        if source is None:
            return
        yield from recipients_from_people(source(incident_id))

    def _readdressed(self, incident_id: int, version: str) -> frozenset[str]:
        """The keys (a person's, and their guardian's) whose letter row of this version has no
        address on record (handed off before the rows kept one, migration 38) and whose postal
        address the officer corrected after that hand-off (the ``people.corrected`` events): the
        letter went to the address corrected away, so the corrected one is handed off again
        under a new reference. Few people: one index seek per corrected person."""
        store = self._ctx.store
        when: dict[str, datetime] = {}
        for person_id, at in store.events.people_corrected(incident_id, "address").items():
            try:
                key = store.people.ledger_key(person_id)
            except NotFoundError:  # replaced by a new list since: nobody on the list now
                continue
            when[key] = when[f"{key}#guardian"] = at
        if not when:
            return frozenset()
        blank = store.send_ledger.blank_address_rows(incident_id, CHANNEL, version, list(when))
        return frozenset(key for key, queued in blank.items() if queued < when[key])

    def _previous_export(self, incident_id: int) -> dict[str, Any] | None:
        for event in self._ctx.store.events.for_incident(incident_id):
            if event.type == EXPORT_EVENT:
                return dict(event.payload)
        return None

    def preview(self, incident_id: int, limit: int = 5) -> dict[str, Any]:
        """The first lines' channel, masked address, kind, language and versions, and the number
        of people to go through (GUI); refuses like :meth:`export_recipients`, two people sharing a
        send-ledger key too (the counts would read as if the export would work)."""
        approved = self._approved(incident_id)
        refuse_shared_ledger_keys(self._ctx.store.people, incident_id)
        renderer = PersonalRenderer(approved.notice_set.renderers, allowed={k for k, _, _ in approved.states})
        rows = []
        drafts = []
        for recipient in self._recipients(incident_id):
            line = self._line(incident_id, approved, renderer, recipient, merge_fields=True)
            if line is None:
                continue
            masked = {"email": mask_email, "sms": mask_phone}.get(line["channel"], mask_address)(line["to"])
            rows.append([line["reference"], line["channel"], masked or "", line["kind"], line["language"],
                         line["notice_version_id"]])
            drafts.append(LedgerDraft(incident_id, recipient.recipient_key, line["kind"], approved.version,
                                      line["to"], line["language"], line["reference"]))
            if len(rows) >= limit:
                break
        # The references the export would write (a corrected contact's is a new one).
        readdressed = self._readdressed(incident_id, approved.version)
        for row, draft in zip(rows, with_current_contacts(self._ctx.store.send_ledger, CHANNEL, drafts, readdressed),
                              strict=True):
            row[0] = draft.message_id
        stats = self._ctx.store.people.stats(incident_id)
        return {"header": ["reference", "channel", "to", "kind", "language", "notice_version_id"], "rows": rows,
                "people": stats.total, "handoff_version": approved.version}

    # -- delivery report ---------------------------------------------------------------------------
    def import_delivery(self, incident_id: int, path: Path, *, commit: bool = True,
                        encoding: str | None = None) -> dict[str, Any]:
        """Check every row of the platform's report, then (``commit``) mark the ledger rows.
        Any bad row refuses the whole file (ValidationError naming the rows and fields; nothing
        written). ``commit=False`` only checks and counts (the GUI's summary before committing).
        ``encoding``: the file's text encoding when it is neither UTF-8 nor Chinese GB18030."""
        self._ctx.store.incidents.get(incident_id)
        check_readable_input(path, REPORT_MAX_BYTES)
        ledger = self._ctx.store.send_ledger
        try:
            with self._ctx.store.transaction():
                ledger.stage_delivery_report()
                rows, refused = self._stage(incident_id, path, refuse_unknown=commit, encoding=encoding)
                tally = ledger.delivery_report_tally(incident_id, CHANNEL)
                changed = ledger.apply_delivery_report(incident_id, CHANNEL) if commit else 0
                changing = changed if commit else tally["changing"]
                summary: dict[str, Any] = {"incident": incident_id, "rows": rows, "delivered": tally["sent"],
                           "failed": tally["failed"], "pending": tally["pending"], "unknown": tally["unknown"],
                           "changed": changing, "unchanged": rows - changing - tally["unknown"], "committed": commit,
                           "problems": [str(p) for p in refused],
                           "problem_details": [{"field": p.field, "message": p.message} for p in refused]}
                if commit:
                    self._ctx.record(IMPORT_EVENT, "incident", incident_id,
                                     {k: v for k, v in summary.items() if k != "incident"}, incident_id)
        finally:
            ledger.drop_delivery_report()
        return summary

    def _stage(self, incident_id: int, path: Path, *, refuse_unknown: bool,
               encoding: str | None = None) -> tuple[int, list[FieldProblem]]:
        """Stage every row; raises ValidationError with the first problems (row and field).
        Without ``refuse_unknown`` (the check before committing) the rows naming no exported
        recipient, or timed before the export, are returned instead, to be counted."""
        ledger, now = self._ctx.store.send_ledger, self._ctx.now()
        latest = now + FUTURE_TOLERANCE
        problems: list[FieldProblem] = []
        chunk: list[tuple[str, int, str, str, str, str]] = []
        count = 0
        for line, cells in _delivery_rows(path, encoding):
            count += 1
            staged = _parse_row(line, cells, latest)
            if isinstance(staged, FieldProblem):
                problems.append(staged)
            else:
                chunk.append(staged)
            if len(chunk) >= _CHUNK or len(problems) >= _MAX_PROBLEMS:
                problems += _repeated(ledger.add_delivery_rows(chunk))
                chunk = []
            if len(problems) >= _MAX_PROBLEMS:
                break
        problems += _repeated(ledger.add_delivery_rows(chunk))
        if not problems and not count:
            problems.append(FieldProblem("file", "the report has a header but no rows"))
        if problems:
            raise ValidationError(problems[:_MAX_PROBLEMS])
        for row, what, detail in ledger.delivery_report_problems(incident_id, CHANNEL, _MAX_PROBLEMS):
            problems.append(_ledger_problem(row, what, detail))
        if problems and refuse_unknown:
            raise ValidationError(problems)
        return count, problems


def _parse_row(line: int, cells: dict[str, str], latest: Any) -> FieldProblem | tuple[str, int, str, str, str, str]:
    """(reference, line, state, UTC time, reason, status) or the problem with the row."""
    reference, status = cells["reference"], cells["status"]
    if not reference:
        return FieldProblem(f"row {line}, reference", "empty; copy the 'reference' of the exported line")
    state = delivery_state(status)
    if state is None:
        return FieldProblem(f"row {line}, status", f"'{status[:40]}' not understood; use delivered, sent, failed,"
                            " bounced, pending (or 已送达, 发送成功, 发送失败, 退信, 处理中…)")
    try:
        at = delivery_time(cells["time"])
    except ValueError as exc:
        return FieldProblem(f"row {line}, time", str(exc))
    if at > latest:
        return FieldProblem(f"row {line}, time", f"{to_iso(at)} is in the future; check the platform's clock or"
                            " time zone (a time without an offset is Beijing time)")
    reason = cells.get("reason", "")[:200] or ("the platform reported it failed" if state == "failed" else "")
    return reference, line, state, to_iso(at), reason, status[:40]


def _ledger_problem(row: int, what: str, detail: str) -> FieldProblem:
    if what == "unknown":
        return FieldProblem(f"row {row}, reference", f"'{detail[:60]}' is not in this incident's platform hand-off;"
                            " export-recipients first, or check the report belongs to this incident")
    return FieldProblem(f"row {row}, time", f"before the export ({detail}); a delivery cannot precede its"
                        " hand-off — check the platform's clock or time zone")


def _repeated(pairs: Sequence[tuple[int, int]]) -> list[FieldProblem]:
    return [FieldProblem(f"row {line}, reference", f"the same reference as row {first}; a report gives each"
                         " recipient once (keep the latest status)") for line, first in pairs]


def _delivery_rows(path: Path, encoding: str | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, cells by column) of each non-empty data row, streamed; a missing column, a
    short row, a row with more cells than the header (an unquoted separator) or a quote left
    open (a cut-off file) refuses the file."""
    encoding = _checked_encoding(path, encoding)
    with open_regular_file(path, REPORT_MAX_BYTES) as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        lines = _bounded_lines(text)
        first = next(lines, "")
        reader = csv.reader(itertools.chain([first], lines), delimiter=_delimiter(first), strict=True)
        try:
            header = next(reader, [])
        except csv.Error as exc:
            raise ValidationError.single("header", f"not valid CSV ({exc}); save the report as CSV") from None
        columns = report_columns(header, PLATFORM_COLUMNS)
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise ValidationError.single("header", f"no column for {', '.join(missing)}; the report needs"
                                         " reference, status, time (and optionally reason)")
        width = max(columns.values()) + 1
        number = 1
        try:
            for number, row in enumerate(reader, 2):
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) < width:
                    raise ValidationError.single(f"row {number}", f"only {len(row)} of {len(header)} columns;"
                                                 " the file looks cut off or a cell holds an unquoted comma")
                if len(row) > len(header):
                    # A cell beyond the header is a reason (or status) split at an unquoted
                    # separator: reading the first cells only would import it half-read, unseen.
                    raise ValidationError.single(f"row {number}", extra_cells_problem(len(row), len(header)))
                yield number, {name: row[index].strip() for name, index in columns.items()}
        except csv.Error as exc:
            raise ValidationError.single(f"row {number + 1}", f"not valid CSV ({exc}); the file looks cut off"
                                         " inside a quoted cell") from None


_MAX_LINE = 1 << 20  # characters of one line of the report (a row is a few hundred)


def _bounded_lines(text: io.TextIOBase) -> Iterator[str]:
    """The report's lines, none read beyond :data:`_MAX_LINE` characters: a line longer than that
    (a file that is not a report, or rows run together) is refused by its number before it is
    held whole in memory."""
    number = 0
    while line := text.readline(_MAX_LINE + 1):
        number += 1
        if len(line) > _MAX_LINE:
            raise ValidationError.single(f"line {number}", f"longer than {_MAX_LINE:,} characters; a report row"
                                         " is a reference, a status, a time and a short reason — check this is"
                                         " the platform's delivery report saved as CSV")
        yield line


def _delimiter(header: str) -> str:
    """The header line's separator: a comma, or the semicolon (Excel where the comma is the decimal
    mark) or tab a spreadsheet saved, when the header holds none of the others."""
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] and not counts[","] else ","


def _checked_encoding(path: Path, encoding: str | None = None) -> str:
    """``encoding`` (checked), else UTF-8 (BOM or not) or GB18030 read as Chinese text; a UTF-16
    file (NUL bytes) is refused by name, not misread."""
    with open_regular_file(path, REPORT_MAX_BYTES) as raw:
        head = raw.read(4096)
    if b"\x00" in head and not encoding:
        raise ValidationError.single("file", "the report looks like UTF-16 or a spreadsheet file, not CSV text;"
                                     " save it as CSV (UTF-8)")
    return report_encoding(path, encoding)


def _changes(previous: dict[str, Any] | None, approved: _Approved, counts: Any) -> dict[str, Any] | None:
    """What changed since the last export: the notices with a new approved version, and how the
    previous hand-off's rows stand (the platform must send the new file instead)."""
    if previous is None:
        return None
    before, now = previous.get("notices", {}), approved.versions()
    if previous.get("handoff_version") == approved.version:
        return {"same_version": True, "notices_changed": []}
    changed = [{"notice": key, "before": before.get(key), "now": value}
               for key, value in now.items() if before.get(key) != value]
    old = str(previous.get("handoff_version", ""))
    return {"same_version": False, "previous_version": old, "notices_changed": changed,
            "previous_rows_by_state": counts(approved.notice_set.incident_id, CHANNEL, old)}
