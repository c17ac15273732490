"""The People table pages by keyset when it scrolls down (the rows after the last person of the
page above), by offset when it jumps; both show the same people; an exact phone search finds
the person however it is typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from incident_app.app import services_factory
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.container import open_services
from incident_app.services.people.service import PeopleService
from incident_app.services.resources import load_messages
from incident_app.ui.people.model import PAGE_SIZE, PeopleModel, PersonRole
from incident_app.ui.people.tab import PeopleTab

INTAKE = {"title": "t", "discovered_at": "2026-11-20T09:00:00+08:00", "occurred_at": "2026-11-18T08:00:00+08:00"}


def make_db(tmp_path: Path, rows: int) -> tuple[Path, int]:
    db = tmp_path / "db.sqlite3"
    services = open_services(db)
    incident_id = services.incidents.create(INTAKE).id
    path = tmp_path / "people.csv"
    lines = [f"U{i},张{i},user{i}@example.com,138{i:08d}" for i in range(rows)]
    path.write_text("用户ID,姓名,邮箱,手机号\n" + "\n".join(lines) + "\n", encoding="utf-8")
    services.people.import_file(incident_id, path)
    services.close()
    return db, incident_id


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every page the tab asks the services for (offset and after)."""
    seen: list[dict[str, Any]] = []
    original = PeopleService.page

    def recording(self: PeopleService, incident_id: int, offset: int, limit: int, search: str = "",
                  **kwargs: Any) -> Any:
        seen.append({"offset": offset, "after": kwargs.get("after"), "search": search})
        return original(self, incident_id, offset, limit, search, **kwargs)

    monkeypatch.setattr(PeopleService, "page", recording)
    return seen


def make_tab(qtbot: QtBot, db: Path, incident_id: int) -> PeopleTab:
    tab = PeopleTab(SyncJobRunner(services_factory(db)), Translator(load_messages(), "zh-CN"), incident_id)
    qtbot.addWidget(tab)
    tab.errors.interactive = False
    tab.resize(1100, 600)
    return tab


def person_at(model: PeopleModel, row: int) -> Any:
    return model.data(model.index(row, 0), PersonRole)


def test_scrolling_down_asks_for_the_rows_after_the_last_one(qtbot: QtBot, tmp_path: Path,
                                                             calls: list[dict[str, Any]]) -> None:
    db, incident_id = make_db(tmp_path, rows=3 * PAGE_SIZE + 17)
    tab = make_tab(qtbot, db, incident_id)
    tab.refresh()
    model = tab.model
    ids = [person_at(model, row).id for row in range(model.rowCount())]  # page after page, in order
    assert [c["after"] for c in calls] == [None, ids[PAGE_SIZE - 1], ids[2 * PAGE_SIZE - 1], ids[3 * PAGE_SIZE - 1]]
    assert ids == sorted(ids) and len(set(ids)) == 3 * PAGE_SIZE + 17
    # A jump far down (page 2 not cached after a new generation) counts from the start instead.
    tab.refresh()
    calls.clear()
    assert person_at(model, 2 * PAGE_SIZE + 3).id == ids[2 * PAGE_SIZE + 3]
    assert calls == [{"offset": 2 * PAGE_SIZE, "after": None, "search": ""}]


def test_a_phone_typed_any_way_finds_the_person(qtbot: QtBot, tmp_path: Path) -> None:
    db, incident_id = make_db(tmp_path, rows=50)
    tab = make_tab(qtbot, db, incident_id)
    for typed in ("138 0000 0042", "+86-138-0000-0042", "１３８００００００４２"):
        tab.search.setText(typed)
        tab.refresh()
        assert tab.model.rowCount() == 1
        assert person_at(tab.model, 0).user_id == "U42"
