"""The intake wizard's Finish: the incident and the first containment actions, saved together."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.incident import Incident
from incident_app.domain.remediation import ActionTimes, parse_remediation
from incident_app.services.container import Services

T = TypeVar("T")


def create_incident_with_containment(
    services: Services, intake: Mapping[str, Any], actions: Sequence[Mapping[str, Any]]
) -> Incident:
    """Validate the intake and the actions, then store both in ONE transaction.

    Every problem of both inputs is reported at once; if anything is wrong nothing is saved."""
    problems: list[FieldProblem] = []
    facts = _collect(problems, lambda: services.incidents.validate_intake(intake))
    if actions:  # the same time rules as RemediationService.add, against the facts being saved
        start = (facts.occurred_at or facts.discovered_at) if facts is not None else None
        times = ActionTimes(services.ctx.now(), start)
        _collect(problems, lambda: parse_remediation({"actions": list(actions)}, times))
    if problems or facts is None:
        raise ValidationError(problems)
    with services.ctx.store.transaction():
        incident = services.incidents.create_from_facts(facts)
        if actions:
            services.remediation.add(incident.id, {"actions": list(actions)})
    return incident


def _collect(problems: list[FieldProblem], check: Callable[[], T]) -> T | None:
    try:
        return check()
    except ValidationError as exc:
        problems.extend(exc.problems)
        return None
