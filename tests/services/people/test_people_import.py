"""Importing affected people: encodings, headers, normalisation, duplicates, minors, formulas,
broken files and cancel — each with the exact counts and messages the officer sees."""

from __future__ import annotations

import csv
import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from incident_app.domain.errors import ValidationError
from incident_app.domain.people.fields import MESSAGES
from incident_app.domain.people.person import Channel
from incident_app.services.container import Services
from incident_app.services.people.files import BINARY_MESSAGE, EMPTY_MESSAGE, NO_ROWS_MESSAGE
from incident_app.services.progress import Cancelled, Progress

HEADER_EN = ("user_id,name,email,phone,address,birth_date,guardian_name,guardian_email,guardian_phone,data_types,"
             "language")


@pytest.fixture
def incident_id(services: Services, intake: dict[str, object]) -> int:
    # occurred_at 2026-11-18 08:00 Shanghai: the under-14 cut-off day is 2012-11-18.
    return services.incidents.create(intake).id


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def report_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize(("encoding", "label"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"), ("utf-16", "utf-16"),
])
def test_each_encoding_imports_chinese_names(services: Services, incident_id: int, tmp_path: Path,
                                              encoding: str, label: str) -> None:
    text = "用户ID,姓名,手机号\nU1,张三丰,13800138000\nU2,李四,13900139000\n"
    result = services.people.import_file(incident_id, write(tmp_path, text, encoding))
    assert (result.imported, result.rejected_rows, result.encoding) == (2, 0, label)
    names = [p.name for p in services.people.page(incident_id, 0, 10)]
    assert names == ["张三丰", "李四"]


def test_header_aliases_in_english_chinese_and_variants(services: Services, incident_id: int, tmp_path: Path) -> None:
    text = ("User ID,姓名,E-mail,手机号码,联系地址,出生日期：,监护人手机,Notes\n"
            "U1,王五,WANG@Example.com,13800138000,上海市浦东新区碧波路690号,1990-01-02,,x\n")
    path = write(tmp_path, text)
    preview = services.people.preview(path)
    assert preview.mapping == {"User ID": "user_id", "姓名": "name", "E-mail": "email", "手机号码": "phone",
                               "联系地址": "address", "出生日期：": "birth_date", "监护人手机": "guardian_phone",
                               "Notes": None}
    assert preview.rows[0][:4] == ("U1", "王*", "W***@Example.com", "138****8000")
    result = services.people.import_file(incident_id, path)
    assert result.ignored_columns == ("Notes",)
    person = services.people.page(incident_id, 0, 1)[0]
    assert (person.email, person.phone, person.channel) == ("wang@example.com", "+8613800138000", Channel.EMAIL)


def test_corrected_mapping_is_used(services: Services, incident_id: int, tmp_path: Path) -> None:
    path = write(tmp_path, "编号,联系方式\n7,13800138000\n")
    with pytest.raises(ValidationError, match="no column recognised as user_id"):
        services.people.import_file(incident_id, path)
    result = services.people.import_file(incident_id, path, mapping={"编号": "user_id", "联系方式": "phone"})
    assert result.imported == 1
    assert services.people.page(incident_id, 0, 1)[0].phone == "+8613800138000"


def test_full_width_digits_and_phone_spellings(services: Services, incident_id: int, tmp_path: Path) -> None:
    text = ("user_id,phone\nU1,１３８００１３８０００\nU2,+86 139 0013 9000\nU3,137-0013-7000\n"
            "U4,0086 13600136000\nU5,＋８６ １３５ ００１３ ５０００\nU6,+44 7911 123456\nU7,021-38760448\n")
    result = services.people.import_file(incident_id, write(tmp_path, text))
    phones = [p.phone for p in services.people.page(incident_id, 0, 10)]
    assert phones == ["+8613800138000", "+8613900139000", "+8613700137000", "+8613600136000", "+8613500135000",
                      "+447911123456", "+862138760448"]
    assert (result.imported, result.fields_dropped, result.warnings) == (7, 0, 1)
    landline = services.people.page(incident_id, 6, 1)[0]
    assert landline.channel == Channel.NONE  # a landline cannot take SMS
    assert report_rows(result.report_path)[1] == ["8", "phone", "213****0448", MESSAGES["phone_not_mobile"]]


