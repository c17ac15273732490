"""The refusal to send or hand off while two people would share a send-ledger key is said in the
screen's language, naming both people, not in the service's English."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from incident_app.domain.i18n import Translator
from incident_app.services.container import open_services
from incident_app.services.ledger_keys import SharedLedgerKeyError
from incident_app.services.resources import load_messages
from incident_app.ui.common.errors import ErrorReporter
from tests.ui.helpers import shared_ledger_key_db


@pytest.mark.parametrize(("lang", "words", "service_words"), [
    ("zh-CN", "更正前的联系方式", "was corrected from"),
    ("en", "has the e-mail address or phone number that person", "people 1 --edit"),
])
def test_the_shared_key_refusal_is_said_in_the_screen_s_language(
        qtbot: QtBot, tmp_path: Path, lang: str, words: str, service_words: str) -> None:
    db, corrected, other = shared_ledger_key_db(tmp_path)
    services = open_services(db)
    try:
        with pytest.raises(SharedLedgerKeyError) as refused:
            services.platform.export_recipients(1, tmp_path / "out.jsonl")
    finally:
        services.close()
    assert refused.value.pairs == [(corrected, other)]
    reporter = ErrorReporter(None, Translator(load_messages(), lang))
    reporter.interactive = False
    reporter.show(refused.value)
    assert len(reporter.shown) == 1 and words in reporter.shown[0] and str(other) in reporter.shown[0]
    assert service_words not in reporter.shown[0]


@pytest.mark.parametrize(("lang", "words"), [
    ("zh-CN", "保留了同一个发送记录键"), ("en", "keep the same send-ledger key")])
def test_two_people_keeping_one_key_are_named_in_the_screen_s_language(
        qtbot: QtBot, tmp_path: Path, lang: str, words: str) -> None:
    # The state a correction left before it checked who holds a key: both keep the old address.
    db, corrected, other = shared_ledger_key_db(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE people SET email = 'bing@example.com', ledger_key = 'bad.yi@example.com' WHERE id = ?",
                     [other])
    services = open_services(db)
    try:
        with pytest.raises(SharedLedgerKeyError) as refused:
            services.platform.export_recipients(1, tmp_path / "out.jsonl")
    finally:
        services.close()
    assert refused.value.kept_twice == [(corrected, other)] and refused.value.pairs == []
    reporter = ErrorReporter(None, Translator(load_messages(), lang))
    reporter.interactive = False
    reporter.show(refused.value)
    assert len(reporter.shown) == 1 and words in reporter.shown[0]
    assert str(corrected) in reporter.shown[0] and str(other) in reporter.shown[0]
    assert "people 1 --edit" not in reporter.shown[0]
