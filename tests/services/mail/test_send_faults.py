"""Issue 13: under a relay fault the ledger stays true. Real aiosmtpd relays that refuse the session,
talk garbage, hang up after EHLO, refuse the login, or answer the end of DATA too late; the rows
end queued (session faults), in doubt (no answer after the body) or failed with the relay's own
per-recipient reason — never a confident wrong record."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from misbehaving_smtp import (
    AuthRequiredAtRcpt,
    CapsConnections,
    ClosesAfterEhlo,
    GarbageAfterEhlo,
    GarbageEverywhere,
    RefusesEhlo,
    SilentAfterGreeting,
    SlowAfterData,
    misbehaving,
)
from smtp_sink import Sink, SinkSMTP, password_authenticator, smtp_settings, start_sink

from incident_app.domain.errors import ValidationError
from incident_app.domain.mail.sending import DEFAULT_DATA_TIMEOUT_S, SendState, SmtpSettings, TlsMode
from incident_app.services.container import Services, open_services
from incident_app.services.mail import SendAborted
from incident_app.services.mail.sources import SyntheticMessageSource

COUNT = 12
STAMP = "2026-11-21T10:00:00+08:00"


def assert_untouched(services: Services, incident_id: int, count: int = COUNT) -> None:
    """Every row is queued as if this run never happened: no attempt, no reason, no fallback."""
    rows = services.mail.page(incident_id, limit=count + 10)
    assert len(rows) == count
    assert all(r.state == SendState.QUEUED and r.attempts == 0 and r.fallback is None for r in rows), rows[:3]
    overview = services.mail.overview(incident_id)
    assert overview.by_state[SendState.FAILED] == 0 and sum(overview.fallback.values()) == 0


@pytest.mark.parametrize(("server", "words"), [
    (RefusesEhlo, "554 5.7.1 Client host rejected"),
    (GarbageAfterEhlo, "not an SMTP reply"),
    (GarbageEverywhere, "did not speak SMTP"),
    (ClosesAfterEhlo, "closed the connection before the message was sent"),
    (AuthRequiredAtRcpt, "530 5.7.0 Authentication required"),
])
def test_a_relay_that_refuses_the_session_aborts_and_leaves_every_row_queued(
    services: Services, incident_id: int, server: type[SinkSMTP], words: str
) -> None:
    with misbehaving(server) as sink:
        summary = services.mail.send(incident_id, SyntheticMessageSource(COUNT), smtp_settings(sink.port))
    assert summary.outcome == "aborted" and words in summary.run.aborted, summary.run.aborted
    assert "P000001@" not in summary.run.aborted.upper()  # an echoed recipient is masked on screen
    assert summary.run.failed == 0 and sink.count() == 0
    assert_untouched(services, incident_id)
    finished = services.audit.timeline(incident_id)[0]
    assert finished.type == "send.finished" and finished.payload["outcome"] == "aborted"
    assert finished.payload["fallback_assigned"] == {"sms": 0, "letter": 0, "announcement": 0}


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_refused_login_aborts_and_leaves_every_row_queued(services: Services, incident_id: int) -> None:
    sink = Sink()
    controller = start_sink(sink, authenticator=password_authenticator("officer", "right"), auth_require_tls=False,
                            auth_required=True)
    try:
        settings = smtp_settings(controller.port, user="officer")
        summary = services.mail.send(incident_id, SyntheticMessageSource(COUNT), settings, "wrong")
        no_login = services.mail.send(incident_id, SyntheticMessageSource(COUNT), smtp_settings(controller.port))
    finally:
        controller.stop()
    assert summary.outcome == "aborted" and "refused the login (535" in summary.run.aborted
    assert no_login.outcome == "aborted" and "530" in no_login.run.aborted
    assert sink.count() == 0
    assert_untouched(services, incident_id)


def _refuse_some(stage: str, address: str, before: int) -> str | None:
    return "550 5.1.1 no such user" if stage == "rcpt" and address.startswith("p000003") else None


def test_only_a_refusal_of_that_recipient_fails_it_and_gives_it_a_fallback(
    services: Services, incident_id: int
) -> None:
    sink = Sink(rule=_refuse_some)
    controller = start_sink(sink)
    try:
        summary = services.mail.send(incident_id, SyntheticMessageSource(5), smtp_settings(controller.port))
    finally:
        controller.stop()
    rows = {r.to_address[:7]: r for r in services.mail.page(incident_id)}
    assert summary.outcome == "completed" and sink.count() == 4
    assert rows["p000003"].state == SendState.FAILED and rows["p000003"].last_code == 550
    assert rows["p000003"].fallback is not None
    assert all(r.state == SendState.SENT and r.fallback is None for k, r in rows.items() if k != "p000003")


def slow_settings(port: int) -> SmtpSettings:
    # The relay answers after 1.6 s; the client waits 1 s (the shortest allowed) after the body.
    return smtp_settings(port, data_timeout_s=1.0, concurrency=4)


def test_no_answer_after_the_body_means_in_doubt_resent_once_never_failed(
    services: Services, incident_id: int
) -> None:
    with misbehaving(sink=SlowAfterData(delay=1.6)) as sink:
        summary = services.mail.send(incident_id, SyntheticMessageSource(4), slow_settings(sink.port))
    rows = services.mail.page(incident_id)
    assert summary.outcome == "completed" and summary.run.failed == 0 and summary.run.in_doubt == 4
    assert all(r.state == SendState.IN_DOUBT and r.attempts == 2 and r.in_doubt == 2 for r in rows), rows
    assert all(r.fallback is None and "delivery unknown" in r.reason and "--requeue in_doubt" in r.reason
               for r in rows)
    # Each notice reached the relay exactly twice (the one re-send), both with the row's Message-ID.
    received = sink.message_ids()
    assert received == {r.message_id: 2 for r in rows}
    overview = services.mail.overview(incident_id)
    assert overview.by_state[SendState.IN_DOUBT] == 4 and overview.by_state[SendState.FAILED] == 0


def test_default_timeouts_wait_as_long_as_real_relays_need() -> None:
    settings = SmtpSettings(host="relay.example.com", port=587, tls_mode=TlsMode.STARTTLS,
                            from_address="privacy@example.com")
    assert settings.data_timeout_s >= 60 and settings.timeout_s >= 60 and DEFAULT_DATA_TIMEOUT_S >= 60


def test_requeue_puts_in_doubt_and_failed_rows_back_once_the_relay_is_fixed(
    services: Services, incident_id: int, sink: Sink
) -> None:
    with misbehaving(sink=SlowAfterData(delay=1.6)) as slow:
        services.mail.send(incident_id, SyntheticMessageSource(3), slow_settings(slow.port))
    with pytest.raises(ValidationError, match="failed and/or in_doubt"):
        services.mail.requeue(incident_id, [SendState.SENT])
    result = services.mail.requeue(incident_id, [SendState.IN_DOUBT, SendState.FAILED])
    assert result.to_dict() == {"requeued": 3, "by_state": {"failed": 0, "in_doubt": 3}, "fallback_cleared": 0}
    event = services.audit.timeline(incident_id)[0]
    assert event.type == "send.requeued" and event.payload["requeued"] == 3
    rows = services.mail.page(incident_id)
    assert all(r.state == SendState.QUEUED and r.doubt_retries == 0 and r.in_doubt == 2 for r in rows)
    summary = services.mail.send(incident_id, SyntheticMessageSource(3), smtp_settings(sink.port))
    assert summary.overview.by_state[SendState.SENT] == 3 and sink.count() == 3
    # The history stays: each row still says its first copies may have arrived.
    assert all(r.in_doubt == 2 for r in services.mail.page(incident_id))


def test_requeue_of_failed_rows_clears_their_fallback(services: Services, incident_id: int) -> None:
    sink = Sink(rule=_refuse_some)
    controller = start_sink(sink)
    try:
        services.mail.send(incident_id, SyntheticMessageSource(5), smtp_settings(controller.port))
        assert services.mail.overview(incident_id).by_state[SendState.FAILED] == 1
        result = services.mail.requeue(incident_id, [SendState.FAILED])
        assert result.to_dict() == {"requeued": 1, "by_state": {"failed": 1}, "fallback_cleared": 1}
        assert sum(services.mail.overview(incident_id).fallback.values()) == 0
        sink.rule = None  # the officer fixed the address / the relay
        summary = services.mail.send(incident_id, SyntheticMessageSource(5), smtp_settings(controller.port))
    finally:
        controller.stop()
    assert summary.overview.by_state[SendState.SENT] == 5 and summary.run.attempted == 1


def test_an_existing_database_upgrades_to_the_in_doubt_ledger(
    tmp_path: Path, intake: dict[str, object], raw_sqlite: Callable[[Path], sqlite3.Connection]
) -> None:
    """A file made before migration 11 (no doubt_retries column) opens, keeps its rows, and a row a
    dead run had left for its re-send counts that re-send as used."""
    path = tmp_path / "old.sqlite3"
    services = open_services(path)
    incident = services.incidents.create(intake)
    services.close()
    with raw_sqlite(path) as raw:
        raw.execute("ALTER TABLE send_ledger DROP COLUMN doubt_retries")
        raw.execute("DELETE FROM _migrations WHERE number = 11")
        raw.execute("INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address,"
                    " message_id, state, attempts, in_doubt, queued_at, updated_at) VALUES"
                    " (?, 'k1', 'n', '1', 'a@example.test', '<m1@x>', 'deferred', 1, 1, ?, ?)",
                    [incident.id, STAMP, STAMP])
    services = open_services(path)
    try:
        (row,) = services.mail.page(incident.id)
        assert row.state == SendState.DEFERRED and row.doubt_retries == 1 and row.in_doubt == 1
    finally:
        services.close()


@pytest.fixture
def raw_sqlite() -> Callable[[Path], Any]:
    class _Conn:
        def __init__(self, path: Path) -> None:
            self.conn = sqlite3.connect(path)

        def __enter__(self) -> sqlite3.Connection:
            return self.conn

        def __exit__(self, *exc: object) -> None:
            self.conn.commit()
            self.conn.close()

    return _Conn


@pytest.mark.parametrize(("server", "words"), [
    (RefusesEhlo, "554 5.7.1"), (ClosesAfterEhlo, "closed the connection"), (GarbageAfterEhlo, "not an SMTP reply"),
])
def test_a_test_send_to_a_relay_refusing_the_session_says_why(
    services: Services, incident_id: int, server: type[SinkSMTP], words: str
) -> None:
    with misbehaving(server) as sink, pytest.raises(SendAborted, match=words):
        services.mail.send_test(incident_id, SyntheticMessageSource(3), smtp_settings(sink.port),
                                None, "officer@example.test")
    assert services.mail.count(incident_id) == 0


def _drop_p2(stage: str, address: str, before: int) -> str | None:
    return "drop" if stage == "drop" and address.startswith("p000002") else None


def test_a_connection_dropped_after_the_body_twice_leaves_the_row_in_doubt(
    services: Services, incident_id: int
) -> None:
    sink = Sink(rule=_drop_p2)
    controller = start_sink(sink)
    try:
        summary = services.mail.send(incident_id, SyntheticMessageSource(4), smtp_settings(controller.port))
    finally:
        controller.stop()
    rows = {r.to_address[:7]: r for r in services.mail.page(incident_id)}
    dropped = rows.pop("p000002")
    assert dropped.state == SendState.IN_DOUBT and dropped.attempts == 2 and dropped.in_doubt == 2
    assert "connection lost after the message was sent" in dropped.reason and dropped.fallback is None
    assert all(r.state == SendState.SENT for r in rows.values()) and summary.run.failed == 0


def test_a_relay_refusing_extra_connections_at_the_greeting_sends_on_the_ones_it_allows(
    services: Services, incident_id: int
) -> None:
    with misbehaving(CapsConnections) as sink:
        settings = smtp_settings(sink.port, concurrency=5)
        summary = services.mail.send(incident_id, SyntheticMessageSource(COUNT), settings)
    assert summary.outcome == "completed", summary.run.aborted
    assert all(r.state == SendState.SENT for r in services.mail.page(incident_id, limit=COUNT + 1))
    assert sink.count() == COUNT and sink.peak_connections > CapsConnections.CAP  # extra ones were tried


def test_a_relay_refusing_every_greeting_aborts_with_its_reply(services: Services, incident_id: int) -> None:
    class RefusesAll(CapsConnections):
        CAP = 0

    with misbehaving(RefusesAll) as sink:
        summary = services.mail.send(incident_id, SyntheticMessageSource(COUNT), smtp_settings(sink.port))
    assert summary.outcome == "aborted" and "554 5.7.0 too many connections" in summary.run.aborted
    assert sink.count() == 0
    assert_untouched(services, incident_id)


def test_a_relay_silent_after_the_greeting_is_reported_at_ehlo(services: Services, incident_id: int) -> None:
    with misbehaving(SilentAfterGreeting) as sink:
        settings = smtp_settings(sink.port, timeout_s=1.0, concurrency=1)
        summary = services.mail.send(incident_id, SyntheticMessageSource(3), settings)
    assert summary.outcome == "aborted"
    assert "answered the greeting but sent no reply to EHLO within 1 s" in summary.run.aborted, summary.run.aborted
    assert "cannot connect" not in summary.run.aborted and sink.count() == 0
    assert_untouched(services, incident_id, 3)
