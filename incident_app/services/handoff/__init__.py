"""Handing SMS notices and the call list to the systems that deliver them, and their reports back
into the send ledger (see service.py)."""

from incident_app.services.handoff.service import HandoffService

__all__ = ["HandoffService"]
