"""The sender uses the import's e-mail normaliser (issue 13 point 8): an internationalised domain
is delivered to a real SMTP server in its A-label form; a doubled dot never leaves."""

from __future__ import annotations

import email
from email import policy

from smtp_sink import Sink, smtp_settings

from incident_app.domain.mail.sending import SendState
from incident_app.services.container import Services
from incident_app.services.mail.sources import SyntheticMessageSource


def test_an_idn_recipient_is_delivered_as_a_labels(services: Services, sink: Sink, incident_id: int) -> None:
    summary = services.mail.send(incident_id, SyntheticMessageSource(2, domain="例子.中国"), smtp_settings(sink.port))
    assert summary.overview.by_state[SendState.SENT] == 2
    assert sorted(got.address for got in sink.received) == ["p000001@xn--fsqu00a.xn--fiqs8s",
                                                            "p000002@xn--fsqu00a.xn--fiqs8s"]
    for got in sink.received:
        assert email.message_from_bytes(got.data, policy=policy.default)["To"] == got.address
    rows = services.mail.page(incident_id, limit=10)
    assert {r.to_address for r in rows} == {"p000001@例子.中国", "p000002@例子.中国"}  # stored as imported


def test_a_doubled_dot_recipient_is_refused_by_the_sender(services: Services, sink: Sink, incident_id: int) -> None:
    services.mail.send(incident_id, SyntheticMessageSource(1, domain="x..example.com"), smtp_settings(sink.port))
    assert sink.received == []
    (row,) = services.mail.page(incident_id, limit=10)
    assert row.state != SendState.SENT and "not one plain address" in row.reason
