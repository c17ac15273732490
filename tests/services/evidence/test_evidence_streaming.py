"""The evidence pack written as a stream: the send ledger and the events go into the ZIP on disk
page by page, yet every member is byte for byte what the in-memory pack held (a reference copy
of that code is below); a write error or Cancel half-way leaves no file and logs nothing."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from incident_app.cli.main import run
from incident_app.contact_scrub import scrub_contacts
from incident_app.domain.clock import to_iso
from incident_app.domain.exports import neutralise_row
from incident_app.domain.mail import LedgerEntry, mask_email
from incident_app.domain.mail.sending import mask_phone_in_text
from incident_app.domain.notices import recipient_reference
from incident_app.domain.people.person import mask_address
from incident_app.services.container import Services, open_services
from incident_app.services.evidence import pack as pack_module
from incident_app.services.evidence import records
from incident_app.services.evidence.base import json_bytes
from incident_app.services.evidence.pack import _event_dict, build_evidence_pack, collect_files
from incident_app.services.evidence.verify import verify_evidence
from incident_app.services.private_files import StagedOutputs
from incident_app.services.progress import Cancelled, Progress

# Replies and keys the masking must get right: echoed addresses in any case, phone numbers alone,
# in text and full-width, keys that are addresses, and text a spreadsheet would run as a formula.
ROWS = [
    ("person:U1", "zhang.san@example.com", "sent", 250, "250 2.0.0 Ok: queued as 4F1A2B3C9D", "", None),
    ("li@example.cn", "li@example.cn", "failed", 550, "550 5.1.1 <LI@EXAMPLE.CN>: Recipient address rejected",
     "the relay refused the address", "sms"),
    ("person:U3", "13800138000", "sent", None, "DELIVRD", "", None),
    ("13900139000", "+86 139 0013 9000", "failed", None, "UNDELIV 13900139000", "号码 139-0013-9000 停机", "letter"),
    ("person:U5", "wang@163.example.com", "deferred", 451, "451 4.7.1 Try again later", "=HYPERLINK(\"x\")", None),
    ("person:U6", "o'brien@example.org", "in_doubt", None, "", "interrupted", None),
    ("person:U7", "user7@1234567.example", "queued", None, "", "", None),
    ("-person", "x+tag@例子.中国", "sent", 250, "250 ok <x+tag@例子.中国> 电话１３８００１３８０００", "", None),
]


# One send-ledger row, every column the pack reads (the fixed-bytes test fills rows with it too).
INSERT_LEDGER_ROW = ("INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address,"
                     " language, message_id, state, attempts, in_doubt, last_code, last_reply, reason, queued_at,"
                     " updated_at, sent_at, fallback, channel) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")


def fill(services: Services, incident_id: int, copies: int, version: str = "v1") -> None:
    conn = services.ctx.store.db.conn
    with services.ctx.store.transaction():
        conn.executemany(
            INSERT_LEDGER_ROW,
            [(incident_id, f"{key}#{n}" if n else key, "individual_email", version, address, "zh-CN" if n % 2 else "",
              f"<bd.{n}.{i}@example.test>", state, 1, int(state == "in_doubt"), code, reply, reason,
              "2026-11-20T09:00:00+08:00", "2026-11-20T09:05:00+08:00",
              f"2026-11-20T09:{n % 60:02d}:07+08:00" if state == "sent" else None, fallback,
              "email" if "@" in address else "sms")
             for n in range(copies) for i, (key, address, state, code, reply, reason, fallback) in enumerate(ROWS)])


def reference_ledger_csv(services: Services, incident_id: int, unmask: bool) -> bytes:
    """The ledger CSV exactly as the in-memory pack made it, from LedgerEntry objects."""
    def hide(text: str) -> str:
        return text if unmask else scrub_contacts(text, mask_email, mask_phone_in_text)

    def hide_address(text: str) -> str:
        # An e-mail address or a number is scrubbed like the texts; anything else is a letter's
        # postal address, masked as the people list masks one.
        if unmask or not text or "@" in text or re.fullmatch(r"\+?[0-9][0-9 ()-]{5,}", text):
            return hide(text)
        return mask_address(text) or ""

    def row(e: LedgerEntry) -> list[Any]:
        recipient = e.recipient_key if unmask else recipient_reference(e.incident_id, e.recipient_key)
        return [e.id, recipient, e.notice_kind, e.notice_version, hide_address(e.to_address), e.language, e.message_id,
                e.state.value, e.attempts, e.in_doubt, e.last_code, hide(e.last_reply), hide(e.reason),
                to_iso(e.queued_at), to_iso(e.sent_at) if e.sent_at else None,
                e.fallback.value if e.fallback else None, channels[e.id] or "email", to_iso(e.updated_at),
                e.contact_seq, "yes" if e.contact_seq == latest[(e.recipient_key, e.notice_kind, e.notice_version)]
                else "no"]

    ledger = services.ctx.store.send_ledger
    channels = {int(i): c for i, c in ledger.iter_raw(incident_id, ("id", "channel"), chunk=1000)}
    latest: dict[tuple[str, str, str], int] = {}  # each recipient's, kind's and version's last contact_seq
    for e in ledger.iter_entries(incident_id):
        group = (e.recipient_key, e.notice_kind, e.notice_version)
        latest[group] = max(latest.get(group, 0), e.contact_seq)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(records.LEDGER_COLUMNS)
    for entry in services.ctx.store.send_ledger.iter_entries(incident_id):
        writer.writerow(neutralise_row(row(entry)))
    return buffer.getvalue().encode("utf-8-sig")


@pytest.fixture
def incident(services: Services, intake: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(records, "LEDGER_PAGE", 7)  # many pages, and a last one that is not full
    incident_id = services.incidents.create(intake).id
    services.decisions.record(incident_id, {"kind": "other", "rationale": "告知全部用户", "decided_by": "王安全"})
    fill(services, incident_id, 6)
    return incident_id


@pytest.mark.parametrize("unmask", [False, True])
def test_streamed_pack_holds_what_the_in_memory_pack_held(services: Services, incident: int, tmp_path: Path,
                                                         unmask: bool) -> None:
    out = tmp_path / "pack.zip"
    made = build_evidence_pack(services, incident, out, unmask=unmask)
    archive = zipfile.ZipFile(out)
    assert archive.read("send-ledger/ledger.csv") == reference_ledger_csv(services, incident, unmask)
    store = services.ctx.store
    head = json.loads(archive.read("event-log/chain.json"))["head"]["seq"]  # the pack's own events came later
    events = [_event_dict(e, store.events.keying) for e in store.events.for_incident(incident, newest_first=False)
              if e.seq <= head]
    assert archive.read("event-log/events.json") == json_bytes(events)
    # The same files in the same order: every section's, then README, manifest.json, MANIFEST.sha256.
    request = services_request(services, incident, unmask)
    names = [name for name, _ in collect_files(request, pack_module.DEFAULT_SECTIONS)]
    assert archive.namelist() == [*names, "README.txt", "manifest.json", "MANIFEST.sha256"]
    assert [e.name for e in made.files] == archive.namelist()[:-1]
    manifest = json.loads(archive.read("manifest.json"))
    assert {f["name"]: f["bytes"] for f in manifest["files"]} == {
        i.filename: i.file_size for i in archive.infolist() if i.filename not in ("manifest.json", "MANIFEST.sha256")}
    assert verify_evidence(out).ok
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    if not unmask:
        text = archive.read("send-ledger/ledger.csv").decode("utf-8-sig")
        assert "zhang.san@" not in text and "LI@EXAMPLE" not in text and "13800138000" not in text
        assert "'=HYPERLINK" in text and "'-person" not in text


def services_request(services: Services, incident_id: int, unmask: bool) -> Any:
    from incident_app.services.evidence.base import EvidenceRequest

    return EvidenceRequest(services, incident_id, unmask, services.ctx.now())


def test_events_read_in_pages_are_the_events(services: Services, incident: int) -> None:
    events = services.ctx.store.events
    assert [e.seq for e in events.iter_for_incident(incident, chunk=1)] == [
        e.seq for e in events.for_incident(incident, newest_first=False)]


# Texts that push each field through every path of the SQL-rendered CSV: commas, quotes, line
# breaks, the page's own separators, formula characters (ASCII and full-width), full-width and
# Unicode digits, contacts in every form the scrub knows, times in other forms than the pack's.
_TEXTS = ["", "ok", "a,b", 'say "hi"', "line\r\nbreak", "x\x1fy", "x\x1ey", "=1+1", "-2", "+86 138 0013 8000",
          "@home", "\uff1dSUM(A1)", "\t tab", "\r cr", "250 13800138000 ok", "250-1234567", "2501234567",
          "550 <A.B@EXAMPLE.COM> rejected", "user%40example.com", "to =40x", "１３８００１３８０００",
          "250 2.0.0 Ok: queued as 4F1A2B3C9D", "queued as 1234567ABC", "电话13800138000停机", "١٢٣٤٥٦٧٨",
          "call 139\t0013\t9000 now"]
_ADDRESSES = ["zhang.san@example.com", "13800138000", "12345", "", "+86 139 0013 9000", "ab@x.cn", "a@b",
              "-x@example.com", "u@12345.example", "u@1234.example", "x+tag@例子.中国", "a,b@example.com",
              "=cmd@example.com", "o'brien@example.org", "\x1f@example.com", "250-li@example.cn", "451 x@y.cn",
              "北京市朝阳区一号路1号", "1 Main Street, Springfield", "=上海市浦东新区"]
_TIMES = ["2026-11-20T09:00:00+08:00", "2026-11-20T01:00:00Z", "2026-11-20T09:00:00", "2026-11-20T09:00:00.5+08:00",
          "2026-11-20T09:00:00-05:00"]


@pytest.mark.parametrize("address", ["250-li@example.cn", "451-x.y@example.com", "250 li@example.cn",
                                     "li@example.cn", "13800138000", "u@1234.example", "u@12345.example"])
def test_the_quick_address_mask_is_the_scrub(address: str) -> None:
    """The shortcuts for a plain address and a number alone give what scrub_contacts gives (which
    keeps a leading reply code such as "250-" apart, even at the start of an address)."""
    assert records._hider(False)(address) == scrub_contacts(address, mask_email, mask_phone_in_text)


def fill_varied(services: Services, incident_id: int, rows: int, seed: int) -> None:
    import random

    rnd = random.Random(seed)
    conn = services.ctx.store.db.conn
    states = ["sent", "failed", "deferred", "queued", "in_doubt"]
    with services.ctx.store.transaction():
        conn.executemany(
            "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address, language,"
            " message_id, state, attempts, in_doubt, last_code, last_reply, reason, queued_at, updated_at, sent_at,"
            " fallback, channel) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(incident_id, rnd.choice([f"person:U{n}", *_TEXTS[1:], *_ADDRESSES[:3]]) + f"#{n}",
              rnd.choice(["individual_email", "=kind", "a,b"]), rnd.choice(["v1", "-v2", 'v"3']),
              rnd.choice(_ADDRESSES), rnd.choice(["zh-CN", "", "+en"]), rnd.choice([f"<bd.{n}@x>", "@m", "m,1"]),
              rnd.choice(states), rnd.randrange(3), rnd.randrange(2), rnd.choice([None, 250, 550]),
              rnd.choice([*_TEXTS, None]), rnd.choice([*_TEXTS, None]), rnd.choice(_TIMES), rnd.choice(_TIMES),
              rnd.choice([None, *_TIMES]), rnd.choice([None, "sms", "letter"]), "email")
             for n in range(rows)])


@pytest.mark.parametrize("unmask", [False, True])
@pytest.mark.parametrize("page", [1, 7, 5000])
def test_the_ledger_made_in_sql_is_the_ledger_made_in_python(services: Services, intake: dict[str, object],
                                                             monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                             unmask: bool, page: int) -> None:
    monkeypatch.setattr(records, "LEDGER_PAGE", page)
    incident_id = services.incidents.create(intake).id
    fill_varied(services, incident_id, 600, seed=page)
    out = tmp_path / "pack.zip"
    build_evidence_pack(services, incident_id, out, unmask=unmask)
    assert zipfile.ZipFile(out).read("send-ledger/ledger.csv") == reference_ledger_csv(services, incident_id, unmask)


def test_plain_pages_take_the_fast_path(services: Services, intake: dict[str, object],
                                        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Ordinary rows (the bench's kind) are rendered from the SQL columns: the Python renderer of
    single rows is not called, yet the bytes are the reference's."""
    incident_id = services.incidents.create(intake).id
    conn = services.ctx.store.db.conn
    with services.ctx.store.transaction():
        conn.executemany(
            "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address, language,"
            " message_id, state, attempts, in_doubt, last_code, last_reply, reason, queued_at, updated_at, sent_at,"
            " fallback, channel) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(incident_id, f"person:U{n}", "individual_email", "v1", f"user{n}@163.example.com", "zh-CN",
              f"<bd.1.{n}@breach-desk.example>", "sent", 1, 0, 250, f"250 2.0.0 Ok: queued as {n:010X}", "",
              "2026-11-20T09:00:00+08:00", "2026-11-20T09:00:00+08:00", "2026-11-20T09:05:00+08:00", None, "email")
             for n in range(300)])
    calls: list[int] = []
    slow = records._csv_row
    monkeypatch.setattr(records, "_csv_row", lambda *a: calls.append(1) or slow(*a))
    out = tmp_path / "pack.zip"
    build_evidence_pack(services, incident_id, out)
    assert zipfile.ZipFile(out).read("send-ledger/ledger.csv") == reference_ledger_csv(services, incident_id, False)
    assert calls == []


