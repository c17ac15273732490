"""The Enquiries tab: a lazy, filtered list of what affected people asked, the "is this person
affected?" lookup, logging a new enquiry, replies by template (single and bulk), closing, and the
phone team's FAQ per topic."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.ui.enquiries.tab import EnquiriesTab

__all__ = ["EnquiriesTab"]
__getattr__ = lazy_exports(__name__, {"tab": ["EnquiriesTab"]})
