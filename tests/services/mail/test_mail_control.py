"""Resuming, cancelling, pausing, pacing and refusing: the send ledger's rules against a real
loopback server."""

from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import replace

import pytest
from smtp_sink import SENDER, Sink, smtp_settings, start_sink

from incident_app.domain.mail.ledger import SendRun
from incident_app.domain.mail.sending import FallbackChannel, SendState
from incident_app.services.container import Services
from incident_app.services.mail.service import NotApproved, PauseFlag, SendBusy
from incident_app.services.mail.sources import StaticMessageSource, SyntheticMessageSource
from incident_app.services.progress import Progress, ProgressSnapshot


def test_cancel_then_resume_sends_the_rest_once(services: Services, incident_id: int, sink: Sink) -> None:
    progress = Progress()

    def cancel_after_ten(snapshot: ProgressSnapshot) -> None:
        if snapshot.done >= 10:
            progress.cancel()

    progress._on_change = cancel_after_ten  # type: ignore[attr-defined]
    progress._min_interval = 0.0  # type: ignore[attr-defined]
    first = services.mail.send(incident_id, SyntheticMessageSource(80), smtp_settings(sink.port), progress=progress)
    assert first.outcome == "cancelled" and 10 <= first.overview.by_state[SendState.SENT] < 80
    assert first.overview.by_state[SendState.SENDING] == 0  # claimed-but-unsent rows were given back
    second = services.mail.send(incident_id, SyntheticMessageSource(80), smtp_settings(sink.port))
    assert second.outcome == "completed" and second.overview.by_state[SendState.SENT] == 80
    assert len(sink.message_ids()) == 80 and set(sink.message_ids().values()) == {1}
    assert second.run.attempted == 80 - first.overview.by_state[SendState.SENT]


def test_pause_holds_new_messages_until_resumed(services: Services, incident_id: int, sink: Sink) -> None:
    pause, phases, counts = PauseFlag(), [], []
    timers: list[threading.Timer] = []

    def resume() -> None:
        counts.append(sink.count())
        pause.resume()

    def on_change(snapshot: ProgressSnapshot) -> None:
        phases.append(snapshot.message)
        if snapshot.done >= 5 and not timers:
            pause.pause()
            counts.append(sink.count())
            timers.append(threading.Timer(0.5, resume))
            timers[0].start()

    summary = services.mail.send(incident_id, SyntheticMessageSource(40), smtp_settings(sink.port, concurrency=2),
                                 progress=Progress(on_change, min_interval_s=0.0), pause=pause)
    timers[0].join()
    assert summary.outcome == "completed" and sink.count() == 40 and "paused" in phases
    # While paused only what was already handed to the network (one window: 2 x 2) went out.
    at_pause, at_resume = counts
    assert at_resume - at_pause <= 4 and at_resume < 40


def test_a_dead_runs_sending_rows_are_resent_once_and_flagged(
    services: Services, incident_id: int, sink: Sink
) -> None:
    source = SyntheticMessageSource(12)
    settings = smtp_settings(sink.port)
    services.mail.prepare(incident_id, source, settings)
    store, now = services.ctx.store, services.ctx.now()
    with store.transaction():
        store.send_runs.start(SendRun("dead-run", incident_id, _dead_pid(), os.uname().nodename, now, now))
        rows = store.send_ledger.page(incident_id, limit=3)
        store.send_ledger.claim([(r.id, r.to_address) for r in rows], run_id="dead-run", now=now)
    summary = services.mail.send(incident_id, source, settings)
    assert summary.recovered_in_doubt == 3 and summary.overview.by_state[SendState.SENT] == 12
    flagged = [r for r in services.mail.page(incident_id, limit=20) if r.in_doubt]
    assert {r.id for r in flagged} == {r.id for r in rows} and all(r.attempts == 2 for r in flagged)
    types = [e.type for e in services.audit.timeline(incident_id)]
    assert "send.started" in types and "send.finished" in types


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_live_run_blocks_a_second_sender(services: Services, incident_id: int, sink: Sink) -> None:
    now = services.ctx.now()
    with services.ctx.store.transaction():
        services.ctx.store.send_runs.start(SendRun("live", incident_id, os.getpid(), os.uname().nodename, now, now))
    with pytest.raises(SendBusy, match="is being sent by process"):
        services.mail.send(incident_id, SyntheticMessageSource(3), smtp_settings(sink.port))
    assert sink.count() == 0


def test_unapproved_notices_are_refused_but_dry_run_works(
    services: Services, incident_id: int, sink: Sink, tmp_path: os.PathLike[str]
) -> None:
    messages = list(SyntheticMessageSource(3).iter_messages(incident_id))
    source = StaticMessageSource(messages, approved=False, reason="notice individual_email is not approved")
    with pytest.raises(NotApproved, match="not approved"):
        services.mail.send(incident_id, source, smtp_settings(sink.port))
    result = services.mail.dry_run(incident_id, source, smtp_settings(sink.port), tmp_path / "eml")  # type: ignore[operator]
    assert result.written == 3 and sink.count() == 0 and services.mail.count(incident_id) == 0


