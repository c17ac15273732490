"""Notices: plan which notices an incident needs, build the template context from one fact snapshot,
render (in bulk for personal notices) and check completeness, store and approve versions, export
to HTML/TXT/DOCX/PDF/EML, officer-edited templates, and the personal e-mails for the sender."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.services.notices.documents import PdfWriter
    from incident_app.services.notices.eml import build_eml
    from incident_app.services.notices.export import DRILL_WATERMARK, FORMATS
    from incident_app.services.notices.inputs import assessed_notice_inputs
    from incident_app.services.notices.prepared import NoticeSet, NoticeState
    from incident_app.services.notices.render import subject_of
    from incident_app.services.notices.service import NoticeService

__all__ = [
    "DRILL_WATERMARK",
    "FORMATS",
    "NoticeService",
    "NoticeSet",
    "NoticeState",
    "PdfWriter",
    "assessed_notice_inputs",
    "build_eml",
    "subject_of",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "documents": ["PdfWriter"],
        "eml": ["build_eml"],
        "export": ["DRILL_WATERMARK", "FORMATS"],
        "inputs": ["assessed_notice_inputs"],
        "prepared": ["NoticeSet", "NoticeState"],
        "render": ["subject_of"],
        "service": ["NoticeService"],
    },
)
