"""The data-type picker groups the catalog, marks sensitive personal information, filters, counts."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from incident_app.domain.catalog import Catalog
from incident_app.domain.i18n import Translator
from incident_app.services.resources import load_catalog, load_messages
from incident_app.ui.intake.data_type_picker import DataTypePicker


def catalog_with_sensitive() -> Catalog:
    # A small fixed catalog so the test does not change when the shipped catalog grows.
    real = load_catalog()
    base = (real.get("phone_number"), real.get("device_identifiers"))
    id_card = replace(base[0], id="id_card", group="identity", name_zh="身份证号码", name_en="ID card number",
                      sensitive=True, sensitive_basis="PIPL Art. 28")
    return Catalog((*base, id_card))


def test_groups_marks_filters_and_counts(qtbot: QtBot) -> None:
    picker = DataTypePicker(Translator(load_messages(), "zh-CN"))
    qtbot.addWidget(picker)
    picker.set_catalog(catalog_with_sensitive(), ["phone_number"])
    groups = [picker.tree.topLevelItem(i).text(0) for i in range(picker.tree.topLevelItemCount())]
    assert groups == ["账号与登录", "设备与日志", "身份信息"]
    id_card = picker.tree.topLevelItem(2).child(0)
    assert id_card.text(1) == "敏感个人信息"
    assert "PIPL Art. 28" in id_card.toolTip(0)
    id_card.setCheckState(0, Qt.CheckState.Checked)
    assert picker.selected_ids() == ["phone_number", "id_card"]
    assert picker.count.text() == "已选 2 类，其中敏感 1 类"
    picker.filter.setText("身份")
    assert picker.tree.topLevelItem(0).isHidden() and not picker.tree.topLevelItem(2).isHidden()


def test_every_shipped_catalog_group_has_a_name_in_both_languages() -> None:
    from incident_app.ui.intake.data_type_picker import group_label

    for lang in ("zh-CN", "en"):
        tr = Translator(load_messages(), lang)
        for group in {t.group for t in load_catalog().types}:
            assert group_label(group, tr) != group, f"{group} has no {lang} name"
