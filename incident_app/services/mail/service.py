"""Sending the personal notices by email: prepare the ledger, send (resumable), test send to the
officer, dry run to .eml files, bounces, and the fallback channel of failed recipients.

asyncio stays inside: callers (the CLI, a GUI job) call plain methods on their own thread. The
at-least-once rule for a crash is stated in domain/mail/ledger.py and README."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from incident_app.domain.assessment.delivery import STAFF_KINDS
from incident_app.domain.contacts import ascii_address
from incident_app.domain.errors import NotFoundError, ValidationError
from incident_app.domain.mail import (
    DeliveryOverview,
    LedgerDraft,
    LedgerEntry,
    Requeued,
    Sender,
    SendRun,
    build_message_bytes,
)
from incident_app.domain.mail.sending import (
    REQUEUEABLE_STATES,
    FallbackChannel,
    MessageSource,
    OutgoingMessage,
    SendState,
    SmtpSettings,
    address_domain,
    corrected_message_id,
    is_single_address,
    make_message_id,
    mask_email,
    recipient_problems,
    trial_message_id,
    validate_smtp_settings,
)
from incident_app.services.audit import record_export
from incident_app.services.contact_history import same_contact, sent_rows_of, told_draft
from incident_app.services.context import AppContext
from incident_app.services.ledger_keys import refuse_shared_ledger_keys
from incident_app.services.mail.connection import Job, SendAborted, send_single
from incident_app.services.mail.run import PauseFlag, RunStats, SendPump, chunks
from incident_app.services.mail.transport import run_in_own_thread
from incident_app.services.private_files import StagedOutputs
from incident_app.services.progress import Progress

__all__ = ["DryRunResult", "MailService", "NotApproved", "PauseFlag", "PrepareResult", "RunStats", "SendAborted",
           "SendBusy", "SendSummary", "TestSendResult"]

PREPARE_CHUNK = 1000
SMTP_SETTINGS_KEY = "send.smtp"
SETTINGS_DIALOG_SMTP_KEY = "smtp"  # what Settings → SMTP stores (services/settings/preferences.py)
REMEMBERED_SMTP_FIELDS = ("host", "port", "tls_mode", "user", "from_address", "from_name", "reply_to",
                          "concurrency", "rate_per_s")
STALE_AFTER_S = 60.0  # a run without a heartbeat for this long is dead, wherever it ran
TEST_SUBJECT_PREFIX = "[测试 TEST] "
RECOVERY_NOTE = ("interrupted while sending: the run ended before the relay's answer was stored; "
                 "re-sent once with the same Message-ID (the first copy may also have arrived)")
RECOVERY_AGAIN_NOTE = ("interrupted while sending, and its one re-send in doubt was already used: not sent "
                       "again automatically — check with the relay, then re-queue it (send ID --requeue in_doubt)")
REQUEUE_NOTE = "re-queued by the officer after {was}"


class NotApproved(Exception):  # noqa: N818 - reads as the state that blocks sending
    """The notices were not approved; the message says what to do."""


class SendBusy(Exception):  # noqa: N818
    """Another run is sending this incident's notices right now (``pid``: its process)."""

    def __init__(self, message: str, pid: int | None = None) -> None:
        super().__init__(message)
        self.pid = pid


@dataclass(frozen=True)
class SendSummary:
    """The end of one ``send``: what this run did and where every recipient now stands."""

    incident_id: int
    outcome: str  # completed | cancelled | aborted
    prepared: int
    newly_queued: int
    recovered_in_doubt: int
    run: RunStats
    overview: DeliveryOverview
    duration_s: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "incident": self.incident_id, "outcome": self.outcome, "aborted_reason": self.run.aborted or None,
            "messages": self.prepared, "newly_queued": self.newly_queued,
            "recovered_in_doubt": self.recovered_in_doubt, "this_run": asdict(self.run),
            "ledger": self.overview.to_dict(), "duration_s": round(self.duration_s, 2),
            "rate_per_s": round(self.run.attempted / self.duration_s, 1) if self.duration_s else 0.0,
        }


@dataclass(frozen=True)
class DryRunResult:
    folder: str
    written: int
    blocked: int


@dataclass(frozen=True)
class TestSendResult:
    to: str  # masked
    message_id: str
    reply: str


@dataclass(frozen=True)
class PrepareResult:
    total: int
    new: int
    blocked: int


