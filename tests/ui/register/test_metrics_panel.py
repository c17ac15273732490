from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from incident_app.app import services_factory
from incident_app.domain.clock import parse_time, to_iso
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.container import open_services
from incident_app.services.demo.incident import demo_intake
from incident_app.services.resources import load_messages
from incident_app.ui.register.metrics_panel import MetricsPanel

FIXED = parse_time("2026-11-20T12:00:00+08:00")


def fill(db: Path) -> None:
    services = open_services(db, clock=lambda: FIXED)
    intake = demo_intake(services)
    real = services.incidents.create(intake)
    services.incidents.create(intake | {"cause": "insider"})
    services.incidents.create(intake | {"title": "演练", "drill": True, "cause": "malware"})
    # The officer reported to the regulator by phone 2 h after discovery and recorded it.
    services.decisions.record(real.id, {"kind": "obligation_status", "rationale": "电话报告省网信办",
                                        "decided_by": "王安全", "details": {
                                            "obligation_id": "pipl57-regulator", "status": "met",
                                            "met_at": to_iso(real.facts.discovered_at + timedelta(hours=2))}})
    services.close()


def make_panel(qtbot: QtBot, db: Path, lang: str = "zh-CN", chosen: str = "") -> MetricsPanel:
    # At the fixture's clock, so "on time" and "overdue" do not drift with the calendar.
    runner = SyncJobRunner(lambda: open_services(db, clock=lambda: FIXED))
    panel = MetricsPanel(runner, Translator(load_messages(), lang),
                         choose_path=lambda parent, title: chosen)
    panel.errors.interactive = False
    qtbot.addWidget(panel)
    return panel


def test_panel_shows_figures_and_causes_without_drills(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    fill(db)
    panel = make_panel(qtbot, db)
    panel.resize(520, 420)
    panel.refresh()
    assert "2 起" in panel.values["incidents"].text() and "1 起演练" in panel.values["incidents"].text()
    assert "100%（1/1" in panel.values["on_time"].text()
    assert "2.0 小时" in panel.values["regulator"].text()
    bars = dict(panel.chart.bars)
    assert bars["第三方"] == 1 and bars["内部人员"] == 1 and bars["恶意软件"] == 0
    widths = [r.width() for r in panel.chart.bar_rects()]
    assert max(widths) > 0 and widths[list(dict(panel.chart.bars)).index("恶意软件")] == 0
    assert not panel.grab().isNull()  # paints offscreen without error
    panel.set_translator(panel.tr_.with_language("en"))
    assert "Third party" in dict(panel.chart.bars) and "drill" in panel.values["incidents"].text()


def test_empty_register_shows_dashes(qtbot: QtBot, tmp_path: Path) -> None:
    panel = make_panel(qtbot, tmp_path / "db.sqlite3", lang="en")
    panel.refresh()
    assert panel.values["occurrence"].text() == "—" and panel.values["on_time"].text() == "—"
    assert not panel.errors.shown


def test_export_button_writes_and_logs_the_register(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    fill(db)
    target = tmp_path / "register"
    panel = make_panel(qtbot, db, lang="en", chosen=str(target))
    with qtbot.waitSignal(panel.register_exported) as blocker:
        panel.export_button.click()
    assert blocker.args == [str(target.with_suffix(".xlsx"))]
    assert target.with_suffix(".xlsx").exists() and "recorded in the event log" in panel.status.text()
    services = open_services(db)
    assert services.ctx.store.events.of_types(["export.written"])[-1].payload["format"] == "xlsx"
    services.close()


def test_cancelled_file_dialog_exports_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    panel = make_panel(qtbot, tmp_path / "db.sqlite3", chosen="")
    panel.export_button.click()
    assert panel.status.text() == "" and list(tmp_path.iterdir()) == []


def test_metrics_load_on_a_worker_thread(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    fill(db)
    runner = JobRunner(services_factory(db))
    panel = MetricsPanel(runner, Translator(load_messages(), "en"), choose_path=lambda p, t: "")
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.metrics_loaded, timeout=10_000):
        panel.refresh()
    assert runner.wait_all()
    assert panel.metrics is not None and panel.metrics.incidents == 2


class HeldJobRunner(SyncJobRunner):
    """Runs each job only when the test releases it, so a job can be 'in progress'."""

    def __init__(self, factory: Any) -> None:
        super().__init__(factory)
        self.held: list[tuple[Any, dict[str, Any]]] = []

    def run(self, fn: Any, **callbacks: Any) -> Any:  # type: ignore[override]
        self.held.append((fn, callbacks))

    def release(self) -> None:
        fn, callbacks = self.held.pop(0)
        SyncJobRunner.run(self, fn, **callbacks)


def test_refreshes_while_metrics_run_become_one_more_run(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    fill(db)
    runner = HeldJobRunner(lambda: open_services(db, clock=lambda: FIXED))
    panel = MetricsPanel(runner, Translator(load_messages(), "en"), choose_path=lambda p, t: "")
    qtbot.addWidget(panel)
    for _ in range(3):
        panel.refresh()
    assert len(runner.held) == 2  # the first time, the kept figures' read; and one run at a time
    runner.release()
    runner.release()
    assert panel.metrics is not None and len(runner.held) == 1  # the three asks became one more run
    runner.release()
    assert runner.held == []


def test_a_due_time_passing_while_the_panel_is_open_refreshes_the_figures(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    fill(db)
    clock = {"now": FIXED}
    runner = SyncJobRunner(lambda: open_services(db, clock=lambda: clock["now"]))
    panel = MetricsPanel(runner, Translator(load_messages(), "en"), choose_path=lambda p, t: "")
    qtbot.addWidget(panel)
    panel.refresh()
    assert "100% (1 of 1" in panel.values["on_time"].text()
    first = panel.metrics
    assert first is not None and first.changes_at is not None and first.changes_at > FIXED
    # The panel plans a refresh just after that due time, though no record changes.
    assert panel.clock_timer.isActive()
    assert panel.clock_timer.interval() == min(int((first.changes_at - FIXED).total_seconds()) + 1, 3600) * 1000
    clock["now"] = first.changes_at + timedelta(seconds=1)
    panel.clock_timer.timeout.emit()
    assert panel.metrics is not None and panel.metrics.obligations_decided > 1  # overdue now: decided
    assert not panel.values["on_time"].text().startswith("100%")  # the obligation is overdue now: not 100% on time


def test_the_status_line_follows_a_language_switch(qtbot: QtBot, tmp_path: Path) -> None:
    from incident_app.services.register.helper import HelperFailedError

    db = tmp_path / "db.sqlite3"
    fill(db)
    panel = make_panel(qtbot, db, chosen=str(tmp_path / "register.csv"))
    panel.refresh()
    assert panel.metrics is not None
    panel._on_metrics_loaded((panel.metrics, HelperFailedError("x", "start", "No such file")))
    assert "后台计算进程" in panel.status.text()
    panel.set_translator(panel.tr_.with_language("en"))
    assert panel.status.text().startswith("The background calculation process could not start (No such file)")
    panel.export()
    assert str(tmp_path / "register.csv") in panel.status.text()
    english = panel.status.text()
    panel.set_translator(panel.tr_.with_language("zh-CN"))
    assert panel.status.text() != english and str(tmp_path / "register.csv") in panel.status.text()
