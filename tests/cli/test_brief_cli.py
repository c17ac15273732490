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
    assert obligation(capsys, db)["status"] == "met"

    # Nothing changed: no supplement is due and the ledger already has the brief.
    code, out, _ = cli(capsys, db, "notices", "1", "--out", str(tmp_path / "out"), "--format", "html,txt")
    assert code == 0 and "internal_brief" not in json.loads(out).get("changes_since_approval", {})

    # The grade changes after the brief was sent: a supplementary brief is due, with what changed.
    decision = tmp_path / "decision.json"
    decision.write_text(json.dumps({"kind": "cac_grade_judgement", "rationale": "bank card numbers in the export",
                                    "decided_by": "officer", "details": {"level": "较大"}}), encoding="utf-8")
    code, _, err = cli(capsys, db, "decide", "1", "--json", str(decision))
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
