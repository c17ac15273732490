"""One persistent SMTP connection (aiosmtplib) and what its failures mean: the outcome of one
delivery attempt, or a connection failure that retrying can or cannot fix."""

from __future__ import annotations

import asyncio
import socket
import ssl
from dataclasses import dataclass

import aiosmtplib

from incident_app.domain.mail.sending import SendState, SmtpSettings, TlsMode, classify_reply


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


class SendAborted(Exception):  # noqa: N818 - reads as what happened to the run
    """Sending stopped because the relay cannot be used; nothing was marked sent that was not."""


class ConnectFailure(Exception):  # noqa: N818
    """Connecting failed; ``fatal`` when retrying cannot help (bad login, TLS mismatch)."""

    def __init__(self, reason: str, *, fatal: bool) -> None:
        super().__init__(reason)
        self.fatal = fatal


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
        self._client = self._new_client()
        try:
            await self._client.connect()
        except BaseException as exc:
            self._client = None
            raise _connect_failure(exc, self._settings) from exc
        self._sent_on_connection = 0

    def _new_client(self) -> aiosmtplib.SMTP:
        s = self._settings
        return aiosmtplib.SMTP(
            hostname=s.host, port=s.port, timeout=s.timeout_s,
            use_tls=s.tls_mode == TlsMode.TLS, start_tls=s.tls_mode == TlsMode.STARTTLS,
            tls_context=self._tls, local_hostname=s.helo_name or socket.gethostname(),
            username=s.user or None, password=self._password if s.user else None,
        )

    async def deliver(self, job: Job) -> Outcome:
        """One SMTP transaction (MAIL, RCPT, DATA) for one recipient."""
        assert self._client is not None
        self._sent_on_connection += 1
        try:
            _errors, reply = await self._client.sendmail(self._settings.from_address, [job.to_address], job.data)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            return _by_code(job.row_id, refused.code, refused.message, "recipient refused")
        except aiosmtplib.SMTPSenderRefused as exc:
            if 400 <= exc.code < 500:
                return _by_code(job.row_id, exc.code, exc.message, "sender deferred")
            raise SendAborted(f"the relay refuses the sender address {exc.sender}: {exc.code} {exc.message}") from None
        except aiosmtplib.SMTPResponseException as exc:
            return _by_code(job.row_id, exc.code, exc.message, "message refused")
        except (aiosmtplib.SMTPTimeoutError, TimeoutError):
            await self.close()
            return Outcome(job.row_id, SendState.DEFERRED, None, "",
                           f"the relay did not answer within {self._settings.timeout_s:g} s; delivery unknown, retried",
                           uncertain=True)
        except (aiosmtplib.SMTPServerDisconnected, ConnectionError, OSError) as exc:
            await self.close()
            return Outcome(job.row_id, SendState.DEFERRED, None, "",
                           f"connection lost during the SMTP transaction ({exc}); delivery unknown, retried",
                           uncertain=True)
        return Outcome(job.row_id, SendState.SENT, 250, f"250 {reply}", "")

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is None or not client.is_connected:
            return
        try:
            await asyncio.wait_for(client.quit(), timeout=min(self._settings.timeout_s, 5.0))
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            client.close()


def _by_code(row_id: int, code: int, message: str, what: str) -> Outcome:
    state = classify_reply(code)
    return Outcome(row_id, state, code, f"{code} {message}", f"{what}: {code} {message}")


def _connect_failure(exc: BaseException, s: SmtpSettings) -> ConnectFailure:
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
    if isinstance(exc, aiosmtplib.SMTPConnectResponseError):
        return ConnectFailure(f"{where} refused the connection: {exc.code} {exc.message}", fatal=exc.code >= 500)
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
    except ConnectFailure as exc:
        raise SendAborted(str(exc)) from None
    finally:
        await conn.close()
