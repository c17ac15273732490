from __future__ import annotations

import sqlite3

import pytest

from incident_app.domain.mail.ledger import AttemptResult, LedgerDraft, SendRun
from incident_app.domain.mail.sending import FallbackChannel, SendState
from incident_app.services.container import Services


def drafts(incident_id: int, n: int, version: str = "v1") -> list[LedgerDraft]:
    return [LedgerDraft(incident_id, f"person:{i}", "individual_email", version, f"p{i}@example.test", "zh-CN",
                        f"<bd.{i}@example.test>") for i in range(1, n + 1)]


@pytest.fixture
def incident_id(services: Services, intake: dict[str, object]) -> int:
    return services.incidents.create(intake).id


def test_enqueue_is_idempotent_per_recipient_kind_and_version(services: Services, incident_id: int) -> None:
    store, now = services.ctx.store, services.ctx.now()
    with store.transaction():
        assert store.send_ledger.enqueue(drafts(incident_id, 5), now=now) == 5
        assert store.send_ledger.enqueue(drafts(incident_id, 7), now=now) == 2
        assert store.send_ledger.enqueue(drafts(incident_id, 2, "v2"), now=now) == 2
    assert store.send_ledger.counts(incident_id)[SendState.QUEUED] == 9
    found = store.send_ledger.lookup(incident_id, "individual_email", "v1", ["person:1", "person:6", "nobody"])
    assert set(found) == {"person:1", "person:6"}


def test_state_changes_are_guarded(services: Services, incident_id: int) -> None:
    store, now = services.ctx.store, services.ctx.now()
    with store.transaction():
        store.send_ledger.enqueue(drafts(incident_id, 4), now=now)
    ids = [e.id for e in store.send_ledger.page(incident_id)]
    with store.transaction():
        assert store.send_ledger.claim([(i, "x@example.test") for i in ids[:3]], run_id="r1", now=now) == set(ids[:3])
        assert store.send_ledger.claim([(ids[0], "x@example.test")], run_id="r2", now=now) == set()
    with store.transaction():
        store.send_ledger.record([AttemptResult(ids[0], SendState.SENT, 250, "250 ok", ""),
                                  AttemptResult(ids[1], SendState.DEFERRED, 451, "451 later", "try later", now,
                                                in_doubt=True)], now=now)
        store.send_ledger.release([ids[2]], now=now)
        store.send_ledger.record([AttemptResult(ids[3], SendState.SENT, 250, "250", "")], now=now)  # not sending
    rows = {e.id: e for e in store.send_ledger.page(incident_id)}
    assert rows[ids[0]].state == SendState.SENT and rows[ids[0]].sent_at is not None
    assert rows[ids[1]].state == SendState.DEFERRED and rows[ids[1]].in_doubt == 1
    assert rows[ids[2]].state == SendState.QUEUED and rows[ids[2]].attempts == 0
    assert rows[ids[3]].state == SendState.QUEUED
    assert store.send_ledger.count(incident_id, SendState.DEFERRED) == 1
    assert [e.id for e in store.send_ledger.page(incident_id, SendState.QUEUED)] == [ids[2], ids[3]]


def test_recovery_bounces_and_fallbacks(services: Services, incident_id: int) -> None:
    store, now = services.ctx.store, services.ctx.now()
    with store.transaction():
        store.send_ledger.enqueue(drafts(incident_id, 3), now=now)
        ids = [e.id for e in store.send_ledger.page(incident_id)]
        store.send_ledger.claim([(i, "x@example.test") for i in ids], run_id="r1", now=now)
        store.send_ledger.record([AttemptResult(ids[0], SendState.SENT, 250, "250", "")], now=now)
        assert store.send_ledger.recover_in_flight(incident_id, note="interrupted", now=now) == 2
        assert store.send_ledger.mark_bounced(incident_id, ["<bd.1@example.test>"], reason="bounced", now=now) == 1
        store.send_ledger.set_fallbacks([(ids[0], FallbackChannel.SMS)])
    assert store.send_ledger.failed_without_fallback(incident_id) == []
    assert store.send_ledger.fallback_counts(incident_id)[FallbackChannel.SMS] == 1
    assert store.send_ledger.in_doubt_count(incident_id) == 2
    assert store.send_ledger.get(ids[1]).reason == "interrupted"


def test_only_one_unfinished_run_per_incident(services: Services, incident_id: int) -> None:
    store, now = services.ctx.store, services.ctx.now()
    with store.transaction():
        store.send_runs.start(SendRun("a", incident_id, 1, "host", now, now))
    with pytest.raises(sqlite3.IntegrityError), store.transaction():
        store.send_runs.start(SendRun("b", incident_id, 2, "host", now, now))
    with store.transaction():
        store.send_runs.finish("a", "completed", now=now)
        store.send_runs.start(SendRun("b", incident_id, 2, "host", now, now))
    active = store.send_runs.active(incident_id)
    assert active is not None and active.run_id == "b"
