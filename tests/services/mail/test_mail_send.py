from __future__ import annotations

import email
from email import policy

from smtp_sink import Sink, smtp_settings, start_sink

from incident_app.domain.mail.sending import RetryPolicy, SendState
from incident_app.services.container import Services
from incident_app.services.mail.sources import SyntheticMessageSource


def test_every_recipient_gets_exactly_one_message_with_its_content(
    services: Services, sink: Sink, incident_id: int
) -> None:
    source = SyntheticMessageSource(60)
    summary = services.mail.send(incident_id, source, smtp_settings(sink.port))
    assert summary.outcome == "completed"
    assert summary.overview.by_state[SendState.SENT] == 60
    ids = sink.message_ids()
    assert len(ids) == 60 and set(ids.values()) == {1}
    rows = {e.to_address: e for e in services.mail.page(incident_id, limit=100)}
    for got in sink.received:
        parsed = email.message_from_bytes(got.data, policy=policy.default)
        expected = source.message(incident_id, int(got.address[1:7]))
        assert parsed["To"] == got.address == expected.to_address
        assert parsed["Message-ID"] == rows[got.address].message_id == got.message_id
        assert str(parsed["Subject"]) == expected.subject
        body = parsed.get_body(("plain",))
        assert body is not None and body.get_content().replace("\r\n", "\n") == expected.text_body
        assert rows[got.address].state == SendState.SENT and rows[got.address].last_reply.startswith("250")


def _faulty(stage: str, address: str, before: int) -> str | None:
    """Per-address misbehaviour, mostly only on the first try so that a retry succeeds."""
    number = int(address[1:7]) if address[:1] == "p" else 0
    if stage == "mail":
        return "421 4.7.0 too busy, closing" if before % 13 == 6 else None
    if stage == "rcpt" and number % 10 == 3:
        return "550 5.1.1 no such user"
    if stage == "rcpt" and number % 10 == 5 and before == 0:
        return "451 4.3.0 greylisted, try later"
    if stage == "drop" and number % 10 == 7 and before == 0:
        return "drop"
    if stage == "data" and number in (8, 18) and before == 0:
        return "stall"
    if stage == "data" and number == 28:
        return "stall"  # always: no answer after the body twice, so it ends in doubt (never failed)
    return None


def test_misbehaving_server_leaves_every_recipient_in_a_definite_state(
    services: Services, incident_id: int
) -> None:
    sink = Sink(rule=_faulty)
    controller = start_sink(sink)
    try:
        settings = smtp_settings(controller.port, timeout_s=1.0, data_timeout_s=1.0,
                                 retry=RetryPolicy(max_attempts=4, base_delay_s=0.05, max_delay_s=0.2))
        summary = services.mail.send(incident_id, SyntheticMessageSource(40), settings)
    finally:
        controller.stop()
    rows = {int(e.to_address[1:7]): e for e in services.mail.page(incident_id, limit=100)}
    assert summary.outcome == "completed" and len(rows) == 40
    for number, row in rows.items():
        if number % 10 == 3:
            assert row.state == SendState.FAILED and row.last_code == 550 and "no such user" in row.reason
        elif number == 28:
            assert row.state == SendState.IN_DOUBT and row.attempts == 2 and row.fallback is None
            assert "did not answer" in row.reason and row.in_doubt == 2
        else:
            assert row.state == SendState.SENT, (number, row)
    for number in (5, 15, 25, 35):
        assert rows[number].attempts >= 2  # 451 (maybe a 421 too) then success
    for number in (7, 17, 8, 18):
        assert rows[number].attempts >= 2 and rows[number].in_doubt >= 1
    received = sink.message_ids()
    assert set(received.values()) == {1}
    assert len(received) == sum(1 for r in rows.values() if r.state == SendState.SENT)
    assert summary.run.in_doubt == 1 and summary.run.failed == 4
    assert summary.run.retries_scheduled >= 10
    failed = [r for r in rows.values() if r.state == SendState.FAILED]
    assert all(r.fallback is not None for r in failed)
