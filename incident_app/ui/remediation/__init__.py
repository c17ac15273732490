"""The Remediation tab: actions taken and planned, advice and remedies, and their dialogs."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.ui.remediation.tab import RemediationTab

__all__ = ["RemediationTab"]
__getattr__ = lazy_exports(__name__, {"tab": ["RemediationTab"]})
