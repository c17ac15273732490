from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric

from incident_app.domain.errors import ValidationError
from incident_app.domain.exports import neutralise_cell
from incident_app.domain.people.columns import apply_corrections, check_usable, header_key, suggest_mapping
from incident_app.domain.people.fields import (
    FieldRejected,
    normalise_age,
    normalise_birth_date,
    normalise_email,
    normalise_id_number,
    normalise_language,
    normalise_phone,
    phone_is_mobile,
    split_data_types,
)
from incident_app.domain.people.person import (
    Channel,
    band_code,
    band_cutoffs,
    channel_code,
    choose_channel,
    is_minor_by,
    mask_address,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
    minor_cutoff,
)

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(("raw", "expected"), [
    ("13800138000", ("+8613800138000", True)),
    ("１３８００１３８０００", ("+8613800138000", True)),
    ("+86 138 0013 8000", ("+8613800138000", True)),
    ("138-0013-8000", ("+8613800138000", True)),
    ("(+86)138.0013.8000", ("+8613800138000", True)),
    ("008613800138000", ("+8613800138000", True)),
    ("8613800138000", ("+8613800138000", True)),
    ("021-38760448", ("+862138760448", False)),
    ("+1 650 253 0000", ("+16502530000", True)),  # US numbers may be mobile or fixed
    ("", None),
])
def test_phones_normalise_to_e164(raw: str, expected: tuple[str, bool] | None) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "1380013800", "138001380001", "phone", "+999 123", "12800138000"])
def test_invalid_phones_are_rejected(raw: str) -> None:
    with pytest.raises(FieldRejected) as caught:
        normalise_phone(raw)
    assert caught.value.code == "phone_invalid"


def test_phone_is_mobile_from_stored_numbers() -> None:
    assert phone_is_mobile("+8613800138000") and not phone_is_mobile("+862138760448") and not phone_is_mobile(None)


@pytest.mark.parametrize(("raw", "expected"), [
    (" Zhang.San@Example.COM ", "zhang.san@example.com"),
    ("ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "zhang@example.com"),
    ("a+tag@mail.example.cn", "a+tag@mail.example.cn"),
    ("", None),
])
def test_emails_normalise(raw: str, expected: str | None) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["zhang@", "@example.com", "a b@example.com", "a@b", "a..b@example.com",
                                 "a@-example.com", "a@example.c", "a.@example.com", ".a@example.com",
                                 "a@example..com", "a@例子", "a@例子.中国\u202e", "<a@example.com>"])
