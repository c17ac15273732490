"""SMS and phone hand-off on real databases and real files: the demo's SMS notices approve without
edits and pass the gateway rules; the batch files in each provider's layout; the provider's report
marks the send ledger (twice changes nothing; unknown ids refuse the whole file); and SMS people
reported delivered meet the obligation to tell individuals."""

from __future__ import annotations

import contextlib
import csv
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from incident_app.cli.main import run
from incident_app.domain.errors import ValidationError
from incident_app.domain.notices.sms_gateway import Provider
from incident_app.services.container import Services, open_services


@contextlib.contextmanager
def opened(db: Path) -> Iterator[Services]:
    services = open_services(db)
    try:
        yield services
    finally:
        services.close()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo incident with every notice approved as generated (no edits)."""
    db = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    assert run(["approve", "1", "--by", "王安全", "--db", str(db)]) == 0
    return db


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "db.sqlite3"
    with contextlib.closing(sqlite3.connect(demo_db)) as source, contextlib.closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    for key in demo_db.parent.glob(demo_db.name + ".*key*"):  # the event log's key file, if kept beside it
        (tmp_path / key.name.replace(demo_db.name, copy.name)).write_bytes(key.read_bytes())
    return copy


def ledger(db: Path, channel: str = "sms") -> list[tuple[str, str, str]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return list(conn.execute("SELECT state, to_address, message_id FROM send_ledger WHERE channel = ?"
                                 " ORDER BY id", [channel]))


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so Excel shows Chinese"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def sms_people(services: Services) -> int:
    by_channel = services.people.summary(1).by_channel
    return by_channel.get("sms", 0) + by_channel.get("guardian_sms", 0)


def test_the_demo_sms_notices_pass_the_gateway_rules_in_both_languages(db: Path) -> None:
    with opened(db) as services:
        pack = services.handoff.approval_pack(1)
    assert {(n["kind"], n["lang"]) for n in pack["notices"]} == {
        (k, lang) for k in ("individual", "guardian", "minor") for lang in ("zh-CN", "en")}
    for notice in pack["notices"]:
        assert notice["approved"] and notice["problems"] == [], notice
        assert notice["template"].count("${code}") == 1 and "【" not in notice["template"]
        assert notice["variables"][0]["kind"] == "reference code" and 1 <= notice["variables"][0]["max_length"] <= 35
        if notice["lang"] == "zh-CN":  # signature counted: still two billed parts
            assert notice["worst_case_length"] <= 134 and notice["segments"] == 2
        signature = pack["signature_en"] if notice["lang"] == "en" else pack["signature"]
        assert notice["example"].startswith(f"【{signature}】") and notice["signature"] == signature


def test_english_sms_with_the_chinese_signature_is_flagged_and_the_english_signature_fixes_it(
        db: Path, tmp_path: Path) -> None:
    with opened(db) as services:
        english = {n["kind"]: n for n in services.handoff.approval_pack(1)["notices"] if n["lang"] == "en"}
        assert all(n["signature"] == "Wotu" and n["encoding"] == "GSM-7" and n["segments"] == 2
                   for n in english.values()), english
        services.profile.set_value("sms_signature_en", "")
        pack = services.handoff.approval_pack(1)
        flagged = [n for n in pack["notices"] if n["lang"] == "en"]
        assert pack["signature_en"] == pack["signature"] == "上海我图网络科技有限公司"
        for notice in flagged:
            assert notice["encoding"] == "UCS-2" and notice["segments"] == 4
            assert any("4 billed parts" in p and "sms_signature_en" in p for p in notice["problems"]), notice
        with pytest.raises(ValidationError) as refused:
            services.handoff.export_sms(1, tmp_path / "sms.csv")
        assert "sms_signature_en" in str(refused.value)
        # the English notice itself now fails its completeness check (approval is refused)
        states = {(s.rendered.kind.value, s.rendered.lang): s for s in services.notices.prepare(1).notices
                  if s.rendered.channel.value == "sms"}
        assert any("billed parts" in p for p in states[("individual", "en")].rendered.report.problems)
        assert not states[("individual", "zh-CN")].rendered.report.problems
        # given for this hand-off only
        fixed = services.handoff.approval_pack(1, signature_en="Wotu")
        assert all(not n["problems"] for n in fixed["notices"] if n["lang"] == "en")
    assert run(["sms-pack", "1", "--signature-en", "Wotu", "--db", str(db)]) == 0


def test_generic_export_one_row_per_sms_recipient_and_queued_in_the_ledger(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "sms.csv"
    with opened(db) as services:
        expected = sms_people(services)
        result = services.handoff.export_sms(1, out)
        pack = {(n["kind"], n["lang"]): n for n in services.handoff.approval_pack(1)["notices"]}
        names = [p.name for p in services.people.iter_people(1) if p.name]
        events = [e.type for e in services.audit.timeline(1)[:3]]
    rows = read_csv(out)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert rows[0] == ["phone", "code", "text", "notice_kind", "language", "notice_version_id", "notice_sha256",
                       "out_id"]
    assert len(rows) - 1 == expected == result["rows"] > 0
    for phone, code, text, kind, lang, version, sha, _ in rows[1:]:
        assert phone.startswith("+861") and len(phone) == 14
        notice = pack[(kind, lang)]
        assert text == notice["example"].replace(notice["variables"][0]["example"], code)
        assert (version, sha) == (notice["notice_version_id"], notice["sha256"])
    body = out.read_text(encoding="utf-8-sig")
    assert not [n for n in names if n in body], "variables carry a reference code, never a name"
    assert "sms.handed_off" in events and len(events) == 3
    assert [s for s, _, _ in ledger(db)] == ["queued"] * expected
    # exporting again queues nobody twice
    with opened(db) as services:
        services.handoff.export_sms(1, tmp_path / "again.csv")
    assert len(ledger(db)) == expected


def test_aliyun_and_tencent_get_one_file_per_template_with_mainland_numbers(db: Path, tmp_path: Path) -> None:
    with opened(db) as services:
        aliyun = services.handoff.export_sms(1, tmp_path / "a.csv", provider=Provider.ALIYUN)
        tencent = services.handoff.export_sms(1, tmp_path / "t.csv", provider=Provider.TENCENT)
    for result, head in ((aliyun, ["手机号码", "code"]), (tencent, ["手机号码", "变量1"])):
        assert all(Path(f["path"]).name.count(".") == 3 for f in result["files"])  # a.individual.zh-CN.csv
        for f in result["files"]:
            rows = read_csv(Path(f["path"]))
            assert rows[0] == head and len(rows) - 1 == f["rows"]
            assert all(len(r[0]) == 11 and r[0].startswith("1") and r[1].startswith("BD1-") for r in rows[1:])


def test_unapproved_sms_notices_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    db = tmp_path / "fresh.sqlite3"
    assert run(["demo", "--db", str(db)]) == 0
    out = tmp_path / "out" / "sms.csv"
    with opened(db) as services, pytest.raises(ValidationError) as refused:
        services.handoff.export_sms(1, out)
    assert "not approved" in str(refused.value)
    assert not out.parent.exists() or not list(out.parent.iterdir())
    assert ledger(db) == []


def report_from(export: Path, path: Path, *, fail_every: int = 10, extra: list[list[str]] | None = None) -> Path:
    """An Alibaba-style send report of the exported batch (11-digit numbers, Chinese states)."""
    rows = read_csv(export)[1:]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["手机号码", "发送状态", "BizId", "错误码"])
        for i, row in enumerate(rows):
            failed = bool(fail_every) and i % fail_every == 0
            writer.writerow([row[0].removeprefix("+86"), "发送失败" if failed else "发送成功", f"biz{i}",
                             "MOBILE_NOT_ON_SERVICE" if failed else ""])
        writer.writerows(extra or [])
    return path


def test_a_report_marks_the_ledger_and_a_second_import_changes_nothing(db: Path, tmp_path: Path) -> None:
    export = tmp_path / "sms.csv"
    with opened(db) as services:
        services.handoff.export_sms(1, export)
    first_phone = read_csv(export)[1][0].removeprefix("+86")
    # the first number is reported twice (a provider re-sends a receipt): a duplicate, not a second person
    report = report_from(export, tmp_path / "report.csv", extra=[[first_phone, "发送失败", "biz-dup", "TIMEOUT"]])
    with opened(db) as services:
        first = services.handoff.import_report(1, report, provider=Provider.ALIYUN)
        again = services.handoff.import_report(1, report, provider=Provider.ALIYUN)
    states = [s for s, _, _ in ledger(db)]
    failed = len(range(0, len(states), 10))
    assert states.count("failed") == failed and states.count("sent") == len(states) - failed
    assert first["changed"] == len(states) and again["changed"] == 0
    with contextlib.closing(sqlite3.connect(db)) as conn:
        reply, reason = conn.execute("SELECT last_reply, reason FROM send_ledger WHERE channel = 'sms' AND"
                                     " state = 'failed' ORDER BY id LIMIT 1").fetchone()
    assert reply.startswith("aliyun biz0") and reason == "MOBILE_NOT_ON_SERVICE"


def test_unknown_ids_and_numbers_refuse_the_whole_report_naming_the_rows(db: Path, tmp_path: Path) -> None:
    export = tmp_path / "sms.csv"
    with opened(db) as services:
        services.handoff.export_sms(1, export)
    out_ids = [r[7] for r in read_csv(export)[1:]]
    report = tmp_path / "generic-report.csv"
    report.write_text("out_id,status,message_id\n"
                      f"{out_ids[0]},delivered,m1\n"
                      "bd1i-not-ours,delivered,m2\n"
                      f"{out_ids[1]},who-knows,m3\n", encoding="utf-8")
    unknown_phone = report_from(export, tmp_path / "phones.csv", extra=[["13000000000", "发送成功", "x", ""]])
    with opened(db) as services:
        with pytest.raises(ValidationError) as refused:
            services.handoff.import_report(1, report)
        with pytest.raises(ValidationError) as refused_phone:
            services.handoff.import_report(1, unknown_phone, provider=Provider.ALIYUN)
    text = str(refused.value)
    assert "row 3" in text and "bd1i-not-ours" in text and "row 4" in text and "who-knows" in text
    assert f"row {len(out_ids) + 2}" in str(refused_phone.value) and "130****0000" in str(refused_phone.value)
    assert "13000000000" not in str(refused_phone.value)
    assert {s for s, _, _ in ledger(db)} == {"queued"}, "nothing written"


def test_a_row_longer_than_the_header_refuses_the_whole_report_naming_it(db: Path, tmp_path: Path) -> None:
    """A reason with an unquoted comma spills into a cell the header does not have: reading the first
    cells only would record it half-read, so the report is refused and nothing is written."""
    export = tmp_path / "sms.csv"
    with opened(db) as services:
        services.handoff.export_sms(1, export)
    out_ids = [r[7] for r in read_csv(export)[1:]]
    report = tmp_path / "split-reason.csv"
    report.write_text("out_id,status,message_id,reason\n"
                      f"{out_ids[0]},delivered,m1,\n"
                      f"{out_ids[1]},failed,m2,mailbox full, try later\n", encoding="utf-8")
    with opened(db) as services, pytest.raises(ValidationError) as refused:
        services.handoff.import_report(1, report)
    text = str(refused.value)
    assert "row 3" in text and "5 cells but the header has 4 columns" in text and "double quotes" in text
    assert "row 2" not in text
    assert {s for s, _, _ in ledger(db)} == {"queued"}, "nothing written"
    assert run(["import-sms-report", "1", str(report), "--db", str(db)]) == 2


def test_sms_people_reported_delivered_meet_the_obligation_to_tell_individuals(tmp_path: Path,
                                                                               intake: dict[str, object]) -> None:
    db = tmp_path / "sms-only.sqlite3"
    people = tmp_path / "people.csv"
    people.write_text("用户ID,姓名,手机号\nU1,张三,13800138000\nU2,李四,13900139000\nU3,王五,13700137000\n",
                      encoding="utf-8-sig")
    with opened(db) as services:
        services.incidents.create(intake | {"affected_minors": 0, "affected_people": 3})
        services.people.import_file(1, people)
        for element, audience in (("measures_taken", "individual"), ("remedies", "")):
            services.notices.set_element_text(1, element, "zh-CN", "已关闭存储桶的公开访问。", audience)
            services.notices.set_element_text(1, element, "en", "We closed public access to the bucket.", audience)
    assert run(["approve", "1", "--notice", "individual", "--by", "王安全", "--db", str(db)]) == 0
    export = tmp_path / "sms.csv"
    with opened(db) as services:
        services.handoff.export_sms(1, export)
        assert services.assessment.assess(1).obligation("pipl57-individuals").status.value == "pending"
        services.handoff.import_report(1, report_from(export, tmp_path / "r.csv", fail_every=0))
        obligation = services.assessment.assess(1).obligation("pipl57-individuals")
        batches = services.ctx.store.send_ledger.batches(1)[1]
    assert obligation.status.value == "met" and obligation.met_at is not None, obligation.why.en
    assert [(b.channel, b.rows, b.sent) for b in batches] == [("sms", 3, 3)]


def test_the_call_list_holds_phone_people_not_reached_by_email_with_the_script(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "calls.csv"
    with opened(db) as services:
        result = services.handoff.export_calls(1, out)
        emails = {p.phone for p in services.people.iter_people(1) if p.email}
    rows = read_csv(out)
    assert rows[0] == ["phone", "name", "reference", "language", "script_version_id", "script_sha256", "out_id"]
    assert len(rows) - 1 == result["rows"] > 0 and not {r[0] for r in rows[1:]} & emails
    assert set(result["scripts"]) == {"zh-CN", "en"}
    report = tmp_path / "outcomes.csv"
    report.write_text("out_id,status\n" + "".join(f"{r[6]},delivered\n" for r in rows[1:]), encoding="utf-8")
    with opened(db) as services:
        done = services.handoff.import_report(1, report, channel="phone")
    assert done["delivered"] == result["rows"] and {s for s, _, _ in ledger(db, "phone")} == {"sent"}


def test_a_report_saved_by_excel_in_gb18030_is_read(db: Path, tmp_path: Path) -> None:
    export = tmp_path / "sms.csv"
    with opened(db) as services:
        services.handoff.export_sms(1, export)
    utf8 = report_from(export, tmp_path / "utf8.csv", fail_every=0)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(utf8.read_text(encoding="utf-8-sig").encode("gb18030"))
    with opened(db) as services:
        result = services.handoff.import_report(1, gbk, provider=Provider.ALIYUN)
    assert result["delivered"] == result["changed"] == len(ledger(db)) > 0
