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

from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import Services, open_services
from incident_app.services.people.search import search_query
from incident_app.services.retention import purge_due
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
def test_the_purge_blanks_in_chunks_inside_one_transaction(services: Services, big: int, clock: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    repo = services.ctx.store.people
    original = repo.anonymise_for_incident

    def chunked(incident_id: int, **kwargs: Any) -> int:
        def between(done: int) -> None:
            seen.append(done)
            assert services.ctx.store.db.conn.in_transaction  # never committed chunk by chunk
            if kwargs.get("between_chunks"):
                kwargs["between_chunks"](done)
        return original(incident_id, chunk_rows=100, between_chunks=between)

    monkeypatch.setattr(repo, "anonymise_for_incident", chunked)
    services.incidents.change_status(big, IncidentStatus.CLOSED, "all told", force=True)
    clock.now += timedelta(days=91)
    before = services.people.summary(big)
    (result,) = purge_due(services)
    assert seen == [100, 200, 300, 400, 500, 600, 650]  # two id blocks, 100 people a statement
    assert result.records_by_target["people.contacts"] == 650
    left = services.ctx.store.db.execute(
        "SELECT count(*) FROM people WHERE incident_id = ? AND (user_id != '' OR name != '' OR email != ''"
        " OR phone != '' OR guardian_phone != '')", [big]).fetchone()[0]
    assert left == 0
    assert services.people.summary(big) == before  # the counts stay


KILLED_PURGE = textwrap.dedent("""
    import sys, time
    from datetime import timedelta
    from incident_app.services.container import open_services
    from incident_app.services.retention import purge_due
    from incident_app.storage import people as storage

    from datetime import datetime
    from pathlib import Path
    later = datetime.fromisoformat(sys.argv[2])
    services = open_services(Path(sys.argv[1]), clock=lambda: later)
    repo = services.ctx.store.people
    original = repo.anonymise_for_incident

    def slow(incident_id, **kwargs):
        def between(done):
            print("chunk", done, flush=True)
            time.sleep(0.3)
        return original(incident_id, chunk_rows=100, between_chunks=between)

    repo.anonymise_for_incident = slow
    purge_due(services)
    print("finished", flush=True)
""")


def test_a_kill_in_the_middle_of_the_purge_leaves_the_people_as_they_were(
        services: Services, big: int, clock: Any, tmp_path: Path, db_hook: Any) -> None:
    if db_hook is not None:
        pytest.skip("the killed child opens the file as plain SQLite (the encrypted variant needs its key)")
    services.incidents.change_status(big, IncidentStatus.CLOSED, "all told", force=True)
    path = services.ctx.store.path
    assert path is not None
    before = services.ctx.store.db.execute("SELECT * FROM people ORDER BY id").fetchall()
    services.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INCIDENT_APP_NO_QT": "1"}
    later = (clock.now + timedelta(days=91)).isoformat()  # past the retention period
    child = subprocess.Popen([sys.executable, "-c", KILLED_PURGE, str(path), later], stdout=subprocess.PIPE,
                             text=True, env=env, cwd=tmp_path)
    assert child.stdout is not None
    lines = [child.stdout.readline() for _ in range(3)]
    assert lines[-1].startswith("chunk 300"), lines  # three chunks blanked, in the transaction
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT * FROM people ORDER BY id").fetchall() == before
        assert conn.execute("SELECT count(*) FROM retention_purges").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM events WHERE type = 'retention.purged'").fetchone()[0] == 0
    finally:
        conn.close()
    # The next purge does the whole of it.
    again = open_services(path, clock=clock)
    try:
        clock.now += timedelta(days=91)
        (result,) = purge_due(again)
        assert result.records_by_target["people.contacts"] == 650
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
