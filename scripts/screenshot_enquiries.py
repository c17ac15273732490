"""Screenshots of the Enquiries tab on the demo incident with a day of enquiries logged:
``xvfb-run -a .venv/bin/python scripts/screenshot_enquiries.py OUT_DIR [LANG]``."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QApplication

from incident_app.app import services_factory
from incident_app.domain.enquiries import ReplyKind
from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import SyncJobRunner
from incident_app.services.demo.incident import load_demo
from incident_app.services.resources import load_messages
from incident_app.ui.common.fonts import apply_cjk_font
from incident_app.ui.enquiries.tab import EnquiriesTab

ENQUIRIES = [
    ("phone", "affected", "D000001", "打电话问自己是否受影响"),
    ("email", "what_leaked", "user0002@example.com", "想知道泄露了哪些信息"),
    ("online_form", "deletion", "D000003", "要求删除账号"),
    ("phone", "compensation", "13800000000", "要求赔偿"),
    ("letter", "complaint", "D000005", "对告知迟延不满"),
    ("regulator_referral", "correction", "D000006", "监管转办：更正手机号"),
    ("phone", "protect", "D000007", "问如何防范诈骗电话"),
]


def main(out: Path, lang: str) -> None:
    app = QApplication(sys.argv[:1])
    apply_cjk_font(app)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        factory = services_factory(Path(folder) / "demo.sqlite3")
        services = factory()
        incident = load_demo(services)
        received = services.ctx.now()
        ids = [services.enquiries.add(incident.id, {"channel": c, "topic": t, "contact": x, "text": text,
                                                    "received_at": received.isoformat()}).id
               for c, t, x, text in ENQUIRIES]
        services.enquiries.reply(ids[-1], via=ReplyKind.PHONE, template="protect")
        services.close()
        tab = EnquiriesTab(SyncJobRunner(factory), Translator(load_messages(), lang), incident.id)
        tab.resize(1366, 720)
        tab.show()
        tab.refresh()
        tab.lookup_value.setText("D000001")
        tab.lookup_kind.setCurrentIndex(tab.lookup_kind.findData("user_id"))
        tab.look_up()
        tab.table.selectionModel().select(tab.model.index(4, 0), QItemSelectionModel.SelectionFlag.Select
                                          | QItemSelectionModel.SelectionFlag.Rows)
        tab.faq_topic.setCurrentIndex(tab.faq_topic.findData("what_leaked"))
        app.processEvents()
        tab.grab().save(str(out / f"workspace-enquiries{'' if lang == 'zh-CN' else '-en'}.png"))
        tab.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "zh-CN")