def test_bad_emails_are_rejected(raw: str) -> None:
    with pytest.raises(FieldRejected, match="not a valid email address"):
        normalise_email(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("zhang@例子.中国", "zhang@例子.中国"), ("Li@公司.公司", "li@公司.公司"),
    ("zhang@xn--fsqu00a.xn--fiqs8s", "zhang@例子.中国"),  # the A-label spelling is the same address
    ("wang@例子。中国", "wang@例子.中国"), ("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ", "wang@example.cn"),
])
def test_internationalised_domains_are_accepted(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


def test_a_non_ascii_local_part_is_refused_with_its_own_reason() -> None:
    # Decision (domain/contacts.py): notices are 7-bit, so no SMTPUTF8 mailboxes.
    with pytest.raises(FieldRejected) as caught:
        normalise_email("用户@例子.中国")
    assert caught.value.code == "email_non_ascii_local"


@pytest.mark.parametrize(("raw", "expected"), [
    ("2012-03-04", "2012-03-04"), ("2012/3/4", "2012-03-04"), ("2012.03.04", "2012-03-04"),
    ("20120304", "2012-03-04"), ("2012年3月4日", "2012-03-04"), ("2012-03-04 00:00:00", "2012-03-04"),
    ("２０１２／０３／０４", "2012-03-04"), (date(2012, 3, 4), "2012-03-04"),
])
def test_birth_dates_in_common_formats(raw: str | date, expected: str) -> None:
    assert normalise_birth_date(raw, TODAY) == expected


@pytest.mark.parametrize(("raw", "code"), [
    ("04/03/2012", "birth_date_invalid"), ("2012-02-30", "birth_date_invalid"), ("yesterday", "birth_date_invalid"),
    ("1899-12-31", "birth_date_range"), ("2027-01-01", "birth_date_range"),
])
def test_bad_birth_dates(raw: str, code: str) -> None:
    with pytest.raises(FieldRejected) as caught:
        normalise_birth_date(raw, TODAY)
    assert caught.value.code == code


def test_age_and_language() -> None:
    assert [normalise_age(v) for v in ("12", "12岁", "12.0", "１３", "")] == [12, 12, 12, 13, None]
    with pytest.raises(FieldRejected):
        normalise_age("twelve")
    assert normalise_language("English") == ("en", True)
    assert normalise_language("中文") == ("zh-CN", True)
    assert normalise_language("") == ("zh-CN", True)
    assert normalise_language("klingon") == ("zh-CN", False)


def test_data_types_by_id_or_name_with_either_separator() -> None:
    names = {"phone_number": "phone_number", "手机号码": "phone_number", "ip address": "ip_address"}
    assert split_data_types("phone_number;IP address、手机号码；unknown", names) == (
        ("phone_number", "ip_address"), ("unknown",))


@pytest.mark.parametrize(("incident_day", "cutoff"), [
    (date(2026, 11, 18), "2012-11-18"), (date(2028, 2, 29), "2014-02-28"), (date(2026, 3, 1), "2012-03-01"),
])
def test_minor_cutoff(incident_day: date, cutoff: str) -> None:
    assert minor_cutoff(incident_day) == cutoff


def test_under_fourteen_on_the_incident_day() -> None:
    cutoff = minor_cutoff(date(2026, 11, 18))
    assert is_minor_by("2012-11-18", None, cutoff)  # the 14th birthday itself
    assert not is_minor_by("2012-11-17", None, cutoff)
    assert is_minor_by(None, 13, cutoff) and not is_minor_by(None, 14, cutoff) and not is_minor_by(None, None, cutoff)
    assert not is_minor_by("2000-01-01", 10, cutoff)  # the birth date wins over a stated age


def test_leap_day_birthday() -> None:
    born = "2012-02-29"
    assert is_minor_by(born, None, minor_cutoff(date(2026, 2, 28)))
    assert not is_minor_by(born, None, minor_cutoff(date(2026, 3, 1)))


def test_age_bands_on_the_incident_day() -> None:
    """Under 14 is a child, 14-17 a teen, 18 and over an adult; on the 14th and the 18th birthday
    the person is still in the younger band (full age is reached the day after)."""
    cutoffs = band_cutoffs(date(2026, 11, 18))
    assert cutoffs == ("2012-11-18", "2008-11-18")
    assert band_code("2012-11-18", None, cutoffs) == "child"  # 14th birthday
    assert band_code("2012-11-17", None, cutoffs) == "teen"
    assert band_code("2010-05-01", None, cutoffs) == "teen"  # a 16-year-old is a minor, not an adult
    assert band_code("2008-11-18", None, cutoffs) == "teen"  # 18th birthday
    assert band_code("2008-11-17", None, cutoffs) == "adult"
    assert [band_code(None, age, cutoffs) for age in (13, 14, 17, 18, None)] == [
        "child", "teen", "teen", "adult", "adult"]
    assert band_code("2000-01-01", 10, cutoffs) == "adult"  # the birth date wins over a stated age


@pytest.mark.parametrize(("band", "email", "mobile", "address", "g_email", "g_mobile", "channel"), [
    ("adult", "a@x.cn", True, "addr", "", False, Channel.EMAIL),
    ("adult", "", True, "addr", "", False, Channel.SMS),
    ("adult", "", False, "addr", "", False, Channel.LETTER),
    ("adult", "", False, "", "g@x.cn", True, Channel.NONE),
    ("child", "a@x.cn", True, "addr", "g@x.cn", True, Channel.GUARDIAN_EMAIL),
    ("child", "a@x.cn", True, "addr", "", True, Channel.GUARDIAN_SMS),
    ("child", "a@x.cn", True, "addr", "", False, Channel.GUARDIAN_LETTER),
    ("child", "a@x.cn", False, "", "", False, Channel.NONE),  # never the child alone, even with an e-mail
    ("child", "", False, "", "", False, Channel.NONE),
    ("teen", "a@x.cn", True, "addr", "g@x.cn", True, Channel.EMAIL),  # the teenager is told directly
    ("teen", "", True, "", "g@x.cn", False, Channel.SMS),
    ("teen", "", False, "", "g@x.cn", False, Channel.GUARDIAN_EMAIL),  # no own contact: through the guardian
    ("teen", "", False, "", "", False, Channel.NONE),
])
def test_channel_choice(band: str, email: str, mobile: bool, address: str, g_email: str, g_mobile: bool,
                        channel: Channel) -> None:
    assert choose_channel(band=band, email=email, mobile=mobile, address=address, guardian_email=g_email,
                          guardian_mobile=g_mobile) == channel
    assert channel_code(band, email, mobile, address, g_email, g_mobile) == channel.value


def resident_id(region: str, birth: str, serial: str = "123") -> str:
    """A resident ID number with a correct check digit (birth as YYYYMMDD)."""
    body = region + birth + serial
    return body + ric.calc_check_digit(body + "0")


def test_id_number_gives_the_birth_date_and_its_check_digit_is_checked() -> None:
    number = resident_id("110101", "20100501")
    assert normalise_id_number(number, TODAY) == (number, "2010-05-01")
    assert normalise_id_number(" " + number.lower() + " ", TODAY) == (number, "2010-05-01")
    assert normalise_id_number("", TODAY) is None
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    for bad in (wrong, number[:-2], "11010120100501123Y", resident_id("110101", "20300101")):
        with pytest.raises(FieldRejected) as info:
            normalise_id_number(bad, TODAY)
        assert info.value.code == "id_number_invalid"
    assert mask_id_number(number) == number[:3] + "*" * 13 + number[-2:]


def test_masking() -> None:
    assert mask_name("张三丰") == "张**"
    assert mask_name("John Smith") == "J*** S****"
    assert mask_phone("+8613800138000") == "138****8000"
    assert mask_phone("+447911123456") == "+44****3456"
    assert mask_email("zhang.san@example.com") == "z***@example.com"
    assert mask_address("上海市浦东新区碧波路690号") == "上海市浦东新****"
    assert [mask_name(None), mask_phone(""), mask_email(None)] == [None, "", None]


@pytest.mark.parametrize(("cell", "safe"), [
    ("=1+2", "'=1+2"), ("+86138", "'+86138"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("张三", "张三"), ("", ""),
])
def test_formulas_are_neutralised(cell: str, safe: str) -> None:
    # The import report uses the one neutraliser every export uses (full-width forms included).
    assert neutralise_cell(cell) == safe


def test_header_mapping_and_corrections() -> None:
    mapping = suggest_mapping(["\ufeff用户ID", "Name", "邮箱", "phone_number", "手机号", "备注"])
    # Both phone columns stay on phone: the mapping is refused until one is re-mapped (issue 13 point 9).
    assert mapping.fields == ("user_id", "name", "email", "phone", "phone", None)
    assert header_key(" E-Mail： ") == "email"
    corrected = apply_corrections(mapping, {"手机号": "phone", "phone_number": None})
    assert corrected.fields == ("user_id", "name", "email", None, "phone", None)
    with pytest.raises(ValidationError) as caught:
        apply_corrections(mapping, {"备注": "colour", "nope": "name", "手机号": "phone"})
    assert [p.field for p in caught.value.problems] == ["备注", "nope", "phone"]


@pytest.mark.parametrize(("headers", "field", "named"), [
    (["用户ID", "姓名", "手机号", "联系电话"], "phone", "'手机号' (column 3) and '联系电话' (column 4)"),
    (["用户ID", "user_id", "姓名"], "user_id", "'用户ID' (column 1) and 'user_id' (column 2)"),
])
def test_two_columns_for_one_field_are_refused_naming_both(headers: list[str], field: str, named: str) -> None:
    mapping = suggest_mapping(headers)
    with pytest.raises(ValidationError) as caught:
        check_usable(mapping)
    (problem,) = caught.value.problems
    assert (problem.field, problem.row) == (field, 1)
    second = headers[-1] if field == "phone" else headers[1]
    assert named in problem.message and f"--map '{second}='" in problem.message
    # Ignoring the second column makes the mapping usable.
    check_usable(apply_corrections(mapping, {second: None}))


def test_a_second_phone_can_be_imported_as_the_guardians() -> None:
    mapping = apply_corrections(suggest_mapping(["姓名", "手机号", "联系电话"]), {"联系电话": "guardian_phone"})
    check_usable(mapping)
    assert mapping.fields == ("name", "phone", "guardian_phone")


def test_identically_named_recognised_columns_are_refused() -> None:
    with pytest.raises(ValidationError, match="columns 2, 3 are all called 'phone'; rename"):
        check_usable(suggest_mapping(["name", "phone", "phone"]))
    check_usable(suggest_mapping(["name", "备注", "备注"]))  # ignored columns may repeat
