"""Screenshots of the People tab and the import dialog on the demo incident (until the incident
workspace embeds the tab): ``xvfb-run -a .venv/bin/python scripts/screenshot_people.py OUT_DIR [LANG]``."""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication

from incident_app.app import services_factory
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.demo.incident import load_demo
from incident_app.services.demo.people import HEADER, demo_people_rows
from incident_app.services.resources import load_messages
from incident_app.ui.common.fonts import apply_cjk_font
from incident_app.ui.people.tab import PeopleTab


def main(out: Path, lang: str) -> None:
    app = QApplication(sys.argv[:1])
    apply_cjk_font(app)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.sqlite3"
        factory = services_factory(db)
        services = factory()
        incident = load_demo(services)
        services.close()
        tab = PeopleTab(SyncJobRunner(factory), Translator(load_messages(), lang), incident.id)
        tab.resize(1280, 640)
        tab.show()
        tab.refresh()
        tab.table.selectRow(2)
        tab.unmask_row(2, "screenshot: confirm the unmask action")
        app.processEvents()
        tab.grab().save(str(out / f"people-tab-{lang}.png"))
        sample = Path(folder) / "list.csv"
        with sample.open("w", encoding="gb18030", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["编号", *HEADER[1:], "备注"])
            writer.writerows([*row, ""] for row in demo_people_rows()[:5])
        dialog = tab.open_import_dialog()
        dialog.load_preview(sample)
        dialog.combos["编号"].setCurrentIndex(dialog.combos["编号"].findData("user_id"))
        app.processEvents()
        dialog.grab().save(str(out / f"import-dialog-{lang}.png"))
        dialog.close()
        tab.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "zh-CN")
