"""Sending personal notices by email: the message port, the send ledger's states, SMTP settings
and the pure rules (deterministic Message-IDs, the "belongs to this recipient" check, retry
backoff, reply classification, address masking).

The renderer (notices) produces :class:`OutgoingMessage` values through a :class:`MessageSource`;
the mail service never looks inside the renderer, and the renderer never talks SMTP."""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Protocol

from incident_app.domain.contacts import is_email_address
from incident_app.domain.errors import FieldProblem, ValidationError


class SendState(StrEnum):
    """Where one recipient's notice is. Stable values: they are stored in the ledger."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DEFERRED = "deferred"
    FAILED = "failed"
    # The relay may have accepted the message but its answer never came (a time-out or a dropped
    # connection after the body was sent), and the one automatic re-send was in doubt too. Never
    # counted failed; the officer re-queues it (``send ID --requeue in_doubt``) once the relay works.
    IN_DOUBT = "in_doubt"


FINAL_STATES = frozenset({SendState.SENT, SendState.FAILED, SendState.IN_DOUBT})
REQUEUEABLE_STATES = frozenset({SendState.FAILED, SendState.IN_DOUBT})
PENDING_STATES = frozenset({SendState.QUEUED, SendState.DEFERRED})


class FallbackChannel(StrEnum):
    """How a person is reached when email failed for good."""

    SMS = "sms"
    LETTER = "letter"
    ANNOUNCEMENT = "announcement"


class TlsMode(StrEnum):
    """Transport security, always chosen explicitly (465 and 587 are not interchangeable)."""

    TLS = "tls"            # implicit TLS from the first byte (port 465)
    STARTTLS = "starttls"  # plain greeting, then mandatory STARTTLS (port 587)
    PLAIN = "plain"        # no encryption: loopback test sinks and internal relays only


IMPLICIT_TLS_PORT = 465
SUBMISSION_PORT = 587

# --- the message port -------------------------------------------------------------------------


@dataclass(frozen=True)
class OutgoingMessage:
    """One rendered notice for one recipient (never a list of recipients).

    ``recipient_key`` is the stable id of the addressee ('person:123', 'guardian:123');
    ``mentioned_addresses`` lists other addresses this recipient may legitimately see in the body
    (e.g. the child's account address in the guardian's notice). The body must carry
    :attr:`reference` — the renderer prints it as the notice reference line."""

    incident_id: int
    notice_kind: str
    notice_version: str
    recipient_key: str
    to_address: str
    language: str
    subject: str
    text_body: str
    html_body: str | None = None
    mentioned_addresses: tuple[str, ...] = ()
    # The notice renderer prints its own per-recipient reference (domain/notices/recipient.py);
    # when given, that is the line the content check looks for.
    reference_line: str = ""

    @cached_property
    def reference(self) -> str:
        """The per-recipient notice reference the body must contain."""
        if self.reference_line:
            return self.reference_line
        return notice_reference(self.incident_id, self.recipient_key, self.notice_kind, self.notice_version)

    @property
    def ledger_key(self) -> tuple[str, str, str]:
        """What identifies this message in the send ledger (within its incident)."""
        return (self.recipient_key, self.notice_kind, self.notice_version)


@dataclass(frozen=True)
class ApprovalStatus:
    """Whether the notices may be sent, and if not, what the officer must do."""

    approved: bool
    reason: str = ""
    # A stable code for reasons the screens translate ('no_people', 'not_approved'); the
    # English ``reason`` stays for the command line and the details.
    code: str = ""


class MessageSource(Protocol):
    """Where rendered, approved personal notices come from (the notice renderer plugs in here)."""

    # Whether the messages go to the incident's affected people (and so depend on their list
    # being sound). The internal brief goes to the company's own responsible persons: a fault
    # in the affected-people list must not hold it back.
    reads_affected_people: bool

    def count(self, incident_id: int) -> int:
        """How many messages :meth:`iter_messages` yields."""
        ...

    def iter_messages(self, incident_id: int) -> Iterator[OutgoingMessage]:
        """Every email notice of the incident, in a stable order, one per recipient."""
        ...

    def preview_messages(self, incident_id: int) -> Iterator[OutgoingMessage]:
        """The same messages whether or not they are approved yet: dry runs and test sends let
        the officer look at the real per-person e-mails before approving them."""
        ...

    def approval(self, incident_id: int) -> ApprovalStatus:
        """Whether the notice content was approved (sending refuses otherwise)."""
        ...

    def fallback_for(self, incident_id: int, recipient_key: str) -> FallbackChannel | None:
        """The channel to use when email to this recipient failed for good; None when the source
        has none for them (a responsible person without a phone: never the public announcement)."""
        ...


# --- identifiers ------------------------------------------------------------------------------

# Both reference forms: the sender's own (BD-12-…) and the notice renderer's (BD12-…).
REFERENCE_PATTERN = re.compile(r"BD-?\d+-[0-9A-F]{10}")


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()


def notice_reference(incident_id: int, recipient_key: str, notice_kind: str, notice_version: str) -> str:
    """The reference printed in one recipient's notice, e.g. ``BD-12-3F9A0C11D2``."""
    return f"BD-{incident_id}-{_digest('ref', incident_id, recipient_key, notice_kind, notice_version)[:10].upper()}"