class MailService:
    """Use cases of the send ledger. One instance per thread (it uses that thread's store)."""

    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    # -- reading -------------------------------------------------------------------------------
    def overview(self, incident_id: int) -> DeliveryOverview:
        """Counts by state and by fallback channel (send dialog, Notices tab, ``show``)."""
        ledger = self._ctx.store.send_ledger
        return DeliveryOverview(ledger.counts(incident_id), ledger.fallback_counts(incident_id),
                                ledger.in_doubt_count(incident_id))

    def active_run(self, incident_id: int) -> SendRun | None:
        """The live run (this process or another, e.g. a command-line send) holding this
        incident's send lease, or None: the screens disable re-queueing while there is one."""
        active = self._ctx.store.send_runs.active(incident_id)
        return active if active is not None and _run_is_alive(active, self._ctx) else None

    def left_in_flight(self, incident_id: int) -> int:
        """Rows a run that died (killed, crashed, power cut) left in ``sending``: the relay may
        have them. Zero while a live run holds the lease (its rows are legitimately in flight).
        The next send re-sends each once with the same Message-ID, flagged in doubt."""
        store = self._ctx.store
        active = store.send_runs.active(incident_id)
        if active is not None and _run_is_alive(active, self._ctx):
            return 0
        return store.send_ledger.count(incident_id, SendState.SENDING)

    def requeue(self, incident_id: int, states: Sequence[SendState]) -> Requeued:
        """Put failed and/or in-doubt rows back in the queue once the officer fixed the relay (one
        ``send.requeued`` event with the counts; none when no row was re-queued). Refused while a
        run is sending this incident."""
        self._ctx.store.incidents.get(incident_id)
        wrong = [s.value for s in states if s not in REQUEUEABLE_STATES]
        if not states or wrong:
            raise ValidationError.single("requeue", "give failed and/or in_doubt, e.g. --requeue failed")
        store, now = self._ctx.store, self._ctx.now()
        with store.transaction():
            active = store.send_runs.active(incident_id)
            if active is not None and _run_is_alive(active, self._ctx):
                raise SendBusy(f"incident {incident_id} is being sent by process {active.pid} on {active.host}; "
                               "re-queue after it has finished", active.pid)
            was = " or ".join(sorted(s.value for s in states))
            result = store.send_ledger.requeue(incident_id, states, note=REQUEUE_NOTE.format(was=was), now=now)
            if result.total:  # nothing changed, nothing to record: the counts alone say so
                self._ctx.record("send.requeued", "incident", incident_id, result.to_dict(), incident_id)
        return result

    def page(self, incident_id: int, state: SendState | None = None, *, after_id: int = 0,
             limit: int = 200) -> list[LedgerEntry]:
        """Up to ``limit`` rows after row ``after_id`` in id order (keyset paging: pass the last id
        of the previous page; 0 for the first)."""
        return self._ctx.store.send_ledger.page(incident_id, state, after_id=after_id, limit=limit)

    def iter_entries(self, incident_id: int, state: SendState | None = None) -> Iterator[LedgerEntry]:
        """Every row in id order, read page by page (memory flat in the ledger's size)."""
        return self._ctx.store.send_ledger.iter_entries(incident_id, state)

    def count(self, incident_id: int, state: SendState | None = None) -> int:
        return self._ctx.store.send_ledger.count(incident_id, state)

    def saved_smtp(self) -> dict[str, Any]:
        """The relay settings (never a password) to prefill the send dialog: the Settings dialog's
        relay (host, port, security, user, sender) with what the last send added (sender name,
        concurrency, rate)."""
        settings = self._ctx.store.settings
        relay = settings.get(SETTINGS_DIALOG_SMTP_KEY)
        merged: dict[str, Any] = {}
        if isinstance(relay, dict):
            merged = {k: relay[k] for k in ("host", "port", "user", "from_address") if k in relay}
            if relay.get("security"):
                merged["tls_mode"] = relay["security"]
        last = settings.get(SMTP_SETTINGS_KEY)
        return merged | (dict(last) if isinstance(last, dict) else {})

    def remember_smtp(self, settings: SmtpSettings) -> None:
        """Keep the relay settings (not the password) for next time, in both the send dialog's and
        the Settings dialog's keys so the two screens agree; logged when they change."""
        data = {key: getattr(settings, key) for key in REMEMBERED_SMTP_FIELDS}
        data["tls_mode"] = settings.tls_mode.value
        before = self.saved_smtp()
        if data == before:
            return
        relay = {"host": settings.host, "port": settings.port, "security": settings.tls_mode.value,
                 "user": settings.user, "from_address": settings.from_address}
        with self._ctx.store.transaction():
            self._ctx.store.settings.set(SETTINGS_DIALOG_SMTP_KEY, relay)
            self._ctx.store.settings.set(SMTP_SETTINGS_KEY, data)
            changes = {k: {"from": before.get(k), "to": v} for k, v in data.items() if before.get(k) != v}
            self._ctx.record("settings.smtp_changed", "settings", SMTP_SETTINGS_KEY, {"changes": changes})

    # -- sending -------------------------------------------------------------------------------
    def send(
        self, incident_id: int, source: MessageSource, settings: SmtpSettings, password: str | None = None,
        *, progress: Progress | None = None, pause: PauseFlag | None = None,
    ) -> SendSummary:
        """Send every approved notice not yet sent; resumes where an earlier run stopped.

        Raises NotApproved, SendBusy, ValidationError before anything is sent. A relay that
        cannot be used at all ends the run with outcome 'aborted' (rows stay queued)."""
        self._ctx.store.incidents.get(incident_id)
        validate_smtp_settings(settings)
        self._require_approved(source, incident_id)
        progress, pause = progress or Progress(), pause or PauseFlag()
        started = time.monotonic()
        prepared = self.prepare(incident_id, source, settings)
        run_id, recovered = self._open_run(incident_id, settings)
        counts = self._ctx.store.send_ledger.counts(incident_id, "email")  # not the SMS/call hand-off rows
        progress.start(counts[SendState.QUEUED] + counts[SendState.DEFERRED], "sending")
        pump = SendPump(self._ctx, source, settings, password, incident_id=incident_id, run_id=run_id,
                        progress=progress, pause=pause)
        outcome = "crashed"
        try:
            stats = pump.run()
            outcome = "aborted" if stats.aborted else "cancelled" if stats.cancelled else "completed"
        finally:
            self._close_run(incident_id, run_id, outcome, pump.stats, source)
        progress.finish()
        return SendSummary(incident_id, outcome, prepared.total, prepared.new, recovered, stats,
                           self.overview(incident_id), time.monotonic() - started)

    def prepare(self, incident_id: int, source: MessageSource, settings: SmtpSettings) -> PrepareResult:
        """Enqueue a ledger row for every message (idempotent) and check every message before the
        first one leaves; a message that fails the recipient check is failed with the reason."""
        total = new = blocked = 0
        org = settings.organisation_addresses()
        if source.reads_affected_people:
            refuse_shared_ledger_keys(self._ctx.store.people, incident_id)
        for chunk in chunks(source.iter_messages(incident_id), PREPARE_CHUNK):
            _check_incident(chunk, incident_id)
            bad = {m.ledger_key: p for m in chunk if (p := recipient_problems(m, org))}
            drafts = [LedgerDraft.of(m, self._message_id(m, settings)) for m in chunk]
            with self._ctx.store.transaction():
                drafts = self._to_current_addresses(incident_id, drafts)
                new += self._ctx.store.send_ledger.enqueue(drafts, now=self._ctx.now())
                self._fail_blocked(incident_id, chunk, bad)
            total, blocked = total + len(chunk), blocked + len(bad)
        with self._ctx.store.transaction():
            self._ctx.record("send.prepared", "incident", incident_id,
                             {"messages": total, "newly_queued": new, "blocked": blocked}, incident_id)
        return PrepareResult(total, new, blocked)

    def send_test(
        self, incident_id: int, source: MessageSource, settings: SmtpSettings, password: str | None,
        to_address: str,
    ) -> TestSendResult:
        """Send the first notice, marked as a test, to the officer's own address (never the ledger).

        It carries a real person's notice, so it may only go to the sender's own domain."""
        self._ctx.store.incidents.get(incident_id)
        validate_smtp_settings(settings)
        _check_test_address(to_address, settings)
        message = next(iter(source.preview_messages(incident_id)), None)
        if message is None:
            raise NotFoundError(f"incident {incident_id} has no email notices to test")
        problems = recipient_problems(message, settings.organisation_addresses())
        if problems:
            raise ValidationError.single("notice", "; ".join(problems))
        now = self._ctx.now()
        message_id = trial_message_id(self._message_id(message, settings), now)
        data = build_message_bytes(message, _sender(settings), message_id, now,
                                   subject_prefix=TEST_SUBJECT_PREFIX, to_address=to_address)
        outcome = run_in_own_thread(lambda: send_single(settings, password, Job(0, ascii_address(to_address), data)))
        with self._ctx.store.transaction():
            self._ctx.record("send.test_sent", "incident", incident_id,
                             {"count": 1, "accepted": outcome.state == SendState.SENT, "code": outcome.code},
                             incident_id)
        if outcome.state != SendState.SENT:
            raise SendAborted(f"the relay did not accept the test message: {outcome.reason}")
        return TestSendResult(mask_email(to_address), message_id, outcome.reply)

    def dry_run(self, incident_id: int, source: MessageSource, settings: SmtpSettings, folder: Path) -> DryRunResult:
        """Write every message as an .eml file (mode 0600) instead of sending; approval not needed.
        Refused like :meth:`prepare` while two people would share a send-ledger key: its count
        would read as if the send would work."""
        self._ctx.store.incidents.get(incident_id)
        validate_smtp_settings(settings, needs_server=False)
        if source.reads_affected_people:
            refuse_shared_ledger_keys(self._ctx.store.people, incident_id)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Every file waits under a temporary name; all take their names inside the event's transaction.
        staged = StagedOutputs(self._ctx.store.path)
        try:
            written, blocked, staff_only = self._stage_dry_run(incident_id, source, settings, folder, staged)
            with staged.committing(), self._ctx.store.transaction():
                self._ctx.record("send.dry_run", "incident", incident_id,
                                 {"written": written, "blocked": blocked}, incident_id)
                # Each file is one real person's e-mail (name, address): an unmasked export. The
                # staff's internal brief holds counts only and goes to the company's own people:
                # logging it as an unmasking of affected people's data would be a false record.
                record_export(self._ctx, what="internal_brief_dry_run" if staff_only else "personal_emails_dry_run",
                              where=str(folder.resolve()), count=written, unmasked=written > 0 and not staff_only,
                              incident_id=incident_id)
                staged.publish()
        except BaseException:
            staged.discard()  # a full disk or a failure half-way: no partial set of e-mails stays
            raise
        return DryRunResult(str(folder), written, blocked)

    def _stage_dry_run(self, incident_id: int, source: MessageSource, settings: SmtpSettings, folder: Path,
                       staged: StagedOutputs) -> tuple[int, int, bool]:
        """(files written, messages blocked, whether every message was to the company's own staff)."""
        written, blocked_lines, staff_only = 0, [], True
        sender, org, now = _sender(settings), settings.organisation_addresses(), self._ctx.now()
        for number, message in enumerate(source.preview_messages(incident_id), 1):
            staff_only = staff_only and message.notice_kind in STAFF_KINDS
            problems = recipient_problems(message, org)
            if problems:
                blocked_lines.append(f"{message.reference}: {'; '.join(problems)}")
                continue
            data = build_message_bytes(message, sender, self._message_id(message, settings), now)
            staged.write(folder / f"{number:06d}-{message.reference}.eml", data)
            written += 1
        if blocked_lines:
            staged.write(folder / "blocked.txt", ("\n".join(blocked_lines) + "\n").encode("utf-8"))
        return written, len(blocked_lines), staff_only

    def record_bounces(self, incident_id: int, message_ids: Sequence[str], source: MessageSource,
                       reason: str = "bounced after the relay accepted it") -> int:
        """Notices that bounced after acceptance fail after all and get a fallback channel."""
        ids = [m.strip() for m in message_ids if m.strip()]
        with self._ctx.store.transaction():
            count = self._ctx.store.send_ledger.mark_bounced(incident_id, ids, reason=reason, now=self._ctx.now())
            fallback = self._assign_fallbacks(incident_id, source)
            self._ctx.record("send.bounces_recorded", "incident", incident_id,
                             {"count": count, "fallback": fallback}, incident_id)
        return count

    # -- helpers -------------------------------------------------------------------------------
    def _require_approved(self, source: MessageSource, incident_id: int) -> None:
        status = source.approval(incident_id)
        if not status.approved:
            raise NotApproved(status.reason or "the email notices are not approved; approve them first")

    def _to_current_addresses(self, incident_id: int, drafts: list[LedgerDraft]) -> list[LedgerDraft]:
        """``drafts`` as the ledger must take them: a recipient whose latest row of the version
        went (or was tried, or may have gone) to another address than the one now on the list —
        the officer corrected it — gets a new row (the next ``contact_seq``, its own Message-ID),
        and the old row stays what it records. A row still queued or deferred is the same row: it
        is sent to the address the message carries when it is claimed. A recipient whose address
        went back to one this version was already sent to (a correction undone) gets a copy of
        that sent row instead (services/contact_history.py): told there, not e-mailed again."""
        ledger = self._ctx.store.send_ledger
        held = ledger.latest_contacts_by_version(incident_id, "email", drafts)
        resolved = list(drafts)
        moved: list[tuple[int, int, str, str]] = []  # (index, latest contact_seq, its message id, its state)
        for i, draft in enumerate(drafts):
            latest = held[draft.notice_version].get((draft.recipient_key, draft.notice_kind))
            if latest is None:
                continue
            seq, address, message_id, state = latest
            if same_contact(address, draft.to_address):
                resolved[i] = replace(draft, contact_seq=seq, message_id=message_id)
            else:
                moved.append((i, seq, message_id, state))
        sent = sent_rows_of(ledger, "email", [drafts[i] for i, *_ in moved])
        for i, seq, message_id, state in moved:
            draft = drafts[i]
            # Back to an address this version was already sent to: a copy of that row, no second
            # e-mail — even over a row still queued for the mistaken address.
            told = told_draft(draft, seq, sent.get((draft.notice_version, draft.recipient_key, draft.notice_kind), []))
            if told is not None:
                resolved[i] = told
            elif state not in (SendState.QUEUED.value, SendState.DEFERRED.value):
                resolved[i] = replace(draft, contact_seq=seq + 1,
                                      message_id=corrected_message_id(draft.message_id, seq + 1))
            else:
                resolved[i] = replace(draft, contact_seq=seq, message_id=message_id)
        return resolved

    def _message_id(self, message: OutgoingMessage, settings: SmtpSettings) -> str:
        return make_message_id(message.incident_id, message.recipient_key, message.notice_kind,
                               message.notice_version, settings.sender_domain)

    def _fail_blocked(self, incident_id: int, chunk: list[OutgoingMessage],
                      bad: dict[tuple[str, str, str], list[str]]) -> None:
        for message in (m for m in chunk if m.ledger_key in bad):
            rows = self._ctx.store.send_ledger.lookup(incident_id, message.notice_kind, message.notice_version,
                                                       [message.recipient_key])
            reason = "blocked by the content check: " + "; ".join(bad[message.ledger_key])
            self._ctx.store.send_ledger.fail_unsent([(e.id, reason) for e in rows.values()], now=self._ctx.now())

    def _open_run(self, incident_id: int, settings: SmtpSettings) -> tuple[str, int]:
        """Take the incident's send lease; rows a dead run left in 'sending' become due again."""
        store, now = self._ctx.store, self._ctx.now()
        run = SendRun(uuid.uuid4().hex, incident_id, os.getpid(), socket.gethostname(), now, now)
        with store.transaction():
            active = store.send_runs.active(incident_id)
            if active is not None and _run_is_alive(active, self._ctx):
                raise SendBusy(f"incident {incident_id} is being sent by process {active.pid} on {active.host} "
                               f"(started {active.started_at:%Y-%m-%d %H:%M}); wait for it or stop it")
            if active is not None:
                store.send_runs.finish(active.run_id, "crashed", now=now)
            recovered = store.send_ledger.recover_in_flight(incident_id, note=RECOVERY_NOTE,
                                                            again_note=RECOVERY_AGAIN_NOTE, now=now)
            store.send_runs.start(run)
            self._ctx.record("send.started", "incident", incident_id, {
                "run": run.run_id, "recovered_in_doubt": recovered, "relay": f"{settings.host}:{settings.port}",
                "tls": settings.tls_mode.value, "auth": bool(settings.user), "concurrency": settings.concurrency,
                "rate_per_s": settings.rate_per_s}, incident_id)
        return run.run_id, recovered

    def _close_run(self, incident_id: int, run_id: str, outcome: str, stats: RunStats, source: MessageSource) -> None:
        store = self._ctx.store
        with store.transaction():
            store.send_runs.finish(run_id, outcome, now=self._ctx.now())
            fallback = self._assign_fallbacks(incident_id, source)
            counts = store.send_ledger.counts(incident_id)
            self._ctx.record("send.finished", "incident", incident_id, {
                "run": run_id, "outcome": outcome, "this_run": asdict(stats) | {"aborted": bool(stats.aborted)},
                "by_state": {s.value: n for s, n in counts.items()}, "fallback_assigned": fallback}, incident_id)

    def _assign_fallbacks(self, incident_id: int, source: MessageSource) -> dict[str, int]:
        """Failed recipients without a fallback get the channel the source names for them."""
        found = [(row_id, source.fallback_for(incident_id, key))
                 for row_id, key in self._ctx.store.send_ledger.failed_without_fallback(incident_id)]
        choices = [(row_id, channel) for row_id, channel in found if channel is not None]
        self._ctx.store.send_ledger.set_fallbacks(choices)
        return {c.value: sum(1 for _, ch in choices if ch == c) for c in FallbackChannel}


