"""Keyset paging of the send ledger returns exactly the rows OFFSET paging returned, in order, for
every page size and state filter; the counts shown every second during a send and the pages
read an index (EXPLAIN QUERY PLAN), never the whole table sorted."""

from __future__ import annotations

import random

import pytest

from incident_app.domain.mail import SendState
from incident_app.services.container import Services

STATES = [s.value for s in SendState]


def fill(services: Services, incident_ids: list[int], rows: int, seed: int = 17) -> None:
    """Rows of several incidents interleaved (as two sends at once leave them), every state."""
    rnd = random.Random(seed)
    conn = services.ctx.store.db.conn
    with services.ctx.store.transaction():
        conn.executemany(
            "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address,"
            " message_id, state, attempts, in_doubt, queued_at, updated_at, channel, fallback)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(rnd.choice(incident_ids), f"person:{i}", "individual_email", "v1", f"p{i}@example.test", f"<{i}@x>",
              rnd.choice(STATES), 1, rnd.choice((0, 0, 0, 1)), "2026-11-20T09:00:00+08:00",
              "2026-11-20T09:00:00+08:00", rnd.choice(("email", "sms", "platform")),
              rnd.choice((None, "sms", "letter")))
             for i in range(rows)])


def offset_pages(services: Services, incident_id: int, state: str | None, size: int) -> list[list[int]]:
    """What the old OFFSET paging returned, page by page."""
    where = "incident_id = ?" + (" AND state = ?" if state else "")
    params: list[object] = [incident_id, *([state] if state else [])]
    pages, offset = [], 0
    while True:
        page = [int(r[0]) for r in services.ctx.store.db.execute(
            f"SELECT id FROM send_ledger WHERE {where} ORDER BY id LIMIT ? OFFSET ?", [*params, size, offset])]
        if not page:
            return pages
        pages.append(page)
        offset += len(page)


def keyset_pages(services: Services, incident_id: int, state: SendState | None, size: int) -> list[list[int]]:
    pages, after = [], 0
    while page := services.mail.page(incident_id, state, after_id=after, limit=size):
        pages.append([e.id for e in page])
        after = page[-1].id
    return pages


@pytest.mark.parametrize("size", [1, 7, 200])
def test_keyset_pages_are_the_offset_pages(services: Services, intake: dict[str, object], size: int) -> None:
    ids = [services.incidents.create(intake).id for _ in range(3)]
    fill(services, ids, 600)
    for incident_id in ids:
        for state in [None, *SendState]:
            expected = offset_pages(services, incident_id, state.value if state else None, size)
            assert keyset_pages(services, incident_id, state, size) == expected, (incident_id, state)
        every = [e.id for e in services.ctx.store.send_ledger.iter_entries(incident_id, chunk=size)]
        assert every == [i for page in offset_pages(services, incident_id, None, size) for i in page]
        raw = [r[0] for r in services.ctx.store.send_ledger.iter_raw(incident_id, ("id", "state"), chunk=size)]
        assert raw == every


def test_raw_rows_name_only_real_columns(services: Services, intake: dict[str, object]) -> None:
    incident_id = services.incidents.create(intake).id
    with pytest.raises(ValueError, match="columns"):
        list(services.ctx.store.send_ledger.iter_raw(incident_id, ("id", "1; DROP TABLE send_ledger")))
    with pytest.raises(ValueError, match="start with id"):
        list(services.ctx.store.send_ledger.iter_raw(incident_id, ("state",)))


def plan(services: Services, sql: str, params: list[object]) -> str:
    return " | ".join(str(r[3]) for r in services.ctx.store.db.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def test_pages_and_counts_read_an_index(services: Services, intake: dict[str, object]) -> None:
    incident_id = services.incidents.create(intake).id
    fill(services, [incident_id], 50)
    page = plan(services, "SELECT * FROM send_ledger WHERE incident_id = ? AND id > ? ORDER BY id LIMIT ?",
                [incident_id, 0, 10])
    assert "rowid>?" in page and "TEMP B-TREE" not in page
    by_state = plan(services, "SELECT * FROM send_ledger WHERE incident_id = ? AND state = ? AND id > ?"
                              " ORDER BY id LIMIT ?", [incident_id, "sent", 0, 10])
    assert "rowid>?" in by_state and "TEMP B-TREE" not in by_state
    counts = [
        ("SELECT state, count(*) FROM send_ledger WHERE incident_id = ? GROUP BY state", [incident_id]),
        ("SELECT state, count(*) FROM send_ledger WHERE incident_id = ? AND channel = ? GROUP BY state",
         [incident_id, "email"]),
    ]
    for sql, params in counts:
        assert "COVERING INDEX" in plan(services, sql, params), sql
    assert "idx_send_ledger_in_doubt" in plan(
        services, "SELECT count(*) FROM send_ledger INDEXED BY idx_send_ledger_in_doubt WHERE incident_id = ?"
                  " AND in_doubt > 0", [incident_id])
    assert services.ctx.store.send_ledger.in_doubt_count(incident_id) == int(services.ctx.store.db.execute(
        "SELECT count(*) FROM send_ledger WHERE incident_id = ? AND in_doubt > 0", [incident_id]).fetchone()[0])
    overview = services.mail.overview(incident_id)
    assert overview.total == 50
    expected = dict(services.ctx.store.db.execute(
        "SELECT fallback, count(*) FROM send_ledger WHERE incident_id = ? AND state = 'failed'"
        " AND fallback IS NOT NULL GROUP BY fallback", [incident_id]).fetchall())
    assert {c.value: n for c, n in overview.fallback.items() if n} == expected
    assert services.ctx.store.send_ledger.channels(incident_id) == sorted({"email", "sms", "platform"})
    for channel in ("email", "sms"):
        assert "state=? AND fallback>?" in plan(
            services, "SELECT fallback, count(*) FROM send_ledger WHERE incident_id = ? AND channel = ? AND state = ?"
                      " AND fallback IS NOT NULL GROUP BY fallback", [incident_id, channel, "failed"])
    assert sum(services.ctx.store.send_ledger.counts(incident_id, "platform").values()) == int(
        services.ctx.store.db.execute("SELECT count(*) FROM send_ledger WHERE channel = 'platform'").fetchone()[0])


def test_the_register_and_the_assessment_read_an_index_only(services: Services, intake: dict[str, object]) -> None:
    """The register's overview of every incident, its first-sent milestone and the assessment's
    batches are aggregates over an index, never the table's rows."""
    incident_id = services.incidents.create(intake).id
    fill(services, [incident_id], 50)
    queries = [
        ("SELECT incident_id, state, fallback, count(*), sum(in_doubt > 0), channel FROM send_ledger"
         " WHERE notice_kind NOT IN ('internal_brief') GROUP BY incident_id, state, fallback, channel", []),
        ("SELECT incident_id, min(sent_at) FROM send_ledger WHERE state = 'sent'"
         " AND notice_kind NOT IN ('internal_brief') GROUP BY incident_id", []),
        ("SELECT incident_id, notice_kind, notice_version, count(*), sum(state = 'sent'),"
         " max(CASE WHEN state = 'sent' THEN sent_at END), channel FROM send_ledger WHERE incident_id = ?"
         " GROUP BY incident_id, notice_kind, notice_version, channel", [incident_id]),
    ]
    for sql, params in queries:
        assert "COVERING INDEX" in plan(services, sql, params), sql
    assert incident_id in services.ctx.store.send_ledger.all_overviews()
