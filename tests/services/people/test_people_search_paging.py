"""People at scale: keyset paging returns what offset paging returned, page by page and with
every filter; exact searches by phone, e-mail and user id are index probes (no SCAN of people)
and normalise the typed text as the import normalises it; the retention purge runs in chunks
and a real kill half-way leaves the people as they were."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import Services, open_services
from incident_app.services.people.search import search_query
from incident_app.services.retention import purge_candidates, purge_due
from incident_app.storage.people import PeopleQuery

ROOT = Path(__file__).resolve().parents[3]
HEADER = "user_id,name,email,phone,birth_date,guardian_name,guardian_email,guardian_phone\n"
SURNAMES = "王李张刘陈"


def person_line(i: int) -> str:
    minor = i % 9 == 0
    email = f"user{i}@example.com" if i % 4 else ""
    phone = f"139{i:08d}" if i % 3 else ""
    birth = "2016-05-01" if minor else ("1990-01-01" if i % 2 else "")
    guardian = (f"家长{i}", f"parent{i}@example.cn", f"137{i:08d}") if minor else ("", "", "")
    return f"U{i:06d},{SURNAMES[i % 5]}{i},{email},{phone},{birth},{','.join(guardian)}\n"


@pytest.fixture
def big(services: Services, incident_id: int, intake: dict[str, object], tmp_path: Path) -> int:
    """Two imports into the incident with another incident's import between them, so its people
    sit in two id blocks with someone else's ids in the gap."""
    first, other, second = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    first.write_text(HEADER + "".join(person_line(i) for i in range(1, 401)), encoding="utf-8")
    other.write_text(HEADER + "".join(person_line(i) for i in range(5001, 5101)), encoding="utf-8")
    second.write_text(HEADER + "".join(person_line(i) for i in range(401, 651)), encoding="utf-8")
    services.people.import_file(incident_id, first)
    services.people.import_file(services.incidents.create(intake).id, other)
    services.people.import_file(incident_id, second)
    assert len(services.ctx.store.people.ranges(incident_id)) == 2
    return incident_id


FILTERS: list[dict[str, str]] = [
    {}, {"band": "child"}, {"band": "adult"}, {"channel": "email"}, {"channel": "sms"},
    {"search": "张"}, {"search": "U0001"}, {"search": "user12"}, {"search": "00012"},
    {"search": "张", "channel": "email"}, {"search": "U0004", "band": "adult"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()) or "none")
def test_keyset_pages_equal_offset_pages(services: Services, big: int, filters: dict[str, str]) -> None:
    people, size = services.people, 37
    total = people.count(big, **filters)
    assert total > 0
    by_offset = [[p.id for p in people.page(big, offset, size, **filters)] for offset in range(0, total, size)]
    by_key: list[list[int]] = []
    after = None
    while True:
        chunk = [p.id for p in people.page(big, 0, size, after=after, **filters)]
        if not chunk:
            break
        by_key.append(chunk)
        after = chunk[-1]
    assert by_key == by_offset  # page for page
    flat = [i for chunk in by_key for i in chunk]
    assert len(flat) == total and flat == sorted(set(flat))
    # ...and both are exactly the incident's matching people in id order (none of the other one's).
    assert set(flat) <= set(range(1, 1000)) - set(_other_ids(services, big))


def _other_ids(services: Services, incident_id: int) -> list[int]:
    rows = services.ctx.store.db.execute("SELECT id FROM people WHERE incident_id != ?", [incident_id])
    return [int(r[0]) for r in rows]


def test_a_page_far_down_continues_across_the_gap(services: Services, big: int) -> None:
    (first, last), (second, _end) = services.ctx.store.people.ranges(big)
    page = services.people.page(big, 0, 5, after=last - 2)
    assert [p.id for p in page] == [last - 1, last, second, second + 1, second + 2]
    assert services.people.page(big, 0, 5, after=first - 1)[0].id == first


