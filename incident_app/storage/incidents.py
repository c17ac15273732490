"""Incidents table: stores the intake facts as JSON plus a few columns to sort and filter on."""

from __future__ import annotations

import builtins
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlite_utils

from incident_app.domain.clock import parse_time, to_iso
from incident_app.domain.errors import NotFoundError
from incident_app.domain.incident import Incident, IncidentStatus, IncidentSummary, IntakeFacts, parse_intake

IDS_PER_STATEMENT = 500  # ids per IN (...) list: well under SQLite's variable limit


class IncidentRepository:
    """CRUD for incidents; returns domain objects, never rows."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def add(self, facts: IntakeFacts, *, now: datetime) -> Incident:
        row = _facts_columns(facts) | {
            "status": IncidentStatus.REPORTED.value,
            "created_at": to_iso(now),
            "updated_at": to_iso(now),
            "handling_closed_at": None,
        }
        new_id = self._db.table("incidents").insert(row).last_rowid
        assert new_id is not None
        return self.get(int(new_id))

    def get(self, incident_id: int) -> Incident:
        rows = list(self._db.query("SELECT * FROM incidents WHERE id = ?", [incident_id]))
        if not rows:
            raise NotFoundError(f"incident {incident_id} does not exist")
        return _to_incident(rows[0])

    def metric_rows(self) -> list[tuple[int, bool, str | None, str, str | None]]:
        """(id, drill, occurred_at, discovered_at, cause) of every incident, oldest first, read from
        the stored facts by SQL (the register metrics: no parsing of whole facts)."""
        return [(int(r[0]), bool(r[1]), r[2], str(r[3]), r[4]) for r in self._db.execute(
            "SELECT id, json_extract(facts, '$.drill'), json_extract(facts, '$.occurred_at'), "
            "json_extract(facts, '$.discovered_at'), json_extract(facts, '$.cause') FROM incidents ORDER BY id")]

    def list(self, *, include_drills: bool = True) -> list[Incident]:
        where = "" if include_drills else " WHERE drill = 0"
        return [_to_incident(r) for r in self._db.query(f"SELECT * FROM incidents{where} ORDER BY id")]

    def drill_ids(self) -> set[int]:
        """The ids of the drill incidents (the register's metrics leave them out)."""
        return {int(r[0]) for r in self._db.execute("SELECT id FROM incidents WHERE drill = 1")}

    def summaries(self) -> Sequence[IncidentSummary]:
        """Every incident's list columns, without parsing the stored facts (10,000 in ~50 ms)."""
        rows = self._db.execute(
            "SELECT id, title, status, discovered_at, affected_people, drill FROM incidents ORDER BY id")
        return [IncidentSummary(int(i), title, IncidentStatus(status), parse_time(discovered), int(people or 0),
                                bool(drill)) for i, title, status, discovered, people, drill in rows]

    def register_summaries(self, *, limit: int | None = None,
                           ids: Sequence[int] | None = None) -> builtins.list[tuple[IncidentSummary, int]]:
        """The register's list columns with the imported people count (0: none imported), newest
        first, from the columns alone (no facts parsed): the ``limit`` newest, or those of ``ids``
        (any number: read IDS_PER_STATEMENT at a time), or every incident."""
        if ids is None:
            return self._register_summaries("", [], limit)
        found: builtins.list[tuple[IncidentSummary, int]] = []
        for start in range(0, len(ids), IDS_PER_STATEMENT):
            chunk = builtins.list(ids[start:start + IDS_PER_STATEMENT])
            found += self._register_summaries(f" WHERE i.id IN ({', '.join('?' * len(chunk))})", chunk, limit)
        return sorted(found, key=lambda pair: pair[0].id, reverse=True)

    def _register_summaries(self, where: str, args: builtins.list[Any],
                            limit: int | None) -> builtins.list[tuple[IncidentSummary, int]]:
        sql = ("SELECT i.id, i.title, i.status, i.discovered_at, i.affected_people, i.drill, "
               f"coalesce(p.total, 0) FROM incidents i LEFT JOIN people_stats p ON p.incident_id = i.id{where}"
               " ORDER BY i.id DESC")  # the primary key backwards: LIMIT stops after the rows asked
        if limit is not None:
            sql += " LIMIT ?"
            args = [*args, limit]
        return [(IncidentSummary(int(i), title, IncidentStatus(status), parse_time(discovered), int(people or 0),
                                 bool(drill)), int(imported or 0))
                for i, title, status, discovered, people, drill, imported in self._db.execute(sql, args)]

    def get_many(self, incident_ids: Sequence[int]) -> Sequence[Incident]:
        """The incidents with these ids (unknown ids are skipped), in id order."""
        found: builtins.list[Incident] = []
        for start in range(0, len(incident_ids), IDS_PER_STATEMENT):
            chunk = list(incident_ids[start:start + IDS_PER_STATEMENT])
            marks = ",".join("?" * len(chunk))
            found += [_to_incident(r) for r in self._db.query(f"SELECT * FROM incidents WHERE id IN ({marks})", chunk)]
        return sorted(found, key=lambda i: i.id)

    def ids(self) -> Sequence[int]:
        return [int(r[0]) for r in self._db.execute("SELECT id FROM incidents ORDER BY id")]

    def update_facts(self, incident_id: int, facts: IntakeFacts, *, now: datetime) -> Incident:
        self.get(incident_id)
        self._db.table("incidents").update(incident_id, _facts_columns(facts) | {"updated_at": to_iso(now)})
        return self.get(incident_id)

    def set_status(
        self, incident_id: int, status: IncidentStatus, *, now: datetime,
        handling_closed_at: datetime | None = None, clear_closed: bool = False,
    ) -> Incident:
        """Set the status; ``handling_closed_at`` stamps a close, ``clear_closed`` removes it (reopened)."""
        self.get(incident_id)
        changes: dict[str, Any] = {"status": status.value, "updated_at": to_iso(now)}
        if handling_closed_at is not None:
            changes["handling_closed_at"] = to_iso(handling_closed_at)
        elif clear_closed:
            changes["handling_closed_at"] = None
        self._db.table("incidents").update(incident_id, changes)
        return self.get(incident_id)

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM incidents").fetchone()[0])


def _facts_columns(facts: IntakeFacts) -> dict[str, Any]:
    return {
        "title": facts.title or str(facts.text_in("title", "en")),  # an English-only title still lists
        "discovered_at": to_iso(facts.discovered_at),
        "occurred_at": to_iso(facts.occurred_at) if facts.occurred_at else None,
        "affected_people": facts.affected_people,
        "drill": int(facts.drill),
        "facts": json.dumps(facts.to_dict(), ensure_ascii=False),
    }


def _to_incident(row: dict[str, Any]) -> Incident:
    # Stored facts were validated on the way in; re-parsing keeps one definition of the shape.
    facts = parse_intake(json.loads(row["facts"]), now=parse_time("2999-01-01T00:00:00+00:00"),
                         stored=True)
    closed = row.get("handling_closed_at")
    return Incident(
        id=int(row["id"]), facts=facts, status=IncidentStatus(row["status"]),
        created_at=parse_time(row["created_at"]), updated_at=parse_time(row["updated_at"]),
        handling_closed_at=parse_time(closed) if closed else None,
    )
