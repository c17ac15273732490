"""Notice versions, approvals, officer templates and element texts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from incident_app.domain.clock import parse_time, to_iso
from incident_app.domain.errors import NotFoundError
from incident_app.domain.notices import Channel, NoticeApproval, NoticeKind, NoticeVersion, TemplateVersion


class NoticeRepository:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    # -- versions --------------------------------------------------------------------------------
    def add_version(self, draft: NoticeVersion) -> NoticeVersion:
        row = {"incident_id": draft.incident_id, "kind": draft.kind.value, "channel": draft.channel.value,
               "lang": draft.lang, "format": draft.channel.extension, "content": draft.content,
               "sha256": draft.sha256, "snapshot_json": draft.snapshot_json,
               "snapshot_sha256": draft.snapshot_sha256, "rendered_at": to_iso(draft.rendered_at),
               "rendered_by": draft.rendered_by}
        return self.version(int(self._db.table("notice_versions").insert(row).last_rowid or 0))

    def version(self, version_id: int) -> NoticeVersion:
        rows = list(self._db.query("SELECT * FROM notice_versions WHERE id = ?", [version_id]))
        if not rows:
            raise NotFoundError(f"notice version {version_id} does not exist")
        return _version(rows[0])

    def latest_versions(self, incident_id: int) -> dict[tuple[str, str, str], NoticeVersion]:
        """The newest version per (kind, channel, lang)."""
        rows = self._db.query(
            "SELECT * FROM notice_versions WHERE id IN (SELECT max(id) FROM notice_versions"
            " WHERE incident_id = ? GROUP BY kind, channel, lang)", [incident_id])
        return {(r["kind"], r["channel"], r["lang"]): _version(r) for r in rows}

    def count_versions(self, incident_id: int) -> int:
        return int(self._db.execute("SELECT count(*) FROM notice_versions WHERE incident_id = ?",
                                    [incident_id]).fetchone()[0])

    # -- approvals -------------------------------------------------------------------------------
    def add_approval(self, version: NoticeVersion, approver: str, approved_at: datetime) -> NoticeApproval:
        row = {"version_id": version.id, "incident_id": version.incident_id, "approver": approver,
               "approved_at": to_iso(approved_at), "sha256": version.sha256}
        new_id = int(self._db.table("notice_approvals").insert(row).last_rowid or 0)
        return NoticeApproval(new_id, version.id, version.incident_id, approver, approved_at, version.sha256)

    def approvals(self, incident_id: int) -> list[tuple[NoticeApproval, NoticeVersion]]:
        """Every approval of the incident with the version it signed, oldest first."""
        rows = self._db.query(
            "SELECT a.id AS a_id, a.approver, a.approved_at, a.sha256 AS a_sha, v.* FROM notice_approvals a"
            " JOIN notice_versions v ON v.id = a.version_id WHERE a.incident_id = ? ORDER BY a.id", [incident_id])
        return [(NoticeApproval(r["a_id"], r["id"], r["incident_id"], r["approver"], parse_time(r["approved_at"]),
                                r["a_sha"]), _version(r)) for r in rows]

    # -- templates -------------------------------------------------------------------------------
    def add_template(self, name: str, source: str, author: str, now: datetime, *,
                     reset: bool = False) -> TemplateVersion:
        current = self._db.execute("SELECT max(version) FROM notice_templates WHERE name = ?", [name]).fetchone()[0]
        version = int(current or 0) + 1
        row = {"name": name, "version": version, "source": source, "author": author,
               "created_at": to_iso(now), "reset": int(reset)}
        new_id = int(self._db.table("notice_templates").insert(row).last_rowid or 0)
        return TemplateVersion(new_id, name, version, source, author, now, reset)

    def current_templates(self) -> dict[str, TemplateVersion]:
        """The newest officer version of each template name (including resets)."""
        rows = self._db.query("SELECT * FROM notice_templates WHERE id IN"
                              " (SELECT max(id) FROM notice_templates GROUP BY name)")
        return {r["name"]: _template(r) for r in rows}

    def template_history(self, name: str) -> list[TemplateVersion]:
        rows = self._db.query("SELECT * FROM notice_templates WHERE name = ? ORDER BY version", [name])
        return [_template(r) for r in rows]

    # -- element texts ---------------------------------------------------------------------------
    def set_element_text(self, incident_id: int, element: str, lang: str, text: str, author: str,
                         now: datetime, audience: str = "") -> None:
        self._db.table("notice_element_texts").insert(
            {"incident_id": incident_id, "element": element, "lang": lang, "text": text, "author": author,
             "created_at": to_iso(now), "audience": audience})

    def element_texts(self, incident_id: int, audience: str = "") -> dict[str, dict[str, str]]:
        """The newest text per (element, lang) for one audience ('' = the shared texts); an empty
        text means "back to the generated one"."""
        return self.audience_texts(incident_id).get(audience, {})

    def audience_texts(self, incident_id: int) -> dict[str, dict[str, dict[str, str]]]:
        """audience -> element -> lang -> the newest non-empty text."""
        rows = self._db.query(
            "SELECT * FROM notice_element_texts WHERE id IN (SELECT max(id) FROM notice_element_texts"
            " WHERE incident_id = ? GROUP BY audience, element, lang) ORDER BY audience, element, lang",
            [incident_id])
        out: dict[str, dict[str, dict[str, str]]] = {}
        for r in rows:
            if r["text"]:
                out.setdefault(r["audience"], {}).setdefault(r["element"], {})[r["lang"]] = r["text"]
        return out


def _version(r: dict[str, Any]) -> NoticeVersion:
    return NoticeVersion(
        id=r["id"], incident_id=r["incident_id"], kind=NoticeKind(r["kind"]), channel=Channel(r["channel"]),
        lang=r["lang"], content=r["content"], sha256=r["sha256"], snapshot_json=r["snapshot_json"],
        snapshot_sha256=r["snapshot_sha256"], rendered_at=parse_time(r["rendered_at"]),
        rendered_by=r["rendered_by"] or "",
    )


def _template(r: dict[str, Any]) -> TemplateVersion:
    return TemplateVersion(r["id"], r["name"], r["version"], r["source"], r["author"],
                           parse_time(r["created_at"]), bool(r["reset"]))
