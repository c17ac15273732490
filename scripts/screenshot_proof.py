"""Screenshots of the proof screens filled from real records: the register with its metrics after
the demo incident's notices were approved and e-mailed to a loopback SMTP server, the Settings
retention tab, and the People tab after the retention purge.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshot_proof.py [OUT_DIR]
"""

from __future__ import annotations

import socket
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from incident_app.app import build_main_window, services_factory  # noqa: E402
from incident_app.domain.clock import to_iso  # noqa: E402
from incident_app.domain.incident import IncidentStatus  # noqa: E402
from incident_app.domain.mail.sending import SmtpSettings, TlsMode  # noqa: E402
from incident_app.services.container import Services  # noqa: E402
from incident_app.services.demo.incident import load_demo  # noqa: E402
from incident_app.services.mail.sources import default_message_source  # noqa: E402
from incident_app.services.retention import purge_due, set_retention_days  # noqa: E402
from incident_app.ui.common.style import apply_look  # noqa: E402


class Accept:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls this hook by name
        return "250 2.0.0 queued"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def save(widget: QWidget, path: Path, size: tuple[int, int] | None = (1366, 768)) -> None:
    if size:
        widget.resize(*size)
    widget.show()
    QApplication.processEvents()
    widget.grab().save(str(path))
    print("saved", path)


def send_demo(services: Services, incident_id: int) -> None:
    """Approve every notice, record the report to the regulator, e-mail the people."""
    services.notices.approve(incident_id, "王安全")
    reported = services.incidents.get(incident_id).facts.discovered_at + timedelta(hours=2, minutes=10)
    services.decisions.record(incident_id, {
        "kind": "obligation_status", "rationale": "已通过 12387 平台向省网信办报告（电话确认）", "decided_by": "王安全",
        "details": {"obligation_id": "pipl57-regulator", "status": "met", "met_at": to_iso(reported)}})
    port = free_port()
    controller = Controller(Accept(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = SmtpSettings(host="127.0.0.1", port=port, tls_mode=TlsMode.PLAIN,
                                from_address="tousu@ooopic.com", from_name="上海我图 个人信息保护")
        services.mail.send(incident_id, default_message_source(services), settings)
    finally:
        controller.stop()


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    apply_look(app)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.sqlite3"
        window = build_main_window(db, "zh-CN", synchronous=True)
        services = services_factory(db)()
        incident = load_demo(services)
        send_demo(services, incident.id)
        services.close()
        window.refresh()
        window.table.selectRow(0)
        save(window, out / "metrics-panel.png")
        window.open_settings()
        window.dialog.tabs.setCurrentIndex(3)
        save(window.dialog, out / "settings-retention.png", None)
        window.dialog.reject()
        services = services_factory(db)()
        services.incidents.change_status(incident.id, IncidentStatus.CLOSED, "总结报告已提交")
        set_retention_days(services, 0)
        purge_due(services)
        services.close()
        workspace = window.open_incident(incident.id)
        workspace.tabs.setCurrentIndex([s.key for s in workspace.specs].index("people"))
        save(workspace, out / "people-purged.png")
        workspace.close()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"))
