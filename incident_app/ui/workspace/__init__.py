"""The incident workspace: one window per incident, its tabs in order, the Overview, Timeline and
Decisions tabs and the dialogs that change the incident."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.ui.workspace.incident_dialogs import StatusDialog, next_status
    from incident_app.ui.workspace.timeline import verify_message
    from incident_app.ui.workspace.window import WorkspaceWindow

__all__ = ["StatusDialog", "WorkspaceWindow", "next_status", "verify_message"]
__getattr__ = lazy_exports(
    __name__,
    {"incident_dialogs": ["StatusDialog", "next_status"], "timeline": ["verify_message"],
     "window": ["WorkspaceWindow"]},
)
