"""Remediation: actions taken and planned (owner, due, status), the advice individuals can follow
and the remedies the company offers. Advice and remedies feed the notices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from incident_app.domain.clock import EARLIEST_RECORD_YEAR, parse_time, record_time_problem, to_iso
from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.text import NAME_MAX, PROSE_MAX, text_problem


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ActionKind(StrEnum):
    CONTAINMENT = "containment"
    INVESTIGATION = "investigation"
    RECOVERY = "recovery"
    PREVENTION = "prevention"
    NOTIFICATION = "notification"
    OTHER = "other"


class NoteKind(StrEnum):
    """Texts addressed to affected people, in both languages."""

    ADVICE = "advice"    # what the person can do (PIPL 57(二); GB/T 35273 10.2 b)3)
    REMEDY = "remedy"    # what the company offers (GB/T 35273 10.2 b)4)


@dataclass(frozen=True)
class RemediationAction:
    id: int
    incident_id: int
    description: str
    kind: ActionKind
    status: ActionStatus
    owner: str
    due_at: datetime | None
    done_at: datetime | None
    description_en: str = ""
    # When work began (an action in progress); its due time, if any, is a target, not a lateness from the start.
    started_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {
            "id": self.id, "description": self.description, "description_en": self.description_en,
            "kind": self.kind.value, "status": self.status.value, "owner": self.owner,
            "due_at": to_iso(self.due_at) if self.due_at else None,
            "done_at": to_iso(self.done_at) if self.done_at else None,
        }
        # Only when known: an action recorded before start times existed keeps its exact dict, so
        # notices approved from it do not read as changed after the upgrade.
        if self.started_at:
            data["started_at"] = to_iso(self.started_at)
        return data

    def overdue(self, now: datetime) -> bool:
        """Past its due time and not done. Never measured from the start time: an action in
        progress without a due time is simply in progress."""
        return self.status != ActionStatus.DONE and self.due_at is not None and self.due_at < now


@dataclass(frozen=True)
class ActionDraft:
    description: str
    kind: ActionKind
    status: ActionStatus
    owner: str
    due_at: datetime | None
    done_at: datetime | None
    description_en: str = ""
    started_at: datetime | None = None


@dataclass(frozen=True)
class NoticeNote:
    id: int
    incident_id: int
    kind: NoteKind
    text_zh: str
    text_en: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind.value, "zh": self.text_zh, "en": self.text_en}


@dataclass(frozen=True)
class NoteDraft:
    kind: NoteKind
    text_zh: str
    text_en: str


@dataclass(frozen=True)
class RemediationInput:
    actions: tuple[ActionDraft, ...]
    notes: tuple[NoteDraft, ...]


# How long before the incident's start a done time may lie: containment often runs from the first
# alert, which may precede the time later settled as the occurrence; a year before it is a typo.
DONE_BEFORE_INCIDENT_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class ActionTimes:
    """What an action's times are checked against: now, and the incident's start (occurrence,
    else discovery), before which nothing was done for it."""

    now: datetime
    incident_start: datetime | None = None


ACTION_KEYS = ("description", "description_en", "kind", "status", "owner", "due_at", "done_at", "started_at")


def parse_remediation(data: Any, times: ActionTimes | None = None) -> RemediationInput:
    """Accept a list of actions, or an object with ``actions``, ``advice`` and ``remedies``.
    With ``times`` (every service call passes them) an action's times must be true: a done
    action says when (never stamped silently), nothing done or started in the future, nothing
    done before the incident or 1990, and done no earlier than started."""
    if isinstance(data, list):
        data = {"actions": data}
    if not isinstance(data, Mapping):
        raise ValidationError.single("(file)", "must be a list of actions or an object with 'actions'")
    problems = [FieldProblem(str(k), "unknown key; allowed: actions, advice, remedies")
                for k in data if k not in ("actions", "advice", "remedies")]
    actions = tuple(_action(a, i, problems, times) for i, a in enumerate(_list(data, "actions", problems), start=1))
    notes = tuple(
        _note(n, kind, i, problems)
        for key, kind in (("advice", NoteKind.ADVICE), ("remedies", NoteKind.REMEDY))
        for i, n in enumerate(_list(data, key, problems), start=1)
    )
    if not actions and not notes and not problems:
        problems.append(FieldProblem("actions", "nothing to add: give at least one action, advice or remedy"))
    if problems:
        raise ValidationError(problems)
    return RemediationInput(actions, notes)


def _list(data: Mapping[str, Any], key: str, problems: list[FieldProblem]) -> Sequence[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        problems.append(FieldProblem(key, "must be a list"))
        return []
    return value


def _action(raw: Any, row: int, problems: list[FieldProblem], times: ActionTimes | None = None) -> ActionDraft:
    if not isinstance(raw, Mapping):
        problems.append(FieldProblem("actions", "each action must be an object", row))
        return ActionDraft("", ActionKind.OTHER, ActionStatus.PLANNED, "", None, None)
    problems += [FieldProblem(f"actions.{k}", "unknown key; allowed: " + ", ".join(ACTION_KEYS), row)
                 for k in raw if k not in ACTION_KEYS]
    description = _text(raw.get("description"), "actions.description", row, problems, PROSE_MAX)
    if not description:
        problems.append(FieldProblem("actions.description", "is required: say what is done", row))
    status = _enum(ActionStatus, raw.get("status"), ActionStatus.PLANNED, "actions.status", row, problems)
    kind = _enum(ActionKind, raw.get("kind"), ActionKind.OTHER, "actions.kind", row, problems)
    due = _time(raw.get("due_at"), "actions.due_at", row, problems)
    done = _time(raw.get("done_at"), "actions.done_at", row, problems)
    started = _time(raw.get("started_at"), "actions.started_at", row, problems)
    if status == ActionStatus.DONE and done is None and ("done_at" in raw or times is not None):
        problems.append(FieldProblem("actions.done_at", "is required when status is done: give the time the "
                                                        "action was completed (it goes into every notice)", row))
    if status != ActionStatus.DONE and done is not None:
        problems.append(FieldProblem("actions.done_at", f"only a done action has a done time (status is "
                                                        f"{status.value}); for work in progress give started_at", row))
    if started and due and due < started:
        problems.append(FieldProblem("actions.due_at", "is before started_at", row))
    if times is not None:
        _check_times(done, started, times, row, problems)
    if due is not None and due.year < EARLIEST_RECORD_YEAR:
        problems.append(FieldProblem("actions.due_at",
                                     f"year {due.year} is before {EARLIEST_RECORD_YEAR}; check the date", row))
    return ActionDraft(description, kind, status, _text(raw.get("owner"), "actions.owner", row, problems, NAME_MAX),
                       due, done, _text(raw.get("description_en"), "actions.description_en", row, problems, PROSE_MAX),
                       started)


def _check_times(done: datetime | None, started: datetime | None, times: ActionTimes, row: int,
                 problems: list[FieldProblem]) -> None:
    """The done and start times of one action can be true (they reach the CAC report and every letter)."""
    not_before = times.incident_start - DONE_BEFORE_INCIDENT_MARGIN if times.incident_start else None
    if done is not None and (problem := record_time_problem(
            done, times.now, not_before=not_before, not_before_what="the incident began (less a day)")):
        problems.append(FieldProblem("actions.done_at", problem, row))
    if started is not None and (problem := record_time_problem(
            started, times.now, not_before=not_before, not_before_what="the incident began (less a day)")):
        problems.append(FieldProblem("actions.started_at", problem, row))
    if done is not None and started is not None and done < started:
        problems.append(FieldProblem("actions.done_at", f"{to_iso(done)} is before started_at "
                                                        f"({to_iso(started)}); an action ends after it starts",
                                     row))


def _note(raw: Any, kind: NoteKind, row: int, problems: list[FieldProblem]) -> NoteDraft:
    key = "advice" if kind == NoteKind.ADVICE else "remedies"
    if isinstance(raw, str):
        raw = {"zh": raw, "en": ""}
    if not isinstance(raw, Mapping) or not str(raw.get("zh") or raw.get("en") or "").strip():
        problems.append(FieldProblem(key, "each entry needs text: {\"zh\": …, \"en\": …}", row))
        return NoteDraft(kind, "", "")
    return NoteDraft(kind, _text(raw.get("zh"), f"{key}.zh", row, problems, PROSE_MAX),
                     _text(raw.get("en"), f"{key}.en", row, problems, PROSE_MAX))


def _text(value: Any, field: str, row: int, problems: list[FieldProblem], max_len: int) -> str:
    """A free-text value under the shared text rule (see domain/text.py); "" when refused."""
    text = str(value or "")
    problem = text_problem(text, max_len)
    if problem:
        problems.append(FieldProblem(field, problem, row))
        return ""
    return text.strip()


def _enum(enum: type[StrEnum], value: Any, default: StrEnum, field: str, row: int,
          problems: list[FieldProblem]) -> Any:
    if value in (None, ""):
        return default
    try:
        return enum(value)
    except ValueError:
        problems.append(FieldProblem(field, f"'{value}' is not one of: " + ", ".join(e.value for e in enum), row))
        return default


def _time(value: Any, field: str, row: int, problems: list[FieldProblem]) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return parse_time(str(value))
    except ValueError as exc:
        problems.append(FieldProblem(field, str(exc), row))
        return None
