"""One persistent SMTP connection (aiosmtplib) and what its failures mean: the outcome of one
delivery attempt, or a connection failure that retrying can or cannot fix."""

from __future__ import annotations

import asyncio
import socket
import ssl
from dataclasses import dataclass
from typing import Literal

import aiosmtplib
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings
from aiosmtplib.response import SMTPResponse
from aiosmtplib.typing import Default

from incident_app.contact_scrub import scrub_contacts
from incident_app.domain.mail.sending import (
    SendState,
    SmtpSettings,
    TlsMode,
    classify_refusal,
    is_session_reply,
    mask_email,
    mask_phone_in_text,
)


@dataclass(frozen=True)
class Job:
    """A built message for one ledger row."""

    row_id: int
    to_address: str
    data: bytes


@dataclass(frozen=True)
class Outcome:
    """One attempt: SENT (2xx after DATA), DEFERRED (temporary), FAILED (permanent).

    ``uncertain``: the connection broke or timed out mid-transaction, so the relay may have
    accepted the message even though we saw no 2xx (the retry may then be a duplicate)."""

    row_id: int
    state: SendState
    code: int | None
    reply: str
    reason: str
    uncertain: bool = False


RCPT_WILL_ATTEMPT = 252  # RFC 5321: "cannot VRFY user, but will accept message and attempt delivery"
DATA_GO_AHEAD = 354


class SendAborted(Exception):  # noqa: N818 - reads as what happened to the run
    """Sending stopped because the relay cannot be used; nothing was marked sent that was not."""


class SessionBroken(Exception):  # noqa: N818
    """The relay broke off the session before this message was sent (421, a garbled reply, a
    closed connection): the recipient is untouched; reconnecting may help, repeating does not."""


class _Refused(Exception):  # noqa: N818
    """A per-recipient answer before the body (4xx/5xx to MAIL for this message or to RCPT)."""

    def __init__(self, code: int, message: str, what: str) -> None:
        super().__init__(f"{code} {message}")
        self.code, self.message, self.what = code, message, what


class ConnectFailure(Exception):  # noqa: N818
    """Connecting failed; ``fatal`` when retrying cannot help (bad login, TLS mismatch).

    ``per_connection``: the relay refused this connection at its greeting (421/554 "too many
    connections"): while another connection works, the run goes on without this one."""

    def __init__(self, reason: str, *, fatal: bool, per_connection: bool = False) -> None:
        super().__init__(reason)
        self.fatal, self.per_connection = fatal, per_connection


class _Client(aiosmtplib.SMTP):
    """aiosmtplib's client, remembering the last session command it sent (EHLO, HELO, STARTTLS,
    AUTH) so a relay that goes silent while connecting is reported at the right stage."""

    _STAGES = frozenset({"EHLO", "HELO", "STARTTLS", "AUTH"})
    stage = ""

    async def execute_command(
        self, *args: bytes, timeout: float | Literal[Default.token] | None = Default.token,
    ) -> SMTPResponse:
        verb = args[0].decode("ascii", "replace").upper() if args else ""
        if verb in self._STAGES:  # never an AUTH continuation line: that is the password
            self.stage = verb
        return await super().execute_command(*args, timeout=timeout)


def tls_context_for(settings: SmtpSettings) -> ssl.SSLContext | None:
    """Certificate checks always on; ``ca_file`` adds a company CA for an internal relay."""
    if settings.tls_mode == TlsMode.PLAIN:
        return None
    return ssl.create_default_context(cafile=settings.ca_file or None)


