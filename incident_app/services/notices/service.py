"""Notice use cases: prepare every required notice from one fact snapshot, check, store versions,
approve (sign-off bound to a content hash), waive elements, edit element texts, compare with the
approved facts, and stream personal emails for the sender."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from incident_app.domain.clock import parse_time
from incident_app.domain.decisions import Decision, DecisionKind
from incident_app.domain.enquiries import request_counts
from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.fulfilments import CorrectionTarget
from incident_app.domain.i18n import LANGUAGES
from incident_app.domain.notices import (
    CHANNELS,
    CONTENT_DECISIONS,
    ELEMENT_IDS,
    PERSONAL_KINDS,
    Channel,
    FactChange,
    FactSnapshot,
    NoticeApproval,
    NoticeKind,
    NoticeRecipient,
    NoticeVersion,
    SnapshotInputs,
    build_snapshot,
    diff_snapshots,
    recipients_from_people,
    required_elements,
)
from incident_app.domain.notices.completeness import html_sections
from incident_app.domain.notices.kinds import AUDIENCE_ELEMENTS, AUDIENCE_KINDS
from incident_app.domain.notices.mentions import mention_candidates
from incident_app.domain.notices.recipient import recipients_from_person
from incident_app.domain.people.person import mask_email, mask_name, mask_phone
from incident_app.domain.profile import default_sms_signature
from incident_app.domain.proof import Event
from incident_app.domain.text import PROSE_MAX, text_problem
from incident_app.services.audit import record_export
from incident_app.services.context import AppContext
from incident_app.services.fulfilments import active_decisions
from incident_app.services.ledger_keys import refuse_shared_ledger_keys
from incident_app.services.notices.brief import brief_changes, brief_snapshot_data, brief_version_ids
from incident_app.services.notices.context import NoticeContextBuilder, ReportInfo
from incident_app.services.notices.documents import PdfWriter
from incident_app.services.notices.export import ExportResult, NoticeExporter, RecipientSource
from incident_app.services.notices.inputs import NoticeInputsSource
from incident_app.services.notices.personal import PersonalEmail, PersonalRenderer
from incident_app.services.notices.plan import PlannedNotice, plan_notices
from incident_app.services.notices.prepared import NoticeSet, NoticeState
from incident_app.services.notices.recipient_preview import RecipientPreview, preview_person
from incident_app.services.notices.render import NoticeRenderer, RenderedNotice, contact_expectations
from incident_app.services.notices.template_editing import NoticeTemplateService
from incident_app.services.private_files import StagedOutputs
from incident_app.services.progress import Progress
from incident_app.services.remediation import DecisionService
from incident_app.services.settings import ProfileService

# The obligations whose fulfilment is "the initial report was filed" (CAC Measures Art. 4).
INITIAL_REPORT_OBLIGATIONS = ("cac-initial-report",)
# Declared statuses that mean the duty was done (met_outside_tool: records of older versions).
MET_STATUSES = ("met", "met_outside_tool")

PeopleSource = Callable[[int], Iterable[Any]]
# (incident id, audience "sms" / "phone" / "letter") -> only the people who may be reached so: a
# superset read with a filter in SQL, so a hand-off of a few percent does not read every person.
AudienceSource = Callable[[int, str], Iterable[Any]]

# Events whose change can alter what a notice says (their time is the notice's "as of").
_FACT_EVENT_PREFIXES = ("incident.", "remediation.", "assessment.")


class NoticeService:
    def __init__(self, ctx: AppContext, people_source: PeopleSource | None = None,
                 inputs_source: NoticeInputsSource | None = None,
                 audience_source: AudienceSource | None = None) -> None:
        self._ctx = ctx
        self.inputs_source = inputs_source
        self._profile = ProfileService(ctx)
        self._decisions = DecisionService(ctx)
        self.templates = NoticeTemplateService(ctx)
        self.people_source = people_source
        self.audience_source = audience_source

    # -- snapshot ------------------------------------------------------------------------------
    def snapshot(self, incident_id: int, grade: str | None = None) -> FactSnapshot:
        """Freeze what the notices may say about the incident now."""
        store = self._ctx.store
        incident = store.incidents.get(incident_id)
        decisions = active_decisions(self._ctx, incident_id)
        texts = store.notices.audience_texts(incident_id)
        return build_snapshot(SnapshotInputs(
            incident=incident, profile=self._profile.get(), catalog=self._ctx.catalog,
            actions=store.remediation.actions(incident_id), notes=store.remediation.notes(incident_id),
            decisions=decisions, element_texts=texts.pop("", {}), audience_texts=texts, grade=grade,
            as_of=self._as_of(incident_id) or incident.updated_at,
            imported_people=_imported(store.people.stats(incident_id).to_dict()),
            enquiries=enquiry_counts(store.enquiries.request_rows(incident_id)),
        ))

    def _as_of(self, incident_id: int) -> Any:
        for event in self._ctx.store.events.for_incident(incident_id):
            if _changes_facts(event):
                return event.at
        return None

    # -- prepare -------------------------------------------------------------------------------
    def prepare(self, incident_id: int, *, obligations: Sequence[Any] | None = None, grade: str | None = None,
                kinds: Sequence[NoticeKind] | None = None, langs: Sequence[str] = LANGUAGES) -> NoticeSet:
        """Render every planned notice (or only ``kinds``), check each, store new versions.

        Without explicit ``obligations``/``grade`` they come from the assessment (when wired)."""
        _check_langs(langs)
        basis: Mapping[str, Any] | None = None
        sector: Mapping[str, Any] | None = None
        if obligations is None and grade is None and self.inputs_source is not None:
            assessed = self.inputs_source(incident_id)
            obligations, grade, basis, sector = assessed.obligations, assessed.grade, assessed.brief, assessed.sector
        snapshot = self.snapshot(incident_id, grade)
        approvals = self._ctx.store.notices.approvals(incident_id)
        changes = {k: tuple(self._changes(snapshot, approvals, k)) for k in NoticeKind}
        brief = FactSnapshot.of(brief_snapshot_data(snapshot.data, basis))
        previous = self.last_sent_brief(incident_id)
        changes[NoticeKind.INTERNAL_BRIEF] = tuple(brief_changes(previous, brief.data)) if previous else ()
        incident = self._ctx.store.incidents.get(incident_id)
        plan = plan_notices(incident, obligations, decisions=active_decisions(self._ctx, incident_id),
                            grade=grade, supplement_due=bool(changes[NoticeKind.REGULATOR_INITIAL]),
                            teens=self._teens(incident_id))
        wanted = [p for p in plan if kinds is None or p.kind in kinds]
        renderers = self._renderers(snapshot, plan, approvals, changes, brief, sector)
        waivers = {p.kind: self.waivers(incident_id, p.kind) for p in wanted}
        rendered = [(p, renderers[p.kind].render_master(p.kind, ch, lang, waivers[p.kind]))
                    for p in wanted for ch in CHANNELS[p.kind] for lang in langs]
        states = self._store_versions(incident_id, snapshot, rendered, approvals, brief)
        return NoticeSet(incident_id, snapshot, tuple(plan), tuple(states), renderers, changes)

    def _teens(self, incident_id: int) -> bool | None:
        """Whether the imported people include 14-17-year-olds (None before any import)."""
        imported = self._ctx.store.people.stats(incident_id)
        return imported.teens > 0 if imported.total else None

    def _renderers(self, snapshot: FactSnapshot, plan: Sequence[PlannedNotice],
                   approvals: Sequence[tuple[NoticeApproval, NoticeVersion]],
                   changes: Mapping[NoticeKind, tuple[FactChange, ...]],
                   brief: FactSnapshot | None = None,
                   sector: Mapping[str, Any] | None = None) -> dict[NoticeKind, NoticeRenderer]:
        templates = self.templates.current()
        planned = tuple(p.kind for p in plan)
        filed_at = self.initial_filed_at(snapshot.incident_id)
        out: dict[NoticeKind, NoticeRenderer] = {}
        for kind in NoticeKind:
            kind_changes = changes[NoticeKind.REGULATOR_INITIAL] if kind == NoticeKind.REGULATOR_SUPPLEMENT else (
                changes[kind] if kind.personal else ())
            info = ReportInfo(planned, filed_at, kind_changes, prepared_at=self._ctx.now())
            if kind == NoticeKind.INTERNAL_BRIEF and brief is not None:
                info = replace(info, brief=brief.data.get("brief") or None, brief_changes=changes[kind])
            if kind == NoticeKind.SECTOR_REGULATOR:
                info = replace(info, sector=sector)
            builder = NoticeContextBuilder(snapshot, info)
            out[kind] = NoticeRenderer(templates, builder, contact_expectations(builder))
        return out

    def last_sent_brief(self, incident_id: int) -> dict[str, Any] | None:
        """The snapshot (facts and assessment basis) of the brief last e-mailed to the responsible
        persons, from the send ledger (its version names the approved brief versions); None
        before any brief was sent."""
        batches = self._ctx.store.send_ledger.batches(incident_id).get(incident_id, [])
        sent = [b for b in batches if b.kind == NoticeKind.INTERNAL_BRIEF.value and b.sent and b.last_sent_at]
        for batch in sorted(sent, key=lambda b: b.last_sent_at or self._ctx.now(), reverse=True):
            ids = brief_version_ids(batch.version)
            if ids:
                return dict(json.loads(self._ctx.store.notices.version(ids[0]).snapshot_json))
        return None

    def initial_filed_at(self, incident_id: int) -> datetime | None:
        """When the CAC initial report was filed, as recorded outside the tool: the earliest standing
        fulfilment, or an ``obligation_status`` decision declaring it met (its ``met_at``, else when it
        was decided) — the same records the assessment reads; None when nobody recorded it."""
        withdrawn = self._ctx.store.corrections.withdrawn(incident_id, CorrectionTarget.FULFILMENT)
        times = [f.done_at for f in self._ctx.store.fulfilments.list(incident_id)
                 if f.obligation_id in INITIAL_REPORT_OBLIGATIONS and f.id not in withdrawn]
        for decision in active_decisions(self._ctx, incident_id):
            details = decision.details
            if (decision.kind == DecisionKind.OBLIGATION_STATUS and details.get("status") in MET_STATUSES
                    and details.get("obligation_id") in INITIAL_REPORT_OBLIGATIONS):
                times.append(parse_time(str(details["met_at"])) if details.get("met_at") else decision.decided_at)
        return min(times, default=None)

    def _store_versions(self, incident_id: int, snapshot: FactSnapshot,
                        rendered: Sequence[tuple[PlannedNotice, RenderedNotice]],
                        approvals: Sequence[tuple[NoticeApproval, NoticeVersion]],
                        brief: FactSnapshot | None = None) -> list[NoticeState]:
        store = self._ctx.store
        latest = store.notices.latest_versions(incident_id)
        states, created = [], []
        with store.transaction():
            for planned, notice in rendered:
                # The brief's version keeps the assessment it was rendered from (what changed later).
                basis = brief if brief is not None and notice.kind == NoticeKind.INTERNAL_BRIEF else snapshot
                version = self._version_for(incident_id, basis, notice, latest)
                if version and version.id not in {v.id for v in latest.values()}:
                    created.append(version)
                states.append(_state(planned, notice, version, approvals))
            if created:
                self._ctx.record("notice.rendered", "incident", incident_id, {
                    "snapshot_sha256": snapshot.sha256,
                    "versions": [{"id": v.id, "kind": v.kind.value, "channel": v.channel.value, "lang": v.lang,
                                  "sha256": v.sha256} for v in created]}, incident_id)
        return states

    def _version_for(self, incident_id: int, snapshot: FactSnapshot, notice: RenderedNotice,
                     latest: Mapping[tuple[str, str, str], NoticeVersion]) -> NoticeVersion | None:
        if notice.error:
            return None
        current = latest.get((notice.kind.value, notice.channel.value, notice.lang))
        if current and current.sha256 == notice.sha256 and current.snapshot_sha256 == snapshot.sha256:
            return current
        draft = NoticeVersion(0, incident_id, notice.kind, notice.channel, notice.lang, notice.content,
                              notice.sha256, snapshot.to_json(), snapshot.sha256, self._ctx.now(), self._ctx.actor)
        return self._ctx.store.notices.add_version(draft)

    # -- approve -------------------------------------------------------------------------------
    def approve(self, incident_id: int, approver: str | None = None, kind: NoticeKind | None = None, *,
                obligations: Sequence[Any] | None = None, grade: str | None = None) -> list[NoticeApproval]:
        """Approve the current rendering of every planned notice (or one kind). Refuses, listing
        what is missing, if any completeness check fails; then nothing is approved."""
        who = (approver or self._ctx.actor).strip()
        if not who:
            raise ValidationError.single("approver", "name the person who approves")
        # One transaction: a refusal rolls back the versions ``prepare`` stored on the way, so a
        # refused approval leaves the database exactly as it was ("nothing was saved" is true).
        with self._ctx.store.transaction():
            notice_set = self.prepare(incident_id, obligations=obligations, grade=grade,
                                      kinds=[kind] if kind else None)
            chosen = notice_set.of_kind(kind)
            if not chosen:
                what = kind.value if kind else "any"
                raise ValidationError.single("notice", f"no {what} notice is planned for this incident")
            # Every reason at once: an officer who fixes one should not meet the next only then.
            problems = _incomplete_problems(chosen) + self._affected_people_problems(incident_id, chosen)
            if problems:
                raise ValidationError(problems)
            return self._record_approvals(incident_id, who, [n for n in chosen if n.approval is None])

    def _affected_people_problems(self, incident_id: int, states: Sequence[NoticeState]) -> list[FieldProblem]:
        """The internal brief holds counts only: refuse it while its text names an affected person
        or carries their e-mail, phone or ID number (it comes from the officer's free texts —
        summary, remediation actions, advice; domain/notices/mentions.py), naming what matched,
        masked, and where to remove it."""
        briefs = [(s, mention_candidates(s.rendered.content)) for s in states
                  if s.rendered.kind == NoticeKind.INTERNAL_BRIEF and s.rendered.content]
        wanted: dict[str, set[str]] = {}
        for _, candidates in briefs:
            for column, values in candidates.items():
                wanted.setdefault(column, set()).update(values)
        # One look-up for all the brief's renderings (a name is a scan of the people list).
        lookup = {c: sorted(v) for c, v in wanted.items()}
        hits = self._ctx.store.people.mentioned(incident_id, lookup) if lookup else []
        problems = []
        for state, candidates in briefs:
            mine = [(pid, column, value) for pid, column, value in hits if value in candidates.get(column, ())]
            if not mine:
                continue
            shown = ", ".join(dict.fromkeys(f"{_MENTION_WORDS[column]} {_masked(column, value)} (person #{pid})"
                                            for pid, column, value in mine))
            problems.append(FieldProblem(
                f"{state.rendered.kind.value}/{state.rendered.channel.value}/{state.rendered.lang}",
                f"names an affected person: {shown}; the brief holds counts only — remove it from the "
                "incident's summary, remediation actions or advice (edit ID / the Overview and Remediation tabs), "
                "then approve again"))
        return problems

    def _record_approvals(self, incident_id: int, who: str, states: Sequence[NoticeState]) -> list[NoticeApproval]:
        store, now = self._ctx.store, self._ctx.now()
        with store.transaction():
            approvals = [store.notices.add_approval(s.version, who, now) for s in states if s.version]
            if approvals:
                self._ctx.record("notice.approved", "incident", incident_id, {
                    "approver": who, "approvals": [a.to_dict() for a in approvals]}, incident_id)
        return approvals

    # -- waivers and officer texts -------------------------------------------------------------
    def waivers(self, incident_id: int, kind: NoticeKind) -> dict[str, str]:
        """Elements waived for a kind by a recorded decision (latest decision per element wins)."""
        out: dict[str, str] = {}
        for decision in self._decisions.active(incident_id):
            if decision.kind != DecisionKind.WAIVE_NOTICE_ELEMENT or decision.details.get("notice_kind") != kind.value:
                continue
            element = str(decision.details.get("element"))
            if decision.details.get("revoked"):
                out.pop(element, None)
            else:
                out[element] = f"waived by {decision.decided_by} (decision #{decision.id}): {decision.shown}"
        return out

    def waive(self, incident_id: int, kind: NoticeKind, element: str, reason: str, decided_by: str) -> Decision:
        """Record the decision to leave an element out of a notice, with its reason."""
        allowed = {e for ch in CHANNELS[kind] for e in required_elements(kind, ch)}
        if element not in allowed:
            raise ValidationError.single("element", f"'{element}' is not required in a {kind.value} notice; "
                                                    f"required: {', '.join(sorted(allowed))}")
        return self._decisions.record(incident_id, {
            "kind": DecisionKind.WAIVE_NOTICE_ELEMENT.value, "rationale": reason, "decided_by": decided_by,
            "details": {"notice_kind": kind.value, "element": element}})

    def set_element_text(self, incident_id: int, element: str, lang: str, text: str, audience: str = "") -> None:
        """The officer's own wording for one element (empty text returns to the generated one).
        ``audience``: a notice kind read by people or partners (its own plain wording of
        AUDIENCE_ELEMENTS); '' is the shared text, which the authorities' notices use."""
        problems = [] if element in ELEMENT_IDS else [FieldProblem("element", f"unknown element '{element}'")]
        problems += [] if lang in LANGUAGES else [FieldProblem("lang", f"choose one of {', '.join(LANGUAGES)}")]
        problems += _audience_problems(audience, element)
        problem = text_problem(text, PROSE_MAX)
        problems += [FieldProblem("text", problem)] if problem else []
        if problems:
            raise ValidationError(problems)
        store = self._ctx.store
        store.incidents.get(incident_id)
        with store.transaction():
            store.notices.set_element_text(incident_id, element, lang, text.strip(), self._ctx.actor, self._ctx.now(),
                                           audience)
            payload = {"element": element, "lang": lang, "text": text.strip()}
            self._ctx.record("notice.element_text_set", "incident", incident_id,
                             {**payload, "audience": audience} if audience else payload, incident_id)

    def element_texts(self, incident_id: int, audience: str = "") -> dict[str, dict[str, str]]:
        return self._ctx.store.notices.element_texts(incident_id, audience)

    def audience_defaults(self, incident_id: int, audience: str, lang: str) -> dict[str, str]:
        """What each audience element says in ``audience``'s notice now (its own text, or the plain
        wording generated from the facts and the catalog): what the audience boxes start from."""
        problems = _audience_problems(audience, AUDIENCE_ELEMENTS[0]) or (
            [] if lang in LANGUAGES else [FieldProblem("lang", f"choose one of {', '.join(LANGUAGES)}")])
        if problems:
            raise ValidationError(problems)
        kind = NoticeKind(audience)
        # Rendered, not stored: looking at the wording is no new version of a notice.
        renderer = self._renderers(self.snapshot(incident_id), [], [], dict.fromkeys(NoticeKind, ()))[kind]
        channel = CHANNELS[kind][0]
        content = renderer.render(kind, channel, lang, renderer.specimen_fields(kind, lang))
        sections = {s.element: s.text for s in html_sections(content)[0]}
        return {e: sections.get(e, "") for e in AUDIENCE_ELEMENTS if e in required_elements(kind, channel)}

    # -- facts changed after approval ----------------------------------------------------------
    def changes_since_approval(self, incident_id: int, kind: NoticeKind, grade: str | None = None) -> list[FactChange]:
        """What changed since the first approval of a kind (empty if never approved)."""
        approvals = self._ctx.store.notices.approvals(incident_id)
        return self._changes(self.snapshot(incident_id, grade), approvals, kind)

    def _changes(self, snapshot: FactSnapshot, approvals: Sequence[tuple[NoticeApproval, NoticeVersion]],
                 kind: NoticeKind) -> list[FactChange]:
        first = _first_approval(approvals, kind)
        if first is None:
            return []
        # Facts only: the officer's own wording and the decisions are not news to the reader.
        # Before an import the people block only repeats the intake's estimates (already listed).
        skip = ("decisions", "texts", "audience_texts") if (snapshot.data.get("people") or {}).get("imported") else (
            "decisions", "texts", "audience_texts", "people")
        return [c for c in diff_snapshots(json.loads(first[1].snapshot_json), snapshot.data)
                if not c.path.startswith(skip)]

    # -- export --------------------------------------------------------------------------------
    def export(self, incident_id: int, out_dir: Path, formats: Sequence[str], *, langs: Sequence[str] = LANGUAGES,
               pdf_writer: PdfWriter | None = None, recipients: Iterable[NoticeRecipient] | None = None,
               obligations: Sequence[Any] | None = None, grade: str | None = None,
               progress: Progress | None = None) -> tuple[NoticeSet, ExportResult]:
        """Prepare and write every notice in the chosen formats (see notice_export for the layout).
        Recipients default to the people source, if the composition root wired one. ``progress``
        hears "rendering", then one step per file and per recipient; its Cancel discards every
        staged file (nothing half-written stays) and rolls back the event."""
        progress = progress or Progress()
        progress.start(None, "rendering")
        notice_set = self.prepare(incident_id, obligations=obligations, grade=grade, langs=langs)
        progress.check()
        profile = self._profile.get()
        recipients = list(recipients) if recipients is not None else None
        personal, count = self._recipient_source(incident_id, recipients), len(recipients or ())
        if personal is not None and recipients is None and "eml" in formats:
            # One file per recipient is named by the reference from their send-ledger key: two
            # people on one key would be one file (the second overwriting the first), as the send
            # would treat them as one person. Refused before anything is written.
            refuse_shared_ledger_keys(self._ctx.store.people, incident_id)
        letters, letter_count = None, 0
        if personal is not None and recipients is None:
            # a teenager gets two notices (the minor one and the guardian's), everyone else one
            stats = self._ctx.store.people.stats(incident_id)
            count = stats.total + stats.teens
            letters = self._letter_source(incident_id)
            letter_count = sum(stats.by_channel.get(c, 0) for c in ("letter", "guardian_letter")) + stats.teens
        exporter = NoticeExporter(notice_set, out_dir, profile.company_zh, profile.officer_email, self._ctx.now(),
                                  pdf_writer, personal, staged=StagedOutputs(self._ctx.store.path),
                                  progress=progress, recipient_count=count, sender_name_en=profile.company_en,
                                  letter_recipients=letters, letter_count=letter_count)
        try:
            result = exporter.export(formats)
            # The files take their final names inside the event's transaction: a failed rename
            # takes back those already renamed and the event rolls back.
            with exporter.staged.committing(), self._ctx.store.transaction():
                self._ctx.record("notice.exported", "incident", incident_id, {
                    "formats": list(formats), "langs": list(langs), "files": len(result.files),
                    "snapshot_sha256": notice_set.snapshot.sha256}, incident_id)
                # Per-recipient e-mails and letters carry names and addresses: an unmasked export.
                record_export(self._ctx, what="notices", where=str(out_dir.resolve()), count=len(result.files),
                              unmasked=personal is not None and bool({"eml", "pdf"} & set(formats)),
                              incident_id=incident_id)
                exporter.staged.publish()
        except BaseException:
            exporter.staged.discard()  # a full disk or any failure: no partial export stays behind
            raise
        return notice_set, result

    def _recipient_source(self, incident_id: int,
                          recipients: Iterable[NoticeRecipient] | None) -> RecipientSource | None:
        if recipients is not None:
            fixed = list(recipients)
            return lambda: fixed
        source = self.people_source
        if source is None or next(iter(source(incident_id)), None) is None:
            return None  # nobody imported yet: the exports show the specimen notice
        return lambda: recipients_from_people(source(incident_id))

    def _letter_source(self, incident_id: int) -> RecipientSource | None:
        """Only the people who may get a letter (the store filters them), for the letters PDF."""
        narrowed = self.audience_source
        if narrowed is None:
            return None
        return lambda: recipients_from_people(narrowed(incident_id, "letter"))

    # -- personal emails for the sender --------------------------------------------------------
    def personal_emails(self, incident_id: int, recipients: Iterable[NoticeRecipient], *,
                        require_approval: bool = True, grade: str | None = None,
                        notice_set: NoticeSet | None = None) -> Iterator[PersonalEmail]:
        """Each recipient's email (subject, text, HTML), rendered from the approved masters. Raises
        ValidationError before yielding anything if a master is not approved (unless
        ``require_approval`` is False, e.g. for a dry run). A caller that already prepared the
        personal notices passes ``notice_set`` so they are not rendered again."""
        if notice_set is None:
            notice_set = self.prepare(incident_id, grade=grade, kinds=list(PERSONAL_KINDS))
        emails = [n for n in notice_set.notices if n.rendered.channel in (Channel.EMAIL_HTML, Channel.EMAIL_TEXT)]
        allowed = set(PERSONAL_KINDS)
        if require_approval:
            _refuse_unapproved(emails)
            allowed = {n.rendered.kind for n in emails}
        return PersonalRenderer(notice_set.renderers, allowed=allowed).emails(recipients)


    # -- one recipient's notices before approval -----------------------------------------------
    def shared_key_partners(self, incident_id: int, person_id: int) -> list[int]:
        """The other people of the incident on this person's send-ledger key: while there are any,
        the preview's reference is theirs too and the send and the exports refuse."""
        people = self._ctx.store.people
        return people.key_holders(incident_id, people.ledger_key(person_id), person_id)

    def preview_person(self, incident_id: int, person_id: int, grade: str | None = None) -> list[RecipientPreview]:
        """The e-mail, letter and SMS this affected person (and a minor's guardian) would get,
        rendered from the current masters through the sender's and the export's own calls;
        approval is not needed (nothing leaves the machine). Each carries a masked copy."""
        person = self._ctx.store.people.get(incident_id, person_id)
        notice_set = self.prepare(incident_id, grade=grade, kinds=list(PERSONAL_KINDS))
        planned = {p.kind for p in notice_set.plan} & set(PERSONAL_KINDS)
        renderer = PersonalRenderer(notice_set.renderers, allowed=planned)
        masters = {(state.rendered.kind, state.rendered.lang): state.rendered.content for state in notice_set.notices
                   if state.rendered.channel == Channel.SMS and not state.rendered.error}
        profile = self._profile.get().to_dict()
        signatures = {lang: default_sms_signature(profile, lang) for lang in ("zh-CN", "en")}
        return preview_person(renderer, incident_id, person, recipients_from_person(person), planned,
                              sms_masters=masters, signature=signatures["zh-CN"], signatures=signatures)


