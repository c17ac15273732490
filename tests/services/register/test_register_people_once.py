"""The register's channel columns count people, not messages: a teenager and their guardian are
two e-mails for one person, and a corrected notice is sent again."""

from __future__ import annotations

from incident_app.domain.mail import DeliveryOverview, FallbackChannel, SendState
from incident_app.domain.people import PeopleSummary
from incident_app.services.register.sources import people_by_channel


def test_channel_totals_never_exceed_the_people() -> None:
    people = PeopleSummary(total=10, minors=4, by_channel={"email": 6, "guardian_email": 2, "sms": 1, "none": 1},
                           unreachable=1, children=2, teens=2)
    # 8 people to e-mail; 2 teenagers also had their guardians e-mailed and everyone got a corrected notice.
    ledger = DeliveryOverview({**dict.fromkeys(SendState, 0), SendState.SENT: 18, SendState.FAILED: 2},
                              {**dict.fromkeys(FallbackChannel, 0), FallbackChannel.SMS: 2}, 0)
    counts = people_by_channel(people, ledger)
    assert sum(counts.values()) <= people.total
    assert counts == {"notified_email": 8, "pending_email": 0, "pending_sms": 1, "pending_letter": 0,
                      "announcement_people": 1}


def test_failures_move_only_people_not_yet_reached() -> None:
    people = PeopleSummary(total=5, by_channel={"email": 5})
    ledger = DeliveryOverview({**dict.fromkeys(SendState, 0), SendState.SENT: 3, SendState.FAILED: 2},
                              {**dict.fromkeys(FallbackChannel, 0), FallbackChannel.LETTER: 1,
                               FallbackChannel.ANNOUNCEMENT: 1}, 0)
    counts = people_by_channel(people, ledger)
    assert counts == {"notified_email": 3, "pending_email": 0, "pending_sms": 0, "pending_letter": 1,
                      "announcement_people": 1}
    assert sum(counts.values()) == people.total
