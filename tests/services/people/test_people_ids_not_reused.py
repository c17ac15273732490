"""A replaced list's row ids are never handed out again (import --replace): people known only by a
name and a postal address are keyed ``person-<row id>``, so a reused id would give a different
person the replaced one's delivery record."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_app.services.container import Services
from incident_app.storage import people as people_storage

HEADER = "user_id,name,email,phone,address,birth_date,guardian_name,guardian_email,guardian_phone,data_types,language\n"


def people_file(tmp_path: Path, name: str, count: int) -> Path:
    path = tmp_path / f"{name}.csv"
    path.write_text(HEADER + "".join(f",{name}{i},,,{name}路{i}号,1980-01-01,,,,,zh-CN\n" for i in range(count)),
                    encoding="utf-8")
    return path


def ids(services: Services, incident: int) -> list[int]:
    return [p.id for p in services.people.iter_people(incident)]


@pytest.mark.parametrize("big", [False, True], ids=["small", "big-import-path"])
def test_replaced_lists_ids_are_never_given_again(
        services: Services, intake: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        big: bool) -> None:
    if big:  # these small files count as big: the lookup indexes are dropped and rebuilt
        monkeypatch.setattr(people_storage, "BULK_IMPORT_ROWS", 1)
    first = services.incidents.create(intake).id
    other = services.incidents.create(intake).id
    services.people.import_file(first, people_file(tmp_path, "甲", 3))
    old = ids(services, first)
    services.people.import_file(other, people_file(tmp_path, "乙", 2))
    kept = ids(services, other)
    handed_out = {*old, *kept}
    for round_ in ("丙", "丁"):  # the list at the top of the ids replaced, twice
        services.people.import_file(other, people_file(tmp_path, round_, 4), replace=True)
        new = ids(services, other)
        assert len(new) == 4 and min(new) > max(handed_out), (new, handed_out)
        assert [p.name for p in services.people.iter_people(other)] == [f"{round_}{i}" for i in range(4)]
        handed_out |= set(new)
    # The other incident's list is untouched; replacing it (below the top) takes new ids too.
    assert ids(services, first) == old
    services.people.import_file(first, people_file(tmp_path, "戊", 2), replace=True)
    assert min(ids(services, first)) > max(handed_out)
    assert services.people.summary(first).total == 2 and services.people.summary(other).total == 4
