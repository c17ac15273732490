"""What the internal brief's check looks up as possible names: two-character runs only when they
start with a common surname, three- and four-character runs always."""

from __future__ import annotations

from incident_app.domain.notices.mentions import mention_candidates


def test_two_character_names_are_looked_for_when_they_start_with_a_surname() -> None:
    names = set(mention_candidates("客户王芳来电；个人信息可能泄露。")["name"])
    assert "王芳" in names and "客户王" in names
    assert not {"个人", "泄露", "可能"} & names  # no surname first: ordinary words, never looked up


def test_a_name_or_number_written_in_other_forms_is_still_looked_for() -> None:
    found = mention_candidates("ZHANG SAN 报告：张 三、王　芳（１３８００１３８０００，138.0013.9000），li si 也在")
    assert {"Zhang San", "张三", "王芳", "Li Si"} <= set(found["name"])
    assert {"+8613800138000", "+8613800139000"} <= set(found["phone"])