def test_bad_emails_and_phones_drop_the_field_not_the_row(services: Services, incident_id: int, tmp_path: Path) -> None:
    text = ("user_id,name,email,phone\nU1,张三,zhang@,13800138000\nU2,李四,li si@example.com,12345\n"
            "U3,王五,wang@example.com,1380013800x\n,赵六,bad@,000\n")
    result = services.people.import_file(incident_id, write(tmp_path, text))
    assert (result.rows_read, result.imported, result.rejected_rows, result.fields_dropped) == (4, 3, 1, 6)
    assert report_rows(result.report_path) == [
        ["row", "field", "value", "reason"],
        ["2", "email", "z***@", MESSAGES["email_invalid"]],
        ["3", "email", "l***@example.com", MESSAGES["email_invalid"]],
        ["3", "phone", "1**45", MESSAGES["phone_invalid"]],
        ["4", "phone", "138****800x", MESSAGES["phone_invalid"]],
        ["5", "email", "b***@", MESSAGES["email_invalid"]],
        ["5", "phone", "0*00", MESSAGES["phone_invalid"]],
        ["5", "(row)", "赵*", MESSAGES["row_unidentified"]],
    ]
    people = services.people.page(incident_id, 0, 10)
    assert [(p.user_id, p.email, p.phone, p.channel.value) for p in people] == [
        ("U1", None, "+8613800138000", "sms"), ("U2", None, None, "none"), ("U3", "wang@example.com", None, "email")]


def test_duplicates_merge_by_user_id_else_email_or_phone(services: Services, incident_id: int, tmp_path: Path) -> None:
    text = ("user_id,name,email,phone,data_types\n"
            "U1,张三,zhang@example.com,,phone_number\n"      # row 2
            "U1,张三,,13800138000,ip_address\n"              # row 3: same user id -> merged, gains the phone
            ",张三,ZHANG@example.com,,\n"                     # row 4: no user id, same email -> merged
            "U2,张三,zhang@example.com,,\n"                  # row 5: another user id: a different person
            ",李四,,+86 139 0013 9000,\n"                    # row 6
            ",李四,li@example.com,13900139000,\n")           # row 7: no user id, same phone as row 6 -> merged
    result = services.people.import_file(incident_id, write(tmp_path, text))
    assert (result.rows_read, result.imported, result.duplicates_merged) == (6, 3, 3)
    people = services.people.page(incident_id, 0, 10)
    assert [(p.user_id, p.email, p.phone, p.data_types) for p in people] == [
        ("U1", "zhang@example.com", "+8613800138000", ("phone_number", "ip_address")),
        ("U2", "zhang@example.com", None, ()),
        (None, "li@example.com", "+8613900139000", ()),
    ]
    assert report_rows(result.report_path)[1:] == [
        ["3", "user_id", "U1", MESSAGES["duplicate"].format(row=2, key="user_id")],
        ["4", "email", "z***@example.com", MESSAGES["duplicate"].format(row=2, key="email")],
        ["7", "phone", "139****9000", MESSAGES["duplicate"].format(row=6, key="phone")],
    ]
    assert services.people.summary(incident_id).duplicates_merged == 3


def test_duplicate_of_a_row_written_in_an_earlier_batch(services: Services, incident_id: int, tmp_path: Path) -> None:
    rows = [f"U{i},name{i},user{i}@example.com" for i in range(6000)] + ["U3,name3,", ",x,user4@example.com"]
    result = services.people.import_file(incident_id, write(tmp_path, "user_id,name,email\n" + "\n".join(rows)))
    assert (result.imported, result.duplicates_merged) == (6000, 2)
    assert services.people.count(incident_id) == 6000


@pytest.mark.parametrize(("birth", "band"), [
    ("2012-11-19", "child"),  # turns 14 the day after the incident
    ("2012-11-18", "child"),  # 14th birthday on the incident day: still under 14 (full age from the next day)
    ("2012-11-17", "teen"),   # already 14 for a day: a minor, told directly and through the guardian
    ("2012/11/18", "child"), ("20121118", "child"), ("2012年11月18日", "child"), ("２０１２-１１-１７", "teen"),
    ("2010-05-01", "teen"),   # sixteen: still a minor (Minors' Network Protection Regulations Art. 35)
    ("2008-11-18", "teen"),   # 18th birthday on the incident day: still under 18
    ("2008-11-17", "adult"),
])
def test_age_band_boundaries(services: Services, incident_id: int, tmp_path: Path, birth: str, band: str) -> None:
    text = f"user_id,birth_date,guardian_phone\nU1,{birth},13800138000\n"
    services.people.import_file(incident_id, write(tmp_path, text))
    person = services.people.page(incident_id, 0, 1)[0]
    assert person.minor_band.value == band
    assert person.is_minor is (band != "adult")
    assert person.channel == (Channel.NONE if band == "adult" else Channel.GUARDIAN_SMS)


