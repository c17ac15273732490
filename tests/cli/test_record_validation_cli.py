"""The legal record refuses impossible entries on the CLI (exit 2 naming the field, nothing
saved): fulfilments, obligation_status decisions, remediation times, status moves, free text in
profile/fulfil/correct/status/people, profile values, attachments that are not regular files,
the ransom date and typed numbers."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from incident_app.cli.main import run


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = run([*args, "--db", str(db)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(capsys: pytest.CaptureFixture[str], tmp_path: Path, intake: dict[str, object]) -> Path:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(intake), encoding="utf-8")
    db = tmp_path / "db.sqlite3"
    assert cli(capsys, db, "new", "--json", str(path))[0] == 0
    return db


def count(db: Path, table: str, where: str = "1") -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}").fetchone()[0])


def events(db: Path, type_: str) -> list[dict[str, object]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT payload FROM events WHERE type = ?", [type_]).fetchall()
    return [json.loads(r[0]) for r in rows]


def fulfil(capsys: pytest.CaptureFixture[str], db: Path, obligation: str, *extra: str) -> tuple[int, str, str]:
    return cli(capsys, db, "fulfil", "1", obligation, "--channel", "website_12387", *extra)


# -- 1. fulfilments ---------------------------------------------------------------------------

@pytest.mark.parametrize(("at", "says"), [
    ("2026-11-20T08:00:00+08:00", "before the incident was discovered"),  # an hour before discovery
    ("1989-01-01", "before 1990"),
    ("2099-01-01T00:00", "in the future")])
def test_fulfil_refuses_an_impossible_time(capsys: pytest.CaptureFixture[str], db: Path, at: str,
                                           says: str) -> None:
    code, out, err = fulfil(capsys, db, "cac-initial-report", "--at", at)
    assert code == 2 and out == "" and "done_at:" in err and says in err
    assert count(db, "fulfilments") == 0 and events(db, "fulfilment.recorded") == []


@pytest.mark.parametrize("obligation", ["cac-initial-report-police", "gdpr33-authority", "police-report"])
def test_fulfil_refuses_an_obligation_that_does_not_apply(capsys: pytest.CaptureFixture[str], db: Path,
                                                          obligation: str) -> None:
    code, out, err = fulfil(capsys, db, obligation, "--at", "2026-11-20T12:00")
    assert code == 2 and out == "" and "obligation_id:" in err and f"'{obligation}' does not apply" in err
    assert count(db, "fulfilments") == 0


def test_fulfil_refuses_a_second_standing_fulfilment(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    assert fulfil(capsys, db, "cac-initial-report", "--at", "2026-11-20T12:00")[0] == 0
    code, out, err = fulfil(capsys, db, "cac-initial-report", "--at", "2026-11-20T13:00")
    assert code == 2 and out == "" and "obligation_id:" in err and "correct the first" in err
    assert count(db, "fulfilments") == 1
    # Once the first is corrected, the obligation can be recorded again.
    assert cli(capsys, db, "correct", "1", "fulfilment", "1", "--reason", "wrong time")[0] == 0
    assert fulfil(capsys, db, "cac-initial-report", "--at", "2026-11-20T13:00")[0] == 0


@pytest.mark.parametrize(("option", "value", "field"), [
    ("--ref", "12387\u202e-7", "reference"), ("--note", "a\x1bb", "note"), ("--by", "王\u2066伟", "done_by"),
    ("--ref", "x" * 5000, "reference")])
def test_fulfil_applies_the_text_rule(capsys: pytest.CaptureFixture[str], db: Path, option: str, value: str,
                                      field: str) -> None:
    code, out, err = fulfil(capsys, db, "cac-initial-report", "--at", "2026-11-20T12:00", option, value)
    assert code == 2 and out == "" and f"{field}:" in err
    assert count(db, "fulfilments") == 0


# -- 7. attachments ---------------------------------------------------------------------------

def test_fulfil_file_refuses_a_device(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, err = fulfil(capsys, db, "cac-initial-report", "--at", "2026-11-20T12:00", "--file", "/dev/zero")
    assert code == 2 and out == "" and "file:" in err and "not a regular file" in err
    assert count(db, "fulfilments") == 0


def test_fulfil_file_refuses_a_fifo_without_blocking(capsys: pytest.CaptureFixture[str], db: Path,
                                                     tmp_path: Path) -> None:
    fifo = tmp_path / "receipt.png"
    os.mkfifo(fifo)
    result: list[tuple[int, str, str]] = []
    worker = threading.Thread(target=lambda: result.append(
        fulfil(capsys, db, "cac-initial-report", "--at", "2026-11-20T12:00", "--file", str(fifo))), daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():  # unblock the reader so the test run ends, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("fulfil --file FIFO blocked")
    code, _, err = result[0]
    assert code == 2 and "file:" in err and count(db, "fulfilments") == 0


# -- 2. obligation_status decisions -----------------------------------------------------------

def decide(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, **changes: object) -> tuple[int, str, str]:
    data: dict[str, object] = {"kind": "obligation_status", "rationale": "filed by phone", "decided_by": "王伟",
                               "details": {"obligation_id": "cac-initial-report", "status": "met"}}
    details = dict(data["details"])  # type: ignore[call-overload]
    details.update(changes.pop("details", {}))  # type: ignore[call-overload]
    data |= changes | {"details": details}
    path = tmp_path / "decision.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return cli(capsys, db, "decide", "1", "--json", str(path))


@pytest.mark.parametrize(("changes", "field"), [
    ({"details": {"obligation_id": "no-such"}}, "details.obligation_id"),
    ({"details": {"status": "banana"}}, "details.status"),
    ({"details": {"status": "overdue"}}, "details.status"),
    ({"details": {"met_at": "2030-01-01T00:00"}}, "details.met_at"),
    ({"details": {"met_at": "2026-11-19T00:00"}}, "details.met_at"),  # before the discovery
    ({"decided_at": "1980-01-01T00:00"}, "decided_at"),
    ({"decided_at": "2031-01-01T00:00"}, "decided_at"),
    # met without met_at counts from decided_at, so that must not precede the discovery either
    ({"decided_at": "1995-01-01T00:00"}, "decided_at")])
def test_decide_refuses_an_impossible_obligation_status(capsys: pytest.CaptureFixture[str], db: Path,
                                                        tmp_path: Path, changes: dict[str, object],
                                                        field: str) -> None:
    code, out, err = decide(capsys, db, tmp_path, **changes)
    assert code == 2 and out == "" and f"{field}:" in err
    assert count(db, "decisions") == 0 and events(db, "decision.recorded") == []


def test_decide_accepts_a_true_met_at(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    code, _, _ = decide(capsys, db, tmp_path, details={"met_at": "2026-11-20T11:00"})
    assert code == 0 and count(db, "decisions") == 1


def test_a_met_decision_is_refused_while_a_fulfilment_stands(capsys: pytest.CaptureFixture[str], db: Path,
                                                           tmp_path: Path) -> None:
    assert fulfil(capsys, db, "cac-initial-report", "--at", "2026-11-20T11:30", "--by", "王伟")[0] == 0
    code, out, err = decide(capsys, db, tmp_path, details={"met_at": "2026-11-20T11:00"})
    assert code == 2 and out == ""
    assert "details.obligation_id:" in err and "fulfilment #1" in err and "correct 1 fulfilment 1 --reason" in err
    assert count(db, "decisions") == 0 and events(db, "decision.recorded") == []
    # "not applicable" says something else and is not refused by the fulfilment
    assert decide(capsys, db, tmp_path, details={"status": "pending"})[0] == 0


def test_a_fulfilment_is_refused_while_a_met_decision_stands(capsys: pytest.CaptureFixture[str], db: Path,
                                                           tmp_path: Path) -> None:
    assert decide(capsys, db, tmp_path, details={"met_at": "2026-11-20T11:00"})[0] == 0
    code, out, err = fulfil(capsys, db, "cac-initial-report", "--at", "2026-11-20T11:30", "--by", "王伟")
    assert code == 2 and out == ""
    assert "obligation_id:" in err and "decision #1" in err and "correct 1 decision 1 --reason" in err
    assert count(db, "fulfilments") == 0
    # once the decision is withdrawn the fulfilment is accepted
    assert cli(capsys, db, "correct", "1", "decision", "1", "--reason", "filed online instead")[0] == 0
    assert fulfil(capsys, db, "cac-initial-report", "--at", "2026-11-20T11:30", "--by", "王伟")[0] == 0


# -- 3. remediation times ---------------------------------------------------------------------

def remediation(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path,
                action: dict[str, object]) -> tuple[int, str, str]:
    path = tmp_path / "actions.json"
    path.write_text(json.dumps({"actions": [{"description": "关闭存储桶公开访问"} | action]}), encoding="utf-8")
    return cli(capsys, db, "remediation", "1", "--json", str(path))


@pytest.mark.parametrize(("action", "field", "says"), [
    ({"status": "done", "done_at": "2099-01-01T00:00"}, "actions.done_at", "in the future"),
    ({"status": "done", "done_at": "2026-01-01T00:00"}, "actions.done_at", "before the incident began"),
    ({"status": "done", "done_at": "1989-06-01T00:00"}, "actions.done_at", "before 1990"),
    ({"status": "in_progress", "started_at": "2030-01-01T00:00"}, "actions.started_at", "in the future"),
    ({"status": "in_progress", "started_at": "1995-01-01T00:00"}, "actions.started_at", "before the incident began"),
    ({"status": "done", "done_at": "2026-11-21T00:00", "due_at": "1980-01-01T00:00"}, "actions.due_at",
     "before 1990"),
    ({"status": "done"}, "actions.done_at", "is required when status is done"),
    ({"status": "done", "started_at": "2026-11-20T12:00", "done_at": "2026-11-20T10:00"}, "actions.done_at",
     "before started_at")])
def test_remediation_refuses_impossible_times(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path,
                                              action: dict[str, object], field: str, says: str) -> None:
    code, out, err = remediation(capsys, db, tmp_path, action)
    assert code == 2 and out == "" and f"{field}" in err and says in err
    assert count(db, "remediation_actions") == 0 and events(db, "remediation.added") == []


def test_remediation_accepts_true_times(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    code, _, err = remediation(capsys, db, tmp_path, {"status": "done", "started_at": "2026-11-20T09:10",
                                                      "done_at": "2026-11-20T10:00"})
    assert code == 0, err
    assert count(db, "remediation_actions") == 1


# -- 4. status workflow -----------------------------------------------------------------------

def test_closing_with_open_obligations_needs_force(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, err = cli(capsys, db, "status", "1", "closed", "--comment", "done")
    assert code == 2 and out == "" and "status:" in err and "cac-initial-report" in err and "--force" in err
    assert events(db, "incident.status_changed") == []
    code, out, err = cli(capsys, db, "status", "1", "closed", "--comment", "done", "--force")
    assert code == 0 and "warning:" in err and "cac-initial-report" in err
    changed = events(db, "incident.status_changed")
    assert len(changed) == 1 and "cac-initial-report" in changed[0]["closed_with_open_obligations"]  # type: ignore[operator]
    assert json.loads(out)["handling_closed_at"].endswith("+08:00")


def test_reopening_clears_the_close_and_the_summary_clock_follows_the_latest(
        capsys: pytest.CaptureFixture[str], db: Path) -> None:
    assert cli(capsys, db, "status", "1", "closed", "--comment", "done", "--force")[0] == 0
    code, out, _ = cli(capsys, db, "status", "1", "reported", "--comment", "new facts")
    assert code == 0 and json.loads(out)["handling_closed_at"] is None
    summary = next(o for o in json.loads(cli(capsys, db, "assess", "1")[1])["obligations"]
                   if o["id"] == "cac-summary-report")
    assert summary["anchor_at"] is None and summary["due"] is None
    assert cli(capsys, db, "status", "1", "closed", "--comment", "again", "--force")[0] == 0
    summary = next(o for o in json.loads(cli(capsys, db, "assess", "1")[1])["obligations"]
                   if o["id"] == "cac-summary-report")
    assert summary["anchor_at"].endswith("+08:00") and summary["due"].endswith("+08:00")


@pytest.mark.parametrize(("args", "field"), [
    (("status", "1", "contained", "--comment", "ok\u202e"), "comment"),
    (("correct", "1", "fulfilment", "1", "--reason", "wrong\x07"), "reason"),
    (("correct", "1", "fulfilment", "1", "--reason", "wrong", "--by", "王\u202e伟"), "corrected_by")])
def test_status_and_correct_apply_the_text_rule(capsys: pytest.CaptureFixture[str], db: Path,
                                                args: tuple[str, ...], field: str) -> None:
    assert fulfil(capsys, db, "cac-initial-report", "--at", "2026-11-20T12:00")[0] == 0
    code, out, err = cli(capsys, db, *args)
    assert code == 2 and out == "" and f"{field}:" in err
    assert events(db, "incident.status_changed") == [] and events(db, "record.corrected") == []


# -- 5/6. profile values ----------------------------------------------------------------------

@pytest.mark.parametrize(("key", "value"), [
    ("officer_phone", "021\u202e123"), ("company_zh", "公司\x00"), ("province", "火星"), ("languages", "fr"),
    ("languages", ""), ("postcode", "abc"), ("postcode", "12345")])
def test_profile_set_refuses_bad_values(capsys: pytest.CaptureFixture[str], db: Path, key: str, value: str) -> None:
    code, out, err = cli(capsys, db, "profile", "set", key, value)
    assert code == 2 and out == "" and f"{key}:" in err
    assert events(db, "settings.profile_changed") == []


def test_profile_set_province_short_form_and_no_op(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, _ = cli(capsys, db, "profile", "set", "province", "北京")
    assert code == 0 and json.loads(out) == {"province": "北京市"}
    assert cli(capsys, db, "profile", "set", "postcode", "100010")[0] == 0
    assert len(events(db, "settings.profile_changed")) == 2
    assert cli(capsys, db, "profile", "set", "province", "北京市")[0] == 0  # no change: no event
    assert cli(capsys, db, "profile", "set", "languages", "zh-CN,en")[0] == 0
    changed = events(db, "settings.profile_changed")
    assert len(changed) == 2 and all(e["changes"] for e in changed)


# -- 8. ransom --------------------------------------------------------------------------------

def edit(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, changes: object) -> tuple[int, str, str]:
    path = tmp_path / "change.json"
    path.write_text(json.dumps(changes) if not isinstance(changes, str) else changes, encoding="utf-8")
    return cli(capsys, db, "edit", "1", "--json", str(path))


def facts(capsys: pytest.CaptureFixture[str], db: Path) -> dict[str, object]:
    return dict(json.loads(cli(capsys, db, "show", "1")[1])["facts"])


@pytest.mark.parametrize("date", ["1980-01-01", "2099-01-01"])
def test_edit_refuses_an_impossible_ransom_date(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path,
                                               date: str) -> None:
    code, out, err = edit(capsys, db, tmp_path, {"cause": "malware", "ransom": {"date": date}})
    assert code == 2 and out == "" and "ransom.date:" in err
    assert facts(capsys, db).get("ransom") is None and events(db, "incident.facts_changed") == []


def test_edit_merges_ransom_parts(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    assert edit(capsys, db, tmp_path, {"cause": "malware", "ransom": {"amount_cny": 500000, "method": "Bitcoin",
                                                                      "date": "2026-11-21"}})[0] == 0
    assert edit(capsys, db, tmp_path, {"ransom": {"amount_cny": 800000}})[0] == 0
    assert facts(capsys, db)["ransom"] == {"amount_cny": 800000, "method": "Bitcoin", "date": "2026-11-21"}
    assert edit(capsys, db, tmp_path, {"ransom": None, "cause": "misconfiguration"})[0] == 0
    assert facts(capsys, db).get("ransom") is None


# -- 9. huge numbers --------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["affected_people", "economic_loss_cny"])
def test_a_30_digit_number_is_quoted_as_typed(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path,
                                              key: str) -> None:
    code, _, err = edit(capsys, db, tmp_path, {key: 123456789012345678901234567890})
    assert code == 2 and f"{key}: 123456789012345678901234567890 is absurd" in err
    assert "123456789012345677877719597056" not in err


def test_a_filing_declared_by_decision_is_cited_by_the_supplementary_report(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    """One source of truth: the assessment counts a met obligation_status decision as the filing, so
    the supplementary report must cite its time too (not 'not recorded')."""
    from incident_app.services.container import open_services

    assert decide(capsys, db, tmp_path, details={"met_at": "2026-11-20T11:00+08:00"})[0] == 0
    services = open_services(db)
    try:
        filed = services.notices.initial_filed_at(1)
    finally:
        services.close()
    assert filed is not None and filed.isoformat() == "2026-11-20T11:00:00+08:00"


def test_fulfilment_and_decision_times_are_beijing_time(capsys: pytest.CaptureFixture[str], db: Path,
                                                        tmp_path: Path) -> None:
    code, _, err = fulfil(capsys, db, "cac-initial-report", "--at", "2026-11-20T03:30Z")
    assert code == 0, err
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT done_at FROM fulfilments").fetchone()[0]
    assert stored.endswith("+08:00") and "11:30" in stored
    assert decide(capsys, db, tmp_path, details={"obligation_id": "pipl57-regulator", "met_at": None})[0] == 0
    with sqlite3.connect(db) as conn:
        decided = conn.execute("SELECT decided_at FROM decisions").fetchone()[0]
    assert decided.endswith("+08:00")
