"""Issue 13 point 5: a relay that echoes recipients' addresses upper-cased (and a phone number) in its
replies. The masked evidence pack shows none of them in clear, and the retention purge leaves none
in the database — whatever the letter case."""

from __future__ import annotations

import re
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from misbehaving_smtp import ECHOED_PHONE, EchoesUpperCase, misbehaving
from proof_helpers import prepared_incident
from smtp_sink import smtp_settings

from incident_app.contact_scrub import scrub_contacts
from incident_app.domain.incident import IncidentStatus
from incident_app.domain.mail.sending import SendState
from incident_app.services.container import Services
from incident_app.services.evidence.pack import build_evidence_pack
from incident_app.services.mail.sources import default_message_source
from incident_app.services.retention import purge_due

ANY_ADDRESS = re.compile(r"(?<![\w*.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE_DIGITS = re.sub(r"\D", "", ECHOED_PHONE)


@pytest.fixture
def echoed(services: Services, intake: dict[str, object], tmp_path: Path) -> int:
    incident_id = prepared_incident(services, intake, tmp_path)
    with misbehaving(sink=EchoesUpperCase()) as sink:
        summary = services.mail.send(incident_id, default_message_source(services), smtp_settings(sink.port))
    by_state = summary.overview.by_state
    assert by_state[SendState.SENT] == 4 and by_state[SendState.FAILED] == 1  # user3 refused
    replies = " ".join(e.last_reply + e.reason for e in services.mail.page(incident_id))
    assert "USER1@EXAMPLE.TEST" in replies and "USER3@EXAMPLE.TEST" in replies and ECHOED_PHONE in replies
    return incident_id


def leaks(text: str) -> list[str]:
    """Addresses in clear (any case; a masked u***1@ is not one) and the echoed phone number."""
    # The sender's own address and the Message-IDs (<bd.…@example.test>) name nobody.
    found = [a for a in ANY_ADDRESS.findall(text) if not a.lower().startswith(("privacy@", "bd."))]
    return found + ([ECHOED_PHONE] if PHONE_DIGITS in re.sub(r"[ \-]", "", text) else [])


def test_masked_pack_shows_no_echoed_address_or_phone(services: Services, echoed: int, tmp_path: Path) -> None:
    out = tmp_path / "pack.zip"
    build_evidence_pack(services, echoed, out)
    with zipfile.ZipFile(out) as archive:
        ledger = archive.read("send-ledger/ledger.csv").decode("utf-8-sig")
    assert "<U***1@EXAMPLE.TEST>" in ledger  # the echo is there, masked
    assert leaks(ledger) == []


def test_purge_leaves_no_echoed_address_or_phone(
    services: Services, echoed: int, clock: Any, raw_connect: Any
) -> None:
    services.incidents.change_status(echoed, IncidentStatus.CLOSED, "all told; summary report filed", force=True)
    clock.now += timedelta(days=90)
    (result,) = purge_due(services)
    assert result.records_by_target["send_ledger.addresses"] == 5
    with raw_connect() as raw:
        rows = raw.execute("SELECT to_address, recipient_key, last_reply, reason FROM send_ledger"
                           " WHERE incident_id = ?", [echoed]).fetchall()
    text = " ".join(str(v) for row in rows for v in row if v)
    assert leaks(text) == [] and "[purged]" in text
    assert [r[2][:3] for r in rows].count("250") == 4  # codes and the rest of the reply stay


def test_scrub_finds_addresses_in_any_case_and_form() -> None:
    text = ('550 <P0003@EXAMPLE.TEST>; "Zhang San"@Example.Com, user@[192.0.2.1], 张三@例子.中国, '
            "tel +86 138 0013 8000 / 13900139000; 250 2.0.0 queued")
    scrubbed = scrub_contacts(text, lambda _: "[E]", lambda _: "[P]")
    assert scrubbed == '550 <[E]>; [E], [E], [E], tel [P] / [P]; 250 2.0.0 queued'


# Forms a relay echoed that once survived the scrubber (CJK counts as \w; encodings; odd local parts).
ECHOED_FORMS = [
    ("电话13800138000", "电话[P]"), ("号13800138000号", "号[P]号"), ("138.0013.8000", "[P]"),
    ("liwei%40x.com", "[E]"), ("13800138000x", "[P]x"), ("phone_13800138000", "phone_[P]"),
    ("tel8613800138000", "tel[P]"), ("138/0013/8000", "[P]"), ("zhangsan＠example.com", "[E]"),
    ("liwei@例子。中国", "[E]"), ("liwei(comment)@example.com", "[E]"), ("liwei@localhost", "[E]"),
    ("=?utf-8?q?liwei=40example.com?=", "[E]"), ("o'brien@example.com", "[E]"),
    ("联系13800138000或liwei@example.com", "[E]")  # over-masked: accepted,
]
# What must not be readable after masking or purging (the last two digits of a phone may stay).
SECRETS = ("1380013", "0013", "liwei", "zhangsan", "brien", "comment")


@pytest.mark.parametrize(("form", "expected"), ECHOED_FORMS)
def test_scrub_masks_every_echoed_form(form: str, expected: str) -> None:
    assert scrub_contacts(f"550 {form} rejected", lambda _: "[E]", lambda _: "[P]") == f"550 {expected} rejected"


class EchoesOddForms(EchoesUpperCase):
    """Accepts every message and echoes every form of :data:`ECHOED_FORMS` in the final reply."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await super().handle_DATA(server, session, envelope)
        return "250 2.0.0 Ok: queued; contact " + " ".join(form for form, _ in ECHOED_FORMS)


def unreadable(text: str) -> list[str]:
    squeezed = re.sub(r"[ ./\-]", "", text)
    return [s for s in SECRETS if s in text or s in squeezed]


@pytest.fixture
def odd_echoes(services: Services, intake: dict[str, object], tmp_path: Path) -> int:
    incident_id = prepared_incident(services, intake, tmp_path)
    with misbehaving(sink=EchoesOddForms()) as sink:
        services.mail.send(incident_id, default_message_source(services), smtp_settings(sink.port))
    replies = " ".join(e.last_reply for e in services.mail.page(incident_id))
    assert "电话13800138000" in replies and "o'brien@example.com" in replies
    return incident_id


def test_masked_pack_and_purge_leave_no_odd_echoed_form(
    services: Services, odd_echoes: int, tmp_path: Path, clock: Any, raw_connect: Any
) -> None:
    out = tmp_path / "pack.zip"
    build_evidence_pack(services, odd_echoes, out)
    with zipfile.ZipFile(out) as archive:
        ledger = archive.read("send-ledger/ledger.csv").decode("utf-8-sig")
    assert "queued; contact" in ledger and unreadable(ledger) == []
    services.incidents.change_status(odd_echoes, IncidentStatus.CLOSED, "all told; summary report filed", force=True)
    clock.now += timedelta(days=90)
    purge_due(services)
    with raw_connect() as raw:
        rows = raw.execute("SELECT last_reply, reason FROM send_ledger WHERE incident_id = ?", [odd_echoes]).fetchall()
    text = " ".join(str(v) for row in rows for v in row if v)
    assert "[purged]" in text and unreadable(text) == []
