"""The profile's English contact person (``contact_name_en``) and communications administration
(``telecom_authority_en``): English notices print them, never the Chinese values; while one is
empty an English notice shows a marker naming it, its check says so and approval is refused with
the command that fixes it. Chinese characters are refused in the profile's English fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_app.cli.main import run
from incident_app.domain.errors import ValidationError
from incident_app.domain.notices.kinds import NoticeKind
from incident_app.services.container import Services
from tests.services.notices.test_notices import REMEDIATION


def rendered(services: Services, incident_id: int, kind: NoticeKind) -> dict[str, object]:
    return {n.rendered.lang: n.rendered for n in services.notices.prepare(incident_id, kinds=[kind]).notices}


def test_the_contact_person_reaches_english_notices_only_in_english(
        services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    services.remediation.add(incident.id, REMEDIATION)
    services.profile.set_value("contact_name", "王安全")
    by_lang = rendered(services, incident.id, NoticeKind.REGULATOR_INITIAL)
    english, chinese = by_lang["en"], by_lang["zh-CN"]
    assert "王安全" not in english.content  # type: ignore[attr-defined]
    assert "[English text missing: profile.contact_name_en]" in english.content  # type: ignore[attr-defined]
    assert "English text missing: profile.contact_name_en" in english.report.problems  # type: ignore[attr-defined]
    assert "联系人：王安全" in chinese.content and chinese.report.complete  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="profile set contact_name_en"):
        services.notices.approve(incident.id, "王安全", NoticeKind.REGULATOR_INITIAL)
    services.profile.set_value("contact_name_en", "Wang Anquan")
    english = rendered(services, incident.id, NoticeKind.REGULATOR_INITIAL)["en"]
    assert "Contact person: Wang Anquan, " in english.content  # type: ignore[attr-defined]
    assert english.report.complete, english.report.problems  # type: ignore[attr-defined]
    assert services.notices.approve(incident.id, "王安全", NoticeKind.REGULATOR_INITIAL)


def test_the_communications_administration_is_named_in_english_in_the_english_report(
        services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    services.remediation.add(incident.id, REMEDIATION)
    services.profile.save({"telecom_licence": True, "telecom_authority": "上海市通信管理局"})
    by_lang = rendered(services, incident.id, NoticeKind.SECTOR_REGULATOR)
    english = by_lang["en"]
    assert "上海市通信管理局" not in english.content  # type: ignore[attr-defined]
    assert "To [English text missing: profile.telecom_authority_en]:" in english.content  # type: ignore[attr-defined]
    assert "English text missing: profile.telecom_authority_en" in english.report.problems  # type: ignore[attr-defined]
    assert "上海市通信管理局：" in by_lang["zh-CN"].content  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="profile set telecom_authority_en"):
        services.notices.approve(incident.id, "王安全", NoticeKind.SECTOR_REGULATOR)
    services.profile.set_value("telecom_authority_en", "Shanghai Communications Administration")
    english = rendered(services, incident.id, NoticeKind.SECTOR_REGULATOR)["en"]
    assert "To Shanghai Communications Administration:" in english.content  # type: ignore[attr-defined]
    assert not [p for p in english.report.problems if "telecom_authority" in p]  # type: ignore[attr-defined]


def test_empty_english_fields_leave_the_snapshot_as_before(services: Services, intake: dict[str, object]) -> None:
    """Profiles without the new fields keep their snapshot (and so every approval) unchanged."""
    incident = services.incidents.create(intake)
    before = services.notices.snapshot(incident.id)
    assert not {"contact_name_en", "telecom_authority_en"} & set(before.data["profile"])
    services.profile.set_value("contact_name_en", "Wang Anquan")
    assert services.notices.snapshot(incident.id).data["profile"]["contact_name_en"] == "Wang Anquan"
    services.profile.set_value("contact_name_en", "")
    assert services.notices.snapshot(incident.id).sha256 == before.sha256


@pytest.mark.parametrize("field", ["contact_name_en", "telecom_authority_en", "company_en", "postal_address_en"])
def test_an_english_profile_field_refuses_chinese_characters(services: Services, field: str) -> None:
    before = services.profile.get()
    with pytest.raises(ValidationError) as refused:
        services.profile.set_value(field, "上海市通信管理局")
    assert [p.field for p in refused.value.problems] == [field]
    assert "Chinese characters" in refused.value.problems[0].message
    assert services.profile.get() == before  # nothing saved


def test_profile_set_takes_the_english_fields_and_refuses_chinese_with_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "db.sqlite3")
    assert run(["db", "init", "--db", db]) == 0
    capsys.readouterr()
    assert run(["profile", "set", "contact_name_en", "王安全", "--db", db]) == 2
    assert "contact_name_en" in capsys.readouterr().err
    assert run(["profile", "set", "contact_name_en", "Wang Anquan", "--db", db]) == 0
    assert run(["profile", "set", "telecom_authority_en", "Shanghai Communications Administration", "--db", db]) == 0
    capsys.readouterr()
    assert run(["profile", "show", "--db", db]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["contact_name_en"] == "Wang Anquan"
    assert shown["telecom_authority_en"] == "Shanghai Communications Administration"


def test_the_assessment_names_the_administration_in_english_by_its_english_name(
        services: Services, intake: dict[str, object]) -> None:
    incident = services.incidents.create(intake)
    services.profile.save({"telecom_licence": True, "telecom_authority": "上海市通信管理局"})

    def why(lang: str) -> str:
        texts = [o.why.get(lang) for o in services.assessment.assess(incident.id).obligations]
        return next(t for t in texts if "通信管理局为" in t or "communications administration is" in t)

    assert "负责的通信管理局为上海市通信管理局" in why("zh-CN")
    assert ("communications administration is 上海市通信管理局 (no English name in the profile: "
            "telecom_authority_en)") in why("en")
    services.profile.set_value("telecom_authority_en", "Shanghai Communications Administration")
    english = why("en")
    assert "communications administration is Shanghai Communications Administration." in english
    assert "上海市通信管理局" not in english
