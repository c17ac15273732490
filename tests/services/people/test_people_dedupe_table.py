"""The dedupe table only proposes candidates: an import whose keys all share a few digests (so
nearly every row takes the slow path, and tags collide all the time), or whose table is far too
small (so it is rebuilt over and over from the stored rows), must merge exactly the same people
and write the same report as an ordinary one."""

from __future__ import annotations

import builtins
import csv
import random
from pathlib import Path

import pytest

from incident_app.services.container import Services
from incident_app.services.people import importer, keys


def mixed_rows(count: int, seed: int) -> str:
    """Rows drawn from small pools of user ids, emails and phones: repeats by every key, rows
    that share an email but carry different user ids, blanks that later rows fill."""
    rnd = random.Random(seed)
    lines = []
    for i in range(count):
        uid = f"U{rnd.randrange(count // 3)}" if rnd.random() < 0.6 else ""
        email = f"p{rnd.randrange(count // 2)}@example.com" if rnd.random() < 0.7 else ""
        phone = f"139{rnd.randrange(count // 2):08d}" if rnd.random() < 0.6 else ""
        lines.append(f"{uid},名{i},{email},{phone},{'2013-05-06' if i % 17 == 0 else ''}\n")
    return "user_id,name,email,phone,birth_date\n" + "".join(lines)


def repeated_people(count: int, seed: int) -> str:
    """Each person's first row has all three keys, later rows of them only some: every repeat
    belongs to one earlier person, whichever key finds them."""
    rnd = random.Random(seed)
    seen: set[int] = set()
    lines = []
    for i in range(count):
        who = rnd.randrange(count // 3)
        keys = [f"U{who}", f"p{who}@example.com", f"139{who:08d}"]
        if who in seen:
            keep = rnd.randrange(3)
            keys = [key if j == keep or rnd.random() < 0.3 else "" for j, key in enumerate(keys)]
        seen.add(who)
        lines.append(f"{keys[0]},名{i},{keys[1]},{keys[2]},\n")
    return "user_id,name,email,phone,birth_date\n" + "".join(lines)


def snapshot(services: Services, incident: int, report: Path) -> tuple[object, ...]:
    people = [(p.id, p.user_id, p.name, p.email, p.phone, p.is_minor, p.channel, p.data_types)
              for p in services.people.iter_people(incident)]
    with report.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    return people, lines, services.people.summary(incident).to_dict()


def import_twice(services: Services, intake: dict[str, object], first: Path, second: Path) -> list[tuple[object, ...]]:
    """Import ``first`` then ``second`` (merged into it) into a new incident; both snapshots."""
    incident = services.incidents.create(intake).id
    shots = []
    for path in (first, second):
        result = services.people.import_file(incident, path, parallel=False)
        shots.append((result.imported, result.duplicates_merged, *snapshot(services, incident, result.report_path)))
    return shots


def without_ids(shots: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """The snapshots with the person ids left out (each incident's people have their own)."""
    return [(*shot[:2], [person[1:] for person in shot[2]], *shot[3:]) for shot in shots]  # type: ignore[attr-defined]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(mixed_rows(900, 1), encoding="utf-8")
    second.write_text(mixed_rows(500, 2), encoding="utf-8")
    return first, second


def few_digests(value: object) -> int:
    """A hash with 16 values per key kind: every key shares its digest (and tag) with many others."""
    return builtins.hash(value) % 16


def test_colliding_digests_merge_exactly_like_distinct_ones(services: Services, intake: dict[str, object],
                                                            files: tuple[Path, Path],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    expected = import_twice(services, intake, *files)
    # Plenty of merges, into this file's people and into the stored ones.
    assert expected[0][1] > 100 and expected[1][1] > 100, expected[:2]
    monkeypatch.setattr(importer, "hash", few_digests, raising=False)
    monkeypatch.setattr(keys, "hash", few_digests, raising=False)
    collided = import_twice(services, intake, *files)
    assert without_ids(collided) == without_ids(expected)


def test_a_table_rebuilt_every_batch_merges_the_same(services: Services, intake: dict[str, object],
                                                     tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A rebuild registers the stored people again in id order; with one earlier person behind
    # each repeat (as in real lists) that is the order they were registered in.
    files = tmp_path / "first.csv", tmp_path / "second.csv"
    files[0].write_text(repeated_people(900, 3), encoding="utf-8")
    files[1].write_text(repeated_people(600, 4), encoding="utf-8")
    expected = import_twice(services, intake, *files)
    assert expected[0][1] > 100 and expected[1][1] > 100, expected[:2]
    rebuilds: list[int] = []
    original = keys.KeyIndex.rebuild

    def counted(self: keys.KeyIndex, people: int, register: object) -> None:
        rebuilds.append(len(self))
        original(self, people, register)  # type: ignore[arg-type]

    monkeypatch.setattr(keys.KeyIndex, "rebuild", counted)
    monkeypatch.setattr(keys, "_MIN_SLOTS", 64)
    monkeypatch.setattr(keys, "_BATCH_ROOM", 8)
    monkeypatch.setattr(importer, "KEYS_PER_ROW", 0.01)
    monkeypatch.setattr("incident_app.services.people.batches.BATCH_ROWS", 50)
    small = import_twice(services, intake, *files)
    assert len(rebuilds) >= 3
    assert without_ids(small) == without_ids(expected)


def test_an_email_seen_only_in_a_merged_row_still_joins_later_rows(services: Services,
                                                                   intake: dict[str, object], tmp_path: Path) -> None:
    # Row 3 joins row 2 by phone; row 2 keeps its own email, so e@ is nobody's. Rows 4 and 5 share
    # e@ and have no user id: the same person (before, row 3's e@ stayed pointing at row 2, whose
    # email is another, and blocked it: rows 4 and 5 stayed two people).
    path = tmp_path / "people.csv"
    path.write_text("user_id,name,email,phone\n,张三,t@example.com,13800138000\n,李四,e@example.com,13800138000\n"
                    ",王五,e@example.com,\n,赵六,e@example.com,\n", encoding="utf-8")
    incident = services.incidents.create(intake).id
    result = services.people.import_file(incident, path, parallel=False)
    assert (result.imported, result.duplicates_merged) == (2, 2)
    assert [(p.name, p.email) for p in services.people.iter_people(incident)] == [
        ("张三", "t@example.com"), ("王五", "e@example.com")]


def test_a_big_import_rebuilds_the_user_id_index_it_dropped(services: Services, intake: dict[str, object],
                                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import incident_app.storage.people as people_storage

    monkeypatch.setattr(people_storage, "BULK_IMPORT_ROWS", 1)  # this small file counts as big
    seen: list[set[str]] = []
    original = people_storage.PeopleRepository.insert_rows

    def indexes() -> set[str]:
        return {r[0] for r in services.ctx.store.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}

    def spy(self: people_storage.PeopleRepository, rows: object, first_id: int) -> None:
        seen.append(indexes())
        original(self, rows, first_id)  # type: ignore[arg-type]

    monkeypatch.setattr(people_storage.PeopleRepository, "insert_rows", spy)
    path = tmp_path / "people.csv"
    path.write_text(repeated_people(300, 5), encoding="utf-8")
    incident = services.incidents.create(intake).id
    services.people.import_file(incident, path, parallel=False)
    assert seen and "people_incident_user_id" not in seen[0]  # written without it, sorted in once at the end
    assert "people_incident_user_id" in indexes()
    assert services.ctx.store.db.execute("SELECT count(*) FROM people INDEXED BY people_incident_user_id"
                                         " WHERE incident_id = ? AND user_id >= 'U'", [incident]).fetchone()[0] > 0
