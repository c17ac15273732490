"""Handing SMS notices and the call list to the systems that deliver them (service.py), the
personal notices to the company's own mass-messaging platform (platform.py), and their reports
back into the send ledger."""

from incident_app.services.handoff.platform import PlatformHandoff
from incident_app.services.handoff.service import HandoffService

__all__ = ["HandoffService", "PlatformHandoff"]
