"""Sending the personal notices by e-mail: prepare the ledger, send (resumable) over persistent
aiosmtplib connections, test send and dry run, where messages come from, and the relay password."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.services.mail.secrets import SecretStore, account_name, resolve_password
    from incident_app.services.mail.service import (
        MailService,
        NotApproved,
        PauseFlag,
        RunStats,
        SendAborted,
        SendBusy,
    )
    from incident_app.services.mail.sources import NoMessageSource, default_message_source

__all__ = [
    "MailService",
    "NoMessageSource",
    "NotApproved",
    "PauseFlag",
    "RunStats",
    "SecretStore",
    "SendAborted",
    "SendBusy",
    "account_name",
    "default_message_source",
    "resolve_password",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "secrets": ["SecretStore", "account_name", "resolve_password"],
        "service": ["MailService", "NotApproved", "PauseFlag", "RunStats", "SendAborted", "SendBusy"],
        "sources": ["NoMessageSource", "default_message_source"],
    },
)
