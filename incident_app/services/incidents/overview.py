"""What the Overview tab and the intake review show about deadlines: plain objects, no Qt,
built from the assessment engine's obligations (each with its legal source and confidence)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from incident_app.domain.assessment.deadlines import DueKind
from incident_app.domain.assessment.engine import AssessmentInput, assess
from incident_app.domain.assessment.enisa_rules import EnisaInputs
from incident_app.domain.assessment.obligations import Obligation
from incident_app.domain.clock import utc_now
from incident_app.domain.incident import Incident, IntakeFacts
from incident_app.domain.profile import OrganisationProfile
from incident_app.services.container import Services
from incident_app.services.resources import load_assessment_rules, load_catalog


@dataclass(frozen=True)
class DeadlineClock:
    """One deadline the officer must meet.

    ``due`` is None when the law says "immediately" without a number of hours (PIPL Art. 57) and
    no internal target applies; ``confidence`` is confirmed / secondary / unconfirmed (docs/legal-basis.md
    ✅ ◐ ❓)."""

    label: str
    due: datetime | None
    source: str
    confidence: str = "confirmed"
    recipient: str = ""
    done: bool = False
    # For a met duty with a legal due time: how late it was met (None: on time, see ``on_time``).
    late_by: timedelta | None = None
    on_time: bool = False


def deadline_clocks(services: Services, incident_id: int, lang: str = "zh-CN") -> list[DeadlineClock]:
    """The incident's obligations as countdown clocks, open ones soonest first, met ones last."""
    assessment = services.assessment.assess(incident_id)
    return _clocks(assessment.obligations, lang)


def preview_obligations(facts: IntakeFacts, profile: OrganisationProfile, lang: str = "zh-CN",
                        now: datetime | None = None) -> list[DeadlineClock]:
    """The first obligations the intake facts trigger, for the wizard's review page (before the
    incident is saved: no decisions, no ENISA review, no imported people yet)."""
    draft = Incident(id=0, facts=facts)
    data = AssessmentInput(incident=draft, profile=profile, decisions=(), enisa_inputs=EnisaInputs(),
                           now=now or utc_now())
    return _clocks(assess(data, load_catalog(), load_assessment_rules()).obligations, lang)


def _clocks(obligations: Iterable[Obligation], lang: str) -> list[DeadlineClock]:
    # A clock whose anchor has not happened yet (the 30-day summary before handling closes) is not
    # counting down; the Assessment tab lists it, the clocks do not.
    relevant = [o for o in obligations
                if o.status.value != "not_applicable" and o.deadline.kind != DueKind.AWAITING_ANCHOR]
    clocks = [DeadlineClock(
        label=f"{o.regime.value} · {o.title.get(lang)}", due=o.deadline.clock, source=o.citation.source_in(lang),
        confidence=o.citation.confidence.value, recipient=o.recipient.value, done=not o.status.is_open,
        late_by=o.late_by, on_time=o.met_on_time and o.met_at is not None and o.deadline.due is not None)
        for o in relevant]
    far = datetime.max.replace(tzinfo=utc_now().tzinfo)
    return sorted(clocks, key=lambda c: (c.done, c.due is not None, c.due or far))