def fill_ordinary(services: Services, incident_id: int, rows: int, odd: int | None = None) -> None:
    """Rows as a real send leaves them (the bench's kinds): e-mail and SMS, sent, failed with
    the address echoed, deferred, queued; row ``odd`` has an address that starts like a reply code."""
    conn = services.ctx.store.db.conn
    states = [("sent", 250, "250 2.0.0 Ok: queued as {n:010X}", "", None),
              ("failed", 550, "550 5.1.1 <{address}>: Recipient address rejected", "the relay refused", "sms"),
              ("deferred", 451, "451 4.7.1 Try again later", "retry later", None), ("queued", None, "", "", None)]
    made = []
    for n in range(rows):
        sms = n % 5 == 0
        address = f"1380013{n:04d}" if sms else f"user{n}.{n % 7}@mail{n % 3}.example.cn"
        if n == odd:
            address = "250-li@example.cn"
        state, code, reply, reason, fallback = states[n % len(states)]
        made.append((incident_id, f"person:U{n:09d}" if n % 9 else address, "individual_email", "v1", address,
                     "zh-CN", f"<bd.1.{n}@breach-desk.example>", state, 1, 0, code,
                     reply.format(n=n, address=address.upper()), reason, "2026-11-20T09:00:00+08:00",
                     f"2026-11-20T10:{n // 60 % 60:02d}:{n % 60:02d}+08:00",
                     f"2026-11-20T10:{n // 60 % 60:02d}:00+08:00" if state == "sent" else None, fallback,
                     "sms" if sms else "email"))
    with services.ctx.store.transaction():
        conn.executemany(
            "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address, language,"
            " message_id, state, attempts, in_doubt, last_code, last_reply, reason, queued_at, updated_at, sent_at,"
            " fallback, channel) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", made)


