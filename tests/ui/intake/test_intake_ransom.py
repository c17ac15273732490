"""The intake form asks for the ransom demand (CAC report item 2) only for malware, and keeps
amounts exact (4,999,999.99 must not be rounded to the 5,000,000 grading threshold)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from incident_app.domain.clock import parse_time
from incident_app.services.container import open_services
from tests.ui.helpers import make_window


def test_ransom_row_follows_the_cause_and_is_saved(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    window = make_window(qtbot, db)
    window.refresh()
    wizard = window.open_wizard()
    form = wizard.what.form
    form.title.setText("勒索软件加密用户库")
    form.discovered_at.set_value(parse_time("2026-01-10T09:00:00+08:00"))
    assert form.ransom.isHidden()  # cause "other"
    form.cause.setCurrentIndex(form.cause.findData("malware"))
    assert not form.ransom.isHidden()
    form.ransom_amount.setValue(500000)
    form.ransom_method.setText("比特币")
    form.ransom_method_en.setText("Bitcoin")  # the English report's words: it never prints 比特币
    assert form.values()["ransom"] == {"amount_cny": 500000, "method": "比特币", "date": "", "method_en": "Bitcoin"}
    form.ransom_date.setText("2026-01-11")
    wizard.next()
    assert wizard.currentPage() is wizard.data
    wizard.data.picker.set_selected(["phone_number"])
    wizard.data.counts.affected_people.setValue(10)
    wizard.data.counts.economic_loss_cny.setValue(4999999.99)
    wizard.next()
    wizard.next()
    with qtbot.waitSignal(wizard.incident_created) as created:
        wizard.accept()
    services = open_services(db)
    try:
        facts = services.incidents.get(created.args[0]).facts
        assert facts.ransom is not None and facts.ransom.method == "比特币" and facts.ransom.date == "2026-01-11"
        assert facts.ransom.method_en == "Bitcoin"
        assert facts.ransom.amount_cny == 500000
        assert facts.economic_loss_cny == 4999999.99
    finally:
        services.close()


def test_no_ransom_unless_malware(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "db.sqlite3")
    wizard = window.open_wizard()
    form = wizard.what.form
    form.cause.setCurrentIndex(form.cause.findData("malware"))
    form.ransom_method.setText("USDT")
    form.cause.setCurrentIndex(form.cause.findData("attack"))
    assert form.ransom.isHidden() and form.values()["ransom"] is None
