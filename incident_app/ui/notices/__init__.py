"""The Notices tab: the required notices with their completeness, approval, export, and the template
editor."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.ui.notices.tab import NoticesTab

__all__ = ["NoticesTab"]
__getattr__ = lazy_exports(__name__, {"tab": ["NoticesTab"]})
