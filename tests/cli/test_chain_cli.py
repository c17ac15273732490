"""The three attacks of someone who can write the database file (forge an event with a recomputed
SHA-256; rewrite an approver's name and re-chain; delete the last events) fail ``audit verify``
(exit 1, a plain message) and ``--db DB evidence verify PACK`` of a pack made before; a missing
key says "cannot verify" (exit 3), never ok; exports record the chain head."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from chain_helpers import forge_event, rechain_plain

from incident_app.cli.main import run
from incident_app.storage import chain_key


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run(["--db", str(db), *args]) if args and args[0] == "evidence" else run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The demo incident with its notices approved by a named approver."""
    path = tmp_path / "db.sqlite3"
    assert cli(capsys, path, "demo")[0] == 0
    assert cli(capsys, path, "approve", "1", "--by", "王安全")[0] == 0
    return path


@pytest.fixture
def pack(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    target = tmp_path / "evidence.zip"
    assert cli(capsys, db, "evidence", "1", "--out", str(target))[0] == 0
    code, out, _ = cli(capsys, db, "evidence", "verify", str(target))
    assert code == 0 and json.loads(out)["ok"] is True and json.loads(out)["database"]["status"] == "ok"
    return target


def _verify_fails(capsys: pytest.CaptureFixture[str], db: Path, pack: Path, expect: str) -> None:
    code, out, err = cli(capsys, db, "audit", "verify")
    assert code == 1 and json.loads(out)["status"] == "tampered" and "event log tampered" in err
    assert "Traceback" not in err
    code, out, err = cli(capsys, db, "evidence", "verify", str(pack))
    result = json.loads(out)
    assert code == 1 and result["ok"] is False and result["database"]["status"] == "tampered"
    assert result["problems"] == []  # the pack's own files are untouched: the database check caught it
    assert expect in err


def test_forged_event_with_recomputed_sha256(db: Path, pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with closing(sqlite3.connect(db)) as conn:
        seq = forge_event(conn, "decision.recorded", {"kind": "no_notice", "decided_by": "王安全"})
    _, out, _ = cli(capsys, db, "audit", "verify")
    assert json.loads(out)["first_bad_event"] == seq
    _verify_fails(capsys, db, pack, f"fails verification at event {seq}")


def test_rewritten_approver_rechained(db: Path, pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with closing(sqlite3.connect(db)) as conn:
        approval = conn.execute("SELECT seq FROM events WHERE type = 'notice.approved'").fetchone()[0]

        def rename(row: dict[str, Any]) -> dict[str, Any]:
            if row["seq"] != approval:
                return row
            return row | {"payload": row["payload"].replace("王安全", "李老板")}

        rechain_plain(conn, rename, from_seq=approval)
        assert "李老板" in conn.execute("SELECT payload FROM events WHERE seq = ?", [approval]).fetchone()[0]
    _verify_fails(capsys, db, pack, f"event {approval}")
    _, _, err = cli(capsys, db, "evidence", "verify", str(pack))
    assert "differs from the one the pack recorded" in err  # the pack's head was rewritten too


def test_deleted_last_events(db: Path, pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with zip_manifest(pack) as manifest:
        head = manifest["event_log"]["head"]["seq"]
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("DELETE FROM events WHERE seq >= ?", [head])
        conn.commit()
    _verify_fails(capsys, db, pack, f"no longer contains event {head}")


def test_deleted_last_events_caught_by_the_pack_alone(
    db: Path, pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the checkpoint kept beside the key, the pack's recorded head still shows the cut."""
    for checkpoint in Path(chain_key.key_dir()).glob("*.head.json"):
        checkpoint.unlink()
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("DELETE FROM events WHERE seq >= (SELECT max(seq) - 1 FROM events)")
        conn.commit()
    code, out, err = cli(capsys, db, "evidence", "verify", str(pack))
    assert code == 1 and json.loads(out)["database"]["status"] == "tampered"
    assert "no longer contains event" in err or "no export event" in err


def test_missing_key_cannot_verify_never_ok(
    db: Path, pack: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(chain_key.ENV_KEY_DIR, str(tmp_path / "other-computer"))
    code, out, err = cli(capsys, db, "audit", "verify")
    result = json.loads(out)
    assert code == 3 and result["ok"] is False and result["status"] == "cannot_verify"
    assert "cannot verify the event log" in err and "other-computer" in err and result["database_id"] in err
    code, out, err = cli(capsys, db, "evidence", "verify", str(pack))
    assert code == 3 and json.loads(out)["ok"] is False and json.loads(out)["database"]["status"] == "cannot_verify"
    decision = tmp_path / "decision.json"
    decision.write_text(json.dumps({"kind": "other", "rationale": "test", "decided_by": "王安全"}), "utf-8")
    before = json.loads(cli(capsys, db, "show", "1")[1])
    code, _, err = cli(capsys, db, "decide", "1", "--json", str(decision))
    assert code == 1 and "nothing was saved" in err and "key" in err and "Traceback" not in err
    after = json.loads(cli(capsys, db, "show", "1")[1])
    # No decision stored without its event. (The assessment is left out: its countdowns move with
    # the clock, and a second boundary between the two reads made this test flaky.)
    assert after["decisions"] == before["decisions"] and after["updated_at"] == before["updated_at"]


def test_exports_record_the_chain_head(db: Path, pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with zip_manifest(pack) as manifest:
        recorded = manifest["event_log"]
    with closing(sqlite3.connect(db)) as conn:
        export = json.loads(conn.execute("SELECT payload FROM events WHERE type = 'export.written' "
                                         "ORDER BY seq DESC LIMIT 1").fetchone()[0])
        head_hash = conn.execute("SELECT hash FROM events WHERE seq = ?", [recorded["head"]["seq"]]).fetchone()[0]
        database_id = conn.execute("SELECT database_id FROM event_chain").fetchone()[0]
    assert export["chain_head"] == recorded["head"] and head_hash == recorded["head"]["hash"]
    assert recorded["database_id"] == database_id
    assert cli(capsys, db, "register", "--out", str(pack.with_name("reg.csv")), "--format", "csv")[0] == 0
    with closing(sqlite3.connect(db)) as conn:
        seq, payload = conn.execute("SELECT seq, payload FROM events WHERE type = 'export.written' "
                                    "ORDER BY seq DESC LIMIT 1").fetchone()
    assert json.loads(payload)["chain_head"]["seq"] == seq - 1


class zip_manifest:  # noqa: N801 - used like a function in a with-statement
    """``with zip_manifest(pack) as manifest``: the pack's manifest.json."""

    def __init__(self, pack: Path) -> None:
        self.pack = pack

    def __enter__(self) -> dict[str, Any]:
        import zipfile

        with zipfile.ZipFile(self.pack) as archive:
            return dict(json.loads(archive.read("manifest.json")))

    def __exit__(self, *exc: object) -> None:
        return None


def test_unwritable_key_folder_is_a_plain_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", "utf-8")
    monkeypatch.setenv(chain_key.ENV_KEY_DIR, str(blocker / "keys"))
    code, _, err = cli(capsys, tmp_path / "new.sqlite3", "demo")
    assert code == 1 and "cannot keep the event log key" in err and "INCIDENT_APP_KEY_DIR" in err
    assert "Traceback" not in err


def test_key_moves_to_another_computer_with_export_and_import(
    db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "moved.key"
    code, out, _ = cli(capsys, db, "audit", "export-key", str(key_file))
    assert code == 0 and key_file.stat().st_mode & 0o077 == 0
    database_id = json.loads(out)["database_id"]
    monkeypatch.setenv(chain_key.ENV_KEY_DIR, str(tmp_path / "other-computer"))
    assert cli(capsys, db, "audit", "verify")[0] == 3
    wrong = tmp_path / "wrong.key"
    wrong.write_text(json.dumps({"format": "breach-desk-event-log-key/1", "database_id": database_id,
                                 "key": "00" * 32}), "utf-8")
    code, _, err = cli(capsys, db, "audit", "import-key", str(wrong))
    assert code == 2 and "does not verify" in err
    assert not (tmp_path / "other-computer").exists()
    code, out, _ = cli(capsys, db, "audit", "import-key", str(key_file))
    assert code == 0 and json.loads(out)["kept_in"].endswith(f"{database_id}.key")
    code, out, _ = cli(capsys, db, "audit", "verify")
    assert code == 0 and json.loads(out)["ok"] is True
    with closing(sqlite3.connect(db)) as conn:
        kinds = [r[0] for r in conn.execute("SELECT type FROM events ORDER BY seq DESC LIMIT 3")]
        export = conn.execute("SELECT payload FROM events WHERE payload LIKE '%event_log_key%'").fetchone()
    assert kinds[0] == "event_log.key_imported" and export is not None


def test_pack_of_another_database_cannot_be_confirmed(
    pack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.sqlite3"
    assert cli(capsys, other, "demo")[0] == 0
    code, out, err = cli(capsys, other, "evidence", "verify", str(pack))
    result = json.loads(out)
    assert code == 3 and result["ok"] is False and result["problems"] == []
    assert result["database"]["status"] == "cannot_verify" and "made from another database" in err