def test_a_message_that_does_not_belong_to_its_recipient_never_leaves(
    services: Services, incident_id: int, sink: Sink
) -> None:
    good, leaky, wrong_ref = list(SyntheticMessageSource(3).iter_messages(incident_id))
    leaky = replace(leaky, text_body=leaky.text_body + "\nCopy sent to p000001@example.test\n")
    wrong_ref = replace(wrong_ref, text_body=wrong_ref.text_body.replace(wrong_ref.reference, good.reference))
    source = StaticMessageSource([good, leaky, wrong_ref], fallbacks={leaky.recipient_key: FallbackChannel.LETTER})
    summary = services.mail.send(incident_id, source, smtp_settings(sink.port))
    assert [r.address for r in sink.received] == [good.to_address]
    rows = {r.recipient_key: r for r in services.mail.page(incident_id)}
    leaked = rows[leaky.recipient_key]
    assert leaked.state == SendState.FAILED and "not this recipient's" in leaked.reason
    assert "lacks this recipient's notice reference" in rows[wrong_ref.recipient_key].reason
    assert rows[leaky.recipient_key].fallback == FallbackChannel.LETTER
    assert summary.overview.fallback[FallbackChannel.LETTER] == 1


def test_rate_and_connection_caps_hold(services: Services, incident_id: int) -> None:
    sink = Sink()
    controller = start_sink(sink, reply_delay=0.002)
    try:
        settings = smtp_settings(controller.port, concurrency=3, rate_per_s=40.0)
        services.mail.send(incident_id, SyntheticMessageSource(20), settings)
    finally:
        controller.stop()
    times = sorted(r.at for r in sink.received)
    assert len(times) == 20 and sink.peak_connections <= 3
    assert times[-1] - times[0] >= 19 / 40 * 0.9  # 20 messages at 40/s span at least ~0.47 s


def test_bounces_fail_sent_rows_and_pick_a_fallback(services: Services, incident_id: int, sink: Sink) -> None:
    source = SyntheticMessageSource(6)
    services.mail.send(incident_id, source, smtp_settings(sink.port))
    rows = services.mail.page(incident_id)
    count = services.mail.record_bounces(incident_id, [rows[0].message_id, rows[3].message_id, "<x@y>"], source)
    assert count == 2
    overview = services.mail.overview(incident_id)
    assert overview.by_state[SendState.FAILED] == 2 and sum(overview.fallback.values()) == 2


def test_sender_must_be_a_plain_address(services: Services, incident_id: int, sink: Sink) -> None:
    from incident_app.domain.errors import ValidationError

    with pytest.raises(ValidationError, match="from"):
        services.mail.send(incident_id, SyntheticMessageSource(1),
                           smtp_settings(sink.port, from_address=f"Privacy <{SENDER}>"))


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_wrong_password_costs_one_login_attempt_not_one_per_connection(
    services: Services, incident_id: int
) -> None:
    from smtp_sink import password_authenticator

    check = password_authenticator("officer", "right")
    attempts: list[str] = []

    def counting(*args: object) -> object:
        attempts.append("login")
        return check(*args)

    sink = Sink()
    controller = start_sink(sink, authenticator=counting, auth_require_tls=False, auth_required=True)
    try:
        summary = services.mail.send(incident_id, SyntheticMessageSource(20),
                                     smtp_settings(controller.port, user="officer", concurrency=8), "wrong")
    finally:
        controller.stop()
    assert summary.outcome == "aborted" and "refused the login" in summary.run.aborted
    # One connection tried to log in (aiosmtplib tries PLAIN, then LOGIN); without the one-at-a-time
    # first connection, eight connections would have made sixteen attempts.
    assert 1 <= len(attempts) <= 2 and summary.overview.by_state[SendState.QUEUED] == 20


def test_a_recipient_listed_twice_gets_one_message(services: Services, incident_id: int, sink: Sink) -> None:
    messages = list(SyntheticMessageSource(4).iter_messages(incident_id))
    summary = services.mail.send(incident_id, StaticMessageSource([*messages, messages[1], messages[1]]),
                                 smtp_settings(sink.port))
    assert summary.outcome == "completed" and summary.overview.total == 4
    assert sink.count() == 4 and set(sink.message_ids().values()) == {1}


def test_send_progress_counts_the_emails_not_the_sms_handed_to_the_gateway(
        services: Services, incident_id: int, sink: Sink) -> None:
    from datetime import UTC, datetime

    from incident_app.domain.mail.ledger import LedgerDraft

    drafts = [LedgerDraft(incident_id, f"sms-{i}", "individual", "sms:1", f"+861380000{i:04d}", "zh-CN", f"o{i}")
              for i in range(30)]
    services.ctx.store.send_ledger.enqueue_handoff(drafts, "sms", now=datetime.now(UTC))
    totals: list[int | None] = []
    summary = services.mail.send(incident_id, SyntheticMessageSource(12), smtp_settings(sink.port),
                                 progress=Progress(lambda s: totals.append(s.total), min_interval_s=0.0))
    assert summary.outcome == "completed" and sink.count() == 12
    assert {t for t in totals if t is not None} == {12}, totals  # not 42: the SMS rows are the gateway's
