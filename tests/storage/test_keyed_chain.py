"""The keyed event log against someone who can write the database file: forged, rewritten and
removed events are caught; the key lives outside the database; a missing key says "cannot verify";
a log from before keying upgrades in place. Runs on plain and encrypted files (db_hook)."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import keyring
import pytest
from chain_helpers import forge_event, make_old_format, rechain_plain
from keyring.backends.fail import Keyring as FailKeyring

from incident_app.domain.incident import IncidentStatus
from incident_app.domain.proof import UPGRADE_EVENT, ChainKeyMissingError, expected_hash
from incident_app.services.container import Services, open_services
from incident_app.storage import chain_key
from incident_app.storage.store import ConnectHook

Connect = Callable[[], sqlite3.Connection]


def _some_events(services: Services, intake: dict[str, object], n: int = 3) -> None:
    for i in range(n):
        services.incidents.create(intake | {"title": f"leak {i}"})


def test_new_events_are_keyed_not_plain_sha256(services: Services, intake: dict[str, object]) -> None:
    _some_events(services, intake)
    events = list(services.ctx.store.events.iter_all())
    assert services.audit.verify().ok
    key = services.ctx.store.events.keying.key
    for event in events:  # the hash is HMAC-SHA256 with the key, not a SHA-256 anyone can recompute
        assert expected_hash(event) != event.hash and expected_hash(event, key) == event.hash


def test_key_is_a_private_file_outside_the_database(services: Services, db_path: Path) -> None:
    database_id = services.audit.database_id
    key_file = Path(os.environ[chain_key.ENV_KEY_DIR]) / f"{database_id}.key"
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    key_hex = key_file.read_text().strip()
    assert len(bytes.fromhex(key_hex)) == 32
    services.ctx.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert key_hex.encode() not in db_path.read_bytes() and bytes.fromhex(key_hex) not in db_path.read_bytes()


def test_forged_event_with_recomputed_sha256_is_caught(
    services: Services, raw_connect: Connect, intake: dict[str, object]
) -> None:
    _some_events(services, intake)
    with closing(raw_connect()) as conn:
        seq = forge_event(conn)
    report = services.audit.verify()
    assert not report.ok and not report.key_missing and report.first_bad_seq == seq
    assert "keyed hash" in report.reason


def test_rewritten_and_rechained_log_is_caught(
    services: Services, raw_connect: Connect, intake: dict[str, object]
) -> None:
    _some_events(services, intake)

    def rename(row: dict[str, Any]) -> dict[str, Any]:
        return row | {"payload": row["payload"].replace("leak 1", "nothing happened")}

    with closing(raw_connect()) as conn:
        rechain_plain(conn, rename, from_seq=2)
    report = services.audit.verify()
    assert not report.ok and report.first_bad_seq == 2


def test_rechained_as_plain_with_keying_moved_past_the_end_is_caught(
    services: Services, raw_connect: Connect, intake: dict[str, object], db_hook: ConnectHook | None,
) -> None:
    """The attacker also claims keying starts after the last event (so every event looks plain)."""
    _some_events(services, intake)
    with closing(raw_connect()) as conn:
        rechain_plain(conn)
        conn.execute("UPDATE event_chain SET keyed_from = (SELECT max(seq) + 1 FROM events)")
        conn.commit()
    path = services.ctx.store.path
    assert path is not None
    reopened = open_services(path, connect_hook=db_hook)
    try:
        report = reopened.audit.verify()
    finally:
        reopened.close()
    assert not report.ok and not report.key_missing and "upgrade" in report.reason


def test_removed_last_events_are_caught_against_the_last_check(
    services: Services, raw_connect: Connect, intake: dict[str, object]
) -> None:
    _some_events(services, intake, 4)
    assert services.audit.verify().ok  # records the head outside the database
    with closing(raw_connect()) as conn:
        conn.execute("DELETE FROM events WHERE seq > 2")
        conn.commit()
    report = services.audit.verify()
    assert not report.ok and "ends at event 2" in report.reason and "event 4" in report.reason


def test_missing_key_says_cannot_verify_and_refuses_to_write(
    services: Services, intake: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    db_hook: ConnectHook | None,
) -> None:
    _some_events(services, intake)
    path = services.ctx.store.path
    services.close()
    monkeypatch.setenv(chain_key.ENV_KEY_DIR, str(tmp_path / "another-computer"))
    assert path is not None
    moved = open_services(path, connect_hook=db_hook)
    try:
        report = moved.audit.verify()
        assert not report.ok and report.key_missing and report.status == "cannot_verify"
        assert "another-computer" in report.key_location and moved.audit.database_id in report.reason
        before = moved.ctx.store.events.count()
        with pytest.raises(ChainKeyMissingError):
            moved.incidents.change_status(1, IncidentStatus.CONTAINED, "done")
        assert moved.ctx.store.events.count() == before
        assert moved.incidents.get(1).status is not IncidentStatus.CONTAINED  # nothing half written
    finally:
        moved.close()
    assert not (tmp_path / "another-computer").exists() or not any((tmp_path / "another-computer").iterdir())


def test_old_format_database_upgrades_in_place_and_still_verifies(
    services: Services, raw_connect: Connect, intake: dict[str, object], db_hook: ConnectHook | None,
) -> None:
    _some_events(services, intake)
    path = services.ctx.store.path
    assert path is not None
    services.close()
    plain_events = make_old_format(raw_connect)
    upgraded = open_services(path, connect_hook=db_hook)
    try:
        events = list(upgraded.ctx.store.events.iter_all())
        assert len(events) == plain_events + 1
        upgrade = events[plain_events]
        assert upgrade.type == UPGRADE_EVENT and upgrade.payload["plain_events"] == plain_events
        assert upgraded.audit.verify().ok
        upgraded.incidents.change_status(1, IncidentStatus.CONTAINED, "bucket closed")
        assert upgraded.audit.verify().ok
        assert path.with_name(f"{path.name}.before-m0020.bak").exists()
    finally:
        upgraded.close()
    again = open_services(path, connect_hook=db_hook)  # no second upgrade event
    try:
        assert [e.type for e in again.ctx.store.events.iter_all()].count(UPGRADE_EVENT) == 1
    finally:
        again.close()


def test_upgraded_log_old_events_are_still_protected(
    services: Services, raw_connect: Connect, intake: dict[str, object], db_hook: ConnectHook | None,
) -> None:
    """An edit of a plain (pre-upgrade) event, even re-chained up to the upgrade event, is caught at
    the upgrade event: its keyed hash covers the last plain event's hash."""
    _some_events(services, intake)
    path = services.ctx.store.path
    assert path is not None
    services.close()
    make_old_format(raw_connect)
    open_services(path, connect_hook=db_hook).close()

    def rename(row: dict[str, Any]) -> dict[str, Any]:
        return row | {"payload": row["payload"].replace("leak 0", "drill")}

    with closing(raw_connect()) as conn:
        upgrade_seq = conn.execute("SELECT seq FROM events WHERE type = ?", [UPGRADE_EVENT]).fetchone()[0]
        rechain_plain(conn, rename, before_seq=upgrade_seq)
    reopened = open_services(path, connect_hook=db_hook)
    try:
        report = reopened.audit.verify()
    finally:
        reopened.close()
    assert not report.ok and report.first_bad_seq == upgrade_seq


