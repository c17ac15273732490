"""A notice the relay accepted and that bounced later keeps when it was sent, through a real
loopback relay and a real database file: the bounce makes it failed with its ``sent_at``; sent
again (``--requeue failed``) and refused by the relay, it stays failed and still keeps that
time; accepted then, it is sent at the new acceptance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from smtp_sink import Sink, smtp_settings, start_sink

from incident_app.domain.mail.sending import SendState
from incident_app.services.container import Services
from incident_app.services.mail.sources import SyntheticMessageSource


def test_a_bounced_notice_refused_when_sent_again_keeps_its_sent_time(
        services: Services, incident_id: int, clock: Any) -> None:
    sink = Sink()
    controller = start_sink(sink)
    try:
        source = SyntheticMessageSource(3)
        services.mail.send(incident_id, source, smtp_settings(controller.port))
        first = services.mail.page(incident_id)[0]
        assert first.state == SendState.SENT and first.sent_at is not None
        clock.now += timedelta(minutes=10)
        assert services.mail.record_bounces(incident_id, [first.message_id], source) == 1
        bounced = services.mail.page(incident_id)[0]
        assert (bounced.state, bounced.sent_at) == (SendState.FAILED, first.sent_at)

        # The officer sends it again, and the relay now refuses that mailbox for good.
        services.mail.requeue(incident_id, [SendState.FAILED])
        clock.now += timedelta(minutes=10)
        sink.rule = lambda stage, address, _n: ("550 5.1.1 no such user" if stage == "rcpt"
                                                and address == first.to_address else None)
        services.mail.send(incident_id, source, smtp_settings(controller.port))
        refused = services.mail.page(incident_id)[0]
        assert refused.state == SendState.FAILED and refused.attempts > first.attempts
        assert refused.sent_at == first.sent_at
        others = services.mail.page(incident_id)[1:]
        assert all(r.state == SendState.SENT and r.sent_at == first.sent_at for r in others)

        # Accepted at last: sent at that acceptance.
        services.mail.requeue(incident_id, [SendState.FAILED])
        clock.now += timedelta(minutes=10)
        sink.rule = None
        services.mail.send(incident_id, source, smtp_settings(controller.port))
    finally:
        controller.stop()
    resent = services.mail.page(incident_id)[0]
    assert resent.state == SendState.SENT and resent.sent_at == clock.now
