"""Two delivery reports of the platform giving one recipient conflicting results at the same
instant (delivered in one, failed in the other) end the same way whichever is imported first:
the failure stands, so the officer re-checks that person, and the ledger never claims delivered
on a tie (a delivery imported before the failure keeps its sent_at: the bounce never erases it).
A later report still wins over an earlier one, whatever it says."""

from __future__ import annotations

import json
from datetime import UTC, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from proof_helpers import ALL_BY_EMAIL, prepared_incident

from incident_app.domain.clock import to_iso
from incident_app.services.container import Services

BEIJING = timezone(timedelta(hours=8))


def export(services: Services, incident: int, folder: Path) -> list[str]:
    out = folder / "r.jsonl"
    services.platform.export_recipients(incident, out)
    return [json.loads(line)["reference"] for line in out.read_text(encoding="utf-8").splitlines()]


def report(folder: Path, name: str, rows: list[tuple[str, str, str, str]]) -> Path:
    path = folder / name
    path.write_text("reference,status,time,reason\n" + "".join(f"{r},{s},{t},{w}\n" for r, s, t, w in rows),
                    encoding="utf-8")
    return path


def ledger(services: Services, incident: int) -> set[tuple[str, str, Any]]:
    """(state, reason, sent_at) of the incident's platform rows."""
    return {(str(s), str(w), t) for s, w, t in services.ctx.store.db.execute(
        "SELECT state, reason, sent_at FROM send_ledger WHERE incident_id = ? AND channel = 'platform'", [incident])}


@pytest.mark.parametrize("first", ["delivered", "failed"])
def test_a_failure_at_the_same_instant_as_a_delivery_wins_in_either_order(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any, first: str) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    refs = export(services, incident, tmp_path)
    at = clock.now + timedelta(minutes=1)
    # The same instant, written in two offsets (the platform's two exports need not agree on one).
    delivered = report(tmp_path, "delivered.csv", [(r, "delivered", to_iso(at.astimezone(UTC)), "") for r in refs])
    failed = report(tmp_path, "failed.csv", [(r, "bounced", to_iso(at.astimezone(BEIJING)), "mailbox full")
                                             for r in refs])
    order = [delivered, failed] if first == "delivered" else [failed, delivered]
    services.platform.import_delivery(incident, order[0])
    # The check before committing the second report counts what the import will then do.
    check = services.platform.import_delivery(incident, order[1], commit=False)
    second = services.platform.import_delivery(incident, order[1])
    assert check["changed"] == second["changed"] == (len(refs) if first == "delivered" else 0)
    # Failed either way; a delivery already recorded keeps its time (a bounce never erases when the
    # message was sent), a delivery that lost the tie was never recorded.
    settled = {("failed", "mailbox full", to_iso(at.astimezone(UTC)) if first == "delivered" else None)}
    assert ledger(services, incident) == settled
    assert services.assessment.assess(incident).obligation("pipl57-individuals").status.value != "met"
    # Both reports again, in the other order: nothing changes.
    for path in reversed(order):
        assert services.platform.import_delivery(incident, path)["changed"] == 0
    assert ledger(services, incident) == settled


def test_a_later_delivery_still_replaces_an_earlier_failure(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, ALL_BY_EMAIL)
    refs = export(services, incident, tmp_path)
    at = clock.now + timedelta(minutes=1)
    later = at + timedelta(seconds=1)
    services.platform.import_delivery(incident, report(tmp_path, "failed.csv", [(r, "failed", to_iso(at), "busy")
                                                                               for r in refs]))
    result = services.platform.import_delivery(
        incident, report(tmp_path, "retried.csv", [(r, "delivered", to_iso(later), "") for r in refs]))
    assert result["changed"] == len(refs)
    assert ledger(services, incident) == {("sent", "", to_iso(later.astimezone(UTC)))}
    assert services.assessment.assess(incident).obligation("pipl57-individuals").status.value == "met"
