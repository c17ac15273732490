"""Where notices are sent from: the company's SMTP relay. The password is deliberately not part of
these settings; it lives in the OS keyring or in memory, never in the database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from incident_app.domain.errors import FieldProblem, ValidationError


class SmtpSecurity(StrEnum):
    PLAIN = "plain"          # no encryption (only for a relay on the local network)
    STARTTLS = "starttls"    # usually port 587
    TLS = "tls"              # implicit TLS, usually port 465


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 587
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    user: str = ""
    from_address: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"host": self.host, "port": self.port, "security": self.security.value,
                "user": self.user, "from_address": self.from_address}


SMTP_KEYS = ("host", "port", "security", "user", "from_address")
# STACK-NOTES: mixing up 465 (implicit TLS) and 587 (STARTTLS) hangs until the timeout.
_PORT_MISMATCH = {(465, SmtpSecurity.STARTTLS): "tls", (587, SmtpSecurity.TLS): "starttls"}


def parse_smtp_settings(data: Mapping[str, Any]) -> SmtpSettings:
    """Validate SMTP settings; a password key is refused so it can never reach storage."""
    problems = [FieldProblem(str(k), _unknown_key_message(str(k))) for k in data if k not in SMTP_KEYS]
    host = str(data.get("host") or "").strip()
    if any(c.isspace() for c in host):
        problems.append(FieldProblem("host", "must be a host name or address without spaces"))
    port = _port(data.get("port", 587), problems)
    security = _security(data.get("security"), problems)
    hint = _PORT_MISMATCH.get((port, security))
    if hint:
        problems.append(FieldProblem("security", f"port {port} normally needs '{hint}'; the connection would hang"))
    sender = str(data.get("from_address") or "").strip()
    if sender and "@" not in sender:
        problems.append(FieldProblem("from_address", f"'{sender}' is not an email address"))
    if problems:
        raise ValidationError(problems)
    return SmtpSettings(host, port, security, str(data.get("user") or "").strip(), sender)


def _unknown_key_message(key: str) -> str:
    if "password" in key.lower():
        return "passwords are never stored in the database; enter it when sending"
    return "unknown key; allowed: " + ", ".join(SMTP_KEYS)


def _port(value: Any, problems: list[FieldProblem]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        problems.append(FieldProblem("port", "must be a whole number from 1 to 65535"))
        return 587
    return value


def _security(value: Any, problems: list[FieldProblem]) -> SmtpSecurity:
    try:
        return SmtpSecurity(value or "starttls")
    except ValueError:
        problems.append(FieldProblem("security", "must be one of: plain, starttls, tls"))
        return SmtpSecurity.STARTTLS
