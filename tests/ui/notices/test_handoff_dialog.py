"""The SMS / phone hand-off dialog of the Notices tab on the demo incident: the approval pack, the
masked preview, the batch file written and the provider's report imported into the ledger."""

from __future__ import annotations

import csv
from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.cli.main import run
from tests.ui.helpers import notices_tab


def test_handoff_dialog_previews_masked_rows_writes_the_file_and_imports_the_report(
        qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    tab = notices_tab(qtbot, db, "en")
    tab.show()
    tab.open_handoff_dialog()
    dialog = tab.handoff_dialog
    assert "Cannot be exported yet" in dialog.preview_label.text() and "not approved" in dialog.preview_label.text()
    assert not dialog.btn_sms.isEnabled()
    tab.approve("王安全")
    dialog.refresh()
    pack = dialog.pack.toPlainText()
    assert "编号${code}" in pack and "Variables: code (reference code, ≤14)" in pack
    assert "meets the provider's rules" in pack
    assert "English SMS signature: 【Wotu】" in pack and "GSM-7, signature 【Wotu】 included), 2 billed parts" in pack
    dialog.signature_en.setText("我图网络")  # a Chinese signature on English SMS: billed in UCS-2, 4 parts
    dialog.refresh()
    assert "4 billed parts" in dialog.pack.toPlainText() and "sms_signature_en" in dialog.pack.toPlainText()
    assert not dialog.btn_sms.isEnabled() and "4 billed parts" in dialog.preview_label.text()
    dialog.signature_en.clear()
    dialog.refresh()
    assert dialog.btn_sms.isEnabled() and dialog.preview.rowCount() == 5
    phone = dialog.preview.item(0, 0).text()
    assert "****" in phone and not phone.startswith("+86")  # masked, e.g. 138****8000
    dialog.provider.setCurrentIndex(dialog.provider.findData("tencent"))
    assert "{1}" in dialog.pack.toPlainText()
    assert [dialog.preview.horizontalHeaderItem(i).text() for i in range(dialog.preview.columnCount())] == [
        "手机号码", "变量1"]
    dialog.provider.setCurrentIndex(dialog.provider.findData("generic"))
    out = tmp_path / "sms.csv"
    dialog.export_sms_to(out)
    assert out.exists() and "rows written" in dialog.status_label.text()
    with out.open(encoding="utf-8-sig", newline="") as handle:
        out_ids = [r[7] for r in list(csv.reader(handle))[1:]]
    report = tmp_path / "report.csv"
    report.write_text("out_id,status\n" + "".join(f"{i},delivered\n" for i in out_ids), encoding="utf-8")
    dialog.import_report(report, "sms")
    assert f"{len(out_ids)} delivered" in dialog.status_label.text()
    assert not tab.errors.shown and not dialog.errors.shown


def test_the_chinese_dialog_says_the_english_signature_rule_in_chinese(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    assert run(["approve", "1", "--by", "王安全", "--db", str(db)]) == 0
    tab = notices_tab(qtbot, db, "zh-CN")
    tab.open_handoff_dialog()
    dialog = tab.handoff_dialog
    dialog.signature_en.setText("Wotu!")
    dialog.refresh()
    pack = dialog.pack.toPlainText()
    assert "这不是英文短信签名：请用 2–12 个拉丁字母、数字或空格" in pack
    assert "is not an English SMS signature" not in pack
    assert "受影响个人（英文，" in pack and "（en，" not in pack and "受影响个人（中文，" in pack
    assert not dialog.btn_sms.isEnabled() and not tab.errors.shown
