"""The enquiry desk: log what affected people ask, look them up among the incident's people,
reply by template (e-mail through the relay, or a phone reply recorded), close, and the
per-enquiry clocks behind the policy reply obligations."""

from incident_app.services.enquiries.service import EnquiryService, LookupResult, ReplyMail

__all__ = ["EnquiryService", "LookupResult", "ReplyMail"]
