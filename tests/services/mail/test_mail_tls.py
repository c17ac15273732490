"""Transport security against real loopback servers: STARTTLS and implicit TLS with a
self-signed certificate, and the mismatches that would otherwise hang until a time-out."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import pytest
from smtp_sink import Sink, free_port, smtp_settings, start_sink

from incident_app.domain.mail.sending import SendState, TlsMode
from incident_app.services.container import Services
from incident_app.services.mail.sources import SyntheticMessageSource


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


@pytest.mark.parametrize("mode", [TlsMode.STARTTLS, TlsMode.TLS])
def test_sends_over_tls_with_the_company_ca(
    services: Services, incident_id: int, certificate: tuple[Path, Path], mode: TlsMode
) -> None:
    sink = Sink()
    context = server_context(certificate)
    options = {"tls_context": context, "require_starttls": True} if mode == TlsMode.STARTTLS \
        else {"ssl_context": context}
    controller = start_sink(sink, **options)
    try:
        settings = smtp_settings(controller.port, tls_mode=mode, ca_file=str(certificate[0]))
        summary = services.mail.send(incident_id, SyntheticMessageSource(5), settings)
    finally:
        controller.stop()
    assert summary.outcome == "completed" and sink.count() == 5


def test_untrusted_certificate_aborts_without_sending(
    services: Services, incident_id: int, certificate: tuple[Path, Path]
) -> None:
    sink = Sink()
    controller = start_sink(sink, ssl_context=server_context(certificate))
    try:
        summary = services.mail.send(incident_id, SyntheticMessageSource(5),
                                     smtp_settings(controller.port, tls_mode=TlsMode.TLS))
    finally:
        controller.stop()
    assert summary.outcome == "aborted" and "certificate verify failed" in summary.run.aborted
    assert summary.overview.by_state[SendState.QUEUED] == 5 and sink.count() == 0


def test_starttls_demanded_but_not_offered_aborts(services: Services, incident_id: int, sink: Sink) -> None:
    summary = services.mail.send(incident_id, SyntheticMessageSource(3),
                                 smtp_settings(sink.port, tls_mode=TlsMode.STARTTLS))
    assert summary.outcome == "aborted" and "STARTTLS" in summary.run.aborted
    assert summary.overview.by_state[SendState.QUEUED] == 3 and sink.count() == 0


def test_implicit_tls_against_a_plain_server_fails_fast_with_a_hint(
    services: Services, incident_id: int, sink: Sink
) -> None:
    summary = services.mail.send(incident_id, SyntheticMessageSource(3),
                                 smtp_settings(sink.port, tls_mode=TlsMode.TLS))
    assert summary.outcome == "aborted" and "implicit TLS" in summary.run.aborted


def test_plain_client_against_an_implicit_tls_port_times_out_with_a_hint(
    services: Services, incident_id: int, certificate: tuple[Path, Path]
) -> None:
    sink = Sink()
    controller = start_sink(sink, ssl_context=server_context(certificate))
    try:
        summary = services.mail.send(incident_id, SyntheticMessageSource(2),
                                     smtp_settings(controller.port, timeout_s=1.0, concurrency=1))
    finally:
        controller.stop()
    assert summary.outcome == "aborted" and "choose --tls" in summary.run.aborted


def test_unreachable_relay_aborts_and_keeps_everyone_queued(services: Services, incident_id: int) -> None:
    summary = services.mail.send(incident_id, SyntheticMessageSource(4), smtp_settings(free_port(), concurrency=2))
    assert summary.outcome == "aborted" and "cannot connect" in summary.run.aborted
    assert summary.overview.by_state[SendState.QUEUED] == 4 and summary.overview.by_state[SendState.SENDING] == 0
