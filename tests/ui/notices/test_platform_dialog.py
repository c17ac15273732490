"""The mass-platform hand-off dialog of the Notices tab on the demo incident: refused before
approval, a masked preview, the recipients file written (and a cancelled export leaving nothing),
the delivery report summarised before it is committed, then the obligations met."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QProgressDialog
from pytestqt.qtbot import QtBot

from incident_app.cli.main import run
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobRunner
from incident_app.services.container import open_services
from incident_app.services.resources import load_messages
from incident_app.ui.notices.tab import NoticesTab
from tests.ui.helpers import notices_tab


def ledger_states(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT state, count(*) FROM send_ledger WHERE channel = 'platform' GROUP BY state"))


def test_platform_dialog_previews_exports_checks_and_imports(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    tab = notices_tab(qtbot, db, "zh-CN")
    tab.show()
    assert tab.btn_platform.text() == "群发平台交接…"
    tab.tr_ = Translator(load_messages(), "en")
    tab.retranslate()
    assert tab.btn_platform.text() == "Mass-platform hand-off…"
    tab.open_platform_dialog()
    dialog = tab.platform_dialog
    assert "Cannot be exported yet" in dialog.preview_label.text() and "not approved" in dialog.preview_label.text()
    assert not dialog.btn_export.isEnabled()
    tab.approve("王安全")
    dialog.refresh()
    assert dialog.btn_export.isEnabled() and dialog.preview.rowCount() == 5
    masked = dialog.preview.item(0, 2).text()
    assert "*" in masked and masked != "user0001@example.com"

    out = tmp_path / "recipients.jsonl"
    dialog.export_to(out)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines and "recipients written" in dialog.status_label.text()
    dialog.export_to(out)
    assert "same references" in dialog.status_label.text()

    report = tmp_path / "report.csv"
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    report.write_text("reference,status,time,reason\n" + "".join(
        f"{line['reference']},{'bounced' if i == 0 else 'delivered'},{now},{'mailbox full' if i == 0 else ''}\n"
        for i, line in enumerate(lines)), encoding="utf-8")
    dialog.check_report(report)
    summary = dialog.status_label.text()
    assert f"{len(lines) - 1:,} delivered, 1 failed" in summary and "0 unknown" in summary
    assert dialog.btn_commit.isEnabled() and ledger_states(db) == {"queued": len(lines)}, "checking writes nothing"
    dialog.commit_report()
    assert "Imported" in dialog.status_label.text() and ledger_states(db) == {"sent": len(lines) - 1, "failed": 1}
    assert not dialog.btn_commit.isEnabled()
    retry = tmp_path / "retry.csv"  # the platform's later report: the bounced address got it on a retry
    later = (datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)).isoformat()
    retry.write_text(f"reference,status,time\n{lines[0]['reference']},已送达,{later}\n", encoding="utf-8")
    dialog.check_report(retry)
    dialog.commit_report()
    assert ledger_states(db) == {"sent": len(lines)}
    services = open_services(db)
    statuses = {o.id: o.status.value for o in services.assessment.assess(1).obligations}
    services.close()
    assert statuses["pipl57-individuals"] == statuses["minors-guardians"] == "met"

    unknown = tmp_path / "unknown.csv"
    unknown.write_text(f"reference,status,time\nbd1nope,delivered,{now}\n", encoding="utf-8")
    dialog.check_report(unknown)
    assert "1 unknown" in dialog.status_label.text() and "'bd1nope'" in dialog.status_label.text()
    assert not dialog.btn_commit.isEnabled()
    assert not tab.errors.shown and not dialog.errors.shown


def test_a_cancelled_platform_export_leaves_no_file_and_no_ledger_row(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    assert run(["approve", "1", "--by", "王安全", "--db", str(db)]) == 0
    runner = JobRunner(lambda: open_services(db))
    tab = NoticesTab(runner, Translator(load_messages(), "en"), 1)
    tab.errors.interactive = False
    qtbot.addWidget(tab)
    tab.open_platform_dialog()
    dialog = tab.platform_dialog
    out = tmp_path / "recipients.jsonl"
    handle = dialog.export_to(out)
    # Cancel before the first recipient is written (what the progress dialog's Cancel does).
    handle.progress.cancel()
    for progress in dialog.findChildren(QProgressDialog, "jobProgress"):
        progress.cancel()
    qtbot.waitUntil(lambda: handle.done.is_set(), timeout=60_000)
    qtbot.waitUntil(lambda: "cancelled" in dialog.status_label.text(), timeout=10_000)
    assert not out.exists() and not list(tmp_path.glob("*.jsonl*")) and not list(tmp_path.glob(".*.part"))
    assert ledger_states(db) == {} and not dialog.errors.shown
    runner.wait_all(10_000)


def test_the_chinese_dialog_names_report_problems_in_chinese(qtbot: QtBot, tmp_path: Path) -> None:
    """A report with an unknown reference (counted) or a repeated one (refused) is explained in
    the officer's language, with the row, not in the validator's English."""
    db = tmp_path / "db.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    assert run(["approve", "1", "--by", "王安全", "--db", str(db)]) == 0
    tab = notices_tab(qtbot, db, "zh-CN")
    tab.open_platform_dialog()
    dialog = tab.platform_dialog
    out = tmp_path / "recipients.jsonl"
    dialog.export_to(out)
    ref = json.loads(out.read_text(encoding="utf-8").splitlines()[0])["reference"]
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    cases = {
        "unknown": (f"bd1nope,delivered,{now}\n", "第 2 行", "“bd1nope”"),
        "repeated": (f"{ref},delivered,{now}\n{ref},failed,{now}\n", "第 3 行", "第 2 行"),
        "status": (f"{ref},maybe,{now}\n", "第 2 行", "“maybe”"),
        "future": (f"{ref},delivered,2099-01-01T00:00:00Z\n", "第 2 行", "2099"),
        "before": (f"{ref},delivered,2020-01-01T00:00:00Z\n", "第 2 行", "交接"),
        "extra cells": (f"{ref},failed,{now},mailbox full, try later\n", "第 2 行", "表头只有 3 列"),
    }
    for name, (rows, where, what) in cases.items():
        report = tmp_path / f"{name}.csv"
        report.write_text("reference,status,time\n" + rows, encoding="utf-8")
        dialog.check_report(report)
        text = dialog.status_label.text()
        assert where in text and what in text, (name, text)
        for english in ("row ", "reference", "is not in this incident", "the same reference", "not understood",
                        "in the future", "before the export"):
            assert english not in text, (name, text)
        assert not dialog.btn_commit.isEnabled()
    assert not tab.errors.shown and not dialog.errors.shown


def test_a_latin1_report_is_refused_in_the_dialog_naming_the_file_and_line(qtbot: QtBot, tmp_path: Path) -> None:
    """The same refusal as ``import-delivery``: not read as GB18030 mojibake, the file and the
    line named, in the officer's language, and nothing to commit."""
    db = tmp_path / "db.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    assert run(["approve", "1", "--by", "王安全", "--db", str(db)]) == 0
    for lang, words in (("zh-CN", ("第 2 行", "latin.csv", "CSV UTF-8", "Latin-1")),
                        ("en", ("line 2", "latin.csv", "CSV UTF-8", "Latin-1"))):
        tab = notices_tab(qtbot, db, lang)
        tab.open_platform_dialog()
        dialog = tab.platform_dialog
        out = tmp_path / "recipients.jsonl"
        dialog.export_to(out)
        ref = json.loads(out.read_text(encoding="utf-8").splitlines()[0])["reference"]
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        report = tmp_path / "latin.csv"
        text = f"reference,status,time,reason\r\n{ref},bounced,{now},Réception refusée\r\n"
        report.write_bytes(text.encode("cp1252"))
        dialog.check_report(report)
        text = dialog.status_label.text()
        assert all(w in text for w in words), (lang, text)
        if lang == "zh-CN":
            assert "not Chinese text" not in text and "line 2" not in text, text
        assert not dialog.btn_commit.isEnabled() and not tab.errors.shown and not dialog.errors.shown
        assert ledger_states(db) == {"queued": len(out.read_text(encoding="utf-8").splitlines())}