def enquiry_counts(rows: Sequence[tuple[str, str | None, int]]) -> dict[str, Any]:
    """Enquiries by topic and the complaints/requests by status, for the summary report (counts only)."""
    by_topic: dict[str, int] = {}
    for topic, _outcome, count in rows:
        by_topic[topic] = by_topic.get(topic, 0) + count
    requests = {topic: dict(statuses) for topic, statuses in request_counts(rows).items()}
    return {"total": sum(by_topic.values()), "by_topic": by_topic, "requests": requests}


def _audience_problems(audience: str, element: str) -> list[FieldProblem]:
    if not audience:
        return []
    allowed = [k.value for k in AUDIENCE_KINDS]
    if audience not in allowed:
        return [FieldProblem("audience", f"'{audience}' is not an audience; choose one of {', '.join(allowed)}")]
    if element not in AUDIENCE_ELEMENTS:
        return [FieldProblem("element", f"'{element}' has one text for every notice; audience texts are for "
                                        f"{', '.join(AUDIENCE_ELEMENTS)}")]
    return []


def _imported(summary: Mapping[str, Any]) -> dict[str, int] | None:
    """The imported list's counts for the snapshot (None before any import)."""
    if not summary.get("total"):
        return None
    return {k: int(summary.get(k, 0)) for k in ("total", "minors", "children", "teens")}