class SmtpConnection:
    """One persistent, lazily (re)connected client."""

    def __init__(self, settings: SmtpSettings, password: str | None, tls: ssl.SSLContext | None) -> None:
        self._settings, self._password, self._tls = settings, password, tls
        self._client: aiosmtplib.SMTP | None = None
        self._sent_on_connection = 0

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client.is_connected

    async def ensure(self) -> None:
        """Connect (TLS, login) unless a usable connection exists; recycle after N messages."""
        if self.connected and self._sent_on_connection < self._settings.max_per_connection:
            return
        await self.close()
        client = self._new_client()
        self._client = client
        try:
            await client.connect()
            # EHLO now, not lazily inside the first MAIL: a relay that refuses the greeting
            # refuses the session, and that must never read as one recipient's refusal.
            if client.is_ehlo_or_helo_needed:
                try:
                    await client.ehlo()
                except aiosmtplib.SMTPHeloError:
                    if not client.is_connected:
                        raise
                    await client.helo()
        except BaseException as exc:
            self._client = None
            client.close()
            raise _connect_failure(exc, self._settings, client.stage) from exc
        self._sent_on_connection = 0

    def _new_client(self) -> _Client:
        s = self._settings
        return _Client(
            hostname=s.host, port=s.port, timeout=s.timeout_s,
            use_tls=s.tls_mode == TlsMode.TLS, start_tls=s.tls_mode == TlsMode.STARTTLS,
            tls_context=self._tls, local_hostname=s.helo_name or socket.gethostname(),
            username=s.user or None, password=self._password if s.user else None,
        )

    async def deliver(self, job: Job) -> Outcome:
        """One SMTP transaction (MAIL, RCPT, DATA) for one recipient.

        Only the relay's own answer to this recipient's RCPT or to this message's DATA decides
        the recipient: a refusal of the session (421, authentication codes, a reply that is no
        SMTP at all, a connection lost before the body was sent) raises :class:`SessionBroken`
        or :class:`SendAborted` and the recipient stays untouched. A time-out or a lost
        connection after DATA began is an outcome of unknown result (``uncertain``)."""
        assert self._client is not None
        self._sent_on_connection += 1
        client, s = self._client, self._settings
        try:
            await self._envelope(client, job)
        except _Refused as refused:
            await self._reset()
            return _by_code(job.row_id, refused.code, refused.message, refused.what)
        except (aiosmtplib.SMTPTimeoutError, TimeoutError):
            await self.close()
            raise SessionBroken(f"the relay {s.host}:{s.port} stopped answering within {s.timeout_s:g} s "
                                "before the message was sent") from None
        except (aiosmtplib.SMTPServerDisconnected, ConnectionError, OSError) as exc:
            await self.close()
            raise SessionBroken(f"the relay {s.host}:{s.port} closed the connection before the message "
                                f"was sent ({exc})") from None
        return await self._body(client, job)

    async def _envelope(self, client: aiosmtplib.SMTP, job: Job) -> None:
        """MAIL FROM and RCPT TO; raises :class:`_Refused` for a per-recipient answer."""
        s = self._settings
        options = [f"size={len(job.data)}"] if client.supports_extension("size") else []
        try:
            await client.mail(s.from_address, options=options, timeout=s.timeout_s)
        except aiosmtplib.SMTPResponseException as exc:
            self._check_session(exc, "MAIL FROM")
            if 400 <= exc.code < 500:
                raise _Refused(exc.code, exc.message, "sender deferred") from None
            raise SendAborted(f"the relay {s.host}:{s.port} refuses the sender address {s.from_address}: "
                              f"{exc.code} {exc.message}") from None
        try:
            await client.rcpt(job.to_address, timeout=s.timeout_s)
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code == RCPT_WILL_ATTEMPT:
                # RFC 5321 3.5.3: 252 "cannot verify, but will accept the message" accepts the
                # recipient (aiosmtplib only takes 250/251). Whether it was delivered is still
                # decided by the reply after the body, never by this one.
                return
            self._check_session(exc, "RCPT TO")
            if classify_refusal(exc.code) is None:  # any other 2xx, 1xx, 3xx: not an RCPT answer
                raise SessionBroken(f"the relay {s.host}:{s.port} answered RCPT TO with {_reply_text(exc)}, "
                                    "which is no valid answer; nothing was sent") from None
            raise _Refused(exc.code, exc.message, "recipient refused") from None

    async def _body(self, client: aiosmtplib.SMTP, job: Job) -> Outcome:
        """DATA, the message and the final reply: from here on silence means "in doubt".

        The two steps are taken separately (aiosmtplib's ``data()`` raises the same error for
        a bad answer to the DATA command and for one after the body, and those mean opposite
        things): only a 2xx after the end of the body means sent."""
        s = self._settings
        try:
            start = await client.execute_command(b"DATA", timeout=s.data_timeout_s)
        except (aiosmtplib.SMTPTimeoutError, TimeoutError):
            await self.close()
            raise SessionBroken(f"the relay {s.host}:{s.port} did not answer the DATA command within "
                                f"{s.data_timeout_s:g} s; nothing was sent") from None
        except (aiosmtplib.SMTPServerDisconnected, ConnectionError, OSError) as exc:
            await self.close()
            raise SessionBroken(f"the relay {s.host}:{s.port} closed the connection before the message "
                                f"was sent ({exc})") from None
        if start.code != DATA_GO_AHEAD:
            return await self._data_refused(job, start.code, start.message)
        return await self._send_body(client, job)

    async def _data_refused(self, job: Job, code: int, message: str) -> Outcome:
        """The DATA command was not answered 354: the body never left, so nothing is delivered."""
        s = self._settings
        exc = aiosmtplib.SMTPDataError(code, message)
        if classify_refusal(code) is None:
            # A 2xx (or 1xx/3xx, or garbage) to DATA itself is a protocol error, never "sent".
            await self.close()
            raise SessionBroken(f"the relay {s.host}:{s.port} answered the DATA command with {_reply_text(exc)} "
                                "instead of 354; the message was not sent")
        if is_session_reply(code):
            await self.close()
            self._check_session(exc, "DATA")
        await self._reset()
        return _by_code(job.row_id, code, message, "message refused")

    async def _send_body(self, client: aiosmtplib.SMTP, job: Job) -> Outcome:
        s = self._settings
        protocol = client.protocol
        try:
            if protocol is None:
                raise aiosmtplib.SMTPServerDisconnected("Connection lost")
            protocol.write(PERIOD_REGEX.sub(b"..", normalize_message_line_endings(job.data)) + b".\r\n")
            reply = await protocol.read_response(timeout=s.data_timeout_s)
        except aiosmtplib.SMTPResponseException as exc:  # a reply that is no SMTP at all
            await self.close()
            return _unknown(job.row_id, f"the relay's answer to the message was no SMTP reply "
                                        f"({_reply_text(exc)}); delivery unknown")
        except (aiosmtplib.SMTPTimeoutError, TimeoutError):
            await self.close()
            return _unknown(job.row_id, f"the relay did not answer within {s.data_timeout_s:g} s after the message; "
                                        "delivery unknown")
        except (aiosmtplib.SMTPServerDisconnected, ConnectionError, OSError) as exc:
            await self.close()
            return _unknown(job.row_id, f"connection lost after the message was sent ({exc}); delivery unknown")
        return await self._after_body(job, reply.code, reply.message)

    async def _after_body(self, job: Job, code: int, message: str) -> Outcome:
        """The reply after the end of the body: 2xx sent, 4xx/5xx refused, anything else unknown."""
        if 200 <= code < 300:
            return Outcome(job.row_id, SendState.SENT, code, f"{code} {message}", "")
        exc = aiosmtplib.SMTPDataError(code, message)
        if classify_refusal(code) is None:
            # 1xx/3xx/garbage after the body: the relay may or may not have taken it.
            await self.close()
            return _unknown(job.row_id, f"the relay answered the message with {_reply_text(exc)}, which is "
                                        "no valid final reply; delivery unknown")
        if is_session_reply(code):  # a real refusal: not accepted, and not this recipient's fault
            await self.close()
            self._check_session(exc, "DATA")
        await self._reset()
        return _by_code(job.row_id, code, message, "message refused")

    def _check_session(self, exc: aiosmtplib.SMTPResponseException, command: str) -> None:
        """Raise when the reply is about the session (see :data:`SESSION_CODES`), not the recipient."""
        if not is_session_reply(exc.code):
            return
        s = self._settings
        where = f"{s.host}:{s.port}"
        if exc.code in (530, 534, 535, 538):
            hint = "check the login and password" if s.user else "the relay requires a login (--user)"
            raise SendAborted(f"the relay {where} refused the session at {command}: {_reply_text(exc)}; {hint}")
        raise SessionBroken(f"the relay {where} refused the session at {command}: {_reply_text(exc)}")

    async def _reset(self) -> None:
        """RSET after a refused transaction so the connection can carry the next message."""
        if self._client is None:
            return
        try:
            await self._client.rset(timeout=self._settings.timeout_s)
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            await self.close()

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None or not client.is_connected:
            return
        try:
            await asyncio.wait_for(client.quit(), timeout=min(self._settings.timeout_s, 5.0))
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            client.close()