class _MemoryKeyring:
    """Speaks the keyring backend interface like a desktop's Secret Service, keeps entries in
    memory. Not a KeyringBackend subclass: those register themselves as the process-wide default."""

    priority = 1

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


def test_key_goes_to_the_os_keyring_when_one_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, intake: dict[str, object]
) -> None:
    monkeypatch.delenv(chain_key.ENV_KEY_DIR)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # never the real home
    backend = _MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    services = open_services(tmp_path / "k.db")
    services.incidents.create(intake)
    assert services.audit.verify().ok
    database_id = services.audit.database_id
    services.close()
    assert (chain_key.KEYRING_SERVICE, database_id) in backend.entries
    assert not list((tmp_path / "config").glob("**/*.key"))
    backend.entries.clear()  # the keyring lost it: cannot verify, never ok
    again = open_services(tmp_path / "k.db")
    try:
        report = again.audit.verify()
        assert report.key_missing and "keyring" in report.key_location
    finally:
        again.close()


def test_headless_linux_falls_back_to_the_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """keyring's own 'fail' backend (NoKeyringError on a headless box) means: use the file."""
    monkeypatch.delenv(chain_key.ENV_KEY_DIR)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(keyring, "get_keyring", FailKeyring)
    services = open_services(tmp_path / "f.db")
    database_id = services.audit.database_id
    services.close()
    key_file = tmp_path / "config" / "breach-desk" / "event-log-keys" / f"{database_id}.key"
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_keying_record_removed_is_tampering_not_a_plain_log(
    services: Services, raw_connect: Connect, intake: dict[str, object], db_hook: ConnectHook | None,
) -> None:
    """Dropping the keying table (the migration stays recorded) does not turn the log back into a
    plain one that a re-chained SHA-256 would satisfy."""
    _some_events(services, intake)
    path = services.ctx.store.path
    assert path is not None
    services.close()
    with closing(raw_connect()) as conn:
        conn.execute("DROP TABLE event_chain")
        conn.commit()
        rechain_plain(conn)
    reopened = open_services(path, connect_hook=db_hook)
    try:
        report = reopened.audit.verify()
    finally:
        reopened.close()
    assert not report.ok and not report.key_missing and "keying record" in report.reason


def test_the_key_is_looked_up_only_when_an_event_is_written_or_checked(
        tmp_path: Path, intake: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    # Reading (the register's first screen, the helper's jobs) never waits for the keyring.
    db = tmp_path / "db.sqlite3"
    first = open_services(db)
    first.incidents.create(intake)
    first.close()
    looked_up: list[str] = []
    real = chain_key.load_key
    monkeypatch.setattr(chain_key, "load_key", lambda database_id: (looked_up.append(database_id),
                                                                    real(database_id))[1])
    services = open_services(db)
    assert len(services.incidents.list()) == 1
    assert looked_up == []
    services.incidents.create(intake)  # appending an event needs the key
    assert len(looked_up) == 1
    assert services.audit.verify().ok
    services.close()
