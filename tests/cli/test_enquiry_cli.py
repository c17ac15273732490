"""``enquiry add/lookup/list/reply/bulk-reply/close/faq``: JSON out, bad input exit 2 naming the
field with nothing written, e-mail replies to a real aiosmtpd sink, contacts masked everywhere
they are printed and absent from the events and the diagnostic log."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from smtp_sink import Sink

from incident_app.cli.main import run

PEOPLE = ("user_id,name,email,phone,data_types\n"
          "U1,张三,zhang.san@example.com,13800138000,phone_number\n"
          "U2,Li Si,lisi@example.com,,phone_number\n")


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(capsys: pytest.CaptureFixture[str], tmp_path: Path, intake: dict[str, object]) -> Path:
    path = tmp_path / "intake.json"
    # The breach began early in the year, so an enquiry before National Day can follow it.
    path.write_text(json.dumps(intake | {"occurred_at": "2026-01-05T08:00:00"}), encoding="utf-8")
    db = tmp_path / "db.sqlite3"
    assert cli(capsys, db, "new", "--json", str(path))[0] == 0
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    assert cli(capsys, db, "import-people", "1", str(people))[0] == 0
    return db


def test_add_prints_the_enquiry_with_its_due_times(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, _ = cli(capsys, db, "enquiry", "add", "1", "--channel", "phone", "--received-at",
                       "2026-09-30T10:00", "--contact", "138 0013 8000", "--topic", "complaint", "--text", "不满意")
    enquiry = json.loads(out)
    assert code == 0 and enquiry["reply_due"] == "2026-10-10T23:59:59+08:00"
    assert enquiry["close_due"] == "2026-10-27T23:59:59+08:00" and enquiry["contact"] == "138****8000"
    assert enquiry["person_id"] == 1 and enquiry["request_status"] == "pending"


def test_list_masks_the_contacts_in_the_free_text(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    assert cli(capsys, db, "enquiry", "add", "1", "--channel", "phone", "--received-at", "2026-11-20T10:00",
               "--contact", "13800138000", "--topic", "deletion",
               "--text", "请删除 13800138000 和 zhang.san@example.com 的记录")[0] == 0
    code, out, _ = cli(capsys, db, "enquiry", "list", "1")
    listed = json.loads(out)
    assert code == 0 and "13800138000" not in out and "zhang.san" not in out
    assert listed["enquiries"][0]["text"].startswith("请删除 ")
    assert listed["metrics"]["median_reply_hours"] is None and listed["metrics"]["replied"] == 0


def test_bad_input_exits_2_and_writes_nothing(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, _, err = cli(capsys, db, "enquiry", "add", "1", "--channel", "fax", "--contact", "x@y", "--topic", "affected")
    assert code == 2 and "channel" in err and "email" in err
    code, out, _ = cli(capsys, db, "enquiry", "list", "1")
    assert json.loads(out)["total"] == 0
    assert cli(capsys, db, "enquiry", "reply", "99", "--note", "hi")[0] == 2


def test_lookup_by_each_key(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, _ = cli(capsys, db, "enquiry", "lookup", "1", "--phone", "+86 138-0013-8000")
    found = json.loads(out)
    assert code == 0 and found["affected"] and found["people"][0]["user_id"] == "U1"
    assert found["people"][0]["email"] == "z***@example.com" and "zhang.san" not in out
    assert json.loads(cli(capsys, db, "enquiry", "lookup", "1", "--email", "LISI@example.com")[1])["affected"]
    assert not json.loads(cli(capsys, db, "enquiry", "lookup", "1", "--user-id", "U9")[1])["affected"]


def test_reply_by_email_then_close(capsys: pytest.CaptureFixture[str], db: Path, sink: Sink) -> None:
    code, out, _ = cli(capsys, db, "enquiry", "add", "1", "--channel", "email", "--contact", "lisi@example.com",
                       "--topic", "deletion")
    enquiry_id = str(json.loads(out)["id"])
    code, out, _ = cli(capsys, db, "enquiry", "reply", enquiry_id, "--template", "deletion", "--smtp-host",
                       "127.0.0.1", "--smtp-port", str(sink.port), "--plain", "--from", "dpo@ooopic.com")
    result = json.loads(out)
    assert code == 0 and result["reply"]["state"] == "sent" and result["enquiry"]["status"] == "replied"
    assert [r.address for r in sink.received] == ["lisi@example.com"]
    code, out, _ = cli(capsys, db, "enquiry", "close", enquiry_id, "--outcome", "done")
    assert code == 0 and json.loads(out)["status"] == "closed" and json.loads(out)["request_status"] == "done"
    assert cli(capsys, db, "enquiry", "close", enquiry_id)[0] == 2  # already closed


def test_list_filters_bulk_reply_and_faq(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    for topic in ("protect", "protect", "what_leaked"):
        assert cli(capsys, db, "enquiry", "add", "1", "--channel", "phone", "--contact", "U1", "--topic", topic,
                   "--received-at", "2026-11-20T10:00")[0] == 0
    listed = json.loads(cli(capsys, db, "enquiry", "list", "1", "--topic", "protect")[1])
    assert listed["total"] == 2 and {e["topic"] for e in listed["enquiries"]} == {"protect"}
    code, out, _ = cli(capsys, db, "enquiry", "bulk-reply", "1", "--template", "protect", "--topic", "protect")
    assert code == 0 and json.loads(out)["replied"] == 2
    assert json.loads(cli(capsys, db, "enquiry", "list", "1", "--status", "open")[1])["total"] == 1
    faq = json.loads(cli(capsys, db, "enquiry", "faq", "1", "--topic", "what_leaked")[1])["faq"]["what_leaked"]
    assert "Test leak" in faq["zh-CN"] and "手机号码" in faq["zh-CN"]
    # the title has no English text: the English answer names the gap instead of the Chinese title
    assert "[English text missing: title]" in faq["en"] and "Mobile phone number" in faq["en"]


def test_no_contact_in_events_or_log(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    assert cli(capsys, db, "enquiry", "add", "1", "--channel", "email", "--contact", "lisi@example.com",
               "--topic", "deletion", "--text", "删除 13800138000")[0] == 0
    assert cli(capsys, db, "enquiry", "lookup", "1", "--email", "lisi@example.com")[0] == 0
    assert cli(capsys, db, "enquiry", "reply", "1", "--note", "已电话回复 lisi@example.com")[0] == 0
    with sqlite3.connect(db) as conn:
        payloads = " ".join(r[0] for r in conn.execute("SELECT payload FROM events"))
    log_dir = Path(os.environ["INCIDENT_APP_LOG_DIR"])
    logged = " ".join(p.read_text(encoding="utf-8", errors="replace") for p in log_dir.rglob("*.log"))
    for secret in ("lisi@", "13800138000"):
        assert secret not in payloads and secret not in logged


def test_clocks_into_an_unannounced_year_say_they_are_an_estimate(capsys: pytest.CaptureFixture[str], db: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from incident_app.domain.assessment import deadlines

    real = deadlines._official_workday

    def announced_until_2026(day):  # type: ignore[no-untyped-def]
        if day.year > 2026:
            raise deadlines.CalendarNotPublishedError(f"no data for {day.year}")
        return real(day)

    monkeypatch.setattr(deadlines, "_official_workday", announced_until_2026)
    code, out, err = cli(capsys, db, "enquiry", "add", "1", "--channel", "phone", "--received-at",
                         "2026-11-20T10:00", "--contact", "13800138000", "--topic", "affected")
    assert code == 0 and json.loads(out)["calendar_published"] is True and "estimate" not in err
    # Sixty working days to handle a complaint run into a year whose holidays are not announced.
    assert cli(capsys, db, "profile", "set", "handling_working_days", "60")[0] == 0
    code, out, err = cli(capsys, db, "enquiry", "add", "1", "--channel", "phone", "--received-at",
                         "2026-11-20T10:00", "--contact", "13800138000", "--topic", "complaint")
    assert code == 0 and json.loads(out)["calendar_published"] is False
    assert "calendar for 2027 is not announced" in err and "estimate" in err