def _run_is_alive(run: SendRun, ctx: AppContext) -> bool:
    fresh = (ctx.now() - run.heartbeat_at).total_seconds() < STALE_AFTER_S
    if run.host != socket.gethostname():
        return fresh
    if run.pid == os.getpid():
        return True  # another job of this very process (the GUI) is sending
    return _pid_exists(run.pid) and fresh


def _pid_exists(pid: int) -> bool:
    if os.name != "posix":
        return True  # no cheap check: rely on the heartbeat
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _check_incident(chunk: list[OutgoingMessage], incident_id: int) -> None:
    if any(m.incident_id != incident_id for m in chunk):
        raise ValueError(f"the message source returned a notice of another incident than {incident_id}")


def _check_test_address(to_address: str, settings: SmtpSettings) -> None:
    if not is_single_address(to_address):
        raise ValidationError.single("test_to", "give one plain address, e.g. officer@example.com")
    if address_domain(to_address) != settings.sender_domain:
        raise ValidationError.single(
            "test_to", f"the test message carries a real person's notice; send it only to your own address "
                       f"at {settings.sender_domain} (the sender's domain)")


def _sender(settings: SmtpSettings) -> Sender:
    return Sender(settings.from_address, settings.from_name, settings.reply_to, settings.from_name_en)