def _unknown(row_id: int, reason: str) -> Outcome:
    return Outcome(row_id, SendState.DEFERRED, None, "", reason, uncertain=True)


def _reply_text(exc: aiosmtplib.SMTPResponseException) -> str:
    """The relay's reply, shortened (a garbled reply can be long) and with any address or phone
    number it echoes masked: this text is shown on screen and in the run's summary."""
    text = f"{exc.code} {exc.message}" if exc.code > 0 else f"not an SMTP reply: {exc.message!r}"
    text = scrub_contacts(text, mask_email, mask_phone_in_text)
    return text if len(text) <= 200 else text[:197] + "..."


def _by_code(row_id: int, code: int, message: str, what: str) -> Outcome:
    """A relay's refusal (4xx/5xx) of this recipient or message; never SENT (only a 2xx after the
    body is, see :meth:`SmtpConnection._after_body`)."""
    state = classify_refusal(code) or SendState.DEFERRED
    return Outcome(row_id, state, code, f"{code} {message}", f"{what}: {code} {message}")


def _connect_failure(exc: BaseException, s: SmtpSettings, stage: str = "") -> ConnectFailure:
    """What a failure while connecting means; ``stage`` is the last session command sent."""
    where = f"{s.host}:{s.port}"
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return ConnectFailure(f"the relay {where} refused the login ({exc.code} {exc.message}); "
                              "check the user name and password", fatal=True)
    tls_error = _ssl_cause(exc)
    if tls_error is not None:
        hint = " (is this port plain or STARTTLS rather than implicit TLS?)" if s.tls_mode == TlsMode.TLS else ""
        return ConnectFailure(f"TLS with {where} failed: {tls_error}{hint}", fatal=True)
    if isinstance(exc, aiosmtplib.SMTPConnectTimeoutError):
        hint = "; if this port speaks implicit TLS, choose --tls" if s.tls_mode != TlsMode.TLS else ""
        return ConnectFailure(f"no answer from {where} within {s.timeout_s:g} s{hint}", fatal=False)
    if isinstance(exc, aiosmtplib.SMTPTimeoutError) and stage:  # the greeting came; then silence
        return ConnectFailure(f"{where} answered the greeting but sent no reply to {stage} within {s.timeout_s:g} s",
                              fatal=False)
    if isinstance(exc, aiosmtplib.SMTPHeloError):
        return ConnectFailure(f"{where} refused the session at EHLO/HELO: {_reply_text(exc)}",
                              fatal=500 <= exc.code < 600)
    if isinstance(exc, aiosmtplib.SMTPResponseException) and not 200 <= exc.code < 600:
        return ConnectFailure(f"{where} did not speak SMTP: {_reply_text(exc)}", fatal=False)
    if isinstance(exc, aiosmtplib.SMTPConnectResponseError):
        return ConnectFailure(f"{where} refused the connection: {_reply_text(exc)}", fatal=exc.code >= 500,
                              per_connection=True)
    if isinstance(exc, aiosmtplib.SMTPConnectError | ConnectionError | OSError | TimeoutError):
        return ConnectFailure(f"cannot connect to {where}: {exc}", fatal=False)
    if isinstance(exc, aiosmtplib.SMTPException):  # STARTTLS or AUTH not offered, etc.
        return ConnectFailure(f"{where}: {exc}", fatal=True)
    return ConnectFailure(f"{where}: unexpected {exc!r}", fatal=True)


def _ssl_cause(exc: BaseException | None) -> ssl.SSLError | None:
    """aiosmtplib wraps TLS failures in connection errors; find the TLS error underneath."""
    while exc is not None:
        if isinstance(exc, ssl.SSLError):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


async def send_single(settings: SmtpSettings, password: str | None, job: Job) -> Outcome:
    """Open a connection, send one message, close: used by the test send."""
    conn = SmtpConnection(settings, password, tls_context_for(settings))
    try:
        await conn.ensure()
        return await conn.deliver(job)
    except (ConnectFailure, SessionBroken) as exc:
        raise SendAborted(str(exc)) from None
    finally:
        await conn.close()
