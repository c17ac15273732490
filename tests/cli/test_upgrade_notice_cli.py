"""The command line says in one line on stderr when it upgrades an existing database (it can take
minutes on a big one), and nothing when no migration is pending or the file is new."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from incident_app.storage.database import connect, discover_migrations, migrate

ROOT = Path(__file__).resolve().parents[2]


def _cli(db: Path, *args: str, lang: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "INCIDENT_APP_LANG"} | {"PYTHONPATH": str(ROOT)}
    if lang is not None:
        env["INCIDENT_APP_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "incident_app", *args, "--db", str(db)],
                          capture_output=True, text=True, timeout=120, env=env, check=False)


def _at_35(path: Path) -> None:
    db = connect(path)
    migrate(db, path, until=35)
    db.close()


def _applied(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT max(number) FROM _migrations").fetchone()[0])


def test_upgrade_notice_once_then_silence(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    _at_35(db)
    first = _cli(db, "db", "status")
    assert first.returncode == 0, first.stderr
    backup = tmp_path / "old.sqlite3.before-m0036.bak"
    notice = [line for line in first.stderr.splitlines() if "升级" in line or "upgrading" in line]
    assert notice == [f"incident-app: 正在升级数据库（升级前的副本：{backup}）… / "
                      f"upgrading the database (a copy from before is kept at {backup})…"], first.stderr
    # One notice for all that was pending, migration 38 (send_ledger.contact_seq) and later included.
    assert backup.exists() and _applied(db) == max(m.number for m in discover_migrations()) >= 38

    again = _cli(db, "db", "status")
    assert again.returncode == 0, again.stderr
    assert "升级" not in again.stderr and "upgrad" not in again.stderr.lower(), again.stderr


def test_upgrade_notice_in_the_chosen_language(tmp_path: Path) -> None:
    english, chinese = tmp_path / "en.sqlite3", tmp_path / "zh.sqlite3"
    _at_35(english)
    _at_35(chinese)
    en = _cli(english, "db", "status", lang="en")
    zh = _cli(chinese, "db", "status", lang="zh-CN")
    assert en.returncode == zh.returncode == 0, en.stderr + zh.stderr
    assert [line for line in en.stderr.splitlines() if "upgrad" in line or "升级" in line] == [
        f"incident-app: upgrading the database (a copy from before is kept at {english}.before-m0036.bak)…"]
    assert [line for line in zh.stderr.splitlines() if "upgrad" in line or "升级" in line] == [
        f"incident-app: 正在升级数据库（升级前的副本：{chinese}.before-m0036.bak）…"]


def test_no_notice_for_a_new_database(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    created = _cli(db, "db", "init")
    assert created.returncode == 0, created.stderr
    assert "升级" not in created.stderr and "upgrad" not in created.stderr.lower(), created.stderr
