"""Sending: the send dialog (relay form, test send, dry run, send to all) and the send ledger view."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.ui.send.dialog import SendDialog
    from incident_app.ui.send.ledger_view import summary_text

__all__ = ["SendDialog", "summary_text"]
__getattr__ = lazy_exports(__name__, {"dialog": ["SendDialog"], "ledger_view": ["summary_text"]})
