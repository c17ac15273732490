"""Builds the services of one thread over one store. The composition roots (app.py for the GUI,
cli/main.py for the command line) call :func:`open_services` and add the adapters they need.

Each service is built, and its module imported, the first time it is used: a process that needs
a few of them (the register's helper process computing the metrics) does not pay for importing
the templates, the mail relay, the people importer and the document writers (about half a second
of its start). The wiring between services goes through the container, so a service that hands
another one's function on does not build that one until the function is called."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_app.domain.clock import utc_now
from incident_app.services.context import AppContext
from incident_app.services.resources import load_catalog
from incident_app.storage.store import ConnectHook, Store

if TYPE_CHECKING:
    from incident_app.services.assessment import AssessmentService
    from incident_app.services.audit import AuditService
    from incident_app.services.enquiries import EnquiryService
    from incident_app.services.fulfilments import CorrectionService, FulfilmentService
    from incident_app.services.handoff import HandoffService, PlatformHandoff
    from incident_app.services.incidents import IncidentService
    from incident_app.services.mail import MailService
    from incident_app.services.notices import NoticeService
    from incident_app.services.people import PeopleService
    from incident_app.services.remediation import DecisionService, RemediationService
    from incident_app.services.settings import ProfileService

# The services a Services object offers (each a cached property below).
SERVICE_NAMES = ("incidents", "profile", "audit", "remediation", "decisions", "fulfilments", "corrections",
                 "assessment", "notices", "mail", "people", "enquiries", "handoff", "platform")


class Services:
    """The use cases available to a caller (one thread), each built on first use."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    @property
    def db_path(self) -> Path | None:
        return self.ctx.store.path

    def close(self) -> None:
        self.ctx.store.close()

    def built(self) -> Iterator[str]:
        """The names of the services built so far (the helper-process import test)."""
        return (name for name in SERVICE_NAMES if name in vars(self))

    @cached_property
    def incidents(self) -> IncidentService:
        from incident_app.services.incidents.service import IncidentService

        return IncidentService(self.ctx, open_obligations=self._open_obligations)

    @cached_property
    def profile(self) -> ProfileService:
        from incident_app.services.settings.profile import ProfileService

        return ProfileService(self.ctx)

    @cached_property
    def audit(self) -> AuditService:
        from incident_app.services.audit import AuditService

        return AuditService(self.ctx)

    @cached_property
    def remediation(self) -> RemediationService:
        from incident_app.services.remediation import RemediationService

        return RemediationService(self.ctx)

    @cached_property
    def decisions(self) -> DecisionService:
        from incident_app.services.remediation import DecisionService

        return DecisionService(self.ctx)

    @cached_property
    def fulfilments(self) -> FulfilmentService:
        from incident_app.services.fulfilments import FulfilmentService

        return FulfilmentService(self.ctx, not_applicable=self._not_applicable)

    @cached_property
    def corrections(self) -> CorrectionService:
        from incident_app.services.fulfilments import CorrectionService

        return CorrectionService(self.ctx)

    @cached_property
    def assessment(self) -> AssessmentService:
        from incident_app.services.assessment import AssessmentService

        return AssessmentService(self.ctx, people_counts=self._people_counts)

    @cached_property
    def notices(self) -> NoticeService:
        from incident_app.services.notices.inputs import assessed_notice_inputs
        from incident_app.services.notices.service import NoticeService

        return NoticeService(self.ctx, people_source=self.people.iter_people,
                             inputs_source=assessed_notice_inputs(self.assessment),
                             audience_source=self.people.iter_audience)

    @cached_property
    def mail(self) -> MailService:
        from incident_app.services.mail.service import MailService

        return MailService(self.ctx)

    @cached_property
    def people(self) -> PeopleService:
        from incident_app.services.people.service import PeopleService

        return PeopleService(self.ctx)

    @cached_property
    def enquiries(self) -> EnquiryService:
        from incident_app.services.enquiries import EnquiryService

        return EnquiryService(self.ctx)

    @cached_property
    def handoff(self) -> HandoffService:
        from incident_app.services.handoff.service import HandoffService

        return HandoffService(self.ctx, self.notices)

    @cached_property
    def platform(self) -> PlatformHandoff:
        from incident_app.services.handoff.platform import PlatformHandoff

        return PlatformHandoff(self.ctx, self.notices, self.handoff)

    # The wiring: each looks its service up when called (building it then, not with the caller).
    def _open_obligations(self, incident_id: int) -> Iterable[str]:
        return self.assessment.open_before_close(incident_id)

    def _not_applicable(self, incident_id: int) -> Iterable[str]:
        return self.assessment.not_applicable_ids(incident_id)

    def _people_counts(self, incident_id: int) -> Any:
        return self.people.imported_counts(incident_id)


def open_services(
    db_path: Path,
    *,
    clock: Callable[[], datetime] = utc_now,
    connect_hook: ConnectHook | None = None,
) -> Services:
    """Open the database at ``db_path`` (migrating it); the services over it are built on first use."""
    store = Store.open(db_path, connect_hook)
    services = Services(AppContext(store=store, catalog=load_catalog(), clock=clock))
    store.after_commit = lambda incident_ids: _keep_summaries_current(services, incident_ids)
    return services


def _keep_summaries_current(services: Services, incident_ids: set[int]) -> None:
    # Deferred: the register's summaries build on these services (services/register/summary.py).
    from incident_app.services.register.summary import write_through

    write_through(services, incident_ids)


ServicesFactory = Callable[[], Services]
