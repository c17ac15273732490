"""Remediation actions, notes, decisions, fulfilments (with attached files) and corrections tables."""

from __future__ import annotations

import builtins
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlite_utils

from incident_app.domain.clock import parse_time, to_iso
from incident_app.domain.decisions import Decision, DecisionDraft, DecisionKind
from incident_app.domain.errors import NotFoundError
from incident_app.domain.fulfilments import (
    Correction,
    CorrectionDraft,
    CorrectionTarget,
    Fulfilment,
    FulfilmentDraft,
)
from incident_app.domain.remediation import (
    ActionDraft,
    ActionKind,
    ActionStatus,
    NoteDraft,
    NoteKind,
    NoticeNote,
    RemediationAction,
)
from incident_app.storage.incidents import IDS_PER_STATEMENT


def _iso(moment: datetime | None) -> str | None:
    return to_iso(moment) if moment else None


def _time(value: Any) -> datetime | None:
    return parse_time(value) if value else None


class RemediationRepository:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def add_action(self, incident_id: int, draft: ActionDraft, *, now: datetime) -> RemediationAction:
        row = {"incident_id": incident_id, "description": draft.description,
               "description_en": draft.description_en, "kind": draft.kind.value,
               "status": draft.status.value, "owner": draft.owner, "due_at": _iso(draft.due_at),
               "done_at": _iso(draft.done_at), "started_at": _iso(draft.started_at), "created_at": to_iso(now)}
        new_id = self._db.table("remediation_actions").insert(row).last_rowid
        return self.get_action(int(new_id or 0))

    def update_action(self, action_id: int, draft: ActionDraft) -> RemediationAction:
        self.get_action(action_id)
        self._db.table("remediation_actions").update(action_id, {
            "description": draft.description, "description_en": draft.description_en,
            "kind": draft.kind.value, "status": draft.status.value, "owner": draft.owner,
            "due_at": _iso(draft.due_at), "done_at": _iso(draft.done_at), "started_at": _iso(draft.started_at)})
        return self.get_action(action_id)

    def get_action(self, action_id: int) -> RemediationAction:
        rows = list(self._db.query("SELECT * FROM remediation_actions WHERE id = ?", [action_id]))
        if not rows:
            raise NotFoundError(f"remediation action {action_id} does not exist")
        return _action(rows[0])

    def actions(self, incident_id: int) -> list[RemediationAction]:
        rows = self._db.query("SELECT * FROM remediation_actions WHERE incident_id = ? ORDER BY id", [incident_id])
        return [_action(r) for r in rows]

    def add_note(self, incident_id: int, draft: NoteDraft, *, now: datetime) -> NoticeNote:
        row = {"incident_id": incident_id, "kind": draft.kind.value, "text_zh": draft.text_zh,
               "text_en": draft.text_en, "created_at": to_iso(now)}
        new_id = int(self._db.table("notice_notes").insert(row).last_rowid or 0)
        return NoticeNote(new_id, incident_id, draft.kind, draft.text_zh, draft.text_en)

    def delete_note(self, note_id: int) -> None:
        self._db.execute("DELETE FROM notice_notes WHERE id = ?", [note_id])

    def notes(self, incident_id: int, kind: NoteKind | None = None) -> list[NoticeNote]:
        sql = "SELECT * FROM notice_notes WHERE incident_id = ?"
        params: list[Any] = [incident_id]
        if kind:
            sql += " AND kind = ?"
            params.append(kind.value)
        return [NoticeNote(r["id"], r["incident_id"], NoteKind(r["kind"]), r["text_zh"] or "", r["text_en"] or "")
                for r in self._db.query(sql + " ORDER BY id", params)]


class DecisionRepository:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def add(self, incident_id: int, draft: DecisionDraft, decided_at: datetime, signature: str) -> Decision:
        row = {"incident_id": incident_id, "kind": draft.kind.value, "rationale": draft.rationale,
               "rationale_en": draft.rationale_en, "decided_by": draft.decided_by, "decided_at": to_iso(decided_at),
               "details": json.dumps(draft.details, ensure_ascii=False), "signature": signature}
        new_id = int(self._db.table("decisions").insert(row).last_rowid or 0)
        return self.list(incident_id, ids=[new_id])[0]

    def list(self, incident_id: int, *, ids: list[int] | None = None) -> list[Decision]:
        sql, params = "SELECT * FROM decisions WHERE incident_id = ?", [incident_id]
        if ids:
            sql += f" AND id IN ({','.join('?' * len(ids))})"
            params += ids
        return [_decision(r) for r in self._db.query(sql + " ORDER BY id", params)]

    def by_incident(self, incident_ids: Sequence[int]) -> dict[int, builtins.list[Decision]]:
        """The decisions of each of these incidents (in id order), one query per 500 incidents (the
        register assesses thousands at once); an incident without any is left out."""
        found: dict[int, builtins.list[Decision]] = {}
        ids = builtins.list(incident_ids)
        for start in range(0, len(ids), IDS_PER_STATEMENT):
            chunk = ids[start:start + IDS_PER_STATEMENT]
            sql = f"SELECT * FROM decisions WHERE incident_id IN ({','.join('?' * len(chunk))}) ORDER BY id"
            for row in self._db.query(sql, chunk):
                found.setdefault(int(row["incident_id"]), []).append(_decision(row))
        return found


