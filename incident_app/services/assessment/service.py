"""Use cases of the assessment: compute it for an incident (from facts, profile, decisions and
the officer's ENISA inputs), save those inputs, and render it as the ``assess`` JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from incident_app.domain.assessment.deadlines import WorkdayCalendar
from incident_app.domain.assessment.delivery import EmailDelivery, LedgerBatch, without_rows
from incident_app.domain.assessment.engine import (
    Assessment,
    AssessmentInput,
    AssessmentRules,
    assess,
    effective_data_types,
)
from incident_app.domain.assessment.enisa_rules import EnisaInputs, parse_enisa_inputs
from incident_app.domain.assessment.enquiries import EnquiryLoad
from incident_app.domain.assessment.obligations import ObligationStatus
from incident_app.domain.assessment.people import PeopleCountsLike, combine_counts
from incident_app.domain.assessment.severity import top_data_type
from incident_app.domain.catalog import EnisaCategory
from incident_app.domain.decisions import Decision
from incident_app.domain.fulfilments import CorrectionTarget, Fulfilment
from incident_app.domain.incident import Incident
from incident_app.domain.profile import OrganisationProfile
from incident_app.services.assessment.as_json import assessment_to_json
from incident_app.services.context import AppContext
from incident_app.services.fulfilments import FulfilmentService, active_decisions
from incident_app.services.resources import load_assessment_rules
from incident_app.services.settings import ProfileService
from incident_app.storage.people import PURGE_TARGET as PEOPLE_PURGE_TARGET

# Entries of the kept delivery record in place of a ledger channel and version, counted before
# the purge blanked the contacts and keys they come from: the teenagers' guardians by how they are
# told, and the register's people per channel (storage SendLedgerRepository.people_told).
TEEN_GUARDIANS_RECORD = ("people", "teen_guardians")
PEOPLE_TOLD_RECORD = ("people", "told")


class AssessmentService:
    def __init__(self, ctx: AppContext, rules: AssessmentRules | None = None,
                 calendar: WorkdayCalendar | None = None,
                 people_counts: Callable[[int], PeopleCountsLike | None] | None = None) -> None:
        self._ctx = ctx
        # The imported people list's counts, when one was imported (services/people/service.py).
        self._people_counts = people_counts
        self.rules = rules or load_assessment_rules()
        self._calendar = calendar
        self._profiles = ProfileService(ctx)
        self._fulfilments = FulfilmentService(ctx)

    def assess(self, incident_id: int, people: PeopleCountsLike | None = None) -> Assessment:
        """The assessment as of now; ``people`` are the imported counts (looked up when not given)."""
        store = self._ctx.store
        incident = store.incidents.get(incident_id)
        if people is None and self._people_counts is not None:
            people = self._people_counts(incident_id)
        inputs = store.enisa_inputs.latest(incident_id) or EnisaInputs()
        batches = store.send_ledger.batches(incident_id, self.staff_keys()).get(incident_id, [])
        unmatched = store.send_ledger.unmatched_guardian_rows(incident_id).get(incident_id, []) if batches else []
        superseded = store.send_ledger.superseded_rows(incident_id).get(incident_id, []) if batches else []
        stats = store.people.stats(incident_id)
        delivery = self._delivery(incident_id, stats.by_channel, batches, unmatched, superseded, teens=stats.teens)
        return self._assess(incident, inputs, people, delivery=delivery)

    def staff_keys(self) -> list[str] | None:
        """The send-ledger keys of the responsible persons in the profile (whose brief rows count);
        None when the profile lists nobody (then every brief row counts: an emptied list does not
        turn a brief that reached only some of them into one sent to everyone)."""
        return _staff_keys(self._profiles.get())

    def not_applicable_ids(self, incident_id: int) -> list[str]:
        """The obligations that do not apply to the incident (nothing can be fulfilled for them)."""
        return [o.id for o in self.assess(incident_id).obligations if o.status == ObligationStatus.NOT_APPLICABLE]

    def open_before_close(self, incident_id: int) -> list[str]:
        """The obligations still open, except those whose clock only starts when handling closes."""
        return [o.id for o in self.assess(incident_id).obligations
                if o.status.is_open and o.deadline.anchor != "handling_closed_at"]

    def assess_all(self, incidents: Sequence[Incident] | None = None) -> list[Assessment]:
        """The assessment of every incident (or of ``incidents``, already loaded by the caller),
        reading the ENISA inputs, the people counts, the send ledger's batches and the profile
        once (the register)."""
        store = self._ctx.store
        inputs = store.enisa_inputs.latest_by_incident()
        profile = self._profiles.get()
        chosen = store.incidents.list() if incidents is None else incidents
        stats = store.people.all_stats() if self._people_counts is not None else {}
        batches = store.send_ledger.batches(staff=_staff_keys(profile))
        unmatched = store.send_ledger.unmatched_guardian_rows()
        superseded = store.send_ledger.superseded_rows()
        # Fulfilments and corrections are read once for all incidents (the register assesses thousands).
        fulfilled = store.fulfilments.by_incident()
        withdrawn = store.corrections.withdrawn_ids(CorrectionTarget.FULFILMENT)
        loads = store.enquiries.loads()
        # The decisions of every incident in one read too, less the withdrawn ones (active_decisions).
        withdrawn_decisions = store.corrections.withdrawn_ids(CorrectionTarget.DECISION)
        decided = store.decisions.by_incident([i.id for i in chosen])
        found = []
        for i in chosen:
            summary = stats.get(i.id)
            people = summary if summary is not None and summary.total else None
            delivery = self._delivery(i.id, summary.by_channel if summary else {}, batches.get(i.id, []),
                                      unmatched.get(i.id, []), superseded.get(i.id, []),
                                      teens=summary.teens if summary else 0)
            fulfilments = tuple(f for f in fulfilled.get(i.id, []) if f.id not in withdrawn)
            decisions = tuple(d for d in decided.get(i.id, []) if d.id not in withdrawn_decisions)
            found.append(self._assess(i, inputs.get(i.id, EnisaInputs()), people, profile, delivery, fulfilments,
                                      loads.get(i.id), decisions))
        return found

    def _assess(self, incident: Incident, inputs: EnisaInputs, people: PeopleCountsLike | None,
                profile: OrganisationProfile | None = None, delivery: EmailDelivery | None = None,
                fulfilments: tuple[Fulfilment, ...] | None = None,
                enquiries: EnquiryLoad | bool | None = False,
                decisions: tuple[Decision, ...] | None = None) -> Assessment:
        if enquiries is False:  # not given: read this incident's enquiries
            enquiries = self._ctx.store.enquiries.loads(incident.id).get(incident.id)
        data = AssessmentInput(
            incident=incident, profile=profile or self._profiles.get(),
            decisions=tuple(active_decisions(self._ctx, incident.id)) if decisions is None else decisions,
            enisa_inputs=inputs,
            now=self._ctx.now(), people=people, email_delivery=delivery,
            fulfilments=tuple(self._fulfilments.active(incident.id)) if fulfilments is None else fulfilments,
            enquiries=enquiries if isinstance(enquiries, EnquiryLoad) else None)
        return assess(data, self._ctx.catalog, self.rules, self._calendar)

    def _delivery(self, incident_id: int, by_channel: Mapping[str, int], batches: Sequence[LedgerBatch],
                  unmatched: Sequence[LedgerBatch] = (), superseded: Sequence[LedgerBatch] = (), *,
                  teens: int = 0) -> EmailDelivery | None:
        """The delivery input, once sending has begun (nothing to weigh before). When the row
        counts alone would complete a group, the fully sent versions' rows are matched against
        the people now on the list (an indexed pass in SQL, only then): the same number of
        different people must not leave the duty met. ``unmatched``: the old ``#guardian`` rows
        (storage.send_ledger.unmatched_guardian_rows), and ``superseded``: the rows to a contact
        since corrected and handed off again (storage.send_ledger.superseded_rows), both taken
        out of the counts. ``teens``: the teenagers on the list, whose guardians the guardians'
        group needs too (one pass over the list counts them by how the guardian is told, only
        when there are any)."""
        if not batches:
            return None
        frozen = self._list_frozen_by_purge(incident_id)
        # The purge blanked the keys: what the match said when it began stands (a version whose
        # rows add up only since then reached nobody on record). Purged before such a record
        # was kept: the row counts stand, as they did then.
        store = self._ctx.store
        kept = store.retention.delivery_record(incident_id) if frozen else None
        people = dict(by_channel)
        if teens and not frozen:
            people |= store.send_ledger.teen_guardians(incident_id, store.people.ranges(incident_id))
        elif kept is not None:  # as counted before the purge blanked the guardians' contacts
            people |= kept.pop(TEEN_GUARDIANS_RECORD, {})
        if kept is not None:
            kept.pop(PEOPLE_TOLD_RECORD, None)
        counted = EmailDelivery(people, without_rows(batches, [*unmatched, *superseded]),
                                unmatched_rows=sum(b.rows for b in unmatched))
        versions = counted.fully_sent_versions()
        if not versions:
            return counted
        if frozen:
            return counted if kept is None else replace(counted, reached=kept)
        return replace(counted, reached=self._match(incident_id, versions, teens=bool(teens)))

    def _match(self, incident_id: int, versions: set[tuple[str, str]], *,
               teens: bool) -> dict[tuple[str, str], dict[str, int]]:
        """Per (ledger channel, version): the people now on the list it reached, by person
        channel, and (``teens``) the teenagers' guardians it reached, by how they are told."""
        store = self._ctx.store
        ranges = store.people.ranges(incident_id)
        found = {}
        for pair in sorted(versions):
            reached = store.send_ledger.reached_people(incident_id, *pair, ranges)
            if teens:
                reached |= store.send_ledger.teen_guardians_reached(incident_id, *pair, ranges)
            found[pair] = reached
        return found

    def keep_delivery_record(self, incident_id: int) -> None:
        """Before the retention purge blanks the people and the ledger's keys: keep, per ledger
        version whose rows add up, the people now on the list it reached, so the obligations to
        tell individuals and guardians read after the purge as they did before (call before the
        purge's first chunk). Once a chunk is purged the record kept then stays; a purge cancelled
        before its first chunk leaves the list open to change, so the next one keeps a new record."""
        store = self._ctx.store
        if self._list_frozen_by_purge(incident_id):
            return  # keys already blanked (kept before the first chunk, or purged by an older version)
        batches = store.send_ledger.batches(incident_id, self.staff_keys()).get(incident_id, [])
        removed = [*store.send_ledger.unmatched_guardian_rows(incident_id).get(incident_id, []),
                   *store.send_ledger.superseded_rows(incident_id).get(incident_id, [])]
        stats = store.people.stats(incident_id)
        # The teenagers' guardians too: the purge blanks the contacts that say how they are told.
        teen_guardians = store.send_ledger.teen_guardians(incident_id, store.people.ranges(incident_id)) \
            if stats.teens else {}
        counted = EmailDelivery(dict(stats.by_channel) | teen_guardians, without_rows(batches, removed))
        reached = self._match(incident_id, counted.fully_sent_versions(), teens=bool(stats.teens)) if batches else {}
        if teen_guardians:
            reached[TEEN_GUARDIANS_RECORD] = teen_guardians
        if batches:  # the register's counts, which match each person to their rows like the above
            reached[PEOPLE_TOLD_RECORD] = store.send_ledger.people_told(incident_id, store.people.ranges(incident_id))
        store.retention.keep_delivery_record(incident_id, reached, self._ctx.now())

    def kept_people_told(self, incident_id: int) -> dict[str, int] | None:
        """The register's people per channel as matched before the retention purge blanked the
        incident's people and the ledger's keys (None: never purged, or purged by a version that
        kept none — then nothing is left to match, and the row counts are all there is)."""
        if not self._list_frozen_by_purge(incident_id):
            return None
        kept = self._ctx.store.retention.delivery_record(incident_id) or {}
        told = kept.get(PEOPLE_TOLD_RECORD)
        return None if told is None else dict(told)

    def list_frozen_by_purge(self, incident_id: int) -> bool:
        """Whether the retention purge blanked (or began blanking) the incident's people and the
        ledger's keys: their rows can no longer be matched to people (the register's counts)."""
        return self._list_frozen_by_purge(incident_id)

    def _list_frozen_by_purge(self, incident_id: int) -> bool:
        """Whether the retention purge blanked (or began blanking) the people and the ledger's keys:
        nothing is left to match, and the list can no longer change (imports and corrections are
        refused), so the row counts stand."""
        retention = self._ctx.store.retention
        return (retention.purged_at(incident_id, PEOPLE_PURGE_TARGET) is not None
                or retention.progress(incident_id, PEOPLE_PURGE_TARGET) is not None)

    def enisa_inputs(self, incident_id: int) -> EnisaInputs:
        """The officer's saved ENISA inputs, or empty ones (the tool's suggestions apply)."""
        self._ctx.store.incidents.get(incident_id)
        return self._ctx.store.enisa_inputs.latest(incident_id) or EnisaInputs()

    def dpc_category(self, incident_id: int, people: PeopleCountsLike | None = None) -> EnisaCategory:
        """The ENISA category whose adjustment range the officer chooses within."""
        incident = self._ctx.store.incidents.get(incident_id)
        types = effective_data_types(incident, combine_counts(incident.facts, people), self._ctx.catalog)
        top = top_data_type(types, self.rules.enisa)
        return top.enisa_category if top else EnisaCategory.SIMPLE

    def save_enisa_inputs(self, incident_id: int, data: Mapping[str, Any],
                          people: PeopleCountsLike | None = None) -> EnisaInputs:
        """Validate and store the officer's ENISA choices with their rationale; logged as an event."""
        inputs = parse_enisa_inputs(data, self.rules.enisa, self.dpc_category(incident_id, people))
        store = self._ctx.store
        with store.transaction():
            saved = store.enisa_inputs.add(incident_id, inputs, saved_by=self._ctx.actor, saved_at=self._ctx.now())
            self._ctx.record("assessment.enisa_inputs_saved", "incident", incident_id, inputs.to_dict(), incident_id)
        return saved

    def to_json(self, assessment: Assessment, lang: str = "zh-CN") -> dict[str, Any]:
        """The ``assess`` JSON (README: Command line, `assess`) in one language."""
        return assessment_to_json(assessment, self.rules, lang)


def _staff_keys(profile: OrganisationProfile) -> list[str] | None:
    return [p.ledger_key for p in profile.responsible_persons] or None