def _changes_facts(event: Event) -> bool:
    if event.type.startswith(_FACT_EVENT_PREFIXES):
        return True
    return event.type == "decision.recorded" and event.payload.get("kind") in {k.value for k in CONTENT_DECISIONS}


def _first_approval(approvals: Sequence[tuple[NoticeApproval, NoticeVersion]],
                    kind: NoticeKind) -> tuple[NoticeApproval, NoticeVersion] | None:
    return next(((a, v) for a, v in approvals if v.kind == kind), None)


def _state(planned: PlannedNotice, notice: RenderedNotice, version: NoticeVersion | None,
           approvals: Sequence[tuple[NoticeApproval, NoticeVersion]]) -> NoticeState:
    same = [(a, v) for a, v in approvals if (v.kind, v.channel, v.lang) == (notice.kind, notice.channel, notice.lang)]
    current = next((a for a, _ in reversed(same) if version and a.sha256 == notice.sha256), None)
    return NoticeState(planned, notice, version, current, approved_before=bool(same) and current is None)


_MENTION_WORDS = {"name": "the name", "guardian_name": "the guardian's name", "email": "the e-mail",
                  "guardian_email": "the guardian's e-mail", "phone": "the phone number",
                  "guardian_phone": "the guardian's phone number", "id_number": "the ID number"}