class FulfilmentRepository:
    """Fulfilments and their attached files (bytes kept in the database, beside their SHA-256)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def add(self, incident_id: int, draft: FulfilmentDraft, recorded_at: datetime, signature: str) -> Fulfilment:
        file = draft.attachment
        row = {"incident_id": incident_id, "obligation_id": draft.obligation_id, "done_at": to_iso(draft.done_at),
               "channel": draft.channel, "reference": draft.reference, "done_by": draft.done_by, "note": draft.note,
               "recorded_at": to_iso(recorded_at), "file_name": file.name if file else None,
               "file_sha256": file.sha256 if file else None, "file_size": len(file.content) if file else None,
               "signature": signature}
        new_id = int(self._db.table("fulfilments").insert(row).last_rowid or 0)
        if file is not None:
            self._db.table("fulfilment_files").insert({"fulfilment_id": new_id, "content": file.content})
        return self.get(new_id)

    def get(self, fulfilment_id: int) -> Fulfilment:
        rows = list(self._db.query("SELECT * FROM fulfilments WHERE id = ?", [fulfilment_id]))
        if not rows:
            raise NotFoundError(f"fulfilment {fulfilment_id} does not exist")
        return _fulfilment(rows[0])

    def by_incident(self) -> dict[int, list[Fulfilment]]:
        """Every incident's fulfilments in one query (the register)."""
        found: dict[int, list[Fulfilment]] = {}
        for r in self._db.query("SELECT * FROM fulfilments ORDER BY id"):
            found.setdefault(int(r["incident_id"]), []).append(_fulfilment(r))
        return found

    def list(self, incident_id: int) -> list[Fulfilment]:
        rows = self._db.query("SELECT * FROM fulfilments WHERE incident_id = ? ORDER BY id", [incident_id])
        return [_fulfilment(r) for r in rows]

    def file_content(self, fulfilment_id: int) -> bytes | None:
        rows = list(self._db.query("SELECT content FROM fulfilment_files WHERE fulfilment_id = ?", [fulfilment_id]))
        return bytes(rows[0]["content"]) if rows else None


class CorrectionRepository:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    def add(self, incident_id: int, draft: CorrectionDraft, corrected_at: datetime, signature: str) -> Correction:
        row = {"incident_id": incident_id, "target": draft.target.value, "target_id": draft.target_id,
               "reason": draft.reason, "corrected_by": draft.corrected_by, "corrected_at": to_iso(corrected_at),
               "signature": signature}
        new_id = int(self._db.table("corrections").insert(row).last_rowid or 0)
        return next(c for c in self.list(incident_id) if c.id == new_id)

    def list(self, incident_id: int) -> list[Correction]:
        rows = self._db.query("SELECT * FROM corrections WHERE incident_id = ? ORDER BY id", [incident_id])
        return [_correction(r) for r in rows]

    def withdrawn(self, incident_id: int, target: CorrectionTarget) -> set[int]:
        """The ids of the records of ``target`` kind that a correction has withdrawn."""
        rows = self._db.query("SELECT target_id FROM corrections WHERE incident_id = ? AND target = ?",
                              [incident_id, target.value])
        return {int(r["target_id"]) for r in rows}

    def withdrawn_ids(self, target: CorrectionTarget) -> set[int]:
        """The ids of every withdrawn record of ``target`` kind, across incidents (ids are global)."""
        return {int(r["target_id"]) for r in self._db.query("SELECT target_id FROM corrections WHERE target = ?",
                                                            [target.value])}


def _fulfilment(r: dict[str, Any]) -> Fulfilment:
    return Fulfilment(
        id=r["id"], incident_id=r["incident_id"], obligation_id=r["obligation_id"], done_at=parse_time(r["done_at"]),
        channel=r["channel"], reference=r["reference"] or "", done_by=r["done_by"], note=r["note"] or "",
        recorded_at=parse_time(r["recorded_at"]), file_name=r["file_name"], file_sha256=r["file_sha256"],
        file_size=r["file_size"], signature=r["signature"],
    )


def _correction(r: dict[str, Any]) -> Correction:
    return Correction(
        id=r["id"], incident_id=r["incident_id"], target=CorrectionTarget(r["target"]), target_id=r["target_id"],
        reason=r["reason"], corrected_by=r["corrected_by"], corrected_at=parse_time(r["corrected_at"]),
        signature=r["signature"],
    )


def _action(r: dict[str, Any]) -> RemediationAction:
    return RemediationAction(
        id=r["id"], incident_id=r["incident_id"], description=r["description"],
        kind=ActionKind(r["kind"]), status=ActionStatus(r["status"]), owner=r["owner"] or "",
        due_at=_time(r["due_at"]), done_at=_time(r["done_at"]), description_en=r["description_en"] or "",
        started_at=_time(r.get("started_at")),
    )


def _decision(r: dict[str, Any]) -> Decision:
    return Decision(
        id=r["id"], incident_id=r["incident_id"], kind=DecisionKind(r["kind"]), rationale=r["rationale"],
        decided_by=r["decided_by"], decided_at=parse_time(r["decided_at"]),
        details=json.loads(r["details"] or "{}"), signature=r["signature"], rationale_en=r.get("rationale_en") or "",
    )
