from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as cipher

from incident_app.domain.errors import ValidationError
from incident_app.domain.passphrase import NotEncrypted, PassphraseRequired, WrongPassphrase
from incident_app.services.container import open_services
from incident_app.services.encryption import connect_hook_for, encrypt_copy, is_encrypted, rekey_database
from incident_app.storage import database
from incident_app.storage.encryption import DatabaseKind, EncryptedConnector, detect_database_kind

FAST = 2  # KDF iterations for tests that do not test the key derivation itself
PASS = "correct horse battery staple"
MARKER = "Zebra-Marker-4711"


def file_digest(*paths: Path) -> list[str]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "absent" for p in paths]


def make_encrypted(path: Path, intake: dict[str, object], iterations: int = FAST) -> None:
    svc = open_services(path, connect_hook=connect_hook_for(path, PASS, encrypt_new=True, iterations=iterations))
    svc.incidents.create(intake | {"title": MARKER})
    svc.close()


def test_kind_is_told_from_the_first_bytes(tmp_path: Path, intake: dict[str, object]) -> None:
    plain, secret = tmp_path / "plain.db", tmp_path / "secret.db"
    assert detect_database_kind(plain) is DatabaseKind.NEW
    open_services(plain).close()
    make_encrypted(secret, intake)
    assert detect_database_kind(plain) is DatabaseKind.PLAIN
    assert detect_database_kind(secret) is DatabaseKind.ENCRYPTED


def test_encrypted_file_holds_no_plaintext(tmp_path: Path, intake: dict[str, object]) -> None:
    path = tmp_path / "secret.db"
    make_encrypted(path, intake)
    assert MARKER.encode() not in path.read_bytes()
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(path).execute("SELECT * FROM incidents").fetchall()


def test_wrong_passphrase_fails_clearly_and_leaves_the_file_alone(tmp_path: Path, intake: dict[str, object]) -> None:
    path = tmp_path / "secret.db"
    make_encrypted(path, intake, iterations=256_000)  # the real key derivation
    holder = open_services(path, connect_hook=connect_hook_for(path, PASS))  # keeps a WAL file alive
    holder.incidents.create(intake | {"title": "second"})
    wal = path.with_name(path.name + "-wal")
    before = file_digest(path, wal)
    with pytest.raises(WrongPassphrase) as exc:
        connect_hook_for(path, "correct horse battery stapler")
    assert "does not open" in str(exc.value) and "not changed" in str(exc.value)
    assert "stapler" not in str(exc.value)
    assert file_digest(path, wal) == before
    holder.close()
    reopened = open_services(path, connect_hook=connect_hook_for(path, PASS))
    assert [i.facts.title for i in reopened.incidents.list()] == [MARKER, "second"]
    reopened.close()


def test_stock_sqlcipher_opens_the_file_with_the_passphrase(tmp_path: Path, intake: dict[str, object]) -> None:
    path = tmp_path / "secret.db"
    make_encrypted(path, intake, iterations=256_000)
    conn = cipher.connect(str(path))
    conn.execute(f"PRAGMA key = '{PASS}'")
    assert conn.execute("SELECT title FROM incidents").fetchall() == [(MARKER,)]
    conn.close()


def test_encrypted_file_without_passphrase_says_how_to_give_it(tmp_path: Path, intake: dict[str, object]) -> None:
    path = tmp_path / "secret.db"
    make_encrypted(path, intake)
    with pytest.raises(PassphraseRequired, match="--passphrase-env"):
        connect_hook_for(path, None)


def test_new_encrypted_database_needs_a_good_passphrase(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="at least 10"):
        connect_hook_for(tmp_path / "new.db", "short", encrypt_new=True)
    assert not (tmp_path / "new.db").exists()


def test_plain_file_opens_plain_even_with_a_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    open_services(path).close()
    assert connect_hook_for(path, PASS) is None
    with pytest.raises(NotEncrypted):
        EncryptedConnector.unlock(path, PASS)


def test_rekey_changes_the_passphrase_and_is_logged(tmp_path: Path, intake: dict[str, object]) -> None:
    path = tmp_path / "secret.db"
    make_encrypted(path, intake)
    svc = open_services(path, connect_hook=connect_hook_for(path, PASS, iterations=FAST))
    with pytest.raises(ValidationError):
        rekey_database(svc, "tiny")
    rekey_database(svc, "a brand new passphrase")
    svc.close()
    with pytest.raises(WrongPassphrase):
        connect_hook_for(path, PASS, iterations=FAST)
    svc = open_services(path, connect_hook=connect_hook_for(path, "a brand new passphrase", iterations=FAST))
    events = list(svc.ctx.store.events.iter_all())
    assert events[-1].type == "database.rekeyed" and "passphrase" not in str(events[-1].payload)
    assert svc.audit.verify().ok and svc.incidents.list()[0].facts.title == MARKER
    svc.close()


def test_backup_before_migration_stays_encrypted(
    tmp_path: Path, intake: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret.db"
    make_encrypted(path, intake)
    real = database.discover_migrations()

    def add_table(db):  # type: ignore[no-untyped-def]
        db.table("extra").create({"id": int}, pk="id")
        db.table("extra").drop(ignore=True)  # sqlite-utils' ignore path needs the exception shim
        db.table("never_there").drop(ignore=True)

    monkeypatch.setattr(database, "discover_migrations",
                        lambda: [*real, database.Migration(9997, "m9997_test", add_table)])
    connector = connect_hook_for(path, PASS, iterations=FAST)
    assert connector is not None
    open_services(path, connect_hook=connector).close()
    backup = path.with_name(path.name + ".before-m9997.bak")
    assert detect_database_kind(backup) is DatabaseKind.ENCRYPTED
    assert MARKER.encode() not in backup.read_bytes()
    conn = connector(backup)
    assert conn.execute("SELECT title FROM incidents").fetchall() == [(MARKER,)]
    conn.close()


def test_shim_raises_stdlib_exceptions(tmp_path: Path) -> None:
    path = tmp_path / "secret.db"
    connector = EncryptedConnector.for_new_file(PASS, FAST)
    conn = connector(path)
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        conn.execute("SELECT * FROM nowhere")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    conn.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.IntegrityError) as exc:
        conn.execute("INSERT INTO t VALUES (1)")
    assert exc.value.sqlite_errorname.startswith("SQLITE_CONSTRAINT")
    conn.close()
    assert "key" not in repr(connector).replace("key hidden", "")


def test_encrypt_copy_of_a_plain_database(tmp_path: Path, intake: dict[str, object]) -> None:
    plain, copy = tmp_path / "plain.db", tmp_path / "copy.db"
    svc = open_services(plain)
    svc.incidents.create(intake | {"title": MARKER})
    encrypt_copy(svc, copy, PASS, iterations=FAST)
    assert not is_encrypted(svc)
    assert svc.ctx.store.events.for_incident(1)[0].type == "incident.created"
    last = list(svc.ctx.store.events.iter_all())[-1]
    assert last.type == "export.written" and last.payload["where"] == str(copy)
    svc.close()
    assert MARKER.encode() not in copy.read_bytes()
    assert copy.stat().st_mode & 0o077 == 0
    enc = open_services(copy, connect_hook=connect_hook_for(copy, PASS, iterations=FAST))
    assert is_encrypted(enc) and enc.incidents.list()[0].facts.title == MARKER and enc.audit.verify().ok
    enc.close()
