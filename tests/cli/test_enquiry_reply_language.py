"""Enquiry replies speak the enquirer's language: an English reply is sent from the company's
English name (a Chinese one from the Chinese name), names the incident by its English title only
(just "the incident" while the title has no English text, never the Chinese title) and gives the
phone number as dialled from abroad."""

from __future__ import annotations

import email
import json
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr
from pathlib import Path

import pytest
from platform_helpers import call as cli
from smtp_sink import Sink
from smtp_sink import sink as sink

from tests.services.notices.test_language_sweep import CJK

PEOPLE = ("user_id,name,email,phone,data_types,language\n"
          "U1,张三,zhang.san@example.com,13800138000,phone_number,zh-CN\n"
          "U2,Li Si,lisi@example.com,,phone_number,en\n")
COMPANY_ZH, COMPANY_EN = "上海我图网络科技有限公司", "Shanghai Wotu Network Technology Co., Ltd."


@pytest.fixture
def db(capsys: pytest.CaptureFixture[str], tmp_path: Path, intake: dict[str, object]) -> Path:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(intake | {"title": "会员数据泄露", "occurred_at": "2026-01-05T08:00:00"}),
                    encoding="utf-8")
    db = tmp_path / "db.sqlite3"
    assert cli(capsys, db, "new", "--json", str(path))[0] == 0
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    assert cli(capsys, db, "import-people", "1", str(people))[0] == 0
    return db


def add(capsys: pytest.CaptureFixture[str], db: Path, contact: str, topic: str = "affected") -> str:
    code, out, _ = cli(capsys, db, "enquiry", "add", "1", "--channel", "email", "--contact", contact,
                       "--topic", topic, "--received-at", "2026-11-20T10:00")
    assert code == 0
    return str(json.loads(out)["id"])


def sender_and_body(message: Message) -> tuple[str, str]:
    name = str(make_header(decode_header(parseaddr(str(message["From"]))[0] or "")))
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return name, str(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))


def dry_run(capsys: pytest.CaptureFixture[str], db: Path, enquiry: str, folder: Path) -> Message:
    code, out, err = cli(capsys, db, "enquiry", "reply", enquiry, "--template", "affected", "--dry-run", str(folder))
    assert code == 0, err
    return email.message_from_bytes(Path(json.loads(out)["reply"]["file"]).read_bytes())


def test_an_english_reply_comes_from_the_english_company_name_and_names_no_chinese_title(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    english = add(capsys, db, "lisi@example.com")
    chinese = add(capsys, db, "zhang.san@example.com")
    name, body = sender_and_body(dry_run(capsys, db, english, tmp_path / "en"))
    assert name == COMPANY_EN
    assert "Thank you for contacting us about the incident." in body and "会员数据泄露" not in body
    assert "+86 21 3876 0448" in body and not CJK.findall(body), CJK.findall(body)
    name, body = sender_and_body(dry_run(capsys, db, chinese, tmp_path / "zh"))
    assert name == COMPANY_ZH and "感谢您就“会员数据泄露”事件与我们联系" in body and "021-38760448" in body
    # once the title has its English text, the English reply names the incident by it
    assert cli(capsys, db, "edit", "1", "--field", "title", "--lang", "en", "--value", "Member data leak")[0] == 0
    again = add(capsys, db, "lisi@example.com", "other")
    code, out, err = cli(capsys, db, "enquiry", "reply", again, "--template", "other", "--dry-run",
                         str(tmp_path / "en2"))
    assert code == 0, err
    _, body = sender_and_body(email.message_from_bytes(Path(json.loads(out)["reply"]["file"]).read_bytes()))
    assert 'about the incident "Member data leak".' in body and not CJK.findall(body)


def test_an_english_reply_through_the_relay_is_from_the_english_name(
        capsys: pytest.CaptureFixture[str], db: Path, sink: Sink) -> None:
    enquiry = add(capsys, db, "lisi@example.com")
    code, out, err = cli(capsys, db, "enquiry", "reply", enquiry, "--template", "affected", "--smtp-host",
                         "127.0.0.1", "--smtp-port", str(sink.port), "--plain", "--from", "dpo@ooopic.com")
    assert code == 0 and json.loads(out)["reply"]["state"] == "sent", err
    name, body = sender_and_body(email.message_from_bytes(sink.received[0].data))
    assert name == COMPANY_EN and "会员数据泄露" not in body