def test_streaming_every_person_is_keyset(services: Services, big: int) -> None:
    streamed = [p.id for p in services.people.iter_people(big, batch=64)]
    assert streamed == [p.id for p in services.people.page(big, 0, 10_000)]
    assert len(streamed) == 650


# -- exact searches -----------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["13900000007", "+86 139 0000 0007", "139-0000-0007", "１３９００００００07",
                                   "008613900000007"])
def test_a_phone_is_found_as_the_import_stored_it(services: Services, big: int, typed: str) -> None:
    assert [p.user_id for p in services.people.page(big, 0, 10, typed)] == ["U000007"]
    assert services.people.count(big, typed) == 1
    assert not services.people.search_scans(big, typed)


@pytest.mark.parametrize("typed", ["user7@example.com", " USER7@Example.COM ", "user7＠example.com"])
def test_an_email_is_found_as_the_import_stored_it(services: Services, big: int, typed: str) -> None:
    assert [p.user_id for p in services.people.page(big, 0, 10, typed)] == ["U000007"]
    assert not services.people.search_scans(big, typed)


def test_a_guardian_contact_finds_the_child(services: Services, big: int) -> None:
    assert [p.user_id for p in services.people.page(big, 0, 10, "parent18@EXAMPLE.cn")] == ["U000018"]
    assert [p.user_id for p in services.people.page(big, 0, 10, "137 0000 0018")] == ["U000018"]


def test_a_user_id_is_an_index_range_and_a_name_a_scan(services: Services, big: int) -> None:
    assert [p.user_id for p in services.people.page(big, 0, 10, "U000007")] == ["U000007"]
    assert not services.people.search_scans(big, "U000007")
    assert services.people.search_scans(big, "张")
    assert services.people.search_scans(big, "u000007")  # user ids keep their case: not a prefix
    # A whole address of nobody in the list: found nowhere, without reading the rows.
    assert services.people.count(big, "nobody@example.com") == 0
    assert not services.people.search_scans(big, "nobody@example.com")


def _plan(services: Services, incident_id: int, search: str, **kwargs: Any) -> list[str]:
    repo = services.ctx.store.people
    query = search_query(search, lambda prefix: repo.has_user_id_prefix(incident_id, prefix))
    return repo.query_plan(incident_id, query, **kwargs)


@pytest.mark.parametrize("search", ["13900000007", "user7@example.com", "U000007", "parent18@example.cn"])
@pytest.mark.parametrize("after", [None, 300])
def test_exact_lookups_use_an_index_never_a_scan(services: Services, big: int, search: str,
                                                 after: int | None) -> None:
    plan = _plan(services, big, search, after=after)
    assert not any(line.startswith("SCAN") and "people" in line for line in plan), plan
    assert any("USING" in line and "INDEX people_incident_" in line for line in plan), plan


def test_the_indexes_serve_the_lookup_columns(services: Services, big: int) -> None:
    for contacts in ((("phone", "+8613900000007"),), (("guardian_email", "parent18@example.cn"),),
                     (("user_id", "U000007"),)):
        plan = services.ctx.store.people.query_plan(big, PeopleQuery(contacts=contacts))
        column = contacts[0][0]
        assert any(f"INDEX people_incident_{column} (incident_id=? AND {column}=?)" in line for line in plan), plan


# -- the retention purge ---------------------------------------------------------------------------
def _left(conn: Any, incident: int) -> int:
    """People of the incident with anything identifying left."""
    return int(conn.execute(
        "SELECT count(*) FROM people WHERE incident_id = ? AND (user_id != '' OR name != '' OR email != ''"
        " OR phone != '' OR guardian_phone != '')", [incident]).fetchone()[0])


def _indexes(conn: Any) -> set[str]:
    """The people indexes a big purge drops while it blanks: the user id and the contacts. The
    ledger-key index stays (it holds only corrected people, and blanking takes them out of it)."""
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'"
                                       " AND name LIKE 'people_incident_%'")} - {"people_incident_ledger_key"}


