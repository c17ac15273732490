"""The register's count of people the mass-messaging platform reached stays what it was after the
retention purge blanks the send ledger's keys: the purge keeps one pseudonym per person for their
platform rows (a teenager and their guardian are two messages for one person, a new hand-off
version another), so the register never starts counting messages instead of people."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from proof_helpers import prepared_incident

from incident_app.domain.clock import to_iso
from incident_app.domain.incident import IncidentStatus
from incident_app.services.container import Services
from incident_app.services.register.export import build_register
from incident_app.services.retention import purge_due

PEOPLE = [("u1", "用户1号", "user1@example.test", "", "", "1990-01-01", "", "", "", "zh-CN"),
          ("u2", "用户2号", "user2@example.test", "", "", "1990-01-02", "", "", "", "zh-CN"),
          ("t1", "少年", "teen@example.test", "", "", "2010-01-01", "少年家长", "teenparent@example.test", "", "zh-CN"),
          ("k1", "张小明", "", "", "", "2016-05-01", "张大伟", "parent1@example.test", "", "zh-CN")]


def platform_people(services: Services, incident: int) -> int:
    return services.ctx.store.send_ledger.all_overviews()[incident].handed_off_sent.get("platform", 0)


def test_the_register_counts_the_same_platform_people_before_and_after_the_purge(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, PEOPLE)
    out = tmp_path / "r.jsonl"
    for _ in range(2):  # a second hand-off version: the same people again
        services.platform.export_recipients(incident, out)
        lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert len(lines) == 5  # four people, the teenager's guardian a fifth message
        at = to_iso(clock.now + timedelta(minutes=1))
        report = tmp_path / "delivery.csv"
        report.write_text("reference,status,time\n" + "".join(
            f"{line['reference']},{'bounced' if line['to'] == 'user1@example.test' else 'delivered'},{at}\n"
            for line in lines), encoding="utf-8")
        services.platform.import_delivery(incident, report)
        services.notices.set_element_text(incident, "remedies", "zh-CN", "免费开通异常登录提醒（新）", "")
        services.notices.approve(incident, "王安全")
        clock.now += timedelta(minutes=5)
    assert platform_people(services, incident) == 3  # u2, the teenager, the child: u1 bounced
    services.incidents.change_status(incident, IncidentStatus.CLOSED, "all notified", force=True)
    clock.now += timedelta(days=400)
    before = build_register(services).records
    assert [r.incident_id for r in purge_due(services)] == [incident]
    keys = [str(k) for (k,) in services.ctx.store.db.execute("SELECT recipient_key FROM send_ledger")]
    assert keys and all(k.startswith("purged:") for k in keys) and not any("@" in k or k.startswith("u") for k in keys)
    assert platform_people(services, incident) == 3
    assert build_register(services).records == before


def handed_off_twice(services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> int:
    """Two hand-off versions to the same four people (five messages each), u1 bounced both times."""
    incident = prepared_incident(services, intake, tmp_path, PEOPLE)
    out = tmp_path / "r.jsonl"
    for _ in range(2):
        services.platform.export_recipients(incident, out)
        lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        at = to_iso(clock.now + timedelta(minutes=1))
        report = tmp_path / "delivery.csv"
        report.write_text("reference,status,time\n" + "".join(
            f"{line['reference']},{'bounced' if line['to'] == 'user1@example.test' else 'delivered'},{at}\n"
            for line in lines), encoding="utf-8")
        services.platform.import_delivery(incident, report)
        services.notices.set_element_text(incident, "remedies", "zh-CN", "免费开通异常登录提醒（新）", "")
        services.notices.approve(incident, "王安全")
        clock.now += timedelta(minutes=5)
    return incident


def test_a_ledger_purged_the_old_way_never_counts_messages_as_people(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    """A ledger purged before the purge kept one pseudonym per person (every row ``purged:<its own
    id>``, ``#guardian`` dropped) cannot tell a teenager from their guardian, nor one version's row
    of a person from the next: the register counts the fewest people those rows can be (per
    version, the larger of the notices to people and those to guardians), never the 8 messages."""
    incident = handed_off_twice(services, intake, tmp_path, clock)
    assert platform_people(services, incident) == 3
    services.incidents.change_status(incident, IncidentStatus.CLOSED, "all notified", force=True)
    clock.now += timedelta(days=400)
    purge_due(services)
    with services.ctx.store.transaction():  # what the older purge left
        services.ctx.store.db.execute("UPDATE send_ledger SET recipient_key = 'purged:' || id")
    sent = services.ctx.store.db.execute(
        "SELECT count(*) FROM send_ledger WHERE channel = 'platform' AND state = 'sent'").fetchone()[0]
    assert sent == 8
    assert platform_people(services, incident) == 2  # u2 and the teenager (or the two guardians): at least 2


def test_an_old_way_purged_ledger_of_one_version_without_guardians_counts_its_people(
        services: Services, intake: dict[str, object], tmp_path: Path, clock: Any) -> None:
    incident = prepared_incident(services, intake, tmp_path, PEOPLE[:2])
    out = tmp_path / "r.jsonl"
    services.platform.export_recipients(incident, out)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    at = to_iso(clock.now + timedelta(minutes=1))
    report = tmp_path / "delivery.csv"
    report.write_text("reference,status,time\n" + "".join(f"{line['reference']},delivered,{at}\n" for line in lines),
                      encoding="utf-8")
    services.platform.import_delivery(incident, report)
    services.incidents.change_status(incident, IncidentStatus.CLOSED, "all notified", force=True)
    clock.now += timedelta(days=400)
    purge_due(services)
    with services.ctx.store.transaction():
        services.ctx.store.db.execute("UPDATE send_ledger SET recipient_key = 'purged:' || id")
    assert platform_people(services, incident) == 2
