"""Real aiosmtpd servers on 127.0.0.1 for the mail tests and the benchmark: a recording sink that
can delay every reply (like a relay across a network) and misbehave on request — 421/451/550
replies, a connection dropped in the middle of DATA, a stall — decided per recipient address."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from incident_app.domain.mail.sending import RetryPolicy, SmtpSettings, TlsMode

SENDER = "privacy@example.test"

MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>]+>)", re.MULTILINE | re.IGNORECASE)

# A rule sees (stage, address, how many times this address reached this stage before) and
# returns None (behave) or an action: an SMTP reply line like "451 4.3.0 try later", "drop"
# (close the connection mid-DATA) or "stall" (never answer).
Rule = Callable[[str, str, int], str | None]


@dataclass
class Received:
    address: str
    message_id: str
    data: bytes
    at: float


@dataclass
class Sink:
    """What the server saw: accepted messages, connections (current and peak)."""

    rule: Rule | None = None
    received: list[Received] = field(default_factory=list)
    seen: Counter[tuple[str, str]] = field(default_factory=Counter)
    connections: int = 0
    peak_connections: int = 0
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def action(self, stage: str, address: str) -> str | None:
        with self.lock:
            before = self.seen[(stage, address)]
            self.seen[(stage, address)] += 1
        return self.rule(stage, address, before) if self.rule else None

    def message_ids(self) -> Counter[str]:
        with self.lock:
            return Counter(r.message_id for r in self.received)

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    # -- aiosmtpd handler hooks ----------------------------------------------------------------
    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        action = self.action("rcpt", address)
        if action == "stall":
            await asyncio.sleep(3600)
        if action and action[:1] in "45":
            return action
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        address = envelope.rcpt_tos[0]
        action = self.action("data", address)
        if action == "stall":
            await asyncio.sleep(3600)
        if action and action[:1] in "45":
            return action
        content = envelope.original_content or b""
        found = MESSAGE_ID.search(content)
        with self.lock:
            self.received.append(Received(address, found.group(1).decode() if found else "", content,
                                          time.monotonic()))
        return "250 2.0.0 queued"


class SinkSMTP(SMTP):
    """aiosmtpd's server with a delay before every reply and a mid-DATA drop."""

    def __init__(self, handler: Sink, *, reply_delay: float, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._sink = handler
        self._reply_delay = reply_delay

    async def push(self, status: Any) -> None:
        if self._reply_delay:
            await asyncio.sleep(self._reply_delay)
        await super().push(status)

    def connection_made(self, transport: Any) -> None:
        with self._sink.lock:
            self._sink.connections += 1
            self._sink.peak_connections = max(self._sink.peak_connections, self._sink.connections)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        with self._sink.lock:
            self._sink.connections -= 1
        super().connection_lost(error)

    async def smtp_MAIL(self, arg: str) -> None:
        action = self._sink.action("mail", "*")
        if action and action[:1] in "45":
            await self.push(action)
            return
        await super().smtp_MAIL(arg)

    async def smtp_DATA(self, arg: str) -> None:
        envelope = self.envelope
        if envelope is not None and envelope.rcpt_tos and self._sink.action("drop", envelope.rcpt_tos[0]) == "drop":
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            await self._reader.readuntil(b"\r\n")  # take one line of the message, then vanish
            assert self.transport is not None
            self.transport.close()
            return
        await super().smtp_DATA(arg)


class SinkController(Controller):
    def __init__(self, sink: Sink, port: int, reply_delay: float, **kwargs: Any) -> None:
        super().__init__(sink, hostname="127.0.0.1", port=port, **kwargs)
        self._reply_delay = reply_delay

    def factory(self) -> SMTP:
        return SinkSMTP(self.handler, reply_delay=self._reply_delay, **self.SMTP_kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sink(sink: Sink, *, reply_delay: float = 0.0, **kwargs: Any) -> SinkController:
    """Start a server for ``sink`` on a free loopback port; call ``.stop()`` when done."""
    controller = SinkController(sink, free_port(), reply_delay, **kwargs)
    controller.start()
    return controller


def password_authenticator(user: str, password: str) -> Callable[..., AuthResult]:
    """An aiosmtpd authenticator accepting exactly one user/password (LOGIN and PLAIN)."""

    def authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() \
            and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    return authenticate


def smtp_settings(port: int, **changes: Any) -> SmtpSettings:
    """Fast settings for loopback tests: short time-outs and retry delays."""
    base = SmtpSettings(host="127.0.0.1", port=port, tls_mode=TlsMode.PLAIN, from_address=SENDER,
                        from_name="上海我图 个人信息保护", reply_to=SENDER, concurrency=4, timeout_s=2.0,
                        data_timeout_s=2.0,
                        retry=RetryPolicy(max_attempts=3, base_delay_s=0.05, max_delay_s=0.2))
    return replace(base, **changes)


@pytest.fixture
def sink() -> Iterator[Sink]:
    """A well-behaved recording sink; its port is ``sink.port``."""
    sink = Sink()
    controller = start_sink(sink)
    sink.port = controller.port
    yield sink
    controller.stop()
