"""What one preparation pass produced: each notice's rendering, check, stored version and approval."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from incident_app.domain.notices import FactChange, FactSnapshot, NoticeApproval, NoticeKind, NoticeVersion
from incident_app.services.notices.plan import PlannedNotice
from incident_app.services.notices.render import NoticeRenderer, RenderedNotice


@dataclass(frozen=True)
class NoticeState:
    """One notice (kind × channel × language) now: rendering, check, stored version, approval."""

    planned: PlannedNotice
    rendered: RenderedNotice
    version: NoticeVersion | None
    approval: NoticeApproval | None
    approved_before: bool = False  # an earlier content was approved; this one needs a new approval

    @property
    def status(self) -> str:
        if self.rendered.error:
            return "error"
        if self.approval:
            return "approved"
        if not self.rendered.report.complete:
            return "incomplete"
        return "needs_reapproval" if self.approved_before else "complete"

    def to_dict(self) -> dict[str, Any]:
        out = self.rendered.report.to_dict() | {
            "status": self.status, "template": self.rendered.template, "sha256": self.rendered.sha256,
            "version_id": self.version.id if self.version else None,
            "approved": self.approval.to_dict() if self.approval else None,
        }
        if self.rendered.error:
            out["error"] = self.rendered.error
        return out


@dataclass(frozen=True)
class NoticeSet:
    """Everything prepared for an incident in one pass, from one snapshot."""

    incident_id: int
    snapshot: FactSnapshot
    plan: tuple[PlannedNotice, ...]
    notices: tuple[NoticeState, ...]
    renderers: Mapping[NoticeKind, NoticeRenderer]
    changes: Mapping[NoticeKind, tuple[FactChange, ...]] = field(default_factory=dict)

    def of_kind(self, kind: NoticeKind | None) -> list[NoticeState]:
        return [n for n in self.notices if kind is None or n.rendered.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        return {"incident": self.incident_id, "snapshot_sha256": self.snapshot.sha256,
                "plan": [p.to_dict() for p in self.plan], "notices": [n.to_dict() for n in self.notices],
                "changes_since_approval": {k.value: [c.to_dict() for c in v] for k, v in self.changes.items() if v}}
