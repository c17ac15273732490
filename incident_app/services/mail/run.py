"""One send run, seen from the calling thread, which owns the SQLite connection.

This thread reads the messages from the source, checks and builds them, marks each row
``sending`` and COMMITS before the message is handed to the network thread, and records the
outcomes the network thread reports. Writes are grouped: every pass of the loop stores all
outcomes that arrived plus the next claims in one transaction, so the event loop never waits on
SQLite and the window between a 250 reply and its ``sent`` row is a few milliseconds."""

from __future__ import annotations

import contextlib
import heapq
import itertools
import queue
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from incident_app.domain.contacts import ascii_address
from incident_app.domain.mail import AttemptResult, LedgerEntry, Sender, build_message_bytes
from incident_app.domain.mail.sending import (
    MessageSource,
    OutgoingMessage,
    SendState,
    SmtpSettings,
    after_unknown_outcome,
    recipient_problems,
)
from incident_app.services.context import AppContext
from incident_app.services.mail.transport import (
    Aborted,
    Crashed,
    Job,
    NetworkEvent,
    Outcome,
    Released,
    SmtpDispatcher,
    Stopped,
)
from incident_app.services.progress import Cancelled, Progress

HEARTBEAT_S = 2.0
MAX_WAIT_S = 0.2
GATHER_S = 0.01
FEED_CHUNK = 256
IN_DOUBT_NOTE = ("; the re-send was in doubt too: not sent again automatically — check with the relay, "
                 "then re-queue it (send ID --requeue in_doubt)")


class PauseFlag:
    """Pause/resume from another thread (the GUI): while paused no new message is handed to the
    network; messages already handed over finish."""

    def __init__(self) -> None:
        self._paused = False

    def pause(self) -> None:
        self._paused = True

    def resume(self) -> None:
        self._paused = False

    @property
    def paused(self) -> bool:
        return self._paused


@dataclass
class RunStats:
    """What this run did (the ledger holds the totals)."""

    attempted: int = 0
    sent: int = 0
    failed: int = 0
    retries_scheduled: int = 0
    in_doubt: int = 0  # left in_doubt: no answer after the body, twice (never counted failed)
    deferred: int = 0  # still refused temporarily after max_attempts in this run: next run retries
    blocked: int = 0
    cancelled: bool = False
    aborted: str = ""


@dataclass(order=True)
class _Pending:
    """A message on its way: claimed (outstanding) or waiting for its retry time."""

    due: float
    seq: int
    row_id: int = field(compare=False)
    message_id: str = field(compare=False)
    attempts: int = field(compare=False)  # attempts including the current/next one
    message: OutgoingMessage = field(compare=False)
    tries: int = field(default=1, compare=False)  # attempts in this run, including the current/next one
    doubt_retries: int = field(default=0, compare=False)  # re-sends of unknown outcome since queued


