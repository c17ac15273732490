"""Builds the services of one thread over one store. The composition roots (app.py for the GUI,
cli/main.py for the command line) call :func:`open_services` and add the adapters they need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from incident_app.domain.clock import utc_now
from incident_app.services.assessment import AssessmentService
from incident_app.services.audit import AuditService
from incident_app.services.context import AppContext
from incident_app.services.enquiries import EnquiryService
from incident_app.services.fulfilments import CorrectionService, FulfilmentService
from incident_app.services.handoff import HandoffService, PlatformHandoff
from incident_app.services.incidents import IncidentService
from incident_app.services.mail import MailService
from incident_app.services.notices import NoticeService, assessed_notice_inputs
from incident_app.services.people import PeopleService
from incident_app.services.remediation import DecisionService, RemediationService
from incident_app.services.resources import load_catalog
from incident_app.services.settings import ProfileService
from incident_app.storage.database import UpgradeNotice
from incident_app.storage.store import ConnectHook, Store


@dataclass
class Services:
    """The use cases available to a caller (one thread)."""

    ctx: AppContext
    incidents: IncidentService
    profile: ProfileService
    audit: AuditService
    remediation: RemediationService
    decisions: DecisionService
    fulfilments: FulfilmentService
    corrections: CorrectionService
    assessment: AssessmentService
    notices: NoticeService
    mail: MailService
    people: PeopleService
    enquiries: EnquiryService
    handoff: HandoffService
    platform: PlatformHandoff

    @property
    def db_path(self) -> Path | None:
        return self.ctx.store.path

    def close(self) -> None:
        self.ctx.store.close()


def open_services(
    db_path: Path,
    *,
    clock: Callable[[], datetime] = utc_now,
    connect_hook: ConnectHook | None = None,
    before_upgrade: UpgradeNotice | None = None,
) -> Services:
    """Open the database at ``db_path`` (migrating it; ``before_upgrade`` hears of an upgrade of an
    existing file first) and wire the services over it."""
    store = Store.open(db_path, connect_hook, before_upgrade)
    ctx = AppContext(store=store, catalog=load_catalog(), clock=clock)
    people = PeopleService(ctx)
    assessment = AssessmentService(ctx, people_counts=people.imported_counts)
    notices = NoticeService(ctx, people_source=people.iter_people, inputs_source=assessed_notice_inputs(assessment),
                            audience_source=people.iter_audience)
    handoff = HandoffService(ctx, notices)
    services = Services(
        ctx=ctx,
        incidents=IncidentService(ctx, open_obligations=assessment.open_before_close),
        profile=ProfileService(ctx),
        audit=AuditService(ctx),
        remediation=RemediationService(ctx),
        decisions=DecisionService(ctx),
        fulfilments=FulfilmentService(ctx, not_applicable=assessment.not_applicable_ids),
        corrections=CorrectionService(ctx),
        assessment=assessment,
        notices=notices,
        mail=MailService(ctx),
        people=people,
        enquiries=EnquiryService(ctx),
        handoff=handoff,
        platform=PlatformHandoff(ctx, notices, handoff),
    )
    store.after_commit = lambda incident_ids: _keep_summaries_current(services, incident_ids)
    return services


def _keep_summaries_current(services: Services, incident_ids: set[int]) -> None:
    # Deferred: the register's summaries build on these services (services/register/summary.py).
    from incident_app.services.register.summary import write_through

    write_through(services, incident_ids)


ServicesFactory = Callable[[], Services]
