"""The enquiry desk: log what affected people ask, look them up among the incident's people,
reply by template (e-mail through the relay, or a phone reply recorded), close, and the
per-enquiry clocks behind the policy reply obligations."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.services.enquiries.metrics import enquiry_metrics
    from incident_app.services.enquiries.service import EnquiryService, LookupResult, ReplyMail

__all__ = ["EnquiryService", "LookupResult", "ReplyMail", "enquiry_metrics"]
# Lazy: the register's metrics read only the figures (metrics.py), not the reply templates and
# the mail relay that the desk itself imports.
__getattr__ = lazy_exports(__name__, {"service": ["EnquiryService", "LookupResult", "ReplyMail"],
                                      "metrics": ["enquiry_metrics"]})
