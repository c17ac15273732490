"""Real aiosmtpd relays on 127.0.0.1 that misbehave exactly like the faults of issue 13: a relay that
refuses the session (554 to EHLO/HELO), talks garbage, closes right after EHLO, refuses the login
or answers 530 "authentication required" to RCPT, answers the end of DATA later than the client
waits (but keeps the message), and one that echoes recipient addresses upper-cased — with a phone
number — in its replies. Each records what it accepted in a :class:`smtp_sink.Sink`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from smtp_sink import Sink, SinkController, SinkSMTP, free_port

ECHOED_PHONE = "+86 138 0013 8000"


class RefusesEhlo(SinkSMTP):
    """554 to EHLO and to HELO: the relay will not talk to this client at all."""

    async def smtp_EHLO(self, hostname: str) -> None:
        await self.push("554 5.7.1 Client host rejected: access denied")

    async def smtp_HELO(self, hostname: str) -> None:
        await self.push("554 5.7.1 Client host rejected: access denied")


class GarbageAfterEhlo(SinkSMTP):
    """A valid greeting and EHLO, then lines that are no SMTP replies at all."""

    async def smtp_MAIL(self, arg: str) -> None:
        await self.push("hello? this is not SMTP")

    async def smtp_RSET(self, arg: str) -> None:
        await self.push("garbage")


class GarbageEverywhere(SinkSMTP):
    """The greeting is fine; every reply after it is garbage (EHLO included)."""

    async def smtp_EHLO(self, hostname: str) -> None:
        await self.push("xyz what")

    async def smtp_HELO(self, hostname: str) -> None:
        await self.push("xyz what")


class ClosesAfterEhlo(SinkSMTP):
    """Answers EHLO, then hangs up before any MAIL."""

    async def smtp_EHLO(self, hostname: str) -> None:
        await super().smtp_EHLO(hostname)
        assert self.transport is not None
        self.transport.close()


class SilentAfterGreeting(SinkSMTP):
    """Greets, then never answers EHLO or HELO (a hung relay or a middlebox eating the reply)."""

    async def smtp_EHLO(self, hostname: str) -> None:
        await asyncio.sleep(3600)

    async def smtp_HELO(self, hostname: str) -> None:
        await asyncio.sleep(3600)


class AuthRequiredAtRcpt(SinkSMTP):
    """Takes MAIL, then answers every RCPT '530 5.7.0 Authentication required', echoing the
    recipient upper-cased (Exchange-like)."""

    async def smtp_RCPT(self, arg: str | None) -> None:
        address = (arg or "").partition("<")[2].partition(">")[0]
        await self.push(f"530 5.7.0 Authentication required to send to <{address.upper()}>")


class SlowAfterData(Sink):
    """Keeps every message, but answers the end of DATA only after ``delay`` seconds — longer than
    the client waits — so the client cannot know the message arrived."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.delay)
        return reply


class EchoesUpperCase(Sink):
    """Echoes each recipient's address upper-cased (and a phone number) in its replies; refuses
    recipients whose address contains '3' with a 550 that names them the same way."""

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        if "3" in address.split("@")[0][-1:]:
            return f"550 5.1.1 <{address.upper()}>: Recipient address rejected; helpdesk {ECHOED_PHONE}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await super().handle_DATA(server, session, envelope)
        return f"250 2.0.0 Ok: queued for <{envelope.rcpt_tos[0].upper()}> as 4F3A2B1C"


class WillAttemptAtRcpt(Sink):
    """Answers every RCPT with 252 (RFC 5321: cannot verify, but will accept and attempt delivery)
    and then takes the message as usual."""

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        envelope.rcpt_tos.append(address)
        return "252 2.1.5 Cannot VRFY user, but will accept message"


class OkToDataCommand(SinkSMTP):
    """Answers the DATA command itself with '250 ok' instead of 354: no message can follow, so none
    is ever received."""

    async def smtp_DATA(self, arg: str) -> None:
        await self.push("250 ok")


class OddReplyAfterBody(Sink):
    """Keeps every message, then answers the end of the body with ``reply`` — no valid final reply
    (e.g. '354 hmm'), so the client cannot know whether the relay took it."""

    def __init__(self, reply: str) -> None:
        super().__init__()
        self.reply = reply

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await super().handle_DATA(server, session, envelope)
        return self.reply


class CapsConnections(SinkSMTP):
    """Greets at most ``CAP`` connections at a time; any further one gets '554 too many
    connections' as its greeting and is closed."""

    CAP = 2

    async def _handle_client(self) -> None:
        with self._sink.lock:
            over = self._sink.connections > self.CAP
        if over:
            await self.push("554 5.7.0 too many connections from your host")
            assert self.transport is not None
            self.transport.close()
            return
        await super()._handle_client()


class _Controller(SinkController):
    def __init__(self, sink: Sink, server_class: type[SinkSMTP], **kwargs: Any) -> None:
        super().__init__(sink, free_port(), 0.0, **kwargs)
        self._server_class = server_class

    def factory(self) -> SMTP:
        return self._server_class(self.handler, reply_delay=0.0, **self.SMTP_kwargs)


@contextmanager
def misbehaving(server_class: type[SinkSMTP] = SinkSMTP, sink: Sink | None = None, **kwargs: Any) -> Iterator[Sink]:
    """Run ``server_class`` (with ``sink`` as its handler) on a free loopback port; yields the
    sink, whose ``port`` is set."""
    sink = sink or Sink()
    controller = _Controller(sink, server_class, **kwargs)
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        controller.stop()
