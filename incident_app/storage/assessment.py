"""The ENISA inputs table: the officer's choices per incident, latest row wins."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlite_utils

from incident_app.domain.assessment.enisa_rules import Availability, EnisaInputs, Integrity
from incident_app.domain.clock import parse_time, to_iso


class EnisaInputsRepository:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def add(self, incident_id: int, inputs: EnisaInputs, *, saved_by: str, saved_at: datetime) -> EnisaInputs:
        self._db.table("enisa_inputs").insert({
            "incident_id": incident_id, "data": json.dumps(inputs.to_dict(), ensure_ascii=False),
            "saved_by": saved_by, "saved_at": to_iso(saved_at)})
        stored = self.latest(incident_id)
        assert stored is not None  # just inserted in this transaction
        return stored

    def latest(self, incident_id: int) -> EnisaInputs | None:
        rows = list(self._db.query(
            "SELECT * FROM enisa_inputs WHERE incident_id = ? ORDER BY id DESC LIMIT 1", [incident_id]))
        return _inputs(rows[0]) if rows else None

    def latest_by_incident(self) -> dict[int, EnisaInputs]:
        """The inputs in force for every incident (one query, for the register)."""
        rows = self._db.query(
            "SELECT * FROM enisa_inputs WHERE id IN (SELECT max(id) FROM enisa_inputs GROUP BY incident_id)")
        return {int(r["incident_id"]): _inputs(r) for r in rows}


def _inputs(row: Mapping[str, Any]) -> EnisaInputs:
    data = json.loads(row["data"])
    return EnisaInputs(
        dpc_adjustment=data.get("dpc_adjustment"), dpc_rationale=data.get("dpc_rationale", ""),
        ei=data.get("ei"), ei_rationale=data.get("ei_rationale", ""),
        integrity=Integrity(data["integrity"]) if data.get("integrity") else None,
        availability=Availability(data["availability"]) if data.get("availability") else None,
        cb_rationale=data.get("cb_rationale", ""), saved_by=row["saved_by"], saved_at=parse_time(row["saved_at"]),
    )
