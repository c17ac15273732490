"""The send and hand-off refusals name people the officer can find (offscreen): the refusal says
"search #210 in Affected people", the People tab's search finds exactly that person by ``#210``,
and its first column shows each person's id (not the row number), names and contacts still masked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from incident_app.app import services_factory
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.container import open_services
from incident_app.services.resources import load_messages
from incident_app.ui.people.model import PeopleModel, PersonRole
from incident_app.ui.people.tab import PeopleTab
from tests.ui.helpers import notices_tab, shared_ledger_key_db

# Where the refusal tells the officer to search, in each language: the tab's name and the term.
SEARCH_IN = {"zh-CN": r"在“受影响人员”中搜索 (#\d+)", "en": r"Search (#\d+) in Affected people"}


def people_tab(qtbot: QtBot, db: Path, lang: str) -> PeopleTab:
    tab = PeopleTab(SyncJobRunner(services_factory(db)), Translator(load_messages(), lang), 1)
    qtbot.addWidget(tab)
    tab.errors.interactive = False
    tab.resize(1100, 600)
    tab.show()
    return tab


def search(qtbot: QtBot, tab: PeopleTab, text: str) -> None:
    """Type ``text`` as the officer does and wait for the search (its delay, then the jobs)."""
    generation = tab.model.generation
    tab.search.setText(text)
    qtbot.waitUntil(lambda: tab.model.generation != generation, timeout=5_000)


def shown(tab: PeopleTab) -> list[tuple[int, str]]:
    """(person id, first column's text) of every row of the table."""
    model = tab.model
    return [(model.data(model.index(r, 0), PersonRole).id, model.index(r, PeopleModel.COL_PERSON_ID).data())
            for r in range(model.rowCount())]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_refusal_names_a_search_that_finds_exactly_that_person(qtbot: QtBot, tmp_path: Path, lang: str) -> None:
    db, kept, other = shared_ledger_key_db(tmp_path)
    notices = notices_tab(qtbot, db, lang)
    notices.show()
    notices.open_platform_dialog()
    refusal = notices.platform_dialog.status_label.text()
    found = re.search(SEARCH_IN[lang], refusal)
    assert found is not None, refusal
    assert found.group(1) == f"#{other}" and f"#{kept}" in refusal
    assert "People tab" not in refusal and "bad.yi@example.com" not in refusal
    tab = people_tab(qtbot, db, lang)
    tab.refresh()
    assert tab.model.rowCount() == 3
    search(qtbot, tab, found.group(1))  # what the refusal says to type
    assert shown(tab) == [(other, f"#{other}")]
    model = tab.model
    assert model.headerData(0, Qt.Orientation.Horizontal) == {"zh-CN": "人员编号", "en": "Person #"}[lang]
    email = model.index(0, PeopleModel.COL_EMAIL).data()
    assert "*" in email and email != "bad.yi@example.com"  # the contact stays masked
    assert "bad.yi@example.com" not in [model.index(0, c).data() for c in range(model.columnCount())]


def test_the_first_column_is_the_person_id_not_the_row_number(qtbot: QtBot, tmp_path: Path) -> None:
    """250 people whose ids are not their rows (a list replaced once): row 210 shows its own id,
    and "#210" finds the person with id 210, not the 210th row nor a phone with 210 in it."""
    db, people = tmp_path / "db.sqlite3", tmp_path / "people.csv"
    services = open_services(db)
    try:
        incident = services.incidents.create({"title": "t", "discovered_at": "2026-11-20T09:00:00+08:00"}).id
        people.write_text("user_id,name,phone\n" + "".join(f"U{i},张{i},1382100{i:04d}\n" for i in range(40)),
                          encoding="utf-8")
        services.people.import_file(incident, people)
        people.write_text("user_id,name,phone\n" + "".join(f"V{i},李{i},1392100{i:04d}\n" for i in range(250)),
                          encoding="utf-8")
        services.people.import_file(incident, people, replace=True)
        ids = [p.id for p in services.people.iter_people(incident)]
    finally:
        services.close()
    assert len(ids) == 250 and 210 in ids and ids[209] != 210
    tab = people_tab(qtbot, db, "zh-CN")
    tab.refresh()
    assert shown(tab) == [(i, f"#{i}") for i in ids]
    assert tab.model.headerData(209, Qt.Orientation.Vertical) == "210"  # the row numbers stay
    search(qtbot, tab, "＃２１０")  # as a Chinese input method types it
    assert shown(tab) == [(210, "#210")]
    assert tab.model.index(0, PeopleModel.COL_USER_ID).data() == f"V{ids.index(210)}"