def make_message_id(
    incident_id: int, recipient_key: str, notice_kind: str, notice_version: str, domain: str
) -> str:
    """Deterministic Message-ID: the same notice to the same person always carries the same id,
    so a re-send after a crash is recognisable (and de-duplicated by many mail systems)."""
    digest = _digest("mid", incident_id, recipient_key, notice_kind, notice_version)[:32]
    return f"<bd.{incident_id}.{digest}@{domain}>"


def corrected_message_id(base_id: str, contact_seq: int) -> str:
    """The Message-ID of the notice sent again to a corrected address (``contact_seq`` 1, 2, …):
    ``base_id`` with the contact's number, stable like it, never the old message's."""
    local, domain = base_id.strip("<>").split("@", 1)
    return f"<{local}.c{contact_seq}@{domain}>"


def trial_message_id(base_id: str, at: datetime) -> str:
    """A distinct id for a test send of ``base_id`` (test sends never touch the ledger)."""
    local, domain = base_id.strip("<>").split("@", 1)
    return f"<{local}.test{int(at.timestamp())}@{domain}>"

# --- addresses --------------------------------------------------------------------------------

_ADDRESS_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def is_single_address(value: str) -> bool:
    """One mailbox ``local@domain`` as the people import stores it (the same normaliser,
    domain/contacts.py): no display name, no list, no header injection, no doubled dots; an
    internationalised domain is fine, a non-ASCII local part is not (no SMTPUTF8)."""
    return is_email_address(value)


def addresses_in(text: str) -> set[str]:
    """Every email address written in ``text``, lower-cased."""
    return {m.lower() for m in _ADDRESS_IN_TEXT.findall(text)}


def address_domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()


def mask_email(address: str) -> str:
    """Mask the local part for lists and logs: ``zhangsan@example.com`` -> ``z***n@example.com``."""
    if "@" not in address:
        return "***"
    local, domain = address.rsplit("@", 1)
    tail = local[-1] if len(local) > 2 else ""
    return f"{local[:1]}***{tail}@{domain}"


def mask_phone_in_text(number: str) -> str:
    """Keep the last two digits of a phone number found in free text: ``+86 138 0013 8000`` -> ``***00``."""
    digits = [c for c in number if c.isdigit()]
    return "***" + "".join(digits[-2:])


# --- the "belongs to this recipient" check ----------------------------------------------------


def recipient_problems(message: OutgoingMessage, organisation_addresses: Iterable[str]) -> list[str]:
    """Why this message must not leave for its recipient; empty when it may.

    The rule: one valid recipient address; the subject cannot inject headers; the text (and
    HTML) body carries this recipient's own notice reference and no other reference; every email
    address written in the subject or body is the recipient's own, one the renderer declared for
    this recipient, or one of the organisation's (sender, reply-to, PI officer)."""
    problems: list[str] = []
    if not is_single_address(message.to_address):
        problems.append("recipient address is not one plain address (local@domain)")
    if "\r" in message.subject or "\n" in message.subject:
        problems.append("subject contains a line break")
    problems += _reference_problems(message)
    allowed = {message.to_address.lower(), *(a.lower() for a in message.mentioned_addresses),
               *(a.lower() for a in organisation_addresses)}
    foreign = addresses_in(" ".join((message.subject, message.text_body, message.html_body or ""))) - allowed
    if foreign:
        sample = mask_email(sorted(foreign)[0])
        problems.append(f"body names {len(foreign)} address(es) that are not this recipient's (e.g. {sample})")
    return problems


