"""What the internal brief's check looks up as possible names: two-character runs only when they
start with a common surname, three- and four-character runs always."""

from __future__ import annotations

from incident_app.domain.notices.mentions import mention_candidates


def test_two_character_names_are_looked_for_when_they_start_with_a_surname() -> None:
    names = set(mention_candidates("客户王芳来电；个人信息可能泄露。")["name"])
    assert "王芳" in names and "客户王" in names
    assert not {"个人", "泄露", "可能"} & names  # no surname first: ordinary words, never looked up
