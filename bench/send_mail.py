"""Benchmark: send personal notices to a local SMTP sink that delays each reply by 10 ms (like a
relay across a network), with the send ledger persisted — our service against sequential stdlib
smtplib over one connection, measured in the same run (target: at least 20x).

    .venv/bin/python bench/send_mail.py [--messages 10000] [--baseline 1000] [--concurrency 50]

The sink runs in its own process (aiosmtpd on 127.0.0.1) so that it does not share the GIL with
the client being measured. The baseline sends prebuilt messages (our builder), so it measures
only the transport; its rate is per message and does not depend on how many it sends, which is
why it may send fewer than the service (10,000 sequential messages at ~40 ms each take minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import smtplib
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from incident_app.domain.mail.message import Sender, build_message_bytes  # noqa: E402
from incident_app.domain.mail.sending import SmtpSettings, TlsMode, make_message_id  # noqa: E402
from incident_app.services.container import open_services  # noqa: E402
from incident_app.services.mail.sources import SyntheticMessageSource  # noqa: E402

SENDER = "privacy@example.test"


def serve_sink(delay: float) -> None:
    """Child process: an aiosmtpd server that answers every command after ``delay`` seconds."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    class Sink:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            return "250 2.0.0 queued"

    class SlowSMTP(SMTP):
        async def push(self, status: object) -> None:
            await asyncio.sleep(delay)
            await super().push(status)  # type: ignore[arg-type]

    class SlowController(Controller):
        def factory(self) -> SMTP:
            return SlowSMTP(self.handler, **self.SMTP_kwargs)

    controller = SlowController(Sink(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    print(controller.port, flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_service(port: int, messages: int, concurrency: int) -> tuple[float, dict[str, int]]:
    """Our mail service end to end: prepare the ledger, send, persist every outcome."""
    with tempfile.TemporaryDirectory() as folder:
        services = open_services(Path(folder) / "bench.sqlite3")
        incident = services.incidents.create({"title": "bench", "discovered_at": "2026-11-20T09:00:00+08:00"})
        settings = SmtpSettings(host="127.0.0.1", port=port, tls_mode=TlsMode.PLAIN, from_address=SENDER,
                                from_name="上海我图 个人信息保护", concurrency=concurrency, timeout_s=30)
        started = time.perf_counter()
        summary = services.mail.send(incident.id, SyntheticMessageSource(messages), settings)
        elapsed = time.perf_counter() - started
        counts = {state.value: n for state, n in summary.overview.by_state.items()}
        services.close()
    return messages / elapsed, counts


def run_smtplib(port: int, messages: int) -> float:
    """Sequential stdlib smtplib over one persistent connection, prebuilt messages."""
    source = SyntheticMessageSource(messages)
    sender = Sender(SENDER, "上海我图 个人信息保护")
    now = datetime.now(UTC)
    built = [(m.to_address, build_message_bytes(m, sender, make_message_id(1, m.recipient_key, m.notice_kind,
                                                                          m.notice_version, "example.test"), now))
             for m in source.iter_messages(1)]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        for address, data in built:
            client.sendmail(SENDER, [address], data)
    return messages / (time.perf_counter() - started)


def building_rate(messages: int) -> float:
    """Messages built per second by our builder alone (it must not be the bottleneck)."""
    sender, now = Sender(SENDER, "上海我图 个人信息保护"), datetime.now(UTC)
    notices = list(SyntheticMessageSource(messages).iter_messages(1))
    started = time.perf_counter()
    for m in notices:
        build_message_bytes(m, sender, "<bd.1.bench@example.test>", now)
    return messages / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000, help="notices our service sends (10,000)")
    parser.add_argument("--baseline", type=int, default=1_000, help="notices smtplib sends (1,000)")
    parser.add_argument("--concurrency", type=int, default=50, help="our connections (50)")
    parser.add_argument("--delay", type=float, default=0.010, help="sink reply delay in seconds (0.010)")
    parser.add_argument("--serve-sink", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sink:
        serve_sink(args.delay)
        return
    child = subprocess.Popen([sys.executable, __file__, "--serve-sink", "--delay", str(args.delay)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        print(f"sink: aiosmtpd on 127.0.0.1:{port}, {args.delay * 1000:.0f} ms before every reply (own process)")
        baseline = run_smtplib(port, args.baseline)
        print(f"smtplib, sequential, one connection: {args.baseline:,} messages, {baseline:,.1f} msg/s")
        ours, counts = run_service(port, args.messages, args.concurrency)
        print(f"Breach Desk mail service, {args.concurrency} connections, ledger persisted: "
              f"{args.messages:,} messages, {ours:,.1f} msg/s  (ledger: {counts})")
        print(f"ratio: {ours / baseline:.1f}x  (target: at least 20x)")
        print(f"message building alone: {building_rate(args.messages):,.0f} msg/s")
    finally:
        if child.stdin:
            child.stdin.close()
        child.wait(timeout=30)


if __name__ == "__main__":
    main()
