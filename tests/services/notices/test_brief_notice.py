"""The internal brief as a service: a supplementary brief once an obligation's status changes
after the last brief was sent (through a real SMTP sink), and the responsible persons kept out
of what the other notices say."""

from __future__ import annotations

from smtp_sink import Sink, smtp_settings

from incident_app.domain.notices import Channel, NoticeKind
from incident_app.services.container import Services
from incident_app.services.notices.brief_mail import BriefMessageSource
from incident_app.services.register.export import build_register
from tests.services.notices.test_notices import REMEDIATION

STAFF = [{"name": "Ada Lin", "role": "ciso", "email": "ciso@corp.test", "language": "en"}]


def brief_text(services: Services, incident_id: int) -> str:
    notice_set = services.notices.prepare(incident_id, kinds=[NoticeKind.INTERNAL_BRIEF])
    return next(n.rendered.content for n in notice_set.notices
                if n.rendered.channel == Channel.EMAIL_TEXT and n.rendered.lang == "en")


def test_supplementary_brief_after_an_obligation_is_met(services: Services, incident_id: int, sink: Sink) -> None:
    services.profile.save({"responsible_persons": STAFF})
    source = BriefMessageSource(services.notices, services.profile.get)
    services.notices.approve(incident_id, "officer", NoticeKind.INTERNAL_BRIEF)
    summary = services.mail.send(incident_id, source, smtp_settings(sink.port))
    assert summary.outcome == "completed" and [r.address for r in sink.received] == ["ciso@corp.test"]
    assert "Notify the PI-protection departments - pending" in brief_text(services, incident_id)
    assert services.notices.prepare(incident_id).changes[NoticeKind.INTERNAL_BRIEF] == ()

    services.fulfilments.record(incident_id, {"obligation_id": "pipl57-regulator", "channel": "email",
                                              "done_by": "王伟"})
    text = brief_text(services, incident_id)
    assert "[What is new or changed]" in text and "Supplementary internal brief" in text
    assert "- Notify the PI-protection departments: pending -> met" in text
    # What was done moves from the open list to the done list.
    assert "Notify the PI-protection departments - pending" not in text
    done = text.split("[What has been done]")[1]
    assert "- Notify the PI-protection departments" in done
    assert not source.approval(incident_id).approved  # the supplement needs its own approval
    # The brief went to staff: the register does not count it as a notice to individuals.
    row = next(r for r in build_register(services).records if r["id"] == incident_id)
    assert row["individuals_notified_at"] is None and row["notified_email"] == 0


def test_changing_the_responsible_persons_leaves_other_notices_approved(services: Services,
                                                                        incident_id: int) -> None:
    services.remediation.add(incident_id, REMEDIATION)
    services.notices.approve(incident_id, "officer", NoticeKind.INDIVIDUAL)
    services.profile.save({"responsible_persons": STAFF})
    # A personal notice would carry "what has changed" had the staff list entered the fact snapshot.
    states = services.notices.prepare(incident_id).of_kind(NoticeKind.INDIVIDUAL)
    assert states and all(s.status == "approved" for s in states)
    assert all("ciso@corp.test" not in s.rendered.content for s in services.notices.prepare(incident_id).notices)


def test_a_failed_brief_falls_back_to_sms_only_for_a_mobile(services: Services, incident_id: int) -> None:
    # A landline or a 400 service number takes no text message: no SMS fallback is recorded for it.
    staff = [{"name": "Ada Lin", "role": "ciso", "email": "ciso@corp.test", "phone": "138 0013 8000"},
             {"name": "Bo Wu", "role": "other", "email": "bo@corp.test", "phone": "021-3876 0448"},
             {"name": "Cy Ma", "role": "other", "email": "cy@corp.test", "phone": "400-820-8820"}]
    services.profile.save({"responsible_persons": staff})
    source = BriefMessageSource(services.notices, services.profile.get)
    people = services.profile.get().responsible_persons
    from incident_app.domain.mail import FallbackChannel
    from incident_app.services.notices.brief_mail import staff_key
    assert [source.fallback_for(incident_id, staff_key(p)) for p in people] == [FallbackChannel.SMS, None, None]
