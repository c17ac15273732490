"""Sending notices by e-mail, as rules and data: SMTP settings and TLS modes, the send ledger's
records and states, what an SMTP reply means, and the RFC 5322 bytes of one message."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.domain.mail.ledger import (
        AttemptResult,
        DeliveryOverview,
        LedgerDraft,
        LedgerEntry,
        Requeued,
        SendRun,
    )
    from incident_app.domain.mail.message import Sender, build_message_bytes
    from incident_app.domain.mail.sending import (
        IMPLICIT_TLS_PORT,
        SUBMISSION_PORT,
        ApprovalStatus,
        FallbackChannel,
        MessageSource,
        OutgoingMessage,
        RetryPolicy,
        SendState,
        TlsMode,
        address_domain,
        after_unknown_outcome,
        classify_reply,
        is_session_reply,
        is_single_address,
        make_message_id,
        mask_email,
        notice_reference,
        parse_rate,
        recipient_problems,
        trial_message_id,
        validate_smtp_settings,
    )
    from incident_app.domain.mail.smtp_settings import SmtpSecurity, parse_smtp_settings

__all__ = [
    "IMPLICIT_TLS_PORT",
    "SUBMISSION_PORT",
    "ApprovalStatus",
    "AttemptResult",
    "DeliveryOverview",
    "FallbackChannel",
    "LedgerDraft",
    "LedgerEntry",
    "MessageSource",
    "OutgoingMessage",
    "Requeued",
    "RetryPolicy",
    "SendRun",
    "SendState",
    "Sender",
    "SmtpSecurity",
    "TlsMode",
    "address_domain",
    "after_unknown_outcome",
    "build_message_bytes",
    "classify_reply",
    "is_session_reply",
    "is_single_address",
    "make_message_id",
    "mask_email",
    "notice_reference",
    "parse_rate",
    "parse_smtp_settings",
    "recipient_problems",
    "trial_message_id",
    "validate_smtp_settings",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "ledger": ["AttemptResult", "DeliveryOverview", "LedgerDraft", "LedgerEntry", "Requeued", "SendRun"],
        "message": ["Sender", "build_message_bytes"],
        "sending": [
            "ApprovalStatus",
            "FallbackChannel",
            "IMPLICIT_TLS_PORT",
            "MessageSource",
            "OutgoingMessage",
            "RetryPolicy",
            "SUBMISSION_PORT",
            "SendState",
            "TlsMode",
            "address_domain",
            "after_unknown_outcome",
            "classify_reply",
            "is_session_reply",
            "is_single_address",
            "make_message_id",
            "mask_email",
            "notice_reference",
            "parse_rate",
            "recipient_problems",
            "trial_message_id",
            "validate_smtp_settings",
        ],
        "smtp_settings": ["SmtpSecurity", "parse_smtp_settings"],
    },
)
