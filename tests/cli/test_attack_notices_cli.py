"""Attack findings on the notices: what a recipient preview shows, a fact changed in one language
after approval, Chinese left in English notices."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from incident_app.cli.main import run


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


def test_preview_sms_is_the_text_the_gateway_batch_sends(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    cli(capsys, db, "demo")
    assert cli(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    out = tmp_path / "sms.csv"
    assert cli(capsys, db, "export-sms", "1", "--out", str(out))[0] == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        batch = {row["code"]: row["text"] for row in csv.DictReader(handle)}
    people = json.loads(cli(capsys, db, "people", "1")[1])["people"]
    by_sms = [p for p in people if p["channel"] == "sms"]
    person = next(p for p in by_sms if p["language"] == "en")  # English, an SMS recipient
    code, printed, _ = cli(capsys, db, "preview", "1", str(person["id"]))
    assert code == 0
    sms = [n for n in json.loads(printed)["notices"] if n["channel"] == "sms"]
    assert sms
    for notice in sms:
        assert "[" not in notice["text"].replace("【", ""), notice["text"]  # no section headings
        assert notice["text"] == batch[notice["reference"]]


def test_a_fact_changed_in_chinese_only_after_approval_holds_the_english_notice(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    cli(capsys, db, "demo")
    assert cli(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    code, _, err = cli(capsys, db, "edit", "1", "--field", "summary", "--lang", "zh-CN",
                       "--value", "第三方登录 SDK 的日志接口未鉴权，泄露了约 200 名用户的手机号和设备标识。")
    assert code == 0 and "summary" in err and "--lang en" in err  # says the English text now needs a look
    code, printed, _ = cli(capsys, db, "notices", "1", "--out", str(tmp_path / "out"), "--format", "txt")
    regulator_en = next(n for n in json.loads(printed)["notices"]
                        if n["kind"] == "regulator_initial" and n["lang"] == "en")
    assert regulator_en["status"] != "approved"  # its English summary no longer says what the Chinese says
    assert any("summary" in p for p in regulator_en["problems"]), regulator_en["problems"]
    code, _, err = cli(capsys, db, "approve", "1", "--by", "王安全")
    assert code == 2 and "summary" in err
    same = json.loads(cli(capsys, db, "show", "1")[1])["facts"]["summary"]["en"]
    assert cli(capsys, db, "edit", "1", "--field", "summary", "--lang", "en", "--value", same)[0] == 0
    assert cli(capsys, db, "approve", "1", "--by", "王安全")[0] == 0


HAN = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def test_no_chinese_in_any_english_notice_of_the_demo(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Done criterion: a reader who knows no Chinese finds none in an English notice, the
    company's registered name and address aside."""
    db = tmp_path / "db.sqlite3"
    cli(capsys, db, "demo")
    profile = json.loads(cli(capsys, db, "profile", "show")[1])
    registered = [profile["company_zh"], profile["postal_address_zh"]]
    out = tmp_path / "out"
    assert cli(capsys, db, "notices", "1", "--out", str(out), "--format", "html,txt")[0] == 0
    found = {}
    for path in sorted(out.rglob("*.en.*")):
        text = path.read_text(encoding="utf-8")
        for value in registered:
            text = text.replace(value, "")
        if HAN.search(text):
            found[str(path.relative_to(out))] = [line for line in text.splitlines() if HAN.search(line)][:3]
    assert not found, found


def test_personal_notices_do_not_list_a_change_to_the_internal_narrative(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The summary, systems, place and finder are not told to people: a change to them is no
    "what has changed" line ("Summary: (updated) → (updated)"), and a bilingual fact that is
    listed shows its text in the notice's language."""
    db = tmp_path / "db.sqlite3"
    cli(capsys, db, "demo")
    assert cli(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    for lang, text in (("zh-CN", "日志接口未鉴权，内部说明改写。"), ("en", "Internal account, rewritten.")):
        assert cli(capsys, db, "edit", "1", "--field", "summary", "--lang", lang, "--value", text)[0] == 0
    assert cli(capsys, db, "edit", "1", "--field", "title", "--lang", "en", "--value", "SDK log leak")[0] == 0
    out = tmp_path / "out"
    assert cli(capsys, db, "notices", "1", "--out", str(out), "--format", "txt")[0] == 0
    for kind in ("individual", "guardian", "minor"):
        for lang in ("zh-CN", "en"):
            text = (out / kind / f"email_text.{lang}.txt").read_text(encoding="utf-8")
            assert "updated" not in text and "已更新" not in text, (kind, lang)
            assert "Internal account" not in text and "内部说明" not in text, (kind, lang)


def test_an_audience_text_in_one_language_only_holds_the_other_languages_notice(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    cli(capsys, db, "demo")
    assert cli(capsys, db, "edit", "1", "--element", "possible_harm", "--lang", "en", "--audience", "individual",
               "--value", "Someone could call you pretending to be us.")[0] == 0
    code, printed, _ = cli(capsys, db, "notices", "1", "--out", str(tmp_path / "out"), "--format", "txt")
    individual = [n for n in json.loads(printed)["notices"] if n["kind"] == "individual"]
    zh = next(n for n in individual if n["lang"] == "zh-CN" and n["channel"] == "email_text")
    assert not zh["complete"] and any("individual.possible_harm" in p for p in zh["problems"]), zh["problems"]
    code, _, err = cli(capsys, db, "approve", "1", "--by", "王安全")
    assert code == 2 and "Chinese text missing: individual.possible_harm" in err and "--element" in err
    assert cli(capsys, db, "edit", "1", "--element", "possible_harm", "--lang", "zh-CN", "--audience", "individual",
               "--value", "可能有人冒充我们给您打电话。")[0] == 0
    assert cli(capsys, db, "approve", "1", "--by", "王安全")[0] == 0


def test_register_sheet_shows_bilingual_facts_as_text_not_a_stored_object(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    cli(capsys, db, "demo")
    out = tmp_path / "register.csv"
    assert cli(capsys, db, "register", "--out", str(out))[0] == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))[:2]
    cells = dict(zip(header, row, strict=True))
    assert not [c for c in row if c.startswith("{") or "'zh-CN'" in c], cells
    assert cells["事件 Incident"] == ("一键登录 SDK 接口泄露手机号与设备标识 / "
                                     "One-click-login SDK leaked phone numbers and device identifiers")
    assert cells["涉及系统 Systems"].startswith("一键登录 SDK; 用户注册数据库 / One-click-login SDK")


def test_register_counts_sms_reported_sent_as_sms_not_as_email(capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    cli(capsys, db, "demo")
    assert cli(capsys, db, "approve", "1", "--by", "王安全")[0] == 0
    before = json.loads(cli(capsys, db, "register")[1])["incidents"][0]
    out = tmp_path / "sms.csv"
    assert cli(capsys, db, "export-sms", "1", "--out", str(out))[0] == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    report = tmp_path / "report.csv"
    report.write_text("out_id,status\n" + "".join(f"{r['out_id']},delivered\n" for r in rows[:10]), encoding="utf-8")
    assert cli(capsys, db, "import-sms-report", "1", str(report))[0] == 0
    after = json.loads(cli(capsys, db, "register")[1])["incidents"][0]
    assert after["notified_email"] == before["notified_email"] == 0  # no e-mail was sent
    assert after["pending_email"] == before["pending_email"]
    assert after["pending_sms"] == before["pending_sms"] - 10