def test_channels_and_summary(services: Services, incident_id: int, tmp_path: Path) -> None:
    text = (HEADER_EN + "\n"
            "U1,甲,a@example.com,13800138000,,,,,,,\n"                     # email
            "U2,乙,,13800138001,,,,,,,\n"                                  # sms
            "U3,丙,,,北京市海淀区中关村大街1号,,,,,,\n"                     # letter
            "U4,丁,,,,2015-03-01,丁父,parent@example.com,,,\n"            # child -> guardian email
            "U5,戊,,,,2016-03-01,,,13900139000,,\n"                        # child -> guardian sms
            "U6,己,kid@example.com,,,2016-03-01,,,,,\n"                    # child, no guardian: never the child alone
            "U7,庚,,,,,,,,,\n"                                             # unreachable
            "U8,辛,teen@example.com,,,2010-05-01,辛母,mum@example.com,,,\n"  # teen: own e-mail (and guardian)
            "U9,壬,,13800138009,,2011-01-01,,,,,\n")                       # teen without guardian contact
    result = services.people.import_file(incident_id, write(tmp_path, text))
    assert [p.channel.value for p in services.people.page(incident_id, 0, 10)] == [
        "email", "sms", "letter", "guardian_email", "guardian_sms", "none", "none", "email", "sms"]
    summary = services.people.summary(incident_id)
    assert (summary.total, summary.minors, summary.children, summary.teens, summary.unreachable) == (9, 5, 3, 2, 2)
    assert summary.by_channel == {"email": 2, "sms": 2, "letter": 1, "guardian_email": 1, "guardian_sms": 1,
                                  "none": 2}
    assert report_rows(result.report_path)[1:] == [["7", "guardian", "", MESSAGES["minor_no_guardian"]],
                                                   ["10", "guardian", "", MESSAGES["teen_no_guardian"]]]
    total, minors, by_channel = services.ctx.store.people.recount(incident_id)
    assert (total, minors, by_channel) == (summary.total, summary.minors, summary.by_channel)
    assert services.ctx.store.people.recount_bands(incident_id) == {"adult": 4, "child": 3, "teen": 2}
    assert result.to_dict()["children"] == 3 and result.to_dict()["teens"] == 2


def test_birth_date_from_the_resident_id_number(services: Services, incident_id: int, tmp_path: Path) -> None:
    """A missing birth date comes from a valid ID number; an invalid one is dropped (masked in the
    report) and stored ID numbers are masked like every other identifier."""
    from stdnum.cn import ric

    def rid(birth: str) -> str:
        body = "110101" + birth + "123"
        return body + ric.calc_check_digit(body + "0")
    teen, child, adult = rid("20100501"), rid("20150301"), rid("19900101")
    broken = teen[:-1] + ("1" if teen[-1] != "1" else "2")
    text = ("用户ID,身份证号,出生日期,监护人手机号\n"
            f"U1,{teen},,13900139000\nU2,{child},,13900139001\nU3,{adult},,\nU4,{broken},,13900139002\n"
            f"U5,{child},1990-01-01,\n")
    result = services.people.import_file(incident_id, write(tmp_path, text))
    people = services.people.page(incident_id, 0, 10)
    assert [p.minor_band.value for p in people] == ["teen", "child", "adult", "adult", "adult"]
    assert [str(p.birth_date) for p in people[:4]] == ["2010-05-01", "2015-03-01", "1990-01-01", "None"]
    assert people[0].id_number == teen and people[3].id_number is None
    assert people[0].masked().id_number == teen[:3] + "*" * 13 + teen[-2:]
    lines = report_rows(result.report_path)[1:]
    assert ["5", "id_number", broken[:3] + "*" * 13 + broken[-2:], MESSAGES["id_number_invalid"]] in lines
    assert ["6", "id_number", child[:3] + "*" * 13 + child[-2:], MESSAGES["id_birth_conflict"]] in lines
    assert teen not in result.report_path.read_text(encoding="utf-8-sig")


