"""The send ledger's CSV of a bench-shaped ledger (bench/evidence_pack.py's rows: e-mail, SMS and
call-centre rows, sent with queue ids, refused with the address echoed, deferred, queued, in
doubt) is byte for byte the one the pack made before its ledger path was made faster: its
SHA-256 was taken from that code and is fixed here. Any change of the CSV's bytes fails this
(the two columns added since, contact_seq and current, are taken off first)."""

from __future__ import annotations

import hashlib
import importlib.util
import random
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from test_evidence_streaming import INSERT_LEDGER_ROW

from incident_app.services.container import Services
from incident_app.services.evidence import build_evidence_pack, records, verify_evidence

ROOT = Path(__file__).resolve().parents[3]
ROWS = 12_000
# 2026-11-21 09:00 Beijing time as epoch seconds: fixed, so the rows do not depend on the local zone.
BASE = 1795741200.0
# ledger.csv of the rows below, made by the pack of commit dadcf3f (before this path was changed).
EXPECTED_SHA256 = "faf730ae498084385f8042d2fc299d19a2169ff88ddea3dd227499226ee42ded"
EXPECTED_BYTES = 2_733_606


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_evidence_pack", ROOT / "bench" / "evidence_pack.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fill_bench_rows(services: Services, incident_id: int, rows: int) -> None:
    """``rows`` ledger rows exactly as the bench makes them (same seed, a fixed start time)."""
    bench, rnd = _bench(), random.Random(20261202)
    conn = services.ctx.store.db.conn
    with services.ctx.store.transaction():
        conn.executemany(
            INSERT_LEDGER_ROW,
            [bench.ledger_row(i, incident_id, rnd, BASE) for i in range(rows)])


@pytest.mark.parametrize("page", [5000, 333])
def test_the_bench_ledger_csv_has_its_fixed_bytes(services: Services, intake: dict[str, object],
                                                  monkeypatch: pytest.MonkeyPatch, tmp_path: Path, page: int) -> None:
    monkeypatch.setattr(records, "LEDGER_PAGE", page)  # pages of the default size and many small ones
    incident_id = services.incidents.create(intake).id
    fill_bench_rows(services, incident_id, ROWS)
    out = tmp_path / "pack.zip"
    build_evidence_pack(services, incident_id, out)
    data = zipfile.ZipFile(out).read("send-ledger/ledger.csv")
    # Since then every row ends with its contact_seq and current (none of these rows was handed
    # off again: 0 and yes); without those two columns the bytes are the fixed ones.
    assert data.count(b",0,yes\r\n") == ROWS
    header = b",updated_at,contact_seq,current\r\n"
    assert data.count(header) == 1
    before = data.replace(header, b",updated_at\r\n", 1).replace(b",0,yes\r\n", b"\r\n")
    assert (hashlib.sha256(before).hexdigest(), len(before)) == (EXPECTED_SHA256, EXPECTED_BYTES)
    assert verify_evidence(out).ok