def _reference_problems(message: OutgoingMessage) -> list[str]:
    own = message.reference
    bodies = {"text": message.text_body} | ({"html": message.html_body} if message.html_body else {})
    problems = [f"{name} body lacks this recipient's notice reference {own}"
                for name, body in bodies.items() if own not in body]
    others = {r for body in bodies.values() for r in REFERENCE_PATTERN.findall(body)} - {own}
    if others:
        problems.append(f"body carries {len(others)} other recipient reference(s)")
    return problems


# --- SMTP settings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """Temporary refusals (4xx) are retried with exponential backoff, at most ``max_attempts``
    attempts per run; after that the row stays ``deferred`` (never failed: only a permanent 5xx to
    its own RCPT or DATA fails a recipient) and the next run tries again. An attempt whose outcome
    is unknown (no answer after the body was sent) is re-sent at most once, after the backoff."""

    max_attempts: int = 5
    base_delay_s: float = 30.0
    max_delay_s: float = 900.0

    def delay_after(self, attempts: int) -> float:
        """Seconds to wait before the next attempt, after ``attempts`` attempts so far."""
        return float(min(self.base_delay_s * 2 ** max(attempts - 1, 0), self.max_delay_s))

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


def after_unknown_outcome(doubt_retries: int) -> SendState:
    """What an attempt without a final answer leaves: the first time since the row was queued, a
    re-send with the same Message-ID (DEFERRED); after that, IN_DOUBT (no more automatic copies)."""
    return SendState.DEFERRED if doubt_retries < 1 else SendState.IN_DOUBT


# How long real relays may take (RFC 5321 4.5.3.2 asks clients to wait 5 min for most replies and
# 10 min after the end of DATA; busy relays that scan content take tens of seconds there).
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_DATA_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the relay and how hard to push it. The password is never part of this."""

    host: str
    port: int
    tls_mode: TlsMode
    from_address: str
    from_name: str = ""
    reply_to: str = ""
    user: str = ""
    from_name_en: str = ""  # the sender name English recipients see ("" = from_name)
    concurrency: int = 10
    rate_per_s: float | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S  # every reply but the one after the message body
    data_timeout_s: float = DEFAULT_DATA_TIMEOUT_S  # DATA and the final reply after the body
    max_per_connection: int = 500
    ca_file: str = ""
    helo_name: str = ""
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @property
    def sender_domain(self) -> str:
        return address_domain(self.from_address)

    def organisation_addresses(self) -> tuple[str, ...]:
        return tuple(a for a in (self.from_address, self.reply_to) if a)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost' (where a plain-text login cannot be overheard)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_smtp_settings(s: SmtpSettings, *, needs_server: bool = True) -> None:
    """Reject settings that would hang, leak the password or build a bad message.

    Raises :class:`ValidationError` naming each field at fault."""
    problems: list[FieldProblem] = []
    if needs_server:
        problems += _server_problems(s)
    if not is_single_address(s.from_address):
        problems.append(FieldProblem("from", "give the sender as one plain address, e.g. privacy@example.com"))
    if s.reply_to and not is_single_address(s.reply_to):
        problems.append(FieldProblem("reply_to", "give one plain address or leave it empty"))
    if any(c in s.from_name + s.from_name_en for c in "\r\n"):
        problems.append(FieldProblem("from_name", "must be one line"))
    problems += _limit_problems(s)
    if problems:
        raise ValidationError(problems)


