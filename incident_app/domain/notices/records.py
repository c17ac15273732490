"""Stored notice records: rendered versions, approvals (sign-off bound to a content hash) and the
officer's own template versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from incident_app.domain.clock import to_iso
from incident_app.domain.notices.kinds import Channel, NoticeKind


@dataclass(frozen=True)
class NoticeVersion:
    """One rendering of one notice (kind × channel × language) from one fact snapshot. Personal
    notices store the master (specimen recipient), never a person's copy."""

    id: int
    incident_id: int
    kind: NoticeKind
    channel: Channel
    lang: str
    content: str
    sha256: str
    snapshot_json: str
    snapshot_sha256: str
    rendered_at: datetime
    rendered_by: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind.value, "channel": self.channel.value, "lang": self.lang,
                "sha256": self.sha256, "snapshot_sha256": self.snapshot_sha256,
                "rendered_at": to_iso(self.rendered_at), "rendered_by": self.rendered_by}


@dataclass(frozen=True)
class NoticeApproval:
    """The approver's sign-off, bound to the SHA-256 of the exact rendered content."""

    id: int
    version_id: int
    incident_id: int
    approver: str
    approved_at: datetime
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "version_id": self.version_id, "approver": self.approver,
                "approved_at": to_iso(self.approved_at), "sha256": self.sha256}


@dataclass(frozen=True)
class TemplateVersion:
    """An officer-edited template; the newest version of a name is the one in use."""

    id: int
    name: str
    version: int
    source: str
    author: str
    created_at: datetime
    reset: bool = False  # a version that returns to the bundled template

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "author": self.author,
                "created_at": to_iso(self.created_at), "reset": self.reset}
