from __future__ import annotations

import pytest

from incident_app.domain.decisions import DecisionKind
from incident_app.domain.errors import ValidationError
from incident_app.services.container import Services


def test_actions_and_notes_are_added_and_logged(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    actions, notes = services.remediation.add(
        incident.id,
        {
            "actions": [
                {
                    "description": "关闭公开存储桶",
                    "status": "done",
                    "done_at": "2026-11-20T10:00:00",
                    "owner": "SRE",
                    "kind": "containment",
                },
                {"description": "全量轮换密钥", "status": "planned", "due_at": "2026-11-22T18:00:00"},
            ],
            "advice": [{"zh": "警惕冒充客服的来电", "en": "Beware of calls impersonating support"}],
            "remedies": ["免费开通账号异常登录提醒"],
        },
    )
    assert [a.status.value for a in actions] == ["done", "planned"]
    assert {n.kind.value for n in notes} == {"advice", "remedy"}
    assert services.audit.timeline(incident.id)[0].type == "remediation.added"


def test_bad_action_names_row_and_saves_nothing(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    with pytest.raises(ValidationError) as exc:
        services.remediation.add(incident.id, [{"description": "ok"}, {"status": "sideways"}])
    problems = {(p.field, p.row) for p in exc.value.problems}
    assert ("actions.description", 2) in problems
    assert ("actions.status", 2) in problems
    assert services.remediation.actions(incident.id) == []


def test_decision_is_signed_and_latest_wins(services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    first = services.decisions.record(
        incident.id,
        {
            "kind": "cac_grade_judgement",
            "rationale": "非敏感、数量少",
            "decided_by": "王安全",
            "details": {"level": "一般"},
        },
    )
    second = services.decisions.record(
        incident.id,
        {
            "kind": "cac_grade_judgement",
            "rationale": "复核后认定较大量",
            "decided_by": "李主任",
            "details": {"level": "较大"},
        },
    )
    assert len(first.signature) == 64
    assert first.signature != second.signature
    latest = services.decisions.latest(incident.id, DecisionKind.CAC_GRADE_JUDGEMENT)
    assert latest is not None and latest.details["level"] == "较大"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "exempt_individual_notice", "decided_by": "x"}, "rationale"),
        ({"kind": "exempt_individual_notice", "rationale": "x"}, "decided_by"),
        ({"kind": "shrug", "rationale": "x", "decided_by": "y"}, "kind"),
        (
            {"kind": "cac_grade_judgement", "rationale": "x", "decided_by": "y", "details": {"level": "小"}},
            "details.level",
        ),
        ({"kind": "waive_notice_element", "rationale": "x", "decided_by": "y", "details": {}}, "details.notice_kind"),
        ({"kind": "obligation_status", "rationale": "x", "decided_by": "y",
          "details": {"obligation_id": "cac-initial-report", "status": "met", "met_at": "yesterday"}},
         "details.met_at"),
    ],
)
def test_decision_validation(
    services: Services, intake: dict[str, object], data: dict[str, object], field: str
) -> None:
    incident = services.incidents.create(intake)
    with pytest.raises(ValidationError) as exc:
        services.decisions.record(incident.id, data)
    assert field in [p.field for p in exc.value.problems]
    assert services.decisions.list(incident.id) == []