def test_formulas_are_stored_as_text_and_neutralised_in_the_report(services: Services, incident_id: int,
                                                                   tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://evil.example","点我")'
    text = f'user_id,name,email\nU1,"{formula.replace(chr(34), chr(34) * 2)}",=1+2@x\n+cmd,@SUM(A1),\n'
    result = services.people.import_file(incident_id, write(tmp_path, text))
    people = services.people.page(incident_id, 0, 10)
    assert [(p.user_id, p.name) for p in people] == [("U1", formula), ("+cmd", "@SUM(A1)")]
    assert report_rows(result.report_path)[1] == ["2", "email", "'=***@x", MESSAGES["email_invalid"]]


def test_full_width_formula_in_the_report_is_neutralised_and_the_report_is_logged(
    services: Services, incident_id: int, tmp_path: Path
) -> None:
    result = services.people.import_file(incident_id, write(tmp_path, "user_id,email\nU1,＝1+2@x\n"))
    assert report_rows(result.report_path)[1][2] == "'＝***@x"  # a Chinese input method's ＝
    exported = services.ctx.store.events.of_types(["export.written"])
    assert [(e.payload["what"], e.payload["where"], e.payload["count"], e.payload["unmasked"])
            for e in exported] == [("people_import_report", str(result.report_path), 1, False)]


def test_empty_file(services: Services, incident_id: int, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        services.people.import_file(incident_id, write(tmp_path, ""))
    assert [(p.field, p.message) for p in caught.value.problems] == [("(file)", EMPTY_MESSAGE)]
    assert_nothing_imported(services, incident_id, tmp_path)


def test_file_with_only_headers(services: Services, incident_id: int, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        services.people.import_file(incident_id, write(tmp_path, "用户ID,姓名,手机号\r\n\r\n"))
    assert [(p.field, p.message) for p in caught.value.problems] == [("(file)", NO_ROWS_MESSAGE)]
    assert_nothing_imported(services, incident_id, tmp_path)


def test_binary_file(services: Services, incident_id: int, tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(ValidationError) as caught:
        services.people.import_file(incident_id, path)
    assert [(p.field, p.message) for p in caught.value.problems] == [("(file)", BINARY_MESSAGE)]
    assert_nothing_imported(services, incident_id, tmp_path)


def assert_nothing_imported(services: Services, incident_id: int, tmp_path: Path) -> None:
    assert services.people.count(incident_id) == 0
    assert not [e for e in services.audit.timeline(incident_id) if e.type.startswith("people.")]
    assert not list(tmp_path.glob("*.people-import-*"))


def test_cancel_mid_import_rolls_back_and_records_the_attempt(services: Services, incident_id: int,
                                                              tmp_path: Path) -> None:
    services.people.import_file(incident_id, write(tmp_path, "user_id\nEARLIER\n", name="first.csv"))
    path = write(tmp_path, "user_id,email\n" + "".join(f"U{i},u{i}@example.com\n" for i in range(12_000)))
    progress = Progress(on_change=lambda snap: progress.cancel() if snap.done else None, min_interval_s=0)
    with pytest.raises(Cancelled):
        services.people.import_file(incident_id, path, progress)
    assert [p.user_id for p in services.people.page(incident_id, 0, 10)] == ["EARLIER"]
    assert services.people.summary(incident_id).total == 1
    event = services.audit.timeline(incident_id)[0]
    assert event.type == "people.import_cancelled"
    assert event.payload["counts"] == {"rows_read": 5000, "imported": 5000, "duplicates_merged": 0, "rejected_rows": 0}
    assert event.payload["rolled_back"] is True
    assert len(list(tmp_path.glob("*.people-import-*"))) == 1  # only the first import's report


def test_decoding_error_after_the_sample_fails_cleanly(services: Services, incident_id: int, tmp_path: Path) -> None:
    good = "".join(f"U{i},user{i}@example.com\n" for i in range(20_000)).encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"user_id,email\n" + good + "U-x,张三@example.com\n".encode("gbk"))
    # The row is exact: 20,000 good rows after the header, so the GBK row is row 20002.
    with pytest.raises(ValidationError, match=r"row 20002, \(file\): this row is not utf-8 text like the rows "
                                              r"before it \(it reads as gb18030\)"):
        services.people.import_file(incident_id, path)
    assert services.people.count(incident_id) == 0
    event = services.audit.timeline(incident_id)[0]
    assert (event.type, event.payload["error"]) == ("people.import_failed", "ValidationError")


def test_report_is_private_and_beside_the_database(services: Services, incident_id: int, tmp_path: Path,
                                                   db_path: Path) -> None:
    result = services.people.import_file(incident_id, write(tmp_path, "user_id,email\nU1,bad@\n"))
    assert result.report_path.parent == db_path.parent
    assert result.report_path.name.startswith(f"{db_path.name}.people-import-{incident_id}-")
    assert result.report_path.stat().st_mode & 0o777 == 0o600


def test_second_file_merges_into_the_first_and_replace_starts_over(services: Services, incident_id: int,
                                                                   tmp_path: Path) -> None:
    services.people.import_file(incident_id, write(tmp_path, "user_id,email\nU1,a@example.com\nU2,\n", name="a.csv"))
    second = services.people.import_file(incident_id, write(tmp_path, "user_id,phone\nU2,13800138000\nU3,\n",
                                                            name="b.csv"))
    assert (second.imported, second.duplicates_merged, second.summary.total) == (1, 1, 3)
    assert [(p.user_id, p.phone) for p in services.people.page(incident_id, 0, 10)] == [
        ("U1", None), ("U2", "+8613800138000"), ("U3", None)]
    assert services.people.page(incident_id, 2, 5)[0].user_id == "U3"  # paging crosses the two id ranges
    replaced = services.people.import_file(incident_id, write(tmp_path, "user_id\nU9\n", name="c.csv"), replace=True)
    assert (replaced.summary.total, services.people.count(incident_id)) == (1, 1)


def test_xlsx_with_formula_number_and_date_cells(services: Services, incident_id: int, tmp_path: Path) -> None:
    import datetime

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["用户ID", "姓名", "手机号", "出生日期"])
    sheet.append(["U1", "=A1&\"x\"", 13800138000, datetime.datetime(2013, 5, 6)])
    path = tmp_path / "people.xlsx"
    book.save(path)
    result = services.people.import_file(incident_id, path)
    person = services.people.page(incident_id, 0, 1)[0]
    assert (result.kind, person.name, person.phone, str(person.birth_date), person.is_minor) == (
        "xlsx", '=A1&"x"', "+8613800138000", "2013-05-06", True)


def test_search_unmask_and_streaming(services: Services, incident_id: int, tmp_path: Path) -> None:
    text = "user_id,name,email,phone\nU1,张三,zhang@example.com,13800138000\nU2,李四,li@example.com,13900139000\n"
    services.people.import_file(incident_id, write(tmp_path, text))
    assert [p.user_id for p in services.people.page(incident_id, 0, 10, "李")] == ["U2"]
    assert [p.user_id for p in services.people.page(incident_id, 0, 10, "１３８0013")] == ["U1"]
    assert services.people.count(incident_id, "example.com") == 2
    assert [p.user_id for p in services.people.iter_people(incident_id, batch=1)] == ["U1", "U2"]
    person = services.people.page(incident_id, 0, 1)[0]
    with pytest.raises(ValidationError, match="reason"):
        services.people.unmask(incident_id, person.id, " ")
    shown = services.people.unmask(incident_id, person.id, "guardian called the hotline")
    assert shown.name == "张三" and person.masked().name == "张*"
    event = services.audit.timeline(incident_id)[0]
    assert (event.type, event.payload) == ("personal_data.unmasked", {
        "what": "person", "where": "screen", "count": 1, "reason": "guardian called the hotline",
        "person_id": person.id})


def test_events_carry_counts_not_personal_data(services: Services, incident_id: int, tmp_path: Path,
                                               raw_connect: Callable[[], sqlite3.Connection]) -> None:
    services.people.import_file(incident_id, write(tmp_path, "user_id,name,phone\nU1,张三,13800138000\n"))
    with closing(raw_connect()) as conn:
        payloads = " ".join(r[0] for r in conn.execute("SELECT payload FROM events"))
    assert "张三" not in payloads and "13800138000" not in payloads and '"imported": 1' in payloads


def messy_rows(count: int) -> str:
    """Rows with the usual problems spread through them, for comparing the two import paths."""
    lines = []
    for i in range(count):
        uid = "" if i % 50 == 7 else f"U{i % 23_000}"  # repeats after 23,000 rows
        email = "broken@" if i % 97 == 0 else f"user{i % 24_000}@example.com"
        phone = f"+86 138 {i % 10_000:04d} {i % 7_000:04d}" if i % 3 else ""
        birth = "2013-05-06" if i % 41 == 0 else ""
        lines.append(f"{uid},名{i},{email},{phone},{birth},{'13900139000' if i % 82 == 0 else ''}\n")
    return "user_id,name,email,phone,birth_date,guardian_phone\n" + "".join(lines)


def test_helper_process_gives_the_same_import(services: Services, intake: dict[str, object], tmp_path: Path) -> None:
    path = write(tmp_path, messy_rows(26_000))
    results, people, reports = [], [], []
    for parallel in (False, True):
        incident = services.incidents.create(intake).id
        result = services.people.import_file(incident, path, parallel=parallel)
        results.append((result.rows_read, result.imported, result.duplicates_merged, result.rejected_rows,
                        result.fields_dropped, result.warnings, services.people.summary(incident).to_dict()))
        people.append([(p.user_id, p.email, p.phone, p.is_minor, p.channel)
                       for p in services.people.iter_people(incident)])
        reports.append(report_rows(result.report_path))
    assert results[0] == results[1] and people[0] == people[1] and reports[0] == reports[1]
    assert results[0][:4] == (26_000, 23_018, 2_980, 2)
    rows = [int(line[0]) for line in reports[0][1:]]
    assert rows == sorted(rows)  # field problems and duplicates interleaved in row order


def helper_processes() -> list[int]:
    """Live helper processes started by this test process (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if int(stat[1]) == os.getpid() and stat[0] != "Z" and b"people_batches" in cmdline:
            found.append(int(entry.name))
    return found


def test_cancel_stops_the_helper_process(services: Services, incident_id: int, tmp_path: Path) -> None:
    path = write(tmp_path, messy_rows(40_000))
    progress = Progress(on_change=lambda snap: progress.cancel() if snap.done else None, min_interval_s=0)
    with pytest.raises(Cancelled):
        services.people.import_file(incident_id, path, progress, parallel=True)
    assert services.people.count(incident_id) == 0
    assert helper_processes() == []


def test_title_rows_above_the_header_are_skipped(services: Services, incident_id: int, tmp_path: Path) -> None:
    text = "sep=,\n受影响用户名单（2026-11-20 导出）,,\n\n用户ID,姓名,手机号\nU1,张三,13800138000\n\nU2,李四,bad\n"
    result = services.people.import_file(incident_id, write(tmp_path, text))
    assert (result.rows_read, result.imported, result.fields_dropped) == (2, 2, 1)
    assert report_rows(result.report_path)[1][:2] == ["7", "phone"]  # numbered as the spreadsheet shows it


def test_a_file_without_a_header_row_is_refused_without_echoing_the_person(
    services: Services, incident_id: int, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match=r"no column recognised as user_id/用户ID or name/姓名") as exc:
        services.people.import_file(incident_id, write(tmp_path, "U1,张三丰,13800138000\nU2,李四,13900139000\n"))
    message = str(exc.value)
    assert "张三丰" not in message and "13800138000" not in message  # the first row is a person, not a header
    assert "张*丰" in message and "1********0" in message and "add one" in message


def test_the_report_says_a_child_counts_toward_the_announcement_exactly_when_it_does(
    services: Services, incident_id: int, tmp_path: Path
) -> None:
    """A child with only the household address gets a letter addressed to the guardian (no
    warning); a child with an e-mail of their own but no way to reach the guardian is 'none',
    counted toward the announcement, and the report says so."""
    text = ("user_id,email,address,birth_date\n"
            "C1,,北京市海淀区中关村大街1号,2015-01-01\n"
            "C2,kid@example.com,,2015-01-01\n")
    result = services.people.import_file(incident_id, write(tmp_path, text))
    assert [p.channel.value for p in services.people.page(incident_id, 0, 5)] == ["guardian_letter", "none"]
    assert services.people.summary(incident_id).unreachable == 1
    assert report_rows(result.report_path)[1:] == [["3", "guardian", "", MESSAGES["minor_no_guardian"]]]