def test_the_purge_commits_chunk_by_chunk_with_a_marker(services: Services, big: int, clock: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from incident_app.storage import people as storage

    monkeypatch.setattr(storage, "PURGE_CHUNK_ROWS", 100)
    monkeypatch.setattr(storage, "BULK_IMPORT_ROWS", 100)  # 650 people count as big: indexes dropped
    store, repo = services.ctx.store, services.ctx.store.people
    indexes = _indexes(store.db.conn)
    original = repo.anonymise_chunk
    seen: list[tuple[int, int | None, bool]] = []

    def watched(incident_id: int, after_id: int, limit: int) -> tuple[int, int | None]:
        # Each chunk starts with nothing uncommitted: the chunk before it and its marker are on disk.
        marker = store.retention.progress(incident_id, "people.contacts")
        assert marker is not None and marker.after_id == after_id
        changed, last = original(incident_id, after_id, limit)
        seen.append((changed, last, bool(_indexes(store.db.conn))))
        return changed, last

    monkeypatch.setattr(repo, "anonymise_chunk", watched)
    services.incidents.change_status(big, IncidentStatus.CLOSED, "all told", force=True)
    clock.now += timedelta(days=91)
    before = services.people.summary(big)
    (result,) = purge_due(services)
    assert [c for c, _l, _i in seen] == [100, 100, 100, 100, 100, 100, 50, 0]  # blocks of 400 and 250
    assert not any(i for _c, _l, i in seen)  # the indexes were dropped during the chunks ...
    assert _indexes(store.db.conn) == indexes  # ... and rebuilt after
    assert result.records_by_target["people.contacts"] == 650
    assert _left(store.db, big) == 0
    assert services.people.summary(big) == before  # the counts stay
    assert store.retention.progress(big, "people.contacts") is None
    assert services.people.purge_started_at(big) is None and services.people.purged_at(big) is not None


KILLED_PURGE = textwrap.dedent("""
    import sys, time
    from datetime import datetime
    from pathlib import Path
    from incident_app.services.container import open_services
    from incident_app.services.retention import purge_due
    from incident_app.storage import people as storage

    storage.PURGE_CHUNK_ROWS = 100
    storage.BULK_IMPORT_ROWS = 100  # drop the indexes, as for ten million people
    real = storage.PeopleRepository.anonymise_chunk

    def slow(self, incident_id, after_id, limit):
        result = real(self, incident_id, after_id, limit)
        print("chunk", after_id, result[0], flush=True)
        time.sleep(0.3)  # inside the chunk's transaction: the kill lands mid-chunk
        return result

    storage.PeopleRepository.anonymise_chunk = slow
    later = datetime.fromisoformat(sys.argv[2])
    services = open_services(Path(sys.argv[1]), clock=lambda: later)
    purge_due(services)
    print("finished", flush=True)
""")


def test_a_purge_killed_mid_chunk_is_resumed_and_counted_true(
        services: Services, big: int, clock: Any, tmp_path: Path, db_hook: Any) -> None:
    if db_hook is not None:
        pytest.skip("the killed child opens the file as plain SQLite (the encrypted variant needs its key)")
    services.incidents.change_status(big, IncidentStatus.CLOSED, "all told", force=True)
    path = services.ctx.store.path
    assert path is not None
    indexes = _indexes(services.ctx.store.db.conn)
    services.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INCIDENT_APP_NO_QT": "1"}
    later = (clock.now + timedelta(days=91)).isoformat()  # past the retention period
    child = subprocess.Popen([sys.executable, "-c", KILLED_PURGE, str(path), later], stdout=subprocess.PIPE,
                             text=True, env=env, cwd=tmp_path)
    assert child.stdout is not None
    lines = [child.stdout.readline() for _ in range(3)]
    assert lines[-1].startswith("chunk 200 100"), lines  # two chunks committed, the third not yet
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert _left(conn, big) == 650 - 200  # whole chunks: two blanked, the third rolled back
        assert conn.execute("SELECT after_id, records FROM retention_purge_progress").fetchall() == [(200, 200)]
        assert conn.execute("SELECT count(*) FROM retention_purges").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM events WHERE type = 'retention.purged'").fetchone()[0] == 0
        assert not _indexes(conn)  # dropped; the re-run rebuilds them
    finally:
        conn.close()
    again = open_services(path, clock=clock)
    try:
        clock.now += timedelta(days=91)
        people = again.people
        # What the officer sees meanwhile: not purged, the purge started and unfinished, still due.
        assert people.purged_at(big) is None and people.purge_started_at(big) is not None
        assert [c.incident_id for c in purge_candidates(again)] == [big]
        with pytest.raises(ValidationError, match="did not finish"):
            people.import_file(big, tmp_path / "a.csv")
        (result,) = purge_due(again)
        assert result.records_by_target["people.contacts"] == 650  # the killed run's 200 included
        assert _left(again.ctx.store.db, big) == 0
        assert _indexes(again.ctx.store.db.conn) == indexes
        assert people.purge_started_at(big) is None and people.purged_at(big) is not None
        (event,) = again.ctx.store.events.of_types(["retention.purged"])
        assert event.payload["records_by_target"]["people.contacts"] == 650
    finally:
        again.close()


def test_a_keyset_scan_starts_reading_after_the_key(services: Services, big: int) -> None:
    """SQLite uses one lower bound of a rowid range: the span itself must start after the key,
    or page 500,000 of a channel filter would read every row before it."""
    repo = services.ctx.store.people
    where, params = repo._filtered(big, PeopleQuery(channels=("email",)), after=300)
    assert where.startswith("id BETWEEN ? AND ?") and params[0] == 301
    first = repo.ranges(big)[0][0]
    assert repo._filtered(big, PeopleQuery(channels=("email",)))[1][0] == first


def test_a_scan_stops_when_its_caller_no_longer_wants_it(services: Services, big: int,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from incident_app.storage import people as storage

    monkeypatch.setattr(storage, "_STOP_EVERY_STEPS", 100)  # 650 people: make the checks frequent
    asked: list[int] = []

    def stop_at_third() -> bool:
        asked.append(1)
        return len(asked) >= 3

    with pytest.raises(storage.SearchInterrupted):
        services.people.count(big, "张", stop=stop_at_third)
    assert len(asked) == 3
    with pytest.raises(storage.SearchInterrupted):
        services.people.page(big, 0, 1000, "nobody-has-this", stop=lambda: True)
    # Not stopped: the same answers as without a check; and the connection is left as it was.
    assert services.people.count(big, "张", stop=lambda: False) == services.people.count(big, "张") == 130
    assert len(services.people.page(big, 0, 1000, "张")) == 130


MORE_FILTERS: list[dict[str, str]] = [{"search": "user12@example.com"}, {"search": "13900000012"},
                                      {"channel": "letter"}, {"channel": "none"}]


@pytest.mark.parametrize("filters", [*FILTERS, *MORE_FILTERS])
def test_a_quick_count_is_the_count_or_none(services: Services, big: int, filters: dict[str, str]) -> None:
    """Everyone and a channel come from the kept counters, an exact contact from its index; the
    rest (user-id prefixes, names, parts of contacts, bands) say None and are counted by count()."""
    quick = services.people.quick_count(big, **filters)
    counted = services.people.count(big, **filters)
    text = filters.get("search", "")
    exact = "@" in text or (text.isdigit() and len(text) == 11)
    cheap = set(filters) <= {"channel"} or (set(filters) == {"search"} and exact)
    assert quick == (counted if cheap else None)


def test_a_channel_count_reads_the_counters_not_the_rows(services: Services, big: int) -> None:
    statements: list[str] = []
    services.ctx.store.db.conn.set_trace_callback(statements.append)
    try:
        assert services.people.quick_count(big, channel="email") == services.people.summary(big).by_channel["email"] + \
            services.people.summary(big).by_channel.get("guardian_email", 0)
    finally:
        services.ctx.store.db.conn.set_trace_callback(None)
    assert statements and not [s for s in statements if "FROM people " in s or s.endswith("FROM people")]
