"""The fact snapshot: everything a notice may say, frozen as canonical JSON with its SHA-256, so
every notice of one rendering agrees and an approval can later be compared with today's facts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from incident_app.domain.catalog import Catalog
from incident_app.domain.clock import to_iso
from incident_app.domain.decisions import Decision, DecisionKind
from incident_app.domain.incident import Incident
from incident_app.domain.profile import OrganisationProfile
from incident_app.domain.proof import canonical_json
from incident_app.domain.remediation import NoteKind, NoticeNote, RemediationAction
from incident_app.domain.text import clean_text

# Decisions that change what notices say or which notices exist (waivers only change the check).
CONTENT_DECISIONS = (DecisionKind.EXEMPT_INDIVIDUAL_NOTICE, DecisionKind.PUBLIC_ANNOUNCEMENT_INSTEAD,
                     DecisionKind.CAC_GRADE_JUDGEMENT, DecisionKind.NOTIFICATION_DELAY)


@dataclass(frozen=True)
class FactSnapshot:
    """Canonical, hashable facts. ``data`` is plain JSON; ``sha256`` covers all of it."""

    data: Mapping[str, Any]
    sha256: str

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> FactSnapshot:
        return cls(data, hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest())

    def to_json(self) -> str:
        return canonical_json(self.data)

    @property
    def incident_id(self) -> int:
        return int(self.data["incident_id"])

    @property
    def drill(self) -> bool:
        return bool(self.data["facts"].get("drill"))


@dataclass(frozen=True)
class SnapshotInputs:
    """What the snapshot is built from (read by the service, passed in here)."""

    incident: Incident
    profile: OrganisationProfile
    catalog: Catalog
    actions: Sequence[RemediationAction] = ()
    notes: Sequence[NoticeNote] = ()
    decisions: Sequence[Decision] = ()
    element_texts: Mapping[str, Mapping[str, str]] | None = None  # element -> lang -> officer text
    # audience (a notice kind for people or partners) -> element -> lang -> the officer's text
    audience_texts: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None
    grade: str | None = None
    as_of: datetime | None = None
    imported_people: Mapping[str, int] | None = None  # total, minors, children, teens of the imported list
    # Counts of the enquiries and of the complaints/requests by status (never who asked).
    enquiries: Mapping[str, Any] | None = None


def build_snapshot(inputs: SnapshotInputs) -> FactSnapshot:
    """Freeze the inputs into a snapshot (deterministic: same inputs, same hash)."""
    facts = inputs.incident.facts
    profile = inputs.profile.to_dict()
    profile.pop("source", None)
    # Staff contacts are not what a notice says: changing the responsible persons must not
    # change (and so un-approve) every notice.
    profile.pop("responsible_persons", None)
    # Snapshots approved before the telecom licence fields and the English contact name and
    # authority existed stay identical while these are empty.
    for key in ("telecom_licence", "telecom_authority", "telecom_authority_en", "contact_name_en"):
        if not profile.get(key):
            profile.pop(key, None)
    closed = inputs.incident.handling_closed_at
    data = {
        "incident_id": inputs.incident.id,
        "as_of": to_iso(inputs.as_of or inputs.incident.updated_at),
        "facts": facts.to_dict(),
        "people": people_counts(inputs),
        "grade": inputs.grade,
        "handling_closed_at": to_iso(closed) if closed else None,
        "profile": profile,
        "data_types": [_data_type(inputs.catalog, type_id) for type_id in facts.data_types],
        "actions": [a.to_dict() for a in inputs.actions],
        "advice": [_note(n) for n in inputs.notes if n.kind == NoteKind.ADVICE],
        "remedies": [_note(n) for n in inputs.notes if n.kind == NoteKind.REMEDY],
        "texts": {k: dict(v) for k, v in sorted((inputs.element_texts or {}).items()) if any(v.values())},
        "decisions": [_decision(d) for d in inputs.decisions if d.kind in CONTENT_DECISIONS],
    }
    if inputs.enquiries and inputs.enquiries.get("total"):
        data["enquiries"] = dict(inputs.enquiries)
    audience = {a: {k: dict(v) for k, v in sorted(texts.items()) if any(v.values())}
                for a, texts in sorted((inputs.audience_texts or {}).items())}
    if any(audience.values()):  # only when set, so snapshots of older incidents keep their hash
        data["audience_texts"] = {a: t for a, t in audience.items() if t}
    # Text saved before the text rule existed may hold control characters or direction
    # overrides; none of it reaches a notice (new input is refused at entry, domain/text.py).
    return FactSnapshot.of(_cleaned(data))


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {k: _cleaned(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_cleaned(v) for v in value]
    return value


def people_counts(inputs: SnapshotInputs) -> dict[str, Any]:
    """The one set of counts every notice prints: the imported list's once there is one (people
    and minors by band), else the intake's estimates; records always come from the intake (0 =
    not yet known)."""
    facts, imported = inputs.incident.facts, inputs.imported_people
    records = facts.affected_records
    if imported and imported.get("total"):
        return {"imported": True, "total": int(imported["total"]), "minors": int(imported.get("minors", 0)),
                "children": int(imported.get("children", 0)), "teens": int(imported.get("teens", 0)),
                "records": records}
    return {"imported": False, "total": facts.affected_people, "minors": facts.affected_minors,
            "children": facts.affected_minors_under_14, "teens": facts.affected_minors_14_17, "records": records}


def _data_type(catalog: Catalog, type_id: str) -> dict[str, Any]:
    try:
        item = catalog.get(type_id)
    except KeyError:  # an id the catalog no longer has: keep it visible rather than drop it
        return {"id": type_id, "group": "", "name_zh": type_id, "name_en": type_id, "sensitive": False,
                "harm_zh": "", "harm_en": "", "advice_zh": "", "advice_en": ""}
    return {"id": item.id, "group": item.group, "name_zh": item.name_zh, "name_en": item.name_en,
            "sensitive": item.sensitive,
            "harm_zh": item.harm_zh, "harm_en": item.harm_en, "advice_zh": item.advice_zh,
            "advice_en": item.advice_en}


def _note(note: NoticeNote) -> dict[str, str]:
    return {"zh": note.text_zh, "en": note.text_en}


def _decision(decision: Decision) -> dict[str, Any]:
    return {"kind": decision.kind.value, "details": decision.details, "rationale": decision.rationale_value(),
            "decided_by": decision.decided_by, "decided_at": to_iso(decision.decided_at)}


@dataclass(frozen=True)
class FactChange:
    """One difference between an approved snapshot and today's: ``path`` like ``facts.affected_people``."""

    path: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}


# Volatile or derived parts that do not change what happened.
# The enquiry counts grow every day after the notices go out; they change no fact a notice states.
_IGNORED = frozenset({"as_of", "incident_id", "enquiries"})


def diff_snapshots(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FactChange]:
    """What changed, field by field for facts and profile, item by item for lists."""
    changes: list[FactChange] = []
    for key in sorted(set(old) | set(new)):
        if key in _IGNORED or old.get(key) == new.get(key):
            continue
        before, after = old.get(key), new.get(key)
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            changes += _mapping_changes(key, before, after)
        else:
            changes.append(FactChange(key, before, after))
    return changes


def _mapping_changes(prefix: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FactChange]:
    return [FactChange(f"{prefix}.{k}", old.get(k), new.get(k))
            for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]


def changed_paths(changes: Iterable[FactChange]) -> list[str]:
    return [c.path for c in changes]