def _masked(column: str, value: str) -> str:
    if column.endswith("email"):
        return mask_email(value) or ""
    if column.endswith("phone"):
        return mask_phone(value) or ""
    if column == "id_number":
        return value[:3] + "*" * (len(value) - 5) + value[-2:]
    return mask_name(value) or ""


def _incomplete_problems(states: Sequence[NoticeState]) -> list[FieldProblem]:
    problems = []
    for state in states:
        where = f"{state.rendered.kind.value}/{state.rendered.channel.value}/{state.rendered.lang}"
        if state.rendered.error:
            problems.append(FieldProblem(where, state.rendered.error))
        elif not state.rendered.report.complete:
            missing = state.rendered.report.missing()
            # A translation gap is closed by writing the text, never by a waiver.
            hint = (_translation_hint(state.rendered.kind.value, missing)
                    if all(" text missing: " in m or " text untranslated: " in m for m in missing)
                    else " — fill it in (element text) or waive it with a reason")
            problems.append(FieldProblem(where, "incomplete: " + "; ".join(missing) + hint))
    return problems


def _translation_hint(kind: str, missing: Sequence[str]) -> str:
    """How to write each missing translation: a profile field in the profile, a decision's
    rationale by recording it again in both languages, a fact or element text with ``edit``."""
    fields = [m.rsplit(": ", 1)[-1] for m in missing]
    hints = [f"profile set {f.removeprefix('profile.')} \"…\" (Settings → Organisation)"
             for f in fields if f.startswith("profile.")]
    hints += [f"record the {f.removeprefix('decisions.')} decision again with its rationale in both languages: "
              f"decide ID --json FILE with \"rationale\": {{\"zh-CN\": \"…\", \"en\": \"…\"}} (Decisions → "
              "Record decision…, both rationale boxes)" for f in fields if f.startswith("decisions.")]
    # A decision the assessment's reasons cite (the grade's judgement, an obligation's ground).
    hints += ["record that decision again with its rationale in both languages: decide ID --json FILE with"
              " \"rationale\": {\"zh-CN\": \"…\", \"en\": \"…\"} (Assessment → the judgement, or Decisions →"
              " Record decision…, both rationale boxes)" for f in fields if f == "rationale"]
    hints += [f"edit ID --json FILE with {{\"ransom\": {{\"{f.removeprefix('ransom.')}\": \"…\"}}}} (Edit facts → "
              "ransom)" for f in fields if f.startswith("ransom.")]
    if any(not f.startswith(("profile.", "decisions.", "ransom.")) and f != "rationale" for f in fields):
        hints.append("edit ID --field FIELD --lang LANG --value …; an audience's text AUDIENCE.ELEMENT: "
                     "edit ID --element ELEMENT --audience AUDIENCE --lang LANG --value …")
    return " — write it in this language (" + "; ".join(hints) + ")"


def _refuse_unapproved(states: Sequence[NoticeState]) -> None:
    problems = [FieldProblem(f"{s.rendered.kind.value}/{s.rendered.channel.value}/{s.rendered.lang}",
                             "not approved in its current form; run 'approve' first") for s in states if not s.approval]
    if problems:
        raise ValidationError(problems)


def _check_langs(langs: Sequence[str]) -> None:
    bad = [lang for lang in langs if lang not in LANGUAGES]
    if bad or not langs:
        raise ValidationError.single("lang", f"'{','.join(bad)}' not supported; choose from {', '.join(LANGUAGES)}")
