"""Only a 2xx after the end of the message body marks a recipient sent: real aiosmtpd relays that
answer RCPT with 252, answer the DATA command itself with 250, or answer the body with a reply that
is neither 2xx, 4xx nor 5xx."""

from __future__ import annotations

import pytest
from misbehaving_smtp import OddReplyAfterBody, OkToDataCommand, WillAttemptAtRcpt, misbehaving
from smtp_sink import smtp_settings

from incident_app.domain.mail.sending import SendState
from incident_app.services.container import Services
from incident_app.services.mail import SendAborted
from incident_app.services.mail.sources import SyntheticMessageSource

COUNT = 6


def test_a_252_to_rcpt_accepts_the_recipient_and_the_message_is_really_sent(
    services: Services, incident_id: int
) -> None:
    with misbehaving(sink=WillAttemptAtRcpt()) as sink:
        summary = services.mail.send(incident_id, SyntheticMessageSource(COUNT), smtp_settings(sink.port))
    rows = services.mail.page(incident_id)
    assert summary.outcome == "completed" and summary.run.failed == 0
    assert all(r.state == SendState.SENT for r in rows) and len(rows) == COUNT
    # Every row marked sent reached the relay once, with its own Message-ID.
    assert sink.message_ids() == {r.message_id: 1 for r in rows}


def test_a_250_to_the_data_command_is_never_sent_and_aborts_with_rows_queued(
    services: Services, incident_id: int
) -> None:
    with misbehaving(OkToDataCommand) as sink:
        summary = services.mail.send(incident_id, SyntheticMessageSource(COUNT), smtp_settings(sink.port))
    rows = services.mail.page(incident_id)
    assert sink.count() == 0
    assert summary.outcome == "aborted" and "instead of 354" in summary.run.aborted, summary.run.aborted
    assert all(r.state == SendState.QUEUED and r.fallback is None for r in rows), rows
    assert services.mail.overview(incident_id).by_state[SendState.SENT] == 0


def test_a_test_send_to_a_relay_answering_250_to_data_reports_failure(
    services: Services, incident_id: int
) -> None:
    with misbehaving(OkToDataCommand) as sink, pytest.raises(SendAborted, match="instead of 354"):
        services.mail.send_test(incident_id, SyntheticMessageSource(3), smtp_settings(sink.port),
                                None, "officer@example.test")
    assert sink.count() == 0


@pytest.mark.parametrize("reply", ["354 hmm", "199 what", "399 odd"])
def test_an_invalid_reply_after_the_body_is_in_doubt_with_at_most_one_copy_more(
    services: Services, incident_id: int, reply: str
) -> None:
    with misbehaving(sink=OddReplyAfterBody(reply)) as sink:
        summary = services.mail.send(incident_id, SyntheticMessageSource(3), smtp_settings(sink.port))
    rows = services.mail.page(incident_id)
    assert summary.run.failed == 0 and summary.run.in_doubt == 3
    assert all(r.state == SendState.IN_DOUBT and r.attempts == 2 and "delivery unknown" in r.reason
               for r in rows), rows
    # The one automatic re-send, with the same Message-ID: never more copies.
    assert sink.message_ids() == {r.message_id: 2 for r in rows}