def _server_problems(s: SmtpSettings) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not s.host or any(c.isspace() for c in s.host):
        problems.append(FieldProblem("smtp_host", "give the relay's host name or IP address"))
    if not 0 < s.port < 65536:
        problems.append(FieldProblem("smtp_port", f"{s.port} is not a TCP port (1-65535)"))
    if s.port == IMPLICIT_TLS_PORT and s.tls_mode != TlsMode.TLS:
        problems.append(FieldProblem("tls", "port 465 speaks implicit TLS; choose --tls (mixing them up hangs)"))
    if s.port == SUBMISSION_PORT and s.tls_mode == TlsMode.TLS:
        problems.append(FieldProblem("tls", "port 587 expects STARTTLS; choose --starttls (mixing them up hangs)"))
    if s.tls_mode == TlsMode.PLAIN and s.user and not is_loopback(s.host):
        problems.append(FieldProblem(
            "tls", "a password is never sent unencrypted over the network; choose --tls or --starttls"))
    return problems


# Bounds that keep a run finite and a relay unharmed: NaN or infinity would disable a time-out or
# the pacer (NaN passes every "<= 0" check), and a rate of 1e-300/s would wait for ever.
MIN_RATE_PER_S = 0.01
MIN_TIMEOUT_S, MAX_TIMEOUT_S = 1.0, 3600.0
MIN_RETRY_BASE_S, MAX_RETRY_BASE_S = 0.01, 3600.0


def _within(value: float, low: float, high: float) -> bool:
    return math.isfinite(value) and low <= value <= high


def _limit_problems(s: SmtpSettings) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not 1 <= s.concurrency <= 200:
        problems.append(FieldProblem("concurrency", "use 1 to 200 connections"))
    if s.rate_per_s is not None and not _within(s.rate_per_s, MIN_RATE_PER_S, math.inf):
        problems.append(FieldProblem("rate", f"give at least {MIN_RATE_PER_S:g} messages per second, "
                                             "or 0 for no limit"))
    timeouts = (("timeout", s.timeout_s), ("data_timeout", s.data_timeout_s))
    problems += [FieldProblem(name, f"give {MIN_TIMEOUT_S:g} to {MAX_TIMEOUT_S:g} seconds")
                 for name, value in timeouts if not _within(value, MIN_TIMEOUT_S, MAX_TIMEOUT_S)]
    if s.retry.max_attempts < 1:
        problems.append(FieldProblem("max_attempts", "must be at least 1"))
    if not _within(s.retry.base_delay_s, MIN_RETRY_BASE_S, MAX_RETRY_BASE_S):
        problems.append(FieldProblem("retry_base", f"give {MIN_RETRY_BASE_S:g} to {MAX_RETRY_BASE_S:g} seconds"))
    return problems


def parse_rate(text: str) -> float | None:
    """'50/s', '50' or '0' (no limit) -> messages per second."""
    value = text.strip().lower().removesuffix("/s").strip()
    try:
        rate = float(value)
    except ValueError:
        raise ValidationError.single("rate", f"'{text}' is not a rate; write e.g. 50/s") from None
    if not math.isfinite(rate) or rate < 0:
        raise ValidationError.single("rate", f"'{text}' is not a rate; write e.g. 50/s, or 0 for no limit")
    return rate or None


# --- outcomes ---------------------------------------------------------------------------------


# Replies about the session, not the recipient, whatever command they answer: 421 (the relay
# closes the channel) and the authentication codes of RFC 4954 (530 authentication required,
# 534/538 mechanism refused, 535 credentials refused). A recipient is never failed for them.
SESSION_CODES = frozenset({421, 530, 534, 535, 538})


def is_session_reply(code: int) -> bool:
    """True when ``code`` says the relay refuses the session (or sent no valid reply at all)."""
    return code in SESSION_CODES or not 200 <= code < 600


def classify_refusal(code: int) -> SendState | None:
    """A refusal before or after the body: 4xx DEFERRED, 5xx FAILED; None for anything else (a
    2xx where a refusal or a 354 was due, 1xx, 3xx): that is a protocol error, never SENT."""
    if 500 <= code < 600:
        return SendState.FAILED
    if 400 <= code < 500:
        return SendState.DEFERRED
    return None


def classify_reply(code: int) -> SendState:
    """2xx delivered to the relay; 4xx try again later; 5xx permanent. Anything else is treated
    as temporary, so an odd reply never silently loses a notice (callers first check
    :func:`is_session_reply`: those end the connection or the run, never the recipient)."""
    if 200 <= code < 300:
        return SendState.SENT
    if 500 <= code < 600:
        return SendState.FAILED
    return SendState.DEFERRED
