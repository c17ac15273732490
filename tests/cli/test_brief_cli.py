"""The internal brief end to end on the command line: responsible persons in the profile, the
brief approved like every notice, ``send ID --brief`` to a real SMTP sink on 127.0.0.1, the
obligation met from the send ledger, and a supplementary brief once the grade changes."""

from __future__ import annotations

import email
import json
import sqlite3
from contextlib import closing
from email import policy
from pathlib import Path

import pytest
from smtp_sink import Sink

from incident_app.cli.main import run

STAFF = [
    {"name": "王总", "role": "legal_representative", "email": "ceo@corp.test", "phone": "13911112222"},
    {"name": "Ada Lin", "role": "ciso", "email": "ciso@corp.test", "language": "en"},
]
BRIEF_OBLIGATION = "policy-responsible-persons"


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


def relay(port: int) -> list[str]:
    return ["--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--plain", "--from", "privacy@example.test",
            "--timeout", "2", "--retry-base", "0.05"]


def people_file(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text("用户ID,姓名,邮箱,手机号,出生日期\n"
                    "U1,张三丰,zhangsanfeng@example.com,13800138000,1990-01-01\n"
                    "U2,Mary Quentin,mary.quentin@example.com,13900139000,1985-03-04\n", encoding="utf-8-sig")
    return path


def bodies(sink: Sink) -> list[str]:
    out = []
    for received in sink.received:
        message = email.message_from_bytes(received.data, policy=policy.default)
        parts = [p.get_content() for p in message.walk() if p.get_content_type() in ("text/plain", "text/html")]
        out.append(str(message["Subject"]) + "\n" + "\n".join(parts))
    return out


def obligation(capsys: pytest.CaptureFixture[str], db: Path) -> dict[str, object]:
    code, out, _ = cli(capsys, db, "assess", "1")
    assert code == 0
    return next(o for o in json.loads(out)["obligations"] if o["id"] == BRIEF_OBLIGATION)


def test_brief_goes_to_every_responsible_person_once_approved_then_a_supplement_after_a_grade_change(
    capsys: pytest.CaptureFixture[str], db: Path, sink: Sink, tmp_path: Path
) -> None:
    code, _, err = cli(capsys, db, "send", "1", "--brief", *relay(sink.port))
    assert code == 2 and "no responsible persons" in err and sink.count() == 0
    code, out, _ = cli(capsys, db, "profile", "set", "responsible_persons", json.dumps(STAFF, ensure_ascii=False))
    assert code == 0 and json.loads(out)["responsible_persons"][1]["email"] == "ciso@corp.test"
    assert cli(capsys, db, "import-people", "1", str(people_file(tmp_path)))[0] == 0
    assert obligation(capsys, db)["status"] in ("pending", "overdue")

    code, _, err = cli(capsys, db, "send", "1", "--brief", *relay(sink.port))
    assert code == 2 and "not approved" in err and sink.count() == 0  # approval comes first
    code, _, err = cli(capsys, db, "approve", "1", "--notice", "internal_brief", "--by", "officer")
    assert code == 0, err
    code, out, _ = cli(capsys, db, "send", "1", "--brief", *relay(sink.port))
    assert code == 0 and json.loads(out)["ledger"]["by_state"]["sent"] == 2
    assert sorted(r.address for r in sink.received) == ["ceo@corp.test", "ciso@corp.test"]
    first = bodies(sink)
    zh = next(b for b in first if "王总" in b)
    en = next(b for b in first if "Ada Lin" in b)
    assert "【内部简报】" in zh and "待履行的义务及时限" in zh and "现在需要作出的决定" in zh
    assert "[Internal brief]" in en and "Open obligations and their clocks" in en and "Grade and why" in en
    # Counts only: nothing of the imported people reaches the brief.
    for text in first:
        for value in ("张三丰", "zhangsanfeng", "Mary Quentin", "mary.quentin", "13800138000", "13900139000",
                      "138****8000"):
            assert value not in text
        assert "Supplementary" not in text and "补充简报" not in text
        for code in ("cac_grade_judgement", "needs_judgement", "legal_representative", "internal_brief",
                     "policy-responsible-persons", "obligation_status"):
            assert code not in text  # the people in charge read words, not the tool's codes
    assert obligation(capsys, db)["status"] == "met"

    # Nothing changed: no supplement is due and the ledger already has the brief.
    code, out, _ = cli(capsys, db, "notices", "1", "--out", str(tmp_path / "out"), "--format", "html,txt")
    assert code == 0 and "internal_brief" not in json.loads(out).get("changes_since_approval", {})

    # The grade changes after the brief was sent: a supplementary brief is due, with what changed.
    decision = tmp_path / "decision.json"
    decision.write_text(json.dumps({"kind": "cac_grade_judgement", "rationale": "bank card numbers in the export",
                                    "decided_by": "officer", "details": {"level": "较大"}}), encoding="utf-8")
    # Written in English (--lang en): the English brief prints it; a Chinese-only rationale would
    # be marked missing there and block the brief's approval.
    code, _, err = cli(capsys, db, "decide", "1", "--json", str(decision), "--lang", "en")
    assert code == 0, err
    code, out, _ = cli(capsys, db, "notices", "1", "--out", str(tmp_path / "out"), "--format", "html,txt")
    changes = json.loads(out)["changes_since_approval"]["internal_brief"]
    assert {"path": "grade", "before": "一般", "after": "较大"}.items() <= next(
        c for c in changes if c["path"] == "grade").items()
    code, _, err = cli(capsys, db, "send", "1", "--brief", *relay(sink.port))
    assert code == 2 and "not approved" in err and sink.count() == 2
    assert cli(capsys, db, "approve", "1", "--notice", "internal_brief", "--by", "officer")[0] == 0
    code, out, _ = cli(capsys, db, "send", "1", "--brief", *relay(sink.port))
    assert code == 0 and sink.count() == 4
    second = bodies(sink)[2:]
    zh = next(b for b in second if "王总" in b)
    en = next(b for b in second if "Ada Lin" in b)
    assert "【补充简报】" in zh and "新增和变更的情况" in zh and "事件级别：一般 → 较大" in zh
    assert "[Supplementary brief]" in en and "Grade: general → relatively major" in en


def test_brief_dry_run_writes_eml_without_approval_and_sends_nothing(
    capsys: pytest.CaptureFixture[str], db: Path, sink: Sink, tmp_path: Path
) -> None:
    cli(capsys, db, "profile", "set", "responsible_persons", json.dumps(STAFF, ensure_ascii=False))
    out_dir = tmp_path / "eml"
    code, out, err = cli(capsys, db, "send", "1", "--brief", "--dry-run", str(out_dir))
    assert code == 0, err
    assert json.loads(out)["written"] == 2 and sink.count() == 0
    assert len(list(out_dir.glob("*.eml"))) == 2
    # Written to the company's own staff, counts only: not logged as an unmasking of affected people.
    with closing(sqlite3.connect(db)) as conn:
        types = [r[0] for r in conn.execute("SELECT type FROM events")]
        exports = [json.loads(r[0]) for r in conn.execute("SELECT payload FROM events WHERE type = 'export.written'")]
    assert "personal_data.unmasked" not in types
    assert [(e["what"], e["unmasked"]) for e in exports] == [("internal_brief_dry_run", False)]
    assert obligation(capsys, db)["status"] in ("pending", "overdue")  # a dry run tells nobody


def test_responsible_persons_are_checked_and_masked_in_the_event_log(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    bad = [{"name": "", "role": "boss", "email": "nope"}]
    code, _, err = cli(capsys, db, "profile", "set", "responsible_persons", json.dumps(bad))
    assert code == 2
    assert "responsible_persons[1].name" in err and "responsible_persons[1].role" in err
    assert "responsible_persons[1].email" in err
    assert cli(capsys, db, "profile", "set", "responsible_persons", json.dumps(STAFF, ensure_ascii=False))[0] == 0
    with closing(sqlite3.connect(db)) as conn:
        payloads = " ".join(r[0] for r in conn.execute("SELECT payload FROM events"))
    assert "ceo@corp.test" not in payloads and "13911112222" not in payloads and "c***@corp.test" in payloads


@pytest.mark.parametrize("address", ["a@", "a@b@corp.test", "a@corp.test,evil@x.test", "<a@corp.test>",
                                     "a\u0000@corp.test", "a" * 300 + "@corp.test", "王@例子.中国",
                                     "a@corp.test\u202e"])
def test_a_responsible_persons_address_the_sender_would_refuse_is_refused_naming_the_row(
    capsys: pytest.CaptureFixture[str], db: Path, address: str
) -> None:
    rows = [STAFF[0], {"name": "Ada Lin", "role": "ciso", "email": address}]
    code, out, err = cli(capsys, db, "profile", "set", "responsible_persons", json.dumps(rows, ensure_ascii=False))
    assert code == 2 and out == "" and "responsible_persons[2].email" in err and "Traceback" not in err
    code, out, _ = cli(capsys, db, "profile", "show")
    assert json.loads(out)["responsible_persons"] == []  # nothing half-written


def test_a_responsible_persons_address_is_stored_as_the_sender_writes_it(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    rows = [{"name": "Ada Lin", "role": "ciso", "email": " Ada.Lin@Corp.TEST "}]
    code, out, err = cli(capsys, db, "profile", "set", "responsible_persons", json.dumps(rows))
    assert code == 0, err
    assert json.loads(out)["responsible_persons"][0]["email"] == "ada.lin@corp.test"


def test_a_brief_refused_for_one_person_is_not_met_until_their_corrected_address_has_it(
    capsys: pytest.CaptureFixture[str], db: Path, sink: Sink
) -> None:
    staff = [dict(STAFF[0]), dict(STAFF[1], email="typo@corp.test")]
    sink.rule = lambda stage, address, _n: "550 5.1.1 no such user" if (stage, address) == (
        "rcpt", "typo@corp.test") else None
    assert cli(capsys, db, "profile", "set", "responsible_persons", json.dumps(staff, ensure_ascii=False))[0] == 0
    assert cli(capsys, db, "approve", "1", "--notice", "internal_brief", "--by", "officer")[0] == 0
    code, out, _ = cli(capsys, db, "send", "1", "--brief", *relay(sink.port))
    by_state = json.loads(out)["ledger"]["by_state"]
    assert (by_state["sent"], by_state["failed"]) == (1, 1)
    assert obligation(capsys, db)["status"] in ("pending", "overdue")  # one of two: not met

    # The officer corrects the address: the same approved brief goes to the new address only.
    staff[1]["email"] = "ciso@corp.test"
    assert cli(capsys, db, "profile", "set", "responsible_persons", json.dumps(staff, ensure_ascii=False))[0] == 0
    code, out, err = cli(capsys, db, "send", "1", "--brief", *relay(sink.port))
    assert code == 0, err
    assert sorted(r.address for r in sink.received) == ["ceo@corp.test", "ciso@corp.test"]
    met = obligation(capsys, db)
    assert met["status"] == "met" and met["met_at"]

    # Another person added after the brief went out does not take back what was met.
    staff.append({"name": "周经理", "role": "business_owner", "email": "bo@corp.test"})
    assert cli(capsys, db, "profile", "set", "responsible_persons", json.dumps(staff, ensure_ascii=False))[0] == 0
    assert obligation(capsys, db)["status"] == "met"


@pytest.mark.parametrize(("summary", "shown"), [
    ("张三丰报告了此事。", "张**"),
    ("Reported by Mary Quentin of our user base.", "M*** Q******"),
    ("用户 138 0013 8000 来电反映。", "138****8000"),
    ("A user (ZhangSanFeng@Example.com) wrote to us.", "z***@example.com"),
])
def test_the_brief_is_not_approved_while_the_officers_texts_name_an_affected_person(
    capsys: pytest.CaptureFixture[str], db: Path, sink: Sink, tmp_path: Path, summary: str, shown: str
) -> None:
    assert cli(capsys, db, "profile", "set", "responsible_persons", json.dumps(STAFF, ensure_ascii=False))[0] == 0
    assert cli(capsys, db, "import-people", "1", str(people_file(tmp_path)))[0] == 0
    edit = tmp_path / "edit.json"
    # Both languages: a rewrite in one alone holds the other as untranslated, which is another refusal.
    edit.write_text(json.dumps({"summary": {"zh-CN": summary, "en": summary}}, ensure_ascii=False), encoding="utf-8")
    assert cli(capsys, db, "edit", "1", "--json", str(edit))[0] == 0
    code, out, err = cli(capsys, db, "approve", "1", "--notice", "internal_brief", "--by", "officer")
    assert code == 2 and out == ""
    assert "internal_brief/email_text/zh-CN" in err and "internal_brief/email_html/en" in err
    assert shown in err and "counts only" in err and "summary" in err and "Traceback" not in err
    for value in ("张三丰", "Mary Quentin", "13800138000", "zhangsanfeng@"):
        assert value not in err  # the message masks what it found
    code, _, err = cli(capsys, db, "send", "1", "--brief", *relay(sink.port))
    assert code == 2 and "not approved" in err and sink.count() == 0  # nothing approved, nothing sent

    # Taken out of the summary, the brief is approved and sent.
    edit.write_text(json.dumps({"summary": {"zh-CN": "一名用户报告了此事。", "en": "A user reported it."}},
                               ensure_ascii=False), encoding="utf-8")
    assert cli(capsys, db, "edit", "1", "--json", str(edit))[0] == 0
    assert cli(capsys, db, "approve", "1", "--notice", "internal_brief", "--by", "officer")[0] == 0


def test_an_affected_persons_name_in_a_remediation_action_also_keeps_the_brief_unapproved(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    assert cli(capsys, db, "import-people", "1", str(people_file(tmp_path)))[0] == 0
    actions = tmp_path / "actions.json"
    action = {"description": "回电张三丰确认其账户已改密", "status": "in_progress", "owner": "客服",
              "started_at": "2026-11-20T10:00:00"}
    actions.write_text(json.dumps({"actions": [action]}, ensure_ascii=False), encoding="utf-8")
    code, _, err = cli(capsys, db, "remediation", "1", "--json", str(actions))
    assert code == 0, err
    code, _, err = cli(capsys, db, "approve", "1", "--notice", "internal_brief", "--by", "officer")
    assert code == 2 and "张**" in err and "张三丰" not in err


def test_a_refused_brief_gets_no_public_announcement_fallback_and_an_emptied_list_does_not_meet_it(
    capsys: pytest.CaptureFixture[str], db: Path, sink: Sink
) -> None:
    staff = [dict(STAFF[0]), {"name": "Ada Lin", "role": "ciso", "email": "typo@corp.test"},
             {"name": "周经理", "role": "business_owner", "email": "typo2@corp.test", "phone": "13700001111"}]
    sink.rule = lambda stage, address, _n: "550 5.1.1 no such user" if stage == "rcpt" and address.startswith(
        "typo") else None
    assert cli(capsys, db, "profile", "set", "responsible_persons", json.dumps(staff, ensure_ascii=False))[0] == 0
    assert cli(capsys, db, "approve", "1", "--notice", "internal_brief", "--by", "officer")[0] == 0
    _, out, _ = cli(capsys, db, "send", "1", "--brief", *relay(sink.port))
    ledger = json.loads(out)["ledger"]
    assert ledger["by_state"]["failed"] == 2
    # The CISO has no phone: no fallback at all (the officer reaches them), never the announcement
    # meant for affected people; the one with a phone is followed up by text message.
    assert ledger["fallback"] == {"sms": 1, "letter": 0, "announcement": 0}
    code, out, _ = cli(capsys, db, "show", "1")
    assert code == 0 and json.loads(out)["email_delivery"]["fallback"]["announcement"] == 0

    # Emptying the list after a brief that reached one of three does not make it "sent to everyone".
    assert cli(capsys, db, "profile", "set", "responsible_persons", "[]")[0] == 0
    assert obligation(capsys, db)["status"] in ("pending", "overdue")


def test_the_people_in_charge_read_the_decisions_name_not_its_code(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "demo.sqlite3"
    assert cli(capsys, db, "demo")[0] == 0  # sensitive data below 1,000,000 people: a grade judgement is due
    out_dir = tmp_path / "out"
    assert cli(capsys, db, "notices", "1", "--out", str(out_dir), "--format", "txt")[0] == 0
    zh = (out_dir / "internal_brief" / "email_text.zh-CN.txt").read_text(encoding="utf-8")
    en = (out_dir / "internal_brief" / "email_text.en.txt").read_text(encoding="utf-8")
    assert "cac_grade_judgement" not in zh + en
    assert "在记录“事件级别判断”决定之前" in zh and "Until a CAC grade judgement decision is recorded" in en


def test_the_brief_says_when_the_imported_list_is_smaller_than_the_estimate(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    # The intake estimated 1,200 people; the imported list holds 2 (used, since it is exact).
    assert cli(capsys, db, "import-people", "1", str(people_file(tmp_path)))[0] == 0
    out_dir = tmp_path / "out"
    assert cli(capsys, db, "notices", "1", "--out", str(out_dir), "--format", "txt")[0] == 0
    zh = (out_dir / "internal_brief" / "email_text.zh-CN.txt").read_text(encoding="utf-8")
    en = (out_dir / "internal_brief" / "email_text.en.txt").read_text(encoding="utf-8")
    assert "比登记时的估计（1,200人）少 1,198 人" in zh
    assert "1,198 short of the estimate at intake (1,200)" in en


def test_the_supplementary_brief_names_an_obligation_that_became_not_applicable(
    capsys: pytest.CaptureFixture[str], db: Path, sink: Sink, tmp_path: Path
) -> None:
    assert cli(capsys, db, "profile", "set", "responsible_persons", json.dumps(STAFF, ensure_ascii=False))[0] == 0
    assert cli(capsys, db, "approve", "1", "--notice", "internal_brief", "--by", "officer")[0] == 0
    assert cli(capsys, db, "send", "1", "--brief", *relay(sink.port))[0] == 0
    _, out, _ = cli(capsys, db, "assess", "1", "--lang", "en")
    target = next(o for o in json.loads(out)["obligations"]
                  if o["status"] in ("pending", "overdue") and o["id"] != BRIEF_OBLIGATION)
    decision = tmp_path / "decision.json"
    decision.write_text(json.dumps({"kind": "obligation_status", "rationale": "not ours to file", "decided_by": "王伟",
                                    "details": {"obligation_id": target["id"], "status": "not_applicable"}}),
                        encoding="utf-8")
    assert cli(capsys, db, "decide", "1", "--json", str(decision))[0] == 0
    out_dir = tmp_path / "out"
    assert cli(capsys, db, "notices", "1", "--out", str(out_dir), "--format", "txt")[0] == 0
    en = (out_dir / "internal_brief" / "email_text.en.txt").read_text(encoding="utf-8")
    changed = en[en.index("[What is new or changed]"):en.index("[Scale]")]
    assert f"- {target['title']}: " in changed and "-> not applicable" in changed
    assert target["id"] not in changed  # its title, not the rule's id


def test_a_two_character_name_of_an_affected_person_keeps_the_brief_unapproved(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    people = tmp_path / "two.csv"
    people.write_text("用户ID,姓名,邮箱,手机号,出生日期\nU7,王芳,wangfang@example.com,13700137000,1992-02-02\n",
                      encoding="utf-8-sig")
    assert cli(capsys, db, "import-people", "1", str(people))[0] == 0
    edit = tmp_path / "edit.json"
    edit.write_text(json.dumps({"summary": {"zh-CN": "客户王芳来电反映账户异常。", "en": "A customer called."}},
                               ensure_ascii=False), encoding="utf-8")
    assert cli(capsys, db, "edit", "1", "--json", str(edit))[0] == 0
    code, _, err = cli(capsys, db, "approve", "1", "--notice", "internal_brief", "--by", "officer")
    assert code == 2 and "internal_brief/email_text/zh-CN" in err and "王*" in err and "王芳" not in err
    edit.write_text(json.dumps({"summary": {"zh-CN": "一名客户来电反映账户异常。", "en": "A customer called."}},
                               ensure_ascii=False), encoding="utf-8")
    assert cli(capsys, db, "edit", "1", "--json", str(edit))[0] == 0
    assert cli(capsys, db, "approve", "1", "--notice", "internal_brief", "--by", "officer")[0] == 0


def test_a_responsible_persons_phone_is_checked_and_kept_as_e164(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    bad = [{"name": "王总", "role": "legal_representative", "email": "ceo@corp.test", "phone": "call me"}]
    code, _, err = cli(capsys, db, "profile", "set", "responsible_persons", json.dumps(bad, ensure_ascii=False))
    assert code == 2 and "responsible_persons[1].phone" in err and "'call me' is not a phone number" in err
    good = [{**bad[0], "phone": "139 1111 2222"}, {"name": "Ada Lin", "role": "ciso", "email": "ciso@corp.test",
                                                  "phone": "021-3876 0448"}]
    code, out, _ = cli(capsys, db, "profile", "set", "responsible_persons", json.dumps(good, ensure_ascii=False))
    assert code == 0
    assert [p["phone"] for p in json.loads(out)["responsible_persons"]] == ["+8613911112222", "+862138760448"]


def test_a_shared_key_among_affected_people_refuses_their_notices_but_not_the_brief(
    capsys: pytest.CaptureFixture[str], sink: Sink, tmp_path: Path
) -> None:
    # Person 乙's e-mail was corrected, then a later list gave 丙 乙's old address: the two would
    # share one send-ledger key. Their notices are refused; the brief goes to the company's own
    # responsible persons and does not depend on the affected list, so it is not held back.
    header = "name,email,phone,age,data_types\n"
    first, again = tmp_path / "first.csv", tmp_path / "again.csv"
    first.write_text(header + "甲,jia@example.com,13800138000,30,phone_number\n"
                     "乙,bad.yi@example.com,,30,phone_number\n", encoding="utf-8")
    again.write_text(header + "丙,bad.yi@example.com,,31,phone_number\n", encoding="utf-8")
    db = tmp_path / "demo.sqlite3"
    assert cli(capsys, db, "demo")[0] == 0
    assert cli(capsys, db, "import-people", "1", str(first), "--replace")[0] == 0
    with closing(sqlite3.connect(db)) as conn:
        (corrected,) = conn.execute("SELECT id FROM people WHERE email = 'bad.yi@example.com'").fetchone()
    code, _, err = cli(capsys, db, "people", "1", "--edit", str(corrected), "--set", "email=yi@example.com",
                       "--reason", "退信")
    assert code == 0, err
    assert cli(capsys, db, "import-people", "1", str(again))[0] == 0
    assert cli(capsys, db, "profile", "set", "responsible_persons", json.dumps(STAFF, ensure_ascii=False))[0] == 0
    code, _, err = cli(capsys, db, "approve", "1", "--by", "王安全")
    assert code == 0, err

    code, _, err = cli(capsys, db, "send", "1", *relay(sink.port))
    assert code == 2 and f"person {corrected}" in err and sink.count() == 0
    code, out, err = cli(capsys, db, "send", "1", "--brief", *relay(sink.port))
    assert code == 0, err
    assert json.loads(out)["ledger"]["by_state"]["sent"] == 2
    assert sorted(r.address for r in sink.received) == ["ceo@corp.test", "ciso@corp.test"]
