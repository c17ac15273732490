"""The SMS / phone hand-off dialog of the Notices tab on the demo incident: the approval pack, the
masked preview, the batch file written and the provider's report imported into the ledger."""

from __future__ import annotations

import csv
import re
import sqlite3
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from incident_app.cli.main import run
from incident_app.domain.errors import FieldProblem
from incident_app.domain.i18n import Translator
from incident_app.domain.notices.sms_gateway import (
    Provider,
    SmsTemplate,
    Variable,
    billing_problems,
    provider_phone,
    signature_problems,
    template_problems,
    value_problems,
)
from incident_app.services.resources import load_messages
from incident_app.ui.common.problems import problem_text
from incident_app.ui.notices.handoff_dialog import HandoffDialog
from tests.ui.helpers import notices_tab


def test_handoff_dialog_previews_masked_rows_writes_the_file_and_imports_the_report(
        qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    tab = notices_tab(qtbot, db, "en")
    tab.show()
    tab.open_handoff_dialog()
    dialog = tab.handoff_dialog
    assert "Cannot be exported yet" in dialog.preview_label.text()
    assert "Not approved in its current form: approve it in the Notices tab first" in dialog.preview_label.text()
    assert not dialog.btn_sms.isEnabled()
    tab.approve("王安全")
    dialog.refresh()
    pack = dialog.pack.toPlainText()
    assert "编号${code}" in pack and "Variables: code (reference code, ≤14)" in pack
    assert "meets the provider's rules" in pack
    assert "English SMS signature: 【Wotu】" in pack and "GSM-7, signature 【Wotu】 included), 2 billed parts" in pack
    dialog.signature_en.setText("我图网络")  # a Chinese signature on English SMS: billed in UCS-2, 4 parts
    dialog.refresh()
    assert "4 billed parts" in dialog.pack.toPlainText()
    assert "enter an English SMS signature of 2–12 Latin letters" in dialog.pack.toPlainText()
    assert not dialog.btn_sms.isEnabled() and "billed in UCS-2 as 4 parts" in dialog.preview_label.text()
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


# The service's own English (worded for the CLI) that the dialog must never show as it is.
SERVICE_WORDING = ("(give a shorter company name", "--signature", "write it without", "billed parts; 2 parts hold",
                   "profile set", "sms_signature_en", "signature: signature", "run 'approve' first",
                   "a domestic notification SMS", "SMS recipient")


def dialog_text(dialog: HandoffDialog) -> str:
    return "\n".join([dialog.windowTitle(), dialog.pack.toPlainText(), dialog.preview_label.text(),
                      dialog.status_label.text(), dialog.btn_sms.text(), dialog.pack_label.text()])


def test_the_gateway_rules_follow_the_language_switch(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    assert run(["approve", "1", "--by", "王安全", "--db", str(db)]) == 0
    tab = notices_tab(qtbot, db, "zh-CN")
    tab.show()
    tab.open_handoff_dialog()
    dialog = tab.handoff_dialog
    dialog.signature.setText("我图网络科技有限公司上海分公司【】")  # 17 characters, with brackets
    dialog.signature_en.setText("我图网络")  # English SMS billed in UCS-2: 4 parts
    dialog.refresh()
    zh = dialog_text(dialog)
    assert "签名有 17 个字，须为 2–12 个字：请在“短信签名”一栏填写较短的公司名称" in zh
    assert "签名不要加【】（服务商会自动加上）" in zh
    assert ("受影响个人（英文）短信：含签名共 220 字：签名【我图网络】不是 GSM 7 位字符，"
            "整条短信按 UCS-2 计费，计 4 条") in zh
    assert "不符合服务商规则：\n• 签名有 17 个字" in zh and "暂不能导出：\n• " in zh
    assert [w for w in SERVICE_WORDING if w in zh] == []
    assert "The signature" not in zh and "billed in UCS-2 as" not in zh

    tab.set_language(Translator(load_messages(), "en"))  # the window's language switch
    en = dialog_text(dialog)
    assert "SMS and phone hand-off" in en and "Export SMS batch file…" in en
    assert "The signature has 17 characters; it must have 2–12: enter a shorter company name under SMS signature" in en
    assert "Write the signature without 【】 (the provider adds them)" in en
    assert ("Affected people SMS (English): 220 characters with the signature: the signature 【我图网络】 is not "
            "GSM 7-bit, so the whole message is billed in UCS-2 as 4 parts, and 2 parts hold 134") in en
    assert [w for w in SERVICE_WORDING if w in en] == []
    assert "签名有" not in en and "暂不能导出" not in en and "不符合服务商规则" not in en

    tab.set_language(Translator(load_messages(), "zh-CN"))
    assert "短信与电话交接" in dialog_text(dialog) and "签名有 17 个字" in dialog_text(dialog)
    out = tmp_path / "sms.csv"
    dialog.export_sms_to(out)  # refused like the preview, said beside the buttons; nothing written
    assert dialog.status_label.text().startswith("未导出：\n• 签名有 17 个字") and not out.exists()
    assert [w for w in SERVICE_WORDING if w in dialog.status_label.text()] == []
    assert not tab.errors.shown and not dialog.errors.shown


def test_the_mainland_number_rule_is_worded_in_each_language(qtbot: QtBot, tmp_path: Path) -> None:
    """Alibaba Cloud's domestic SMS reaches mainland numbers only: a Hong Kong number refuses the
    batch, and the dialog names the recipient row and the rule in the officer's language."""
    db = tmp_path / "db.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    people = tmp_path / "hk.csv"
    people.write_text("user_id,name,phone,language\nhk1,Chan Tai Man,+85291234567,zh-CN\n", encoding="utf-8")
    assert run(["import-people", "1", str(people), "--db", str(db)]) == 0
    assert run(["approve", "1", "--by", "王安全", "--db", str(db)]) == 0
    tab = notices_tab(qtbot, db, "en")
    tab.open_handoff_dialog()
    dialog = tab.handoff_dialog
    dialog.provider.setCurrentIndex(dialog.provider.findData("aliyun"))
    en = dialog.preview_label.text()
    assert re.search(r"SMS recipient \d+ \(BD1-[0-9A-F]{10}\): A domestic notification SMS reaches only mainland "
                     r"mobile numbers: export in the generic layout, or tell this person another way", en), en
    assert "91234567" not in en and not dialog.btn_sms.isEnabled()
    tab.set_language(Translator(load_messages(), "zh-CN"))
    zh = dialog.preview_label.text()
    assert re.search(r"第 \d+ 位短信收件人（BD1-[0-9A-F]{10}）：国内通知短信只能发往中国大陆手机号码", zh), zh
    assert [w for w in SERVICE_WORDING if w in zh] == []


def gateway_messages() -> list[str]:
    """One message of every gateway rule, as the domain words it."""
    long_template = SmsTemplate("x" * 501 + "【${code}${code}${other}", (
        Variable("code", "reference code", 40, "https://a.cn"), Variable("other", "x", 5, "y")))
    messages = [*signature_problems("一" * 13 + "【】"),
                *template_problems(long_template, Provider.TENCENT, website=""),
                *template_problems(SmsTemplate("see www.evil.com ${code}", ()), website="wotu.cn"),
                *billing_problems("我图网络", "x" * 300, "en"), *billing_problems("Wotu", "一" * 300, "zh-CN"),
                *value_problems({"code": "https://x.cn/" + "a" * 40}, long_template, Provider.TENCENT)]
    try:
        provider_phone("+85291234567", Provider.ALIYUN)
    except ValueError as exc:
        messages.append(str(exc))
    return messages


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_gateway_rule_has_a_catalog_text(lang: str) -> None:
    """A rule added to (or reworded in) the gateway module without a catalog text would reach the
    dialog in the service's English: every one maps to a key of the catalog."""
    tr = Translator(load_messages(), lang)
    messages = gateway_messages()
    assert len(messages) >= 14
    for message in messages:
        text = problem_text(FieldProblem("signature", message), tr)
        assert text != message, message
        assert "{" not in text.replace("${code}", ""), text  # every placeholder filled
        if lang == "zh-CN":
            assert re.search(r"[\u4e00-\u9fff]", text), text
        else:
            assert not re.search(r"[\u4e00-\u9fff]", re.sub(r"【[^】]*】", "", text)), text  # but the signature


def test_a_refused_sms_report_is_said_in_chinese_beside_the_buttons_and_imports_nothing(
        qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    assert run(["approve", "1", "--by", "王安全", "--db", str(db)]) == 0
    tab = notices_tab(qtbot, db, "zh-CN")
    tab.open_handoff_dialog()
    dialog = tab.handoff_dialog
    dialog.provider.setCurrentIndex(dialog.provider.findData("generic"))
    out = tmp_path / "sms.csv"
    dialog.export_sms_to(out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        out_ids = [r[7] for r in list(csv.reader(handle))[1:]]
    report = tmp_path / "report.csv"
    report.write_text("out_id,status,reason\n"
                      f"{out_ids[0]},delivered,\n"
                      f"{out_ids[1]},failed,mailbox full, try later\n"
                      f"{out_ids[2]},who-knows,\n"
                      "not-ours,delivered,\n", encoding="utf-8")
    dialog.import_report(report, "sms")
    text = dialog.status_label.text()
    assert text.startswith("回执有问题，未导入任何内容")
    assert "第 3 行：本行有 4 个单元格，但表头只有 3 列" in text
    assert "第 4 行：状态“who-knows”无法识别" in text
    assert "第 5 行：消息编号“not-ours”不在本事件的交接记录中" in text
    assert "not understood" not in text and "cells but the header" not in text
    assert not dialog.errors.shown and not tab.errors.shown
    with sqlite3.connect(db) as conn:
        assert {s for (s,) in conn.execute("SELECT state FROM send_ledger WHERE channel = 'sms'")} == {"queued"}