@dataclass(frozen=True)
class SingleOutcome:
    """What the relay answered to one message sent outside a notice run (an enquiry reply)."""

    state: SendState
    code: int | None
    reply: str
    reason: str
    message_id: str


def send_one(message: OutgoingMessage, settings: SmtpSettings, password: str | None, now: Any) -> SingleOutcome:
    """Send one message through the relay (the notices' connection code and Message-ID scheme).
    Raises ValidationError for a bad recipient or settings, SendAborted when the relay cannot be
    used at all."""
    validate_smtp_settings(settings)
    problems = recipient_problems(message, settings.organisation_addresses())
    if problems:
        raise ValidationError.single("to", "; ".join(problems))
    message_id = make_message_id(message.incident_id, message.recipient_key, message.notice_kind,
                                 message.notice_version, settings.sender_domain)
    data = build_message_bytes(message, _sender(settings), message_id, now)
    outcome = run_in_own_thread(lambda: send_single(settings, password,
                                                    Job(0, ascii_address(message.to_address), data)))
    return SingleOutcome(outcome.state, outcome.code, outcome.reply, outcome.reason, message_id)


def write_one_eml(message: OutgoingMessage, settings: SmtpSettings, folder: Path, now: Any,
                  database: Path | None) -> Path:
    """Write one message as a private .eml file instead of sending it (dry run)."""
    from incident_app.services.private_files import write_private

    validate_smtp_settings(settings, needs_server=False)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    message_id = make_message_id(message.incident_id, message.recipient_key, message.notice_kind,
                                 message.notice_version, settings.sender_domain)
    data = build_message_bytes(message, _sender(settings), message_id, now)
    return write_private(folder / f"{message.recipient_key.replace(':', '-')}-{message.notice_version}.eml", data,
                         database)
