"""``#210`` in a people search is the person with id 210, the number the send and hand-off refusals
name: found exactly (not the 210th row, not a phone containing 210), only within the incident, by
one probe of the primary key; the CLI's ``people ID --search`` takes it too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_app.cli.main import run
from incident_app.services.container import Services
from incident_app.services.people.search import search_query

HEADER = "user_id,name,email,phone\n"


@pytest.fixture
def two_lists(services: Services, incident_id: int, intake: dict[str, object], tmp_path: Path) -> tuple[int, int]:
    """250 people whose ids are not their row numbers (another incident's list was imported first),
    phones full of the digits of other people's ids; returns (incident, other incident)."""
    other_list, ours = tmp_path / "other.csv", tmp_path / "ours.csv"
    other_list.write_text(HEADER + "".join(f"X{i},外{i},x{i}@example.com,\n" for i in range(37)), encoding="utf-8")
    ours.write_text(HEADER + "".join(f"U{i:04d},张{i},u{i}@example.com,1382100{i:04d}\n" for i in range(250)),
                    encoding="utf-8")
    other = services.incidents.create(intake).id
    services.people.import_file(other, other_list)
    services.people.import_file(incident_id, ours)
    return incident_id, other


def ids(services: Services, incident_id: int, search: str) -> list[int]:
    return [p.id for p in services.people.page(incident_id, 0, 50, search)]


def test_hash_and_the_id_finds_exactly_that_person(services: Services, two_lists: tuple[int, int]) -> None:
    incident, _ = two_lists
    everyone = [p.id for p in services.people.page(incident, 0, 300)]
    target = everyone[209]  # the 210th row: its id is not 210
    assert target != 210 and 210 in everyone
    assert ids(services, incident, "210") != [210]  # the bare digits match phones, as before
    for typed in (f"#{target}", f"# {target}", f"＃{target}", "＃" + str(target).translate(str.maketrans(
            "0123456789", "０１２３４５６７８９")), f" #{target} "):
        assert ids(services, incident, typed) == [target], typed
        assert services.people.quick_count(incident, typed) == 1  # no "counting…": one probe
        assert services.people.count(incident, typed) == 1
        assert not services.people.search_scans(incident, typed)
    assert ids(services, incident, "#210") == [210]
    # Keyset paging (what scrolling does) and the filters still apply to it.
    assert [p.id for p in services.people.page(incident, 0, 50, f"#{target}", after=target)] == []
    assert services.people.count(incident, f"#{target}", channel="sms") == 0
    assert services.people.count(incident, f"#{target}", channel="email") == 1


def test_an_id_of_another_incident_or_of_nobody_finds_nobody(services: Services, two_lists: tuple[int, int]) -> None:
    incident, other = two_lists
    theirs = services.people.page(other, 0, 1)[0].id
    assert ids(services, other, f"#{theirs}") == [theirs]
    assert ids(services, incident, f"#{theirs}") == []  # within the incident only
    assert services.people.quick_count(incident, f"#{theirs}") == 0
    for nobody in ("#0", "#99999999", "#" + "9" * 25):  # beyond SQLite's integers: no error, nobody
        assert ids(services, incident, nobody) == [] and services.people.quick_count(incident, nobody) == 0


def test_the_id_is_one_probe_of_the_primary_key(services: Services, two_lists: tuple[int, int]) -> None:
    incident, _ = two_lists
    repo = services.ctx.store.people
    query = search_query("#210", lambda prefix: repo.has_user_id_prefix(incident, prefix))
    assert query.person_id == 210
    for after in (None, 100):
        plan = repo.query_plan(incident, query, after=after)
        assert not any(line.startswith("SCAN") for line in plan), plan
        assert any("INTEGER PRIMARY KEY" in line for line in plan), plan


def test_the_cli_search_takes_the_hash_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, people = tmp_path / "cli.sqlite3", tmp_path / "people.csv"
    people.write_text(HEADER + "".join(f"U{i:04d},张{i},u{i}@example.com,\n" for i in range(30)), encoding="utf-8")
    assert run(["demo", "--db", str(db)]) == 0
    assert run(["import-people", "1", str(people), "--replace", "--db", str(db)]) == 0
    capsys.readouterr()
    assert run(["people", "1", "--db", str(db)]) == 0
    target = json.loads(capsys.readouterr().out)["people"][20]["id"]
    assert target != 21  # not the row number
    assert run(["people", "1", "--search", f"#{target}", "--db", str(db)]) == 0
    listed = json.loads(capsys.readouterr().out)["people"]
    assert [p["id"] for p in listed] == [target]
    assert listed[0]["user_id"] == "U0020" and listed[0]["name"] != "张20"  # masked, as every listing