class SendPump:
    """Feeds the dispatcher and keeps the ledger; see the module docstring for the crash rule."""

    def __init__(
        self, ctx: AppContext, source: MessageSource, settings: SmtpSettings, password: str | None, *,
        incident_id: int, run_id: str, progress: Progress, pause: PauseFlag,
    ) -> None:
        self._ctx, self._source, self._settings = ctx, source, settings
        self._incident_id, self._run_id = incident_id, run_id
        self._progress, self._pause = progress, pause
        self._events: queue.Queue[NetworkEvent] = queue.Queue()
        self._net = SmtpDispatcher(settings, password, self._events)
        self._sender = Sender(settings.from_address, settings.from_name, settings.reply_to, settings.from_name_en)
        self._org_addresses = settings.organisation_addresses()
        # One claimed row per connection: a row is 'sending' only while a connection carries it,
        # so a crash can duplicate at most `concurrency` notices (README "Sending notices").
        self._window = settings.concurrency
        self._outstanding: dict[int, _Pending] = {}
        self._retry: list[_Pending] = []
        self._seq = itertools.count()
        self._results: list[AttemptResult] = []
        self._blocked: list[tuple[int, str]] = []
        self._released: list[int] = []
        self._feed = self._actionable()
        self._feed_done = False
        self._stopping = False
        self._net_stopped = False
        self._last_heartbeat = time.monotonic()
        self._phase = ""
        self.stats = RunStats()

    def run(self) -> RunStats:
        """Send until every due row is sent or failed, or until cancel/abort."""
        self._net.start()
        try:
            self._loop()
        except KeyboardInterrupt:
            self.stats.cancelled = True
        finally:
            self._shutdown()
        return self.stats

    # -- the loop ---------------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stopping:
            if self._progress.cancelled:
                self.stats.cancelled = True
                return
            pending = self._take()
            self._commit(pending)  # drops any message whose row could not be claimed
            if pending:
                self._net.submit([self._job(p) for p in pending])
            self._update_phase()
            if self._feed_done and not self._outstanding and not self._retry:
                return
            self._wait(self._wait_timeout())

    def _take(self) -> list[_Pending]:
        """Messages to claim now: due retries first, then new ones, up to the window."""
        if self._pause.paused:
            return []
        taken: list[_Pending] = []
        room = self._window - len(self._outstanding)
        now = time.monotonic()
        while len(taken) < room and self._retry and self._retry[0].due <= now:
            self._admit(heapq.heappop(self._retry), taken)
        while len(taken) < room and not self._feed_done:
            item = next(self._feed, None)
            if item is None:
                self._feed_done = True
            else:
                self._admit(item, taken)
        return taken

    def _admit(self, pending: _Pending, taken: list[_Pending]) -> None:
        """The last check before a message may leave: does it belong to its recipient?"""
        problems = recipient_problems(pending.message, self._org_addresses)
        if problems:
            self._blocked.append((pending.row_id, "blocked by the content check: " + "; ".join(problems)))
            self.stats.blocked += 1
            self._advance()
            return
        taken.append(pending)

    def _job(self, pending: _Pending) -> Job:
        data = build_message_bytes(pending.message, self._sender, pending.message_id, self._ctx.now())
        return Job(pending.row_id, ascii_address(pending.message.to_address), data)

    def _commit(self, claims: list[_Pending]) -> None:
        """One transaction: outcomes so far, blocked and released rows, the new claims, heartbeat."""
        heartbeat = time.monotonic() - self._last_heartbeat >= HEARTBEAT_S
        if not (claims or self._results or self._blocked or self._released or heartbeat):
            return
        store, now = self._ctx.store, self._ctx.now()
        with store.transaction():
            if self._results:
                store.send_ledger.record(self._results, now=now)
            if self._blocked:
                store.send_ledger.fail_unsent(self._blocked, now=now)
            if self._released:
                store.send_ledger.release(self._released, now=now)
            claimed = store.send_ledger.claim([(p.row_id, p.message.to_address) for p in claims],
                                              run_id=self._run_id, now=now) if claims else set()
            if heartbeat:
                store.send_runs.heartbeat(self._run_id, now=now)
        self._results, self._blocked, self._released = [], [], []
        if heartbeat:
            self._last_heartbeat = time.monotonic()
        # Only claimed rows may leave, each once: a recipient listed twice is sent once.
        kept = []
        for pending in claims:
            if pending.row_id in claimed:
                claimed.discard(pending.row_id)
                kept.append(pending)
        claims[:] = kept
        self._outstanding.update((p.row_id, p) for p in claims)

    # -- events from the network thread --------------------------------------------------------
    def _wait(self, timeout: float) -> None:
        """Wait for the first event, then gather for a few milliseconds more, so that one
        transaction stores many outcomes (rows stay 'sending' meanwhile: the crash rule holds)."""
        try:
            event = self._events.get(timeout=timeout)
        except queue.Empty:
            return
        self._handle(event)
        deadline = time.monotonic() + GATHER_S
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self._events.get(timeout=left)
            except queue.Empty:
                return
            self._handle(event)

    def _handle(self, event: NetworkEvent) -> None:
        if isinstance(event, Outcome):
            self._on_outcome(event)
        elif isinstance(event, Released):
            for row_id in event.row_ids:
                if self._outstanding.pop(row_id, None) is not None:
                    self._released.append(row_id)
        elif isinstance(event, Aborted):
            self.stats.aborted = event.reason
            self._stopping = True
        elif isinstance(event, Stopped):
            self._net_stopped = True
        elif isinstance(event, Crashed):
            raise event.error

    def _on_outcome(self, outcome: Outcome) -> None:
        pending = self._outstanding.pop(outcome.row_id)
        self.stats.attempted += 1
        state, reason, retry = outcome.state, outcome.reason, outcome.state == SendState.DEFERRED
        if outcome.uncertain:
            # The relay may have it: one re-send with the same Message-ID, then in_doubt.
            state = after_unknown_outcome(pending.doubt_retries)
            retry = state == SendState.DEFERRED
            reason += "; re-sent once with the same Message-ID" if retry else IN_DOUBT_NOTE
        elif retry and self._settings.retry.exhausted(pending.tries):
            retry, reason = False, f"refused temporarily {pending.tries} times in this run, last: {reason}; " \
                                   "not failed: the next send tries again"
        next_at = None
        if retry:
            delay = self._settings.retry.delay_after(pending.tries)
            next_at = self._ctx.now() + timedelta(seconds=delay)
            self._schedule(pending, delay, doubtful=outcome.uncertain)
        else:
            self.stats.sent += state == SendState.SENT
            self.stats.failed += state == SendState.FAILED
            self.stats.in_doubt += state == SendState.IN_DOUBT
            self.stats.deferred += state == SendState.DEFERRED
            self._advance()
        self._results.append(AttemptResult(outcome.row_id, state, outcome.code, outcome.reply, reason, next_at,
                                           outcome.uncertain))

    def _schedule(self, pending: _Pending, delay_s: float, *, doubtful: bool) -> None:
        self.stats.retries_scheduled += 1
        heapq.heappush(self._retry, _Pending(time.monotonic() + delay_s, next(self._seq), pending.row_id,
                                             pending.message_id, pending.attempts + 1, pending.message,
                                             pending.tries + 1, pending.doubt_retries + doubtful))

    # -- reading the source -----------------------------------------------------------------------
    def _actionable(self) -> Iterator[_Pending]:
        """Messages whose row is queued or due; deferred rows not yet due go to the retry heap."""
        for chunk in chunks(self._source.iter_messages(self._incident_id), FEED_CHUNK):
            rows = self._lookup(chunk)
            for message in chunk:
                entry = rows.get(message.ledger_key)
                if entry is not None and entry.state in (SendState.QUEUED, SendState.DEFERRED):
                    yield from self._due_now(message, entry)

    def _due_now(self, message: OutgoingMessage, entry: LedgerEntry) -> Iterator[_Pending]:
        pending = _Pending(0.0, next(self._seq), entry.id, entry.message_id, entry.attempts + 1, message,
                           doubt_retries=entry.doubt_retries)
        wait = (entry.next_attempt_at - self._ctx.now()).total_seconds() if entry.next_attempt_at else 0.0
        if wait <= 0:
            yield pending
        else:
            pending.due = time.monotonic() + wait
            heapq.heappush(self._retry, pending)

    def _lookup(self, chunk: list[OutgoingMessage]) -> dict[tuple[str, str, str], LedgerEntry]:
        groups: dict[tuple[str, str], list[str]] = {}
        for message in chunk:
            groups.setdefault((message.notice_kind, message.notice_version), []).append(message.recipient_key)
        found: dict[tuple[str, str, str], LedgerEntry] = {}
        for (kind, version), keys in groups.items():
            rows = self._ctx.store.send_ledger.lookup(self._incident_id, kind, version, keys)
            found.update(((key, kind, version), entry) for key, entry in rows.items())
        return found

    # -- progress and shutdown ----------------------------------------------------------------
    def _advance(self) -> None:
        # A cancel is noticed at the top of the loop, where stopping is orderly.
        with contextlib.suppress(Cancelled):
            self._progress.advance(1)

    def _update_phase(self) -> None:
        if self._pause.paused:
            phase = "paused"
        elif not self._outstanding and self._retry:
            phase = "waiting_retry"
        else:
            phase = "sending"
        # Repeated while paused or waiting (progress updates are throttled, and nothing else
        # advances then), so the listener always learns the current phase.
        if phase != self._phase or phase != "sending":
            self._phase = phase
            with contextlib.suppress(Cancelled):
                self._progress.advance(0, message=phase)

    def _wait_timeout(self) -> float:
        if self._outstanding or not self._retry or self._pause.paused:
            return MAX_WAIT_S
        return min(MAX_WAIT_S, max(0.0, self._retry[0].due - time.monotonic()))

    def _shutdown(self) -> None:
        """Stop the network side, collect the last outcomes and store everything."""
        if self._stopping or self.stats.cancelled or not self._feed_done or self._outstanding:
            self._net.stop_now()
        else:
            self._net.drain()
        deadline = time.monotonic() + self._settings.data_timeout_s + 2 * self._settings.timeout_s + 10
        while not self._net_stopped and time.monotonic() < deadline:
            self._wait(MAX_WAIT_S)
        self._net.join(timeout=5)
        # Handed to a connection and never reported: the relay may have them (in doubt, never
        # "not sent"); the next run re-sends each once with the same Message-ID.
        for row_id in list(self._outstanding):
            self._on_outcome(Outcome(row_id, SendState.DEFERRED, None, "", "the run ended before the relay's "
                                     "answer arrived; delivery unknown", uncertain=True))
        self._retry.clear()
        self._last_heartbeat = 0.0
        self._commit([])


def chunks(items: Iterable[OutgoingMessage], size: int) -> Iterator[list[OutgoingMessage]]:
    """Consecutive lists of up to ``size`` messages (streams the source)."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
