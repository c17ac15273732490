"""Notices: plan which notices an incident needs, build the template context from one fact snapshot,
render and check completeness, store and approve versions, export to HTML/TXT/DOCX/PDF/EML, and
officer-edited templates. One affected person's e-mail: ``NoticeService.personal_emails`` renders
it through ``PersonalRenderer`` (personal.py: one render per group of alike recipients, then per
person only what differs); ``NoticeMessageSource`` (mail_source.py) hands those e-mails to the
sender."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.services.notices.documents import PdfWriter
    from incident_app.services.notices.eml import build_eml
    from incident_app.services.notices.export import DRILL_WATERMARK, FORMATS
    from incident_app.services.notices.inputs import assessed_notice_inputs
    from incident_app.services.notices.mail_source import NoticeMessageSource
    from incident_app.services.notices.personal import PersonalEmail, PersonalRenderer
    from incident_app.services.notices.prepared import NoticeSet, NoticeState
    from incident_app.services.notices.render import subject_of
    from incident_app.services.notices.service import NoticeService

__all__ = [
    "DRILL_WATERMARK",
    "FORMATS",
    "NoticeMessageSource",
    "NoticeService",
    "NoticeSet",
    "NoticeState",
    "PdfWriter",
    "PersonalEmail",
    "PersonalRenderer",
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
        "mail_source": ["NoticeMessageSource"],
        "personal": ["PersonalEmail", "PersonalRenderer"],
        "prepared": ["NoticeSet", "NoticeState"],
        "render": ["subject_of"],
        "service": ["NoticeService"],
    },
)
