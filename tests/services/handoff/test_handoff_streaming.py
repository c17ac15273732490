"""The SMS and call exports, the provider report import and the letters PDF stream: people are
read only as the files and the ledger take them (an instrumented source counts what is read and
not yet written), only the people a hand-off can reach are read at all, and importing a
20,000-row report holds a bounded amount of memory (tracemalloc)."""

from __future__ import annotations

import contextlib
import csv
import sqlite3
import tracemalloc
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from incident_app.cli.main import run
from incident_app.domain.mail import LedgerDraft
from incident_app.services.container import Services, open_services

SMS_PEOPLE = 3000
EMAIL_PEOPLE = 3000
LETTER_PEOPLE = 300
QUEUE_CHUNK = 1000  # services.handoff: ledger drafts are queued a thousand at a time


@contextlib.contextmanager
def opened(db: Path) -> Iterator[Services]:
    services = open_services(db)
    try:
        yield services
    finally:
        services.close()


def people_csv(path: Path) -> Path:
    """SMS people, e-mail people and a few letter people (all adults), as a user table exports them."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["用户ID", "姓名", "邮箱", "手机号", "地址", "出生日期", "涉及信息"])
        for i in range(SMS_PEOPLE + EMAIL_PEOPLE + LETTER_PEOPLE):
            email = f"user{i}@example.com" if SMS_PEOPLE <= i < SMS_PEOPLE + EMAIL_PEOPLE else ""
            phone = f"138{i:08d}" if i < SMS_PEOPLE + EMAIL_PEOPLE else ""
            address = f"上海市浦东新区碧波路{i}号" if i >= SMS_PEOPLE + EMAIL_PEOPLE else ""
            writer.writerow([f"S{i:06d}", f"王某{i}", email, phone, address, "1980-01-01", "phone_number"])
    return path


@pytest.fixture(scope="module")
def crowd_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crowd")
    db = folder / "crowd.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    with opened(db) as services:
        services.people.import_file(1, people_csv(folder / "people.csv"))
    assert run(["approve", "1", "--by", "王安全", "--db", str(db)]) == 0
    return db


@pytest.fixture
def db(crowd_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "db.sqlite3"
    with contextlib.closing(sqlite3.connect(crowd_db)) as source, contextlib.closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    for key in crowd_db.parent.glob(crowd_db.name + ".*key*"):
        (tmp_path / key.name.replace(crowd_db.name, copy.name)).write_bytes(key.read_bytes())
    return copy


class Outstanding:
    """Counts people read from the audience source and rows handed on; keeps the worst gap."""

    def __init__(self) -> None:
        self.read = self.done = self.worst = 0
        self.audiences: list[str] = []

    def source(self, inner: Any) -> Any:
        def counted(incident_id: int, audience: str) -> Iterator[Any]:
            self.audiences.append(audience)
            for person in inner(incident_id, audience):
                self.read += 1
                self.worst = max(self.worst, self.read - self.done)
                yield person
        return counted

    def handed_on(self, n: int) -> None:
        self.done += n


def instrument(services: Services, monkeypatch: pytest.MonkeyPatch) -> Outstanding:
    seen = Outstanding()
    services.notices.audience_source = seen.source(services.notices.audience_source)
    ledger = services.ctx.store.send_ledger
    enqueue = ledger.enqueue_handoff

    def counted_enqueue(drafts: Iterable[LedgerDraft], channel: str, *, now: Any) -> int:
        batch = list(drafts)
        seen.handed_on(len(batch))
        return enqueue(batch, channel, now=now)

    monkeypatch.setattr(ledger, "enqueue_handoff", counted_enqueue)
    return seen


def test_sms_export_reads_people_as_it_writes_them_and_only_those_with_a_phone(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with opened(db) as services:
        total = services.people.summary(1).total
        seen = instrument(services, monkeypatch)
        result = services.handoff.export_sms(1, tmp_path / "sms.csv")
    assert seen.audiences == ["sms"]
    assert result["rows"] >= SMS_PEOPLE and seen.done == result["rows"] and seen.read - result["rows"] < 100
    # Every person read became a row, and the e-mail and letter people were never read.
    assert seen.read < total - EMAIL_PEOPLE, (seen.read, total)
    # At most one queue chunk between reading a person and writing their ledger row (plus the few
    # demo people read who get no SMS): a list of every row first would put > 3,000 outstanding.
    assert seen.worst <= QUEUE_CHUNK + 1 + (seen.read - result["rows"]) < SMS_PEOPLE, seen.worst


def test_call_export_streams_and_skips_the_email_people(db: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with opened(db) as services:
        total = services.people.summary(1).total
        seen = instrument(services, monkeypatch)
        result = services.handoff.export_calls(1, tmp_path / "calls.csv")
    assert seen.audiences == ["phone"] and result["rows"] >= SMS_PEOPLE
    assert seen.read < total - EMAIL_PEOPLE
    assert seen.worst <= QUEUE_CHUNK + 1 + (seen.read - result["rows"]), seen.worst


class CountingPdf:
    """A PdfWriter that takes the letters one at a time, as the Qt writer does."""

    def __init__(self, seen: Outstanding) -> None:
        self.seen = seen
        self.letters = 0

    def write_pdf(self, html_pages: Iterable[str], path: Path, *, watermark: str = "") -> int:
        for _ in html_pages:
            self.letters += 1
            self.seen.handed_on(1)
        path.write_bytes(b"%PDF-1.4\n%%EOF\n")
        return self.letters


def test_letters_pdf_takes_letters_one_by_one_from_only_the_letter_people(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with opened(db) as services:
        total = services.people.summary(1).total
        seen = instrument(services, monkeypatch)
        writer = CountingPdf(seen)
        _, result = services.notices.export(1, tmp_path / "out", ["pdf"], pdf_writer=writer)
    letters = sum(int(n.split(": ")[1].split(" ")[0]) for n in result.notes if n.startswith("letters."))
    assert letters >= LETTER_PEOPLE and set(seen.audiences) == {"letter"}
    passes = len(seen.audiences)
    # Each pass reads the letter people only (not every person once per kind and language).
    assert seen.read <= passes * (total - SMS_PEOPLE - EMAIL_PEOPLE), (seen.read, passes, total)
    # Masters are written first (no person read); then each letter goes to the writer as read.
    assert seen.worst <= 1 + (seen.read - letters), (seen.worst, seen.read, letters)


def test_report_import_of_20000_rows_holds_bounded_memory(db: Path, tmp_path: Path) -> None:
    rows = 20_000
    with opened(db) as services:
        ledger = services.ctx.store.send_ledger
        with services.ctx.store.transaction():
            ledger.enqueue_handoff(
                (LedgerDraft(1, f"k{i}", "individual", "sms:1", f"+86139{i:08d}", "zh-CN", f"bd1i{i:020d}")
                 for i in range(rows)), "sms", now=services.ctx.now())
        report = tmp_path / "report.csv"
        with report.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["out_id", "status", "message_id"])
            writer.writerows([f"bd1i{i:020d}", "delivered", f"m{i}"] for i in range(rows))
        tracemalloc.start()
        try:
            result = services.handoff.import_report(1, report)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result["changed"] == rows
    # Measured 2.2 MB; with the 20,000 updates held in a list before applying them, 4.6 MB.
    assert peak < 3_000_000, peak
