"""Correcting one affected person by hand, and listing people by age band, channel and a user-id
prefix: the channel is derived again, the counts follow, the event names fields, never values."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from incident_app.domain.errors import NotFoundError, ValidationError
from incident_app.domain.incident import IncidentStatus
from incident_app.domain.people.person import Channel
from incident_app.services.container import Services
from incident_app.services.retention import purge_due
from incident_app.storage.people import PeopleQuery, band_condition, prefix_end

# occurred_at 2026-11-18 (Shanghai): under 14 = born on/after 2012-11-18; under 18 = on/after 2008-11-18.
PEOPLE = (
    "user_id,name,email,phone,address,birth_date,age,guardian_name,guardian_email,guardian_phone\n"
    "U1000,张三,,,上海市浦东新区碧波路690号,1990-01-01,,,,\n"  # letter, adult
    "U10001,李四,,,,1985-05-05,,,,\n"  # none, adult
    "XU1000,王五,wang@example.com,,,,,,,\n"  # email, no age: adult
    "C1,小明,,,,2015-06-01,,,,\n"  # child, no guardian: none
    "T1,少年,,13800138000,,2010-03-01,,,,\n"  # teen (16): sms
    "T2,少女,,,,2008-11-18,,,,\n"  # 18th birthday on the incident day: still a teen (protective)
    "A1,老年,,13900139000,,,30,,,\n"  # age only, adult: sms
    "K1,小孩,,,,,9,,,\n"  # age only, child: none
)


@pytest.fixture
def people(services: Services, incident_id: int, tmp_path: Path) -> dict[str, int]:
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    services.people.import_file(incident_id, path)
    return {p.user_id or "": p.id for p in services.people.page(incident_id, 0, 100)}


def corrected_events(services: Services, incident_id: int) -> list[dict[str, object]]:
    return [e.payload for e in services.audit.timeline(incident_id) if e.type == "people.corrected"]


def test_a_new_email_moves_the_person_from_letter_to_email(services: Services, incident_id: int,
                                                           people: dict[str, int]) -> None:
    before = services.people.summary(incident_id)
    assert before.by_channel["letter"] == 1
    result = services.people.edit_person(incident_id, people["U1000"], {"email": " Zhang.San@Example.COM "},
                                         "the person wrote with a new address")
    assert (result.channel_before, result.channel_after, result.fields) == (Channel.LETTER, Channel.EMAIL, ("email",))
    stored = services.people.unmask(incident_id, people["U1000"], "check the test")
    assert (stored.email, stored.channel) == ("zhang.san@example.com", Channel.EMAIL)  # normalised like the import
    after = services.people.summary(incident_id)
    assert (after.by_channel.get("letter", 0), after.by_channel["email"]) == (0, before.by_channel["email"] + 1)
    assert after.total == before.total
    # The kept counters agree with the rows (what the assessment and the People tab read).
    assert services.people.imported_counts(incident_id) == after
    total, minors, by_channel = services.ctx.store.people.recount(incident_id)
    assert (total, minors, by_channel) == (after.total, after.minors, after.by_channel)


def test_the_guardian_warning_after_a_correction_is_the_import_s(services: Services, incident_id: int,
                                                                 people: dict[str, int]) -> None:
    """A child reached by a letter to the household is reached: no "counted toward the
    announcement" warning; a child nobody can reach gets it; a teenager whose guardian cannot be
    reached gets the teenager's warning, not the child's."""
    child = services.people.edit_person(incident_id, people["C1"], {"address": "上海市浦东新区世纪大道1号"}, "school")
    assert child.channel_after == Channel.GUARDIAN_LETTER and child.warnings == ()
    cleared = services.people.edit_person(incident_id, people["C1"], {"address": ""}, "moved away")
    assert cleared.channel_after == Channel.NONE
    assert [w.split(":", 1)[0] for w in cleared.warnings] == ["guardian"] and "未满14周岁" in cleared.warnings[0]
    teen = services.people.edit_person(incident_id, people["T1"], {"phone": "13800138001"}, "new number")
    assert len(teen.warnings) == 1 and "14至17周岁" in teen.warnings[0] and "未满14周岁" not in teen.warnings[0]


def test_a_phone_for_someone_unreachable_changes_none_to_sms(services: Services, incident_id: int,
                                                             people: dict[str, int]) -> None:
    unreachable = services.people.summary(incident_id).unreachable
    result = services.people.edit_person(incident_id, people["U10001"], {"phone": "139 0013 9001"}, "call centre")
    assert (result.channel_before, result.channel_after) == (Channel.NONE, Channel.SMS)
    assert services.people.summary(incident_id).unreachable == unreachable - 1


def test_adding_a_guardian_to_a_child_reaches_the_guardian(services: Services, incident_id: int,
                                                           people: dict[str, int]) -> None:
    child = people["C1"]
    result = services.people.edit_person(incident_id, child, {"guardian_name": "小明妈妈",
                                                              "guardian_email": "mama@example.cn"}, "school records")
    assert (result.channel_before, result.channel_after) == (Channel.NONE, Channel.GUARDIAN_EMAIL)
    assert result.fields == ("guardian_name", "guardian_email")
    assert result.person.is_minor and result.warnings == ()
    # A child's own email never becomes the channel: the guardian is told (the minors' rule).
    own = services.people.edit_person(incident_id, child, {"email": "kid@example.cn"}, "found")
    assert own.channel_after == Channel.GUARDIAN_EMAIL


def test_a_child_given_only_their_own_contact_stays_unreachable_with_a_warning(
        services: Services, incident_id: int, people: dict[str, int]) -> None:
    result = services.people.edit_person(incident_id, people["K1"], {"phone": "13700137000"}, "found")
    assert result.channel_after == Channel.NONE
    assert any(w.startswith("guardian: ") for w in result.warnings)


def test_a_bad_email_is_refused_naming_the_field_and_nothing_changes(services: Services, incident_id: int,
                                                                     people: dict[str, int]) -> None:
    person = people["U1000"]
    before = (services.ctx.store.people.row_by_id(person), services.people.summary(incident_id),
              len(services.audit.timeline(incident_id)))
    with pytest.raises(ValidationError) as refused:
        services.people.edit_person(incident_id, person, {"address": "北京市海淀区中关村大街1号", "email": "zhang@"},
                                    "typo")
    assert [p.field for p in refused.value.problems] == ["email"]
    assert "is not an email address" in refused.value.problems[0].message
    after = (services.ctx.store.people.row_by_id(person), services.people.summary(incident_id),
             len(services.audit.timeline(incident_id)))
    assert after == before  # the valid address was not written either


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"phone": "12345"}, "phone", "not a valid phone number"),
    ({"guardian_email": "a@b"}, "guardian_email", "not an email address"),
    ({"language": "klingon"}, "language", "must be one of zh-CN, en"),
    ({"name": "张" * 201}, "name", "longer than 200 characters"),
    ({"birth_date": "2001-01-01"}, "birth_date", "cannot be corrected here"),
    ({}, "changes", "give at least one new value"),
    ({"email": ""}, "changes", "already stored"),  # U10001 has no email: nothing to change
])
def test_each_bad_change_names_its_field(services: Services, incident_id: int, people: dict[str, int],
                                         changes: dict[str, str], field: str, words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        services.people.edit_person(incident_id, people["U10001"], changes, "fix")
    assert refused.value.problems[0].field == field and words in refused.value.problems[0].message
    assert corrected_events(services, incident_id) == []


def test_a_reason_is_required_and_the_person_must_belong_to_the_incident(
        services: Services, incident_id: int, intake: dict[str, object], people: dict[str, int]) -> None:
    with pytest.raises(ValidationError, match="reason"):
        services.people.edit_person(incident_id, people["U1000"], {"email": "a@example.com"}, "  ")
    other = services.incidents.create(intake).id
    with pytest.raises(NotFoundError, match=f"not among the affected people of incident {other}"):
        services.people.edit_person(other, people["U1000"], {"email": "a@example.com"}, "why")


def test_clearing_the_last_contact_of_a_person_without_user_id_is_refused(
        services: Services, incident_id: int, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("name,email\n赵六,zhao@example.com\n", encoding="utf-8")
    services.people.import_file(incident_id, path)
    person = services.people.page(incident_id, 0, 1)[0]
    with pytest.raises(ValidationError, match="no longer be identified"):
        services.people.edit_person(incident_id, person.id, {"email": ""}, "wrong address")
    cleared = services.people.edit_person(incident_id, person.id, {"email": "", "phone": "13800138000"}, "moved")
    assert cleared.channel_after == Channel.SMS and cleared.person.email is None


def test_the_event_names_fields_and_channels_never_values(services: Services, incident_id: int,
                                                          people: dict[str, int]) -> None:
    new_address = "zhang.new@example.com"
    services.people.edit_person(incident_id, people["U1000"], {"email": new_address, "name": "张三丰"},
                                "the person asked")
    (payload,) = corrected_events(services, incident_id)
    assert payload == {"person_id": people["U1000"], "fields": ["name", "email"],
                       "channel": {"from": "letter", "to": "email"}, "reason": "the person asked"}
    everything = json.dumps([e.payload for e in services.audit.timeline(incident_id)], ensure_ascii=False)
    assert new_address not in everything and "张三丰" not in everything


def test_a_purged_incident_refuses_corrections(services: Services, incident_id: int, people: dict[str, int],
                                               clock: Any) -> None:
    services.incidents.change_status(incident_id, IncidentStatus.CLOSED, "all told", force=True)
    clock.now += timedelta(days=91)
    assert purge_due(services)
    with pytest.raises(ValidationError, match="purged") as refused:
        services.people.edit_person(incident_id, people["U1000"], {"email": "a@example.com"}, "late")
    assert refused.value.problems[0].field == "incident"
    assert corrected_events(services, incident_id) == []


# -- filters and the user-id prefix --------------------------------------------------------------
def user_ids(services: Services, incident_id: int, **filters: str) -> list[str]:
    return [p.user_id or "" for p in services.people.page(incident_id, 0, 100, **filters)]


def test_a_user_id_is_found_by_its_beginning(services: Services, incident_id: int, people: dict[str, int]) -> None:
    assert user_ids(services, incident_id, search="U1000") == ["U1000", "U10001"]
    assert services.people.count(incident_id, "U1000") == 2
    assert user_ids(services, incident_id, search="U10001") == ["U10001"]
    assert user_ids(services, incident_id, search="u1000") == []  # user ids keep their case
    # Names and contacts are still matched anywhere in the text.
    assert user_ids(services, incident_id, search="wang@") == ["XU1000"]
    assert user_ids(services, incident_id, search="0013 8000") == ["T1"]


def test_the_prefix_lookup_uses_the_index_not_a_scan(services: Services, incident_id: int,
                                                     people: dict[str, int]) -> None:
    # A text that starts a user id of the incident: the user-id index only (services/people/search.py).
    plan = services.ctx.store.people.query_plan(incident_id, PeopleQuery(("U1000", "", "")))
    assert any("USING COVERING INDEX people_incident_user_id (incident_id=? AND user_id>? AND user_id<?)" in line
               for line in plan), plan
    assert not any(line.startswith("SCAN people") for line in plan), plan
    # Names and parts of contacts: the incident's own rowid span, read in id order.
    plan = services.ctx.store.people.query_plan(incident_id, PeopleQuery(("U1000", "%U1000%", "")))
    assert plan == ["SEARCH people USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"]


def test_prefix_end_is_the_next_string() -> None:
    assert prefix_end("U1000") == "U1001"
    assert prefix_end("U10\U0010ffff") == "U11"
    assert prefix_end("a\ud7ff") == "a\ue000"
    assert prefix_end("\U0010ffff") is None


@pytest.mark.parametrize(("band", "expected"), [
    ("child", ["C1", "K1"]),
    ("teen", ["T1", "T2"]),
    ("adult", ["U1000", "U10001", "XU1000", "A1"]),
])
def test_people_by_age_band_on_the_incident_day(services: Services, incident_id: int, people: dict[str, int],
                                                band: str, expected: list[str]) -> None:
    assert user_ids(services, incident_id, band=band) == expected
    assert services.people.count(incident_id, band=band) == len(expected)
    summary = services.people.summary(incident_id)
    assert (summary.minors, summary.children, summary.teens) == (4, 2, 2)  # every minor under 18, by band


@pytest.mark.parametrize(("channel", "expected"), [
    ("email", ["XU1000"]),
    ("sms", ["T1", "A1"]),
    ("letter", ["U1000"]),
    ("none", ["U10001", "C1", "T2", "K1"]),
])
def test_people_by_channel(services: Services, incident_id: int, people: dict[str, int], channel: str,
                           expected: list[str]) -> None:
    assert user_ids(services, incident_id, channel=channel) == expected


def test_filters_combine_with_each_other_and_the_search(services: Services, incident_id: int,
                                                        people: dict[str, int]) -> None:
    services.people.edit_person(incident_id, people["C1"], {"guardian_email": "mama@example.cn"}, "school")
    assert user_ids(services, incident_id, channel="email") == ["XU1000", "C1"]  # reached by e-mail, via guardian
    assert user_ids(services, incident_id, channel="guardian_email") == ["C1"]
    assert user_ids(services, incident_id, band="child", channel="none") == ["K1"]
    assert user_ids(services, incident_id, search="U1000", channel="none") == ["U10001"]
    assert services.people.count(incident_id, "U1000", band="adult", channel="letter") == 1


def test_unknown_band_or_channel_is_refused(services: Services, incident_id: int, people: dict[str, int]) -> None:
    with pytest.raises(ValidationError, match="band: must be one of child, teen, adult"):
        services.people.page(incident_id, 0, 10, band="baby")
    with pytest.raises(ValidationError, match="channel: must be one of email, sms"):
        services.people.count(incident_id, channel="pigeon")
    with pytest.raises(ValueError, match="unknown age band"):
        band_condition("elder", date(2026, 1, 1))


def test_the_assessment_reads_the_corrected_counts(services: Services, incident_id: int,
                                                   people: dict[str, int]) -> None:
    before = services.assessment.assess(incident_id).people
    assert before.unreachable == 4
    services.people.edit_person(incident_id, people["C1"], {"guardian_phone": "13700137000"}, "school")
    services.people.edit_person(incident_id, people["U10001"], {"email": "li@example.com"}, "letter back")
    after = services.assessment.assess(incident_id).people
    assert (after.unreachable, after.minors, after.total) == (2, before.minors, before.total)


def test_correcting_a_childs_email_never_writes_to_the_child(services: Services, incident_id: int,
                                                             tmp_path: Path) -> None:
    """A correction derives the channel by age band: a 13-year-old's own e-mail is kept but the
    child is still reached only through the guardian; a 16-year-old is reached directly."""
    source = tmp_path / "minors.csv"
    source.write_text("user_id,birth_date,guardian_phone\nKID,2013-06-01,13900139000\nTEEN,2010-05-01,\n",
                      encoding="utf-8")
    services.people.import_file(incident_id, source)
    kid, teen = services.people.page(incident_id, 0, 2)
    services.people.edit_person(incident_id, kid.id, {"email": "kid@example.com"}, "child wrote in")
    services.people.edit_person(incident_id, teen.id, {"email": "teen@example.com"}, "teen wrote in")
    kid, teen = services.people.page(incident_id, 0, 2)
    assert (kid.channel.value, kid.email, kid.minor_band.value) == ("guardian_sms", "kid@example.com", "child")
    assert (teen.channel.value, teen.minor_band.value) == ("email", "teen")
    summary = services.people.summary(incident_id)
    assert (summary.minors, summary.children, summary.teens) == (2, 1, 1)
