"""The platform hand-off dialog speaks the officer's language: why the file cannot be exported
yet, the notices with a new approved version named in words (受影响个人（邮件（HTML），简体中文）,
never individual/email_html/zh-CN), and every refused delivery report explained row by row."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.cli.main import run
from incident_app.services.container import open_services
from incident_app.ui.notices.tab import NoticesTab
from tests.ui.helpers import notices_tab

ENGLISH = ("row ", "line ", "is empty", "empty;", "empty time", "not valid CSV", "longer than",
           "not approved", "individual/", "email_html", "zh-CN")


def dialog_for(qtbot: QtBot, db: Path, lang: str) -> tuple[NoticesTab, object]:
    tab = notices_tab(qtbot, db, lang)
    tab.open_platform_dialog()
    return tab, tab.platform_dialog


def test_refusals_and_new_versions_are_said_in_chinese(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    tab, dialog = dialog_for(qtbot, db, "zh-CN")
    refused = dialog.preview_label.text()  # type: ignore[attr-defined]
    # each kind not yet approved named once, in words, then what to do
    kinds = "未成年人监护人、受影响个人、十四至十七周岁未成年人"
    assert f"暂不能导出：{kinds}：当前版本尚未批准；请先批准" in refused, refused
    assert not [w for w in ENGLISH if w in refused], refused
    assert run(["approve", "1", "--by", "王安全", "--db", str(db)]) == 0
    out = tmp_path / "recipients.jsonl"
    dialog.export_to(out)  # type: ignore[attr-defined]
    services = open_services(db)
    try:  # a new Chinese text for the people's notices, approved again: a new hand-off version
        services.notices.set_element_text(1, "remedies", "zh-CN", "开通专线解答疑问。")
        services.notices.approve(1, "王安全")
    finally:
        services.close()
    dialog.export_to(out)  # type: ignore[attr-defined]
    status = dialog.status_label.text()  # type: ignore[attr-defined]
    assert "自上次导出以来有新批准的版本" in status and "受影响个人（邮件（HTML），简体中文）" in status, status
    assert not [w for w in ENGLISH if w in status], status
    assert not tab.errors.shown and not dialog.errors.shown  # type: ignore[attr-defined]


def test_each_refused_report_is_explained_in_the_screen_language(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    assert run(["approve", "1", "--by", "王安全", "--db", str(db)]) == 0
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    cases = {  # name: (file text, Chinese words, English words)
        "empty_reference": (f"reference,status,time\n,delivered,{now}\n", ("第 2 行（参考号）", "参考号为空"),
                            ("row 2, reference", "the reference is empty")),
        "empty_time": ("reference,status,time\n{ref},delivered,\n", ("第 2 行（时间）", "时间为空"),
                       ("row 2, time", "the time is empty")),
        "bad_header": ('"reference,status,time\n', ("表头", "表头不是有效的 CSV"),
                       ("header", "the header is not valid CSV")),
        "long_line": ("reference,status,time\n" + "x" * (1 << 20) + "\n", ("第 2 行", "超过 1,048,576 个字符"),
                      ("line 2", "longer than 1,048,576 characters")),
    }
    for lang in ("zh-CN", "en"):
        tab, dialog = dialog_for(qtbot, db, lang)
        out = tmp_path / "recipients.jsonl"
        dialog.export_to(out)  # type: ignore[attr-defined]
        ref = json.loads(out.read_text(encoding="utf-8").splitlines()[0])["reference"]
        for name, (rows, chinese, english) in cases.items():
            report = tmp_path / f"{name}.csv"
            report.write_text(rows.replace("{ref}", ref), encoding="utf-8")
            dialog.check_report(report)  # type: ignore[attr-defined]
            text = dialog.status_label.text()  # type: ignore[attr-defined]
            words = chinese if lang == "zh-CN" else english
            assert all(w in text for w in words), (lang, name, text)
            if lang == "zh-CN":
                assert not [w for w in ENGLISH if w in text], (name, text)
            assert not dialog.btn_commit.isEnabled()  # type: ignore[attr-defined]
        assert not tab.errors.shown and not dialog.errors.shown  # type: ignore[attr-defined]