@pytest.mark.parametrize("odd", [None, 57])
def test_ordinary_pages_are_made_by_sqlite_in_one_step(services: Services, intake: dict[str, object],
                                                       monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                       odd: int | None) -> None:
    """A masked pack's ordinary pages come from the page's aggregates (addresses masked in SQL,
    finished on the worker thread): the row-by-row page maker is not called, yet the bytes are
    the reference's. A page holding an address of another shape is made the row-by-row way."""
    monkeypatch.setattr(records, "LEDGER_PAGE", 40)
    incident_id = services.incidents.create(intake).id
    fill_ordinary(services, incident_id, 300, odd)
    calls: list[int] = []
    slow = records._page_lines
    monkeypatch.setattr(records, "_page_lines",
                        lambda req, page, history: calls.append(len(page)) or slow(req, page, history))
    out = tmp_path / "pack.zip"
    build_evidence_pack(services, incident_id, out)
    assert zipfile.ZipFile(out).read("send-ledger/ledger.csv") == reference_ledger_csv(services, incident_id, False)
    assert calls == ([] if odd is None else [40])
    assert verify_evidence(out).ok


def test_a_number_split_by_tabs_in_a_reply_is_masked(services: Services, intake: dict[str, object],
                                                    monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The quick path looks for the texts that may hold a phone number in a page's replies all at
    once; a number whose digits are split by tabs (the scrub's pattern allows them) is one of
    them, so it is masked as scrub_contacts masks it, not left whole among ordinary replies."""
    monkeypatch.setattr(records, "LEDGER_PAGE", 40)
    incident_id = services.incidents.create(intake).id
    fill_ordinary(services, incident_id, 120)
    conn = services.ctx.store.db.conn
    with services.ctx.store.transaction():
        conn.execute("UPDATE send_ledger SET last_reply = ? WHERE incident_id = ? AND id = "
                     "(SELECT min(id) + 3 FROM send_ledger WHERE incident_id = ?)",
                     ["550 call 139\t0013\t9000 or 139\t\t0013\t9000", incident_id, incident_id])
    out = tmp_path / "pack.zip"
    build_evidence_pack(services, incident_id, out)
    data = zipfile.ZipFile(out).read("send-ledger/ledger.csv")
    assert b"0013" not in data and b"550 call ***00 or ***00" in data
    assert data == reference_ledger_csv(services, incident_id, False)


class FullDisk:
    """A file handle that accepts ``room`` bytes, then fails as a full disk does."""

    def __init__(self, handle: BinaryIO, room: int) -> None:
        self._handle, self._room = handle, room

    def write(self, data: bytes) -> int:
        if self._handle.tell() + len(data) > self._room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self._handle.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def fill_the_disk_after(monkeypatch: pytest.MonkeyPatch, room: int) -> None:
    real = StagedOutputs.output

    @contextmanager
    def output(self: StagedOutputs, path: Path) -> Iterator[tuple[Any, Path]]:
        with real(self, path) as (handle, target):
            yield FullDisk(handle, room), target

    monkeypatch.setattr(StagedOutputs, "output", output)


def exports(services: Services) -> int:
    return len(services.ctx.store.events.of_types(["export.written"]))


def test_a_full_disk_half_way_leaves_no_file_and_logs_nothing(services: Services, incident: int, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "LEDGER_PAGE", 2)
    fill(services, incident, 400, "v2")  # the ledger member alone is larger than the room left
    fill_the_disk_after(monkeypatch, 60_000)
    before, folder = exports(services), tmp_path / "out"
    with pytest.raises(OSError) as failure:
        build_evidence_pack(services, incident, folder / "pack.zip")
    assert failure.value.errno == errno.ENOSPC
    assert list(folder.iterdir()) == []  # no pack, no temporary file
    assert exports(services) == before


def test_a_full_disk_on_the_command_line_is_a_plain_message(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    services = open_services(db)
    fill(services, 1, 50)
    services.close()
    fill_the_disk_after(monkeypatch, 3_000)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code = run(["evidence", "1", "--out", str(out_dir / "pack.zip"), "--db", str(db)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "disk is full" in err and "Traceback" not in err
    assert list(out_dir.iterdir()) == []


def test_cancel_half_way_leaves_no_file(services: Services, incident: int, tmp_path: Path) -> None:
    progress = Progress()
    chunks = 0
    real = records.ledger_csv_chunks

    def cancelling(req: Any) -> Iterator[bytes]:
        nonlocal chunks
        for chunk in real(req):
            chunks += 1
            if chunks == 3:
                progress.cancel()  # as the dialog's Cancel button does, from another thread
            yield chunk

    before, folder = exports(services), tmp_path / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(records, "ledger_csv_chunks", cancelling)
        with pytest.raises(Cancelled):
            build_evidence_pack(services, incident, folder / "pack.zip", progress=progress)
    assert chunks == 3  # stopped at the next page, not at the end
    assert list(folder.iterdir()) == [] and exports(services) == before


def test_verify_reads_a_damaged_streamed_member_as_damaged(services: Services, incident: int, tmp_path: Path) -> None:
    out = tmp_path / "pack.zip"
    build_evidence_pack(services, incident, out)
    with zipfile.ZipFile(out) as archive:
        info = archive.getinfo("send-ledger/ledger.csv")
    raw = bytearray(out.read_bytes())
    raw[info.header_offset + 30 + len(info.filename.encode()) + 20 + info.compress_size // 2] ^= 0x01
    out.write_bytes(bytes(raw))
    report = verify_evidence(out)
    assert not report.ok and [p.name for p in report.problems] == ["send-ledger/ledger.csv"]


def _central_entry(raw: bytes, name: str) -> int:
    """The offset of ``name``'s central-directory header."""
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        length = int.from_bytes(raw[at + 28:at + 30], "little")
        if raw[at + 46:at + 46 + length] == name.encode():
            return at
        at = raw.find(b"PK\x01\x02", at + 4)
    raise AssertionError(name)


@pytest.mark.parametrize("tamper", ["encrypted_flag", "unknown_method"])
def test_verify_reports_a_member_it_cannot_open_as_damaged(services: Services, incident: int, tmp_path: Path,
                                                           tamper: str) -> None:
    # A tampered central directory: the member claims to be encrypted, or packed with a method
    # zipfile does not know; verify names the member instead of failing with a traceback.
    out = tmp_path / "pack.zip"
    build_evidence_pack(services, incident, out)
    raw = bytearray(out.read_bytes())
    at = _central_entry(bytes(raw), "incident.json")
    if tamper == "encrypted_flag":
        raw[at + 8] |= 0x01
    else:
        raw[at + 10:at + 12] = (99).to_bytes(2, "little")
    out.write_bytes(bytes(raw))
    report = verify_evidence(out)
    assert not report.ok and [p.name for p in report.problems] == ["incident.json"]
    assert "cannot be read" in report.problems[0].problem


def test_verify_refuses_a_huge_manifest_without_reading_it_into_memory(tmp_path: Path) -> None:
    # A bomb: a MANIFEST.sha256 of 300 MB of spaces (300 KB compressed) must not be read whole.
    out = tmp_path / "bomb.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("MANIFEST.sha256", "w", force_zip64=True) as member:
        block = b" " * (1 << 20)
        for _ in range(300):
            member.write(block)
    import tracemalloc
    tracemalloc.start()
    report = verify_evidence(out)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert not report.ok and report.problems[0].name == "MANIFEST.sha256"
    assert "larger" in report.problems[0].problem
    assert peak < 100 << 20
