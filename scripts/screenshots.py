"""Open each main screen with the demo incident and save 1366x768 screenshots to docs/screenshots/.

Run under Xvfb so fonts and styles render as on a desktop:
    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from incident_app.app import build_main_window  # noqa: E402
from incident_app.ui.common.style import apply_look  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZE = (1366, 768)


def save(widget: QWidget, name: str, size: tuple[int, int] | None = SIZE) -> None:
    if size:
        widget.resize(*size)
    widget.show()
    QApplication.processEvents()
    widget.grab().save(str(OUT / f"{name}.png"))
    print("saved", name)


def fill_wizard(wizard) -> None:  # type: ignore[no-untyped-def]
    form = wizard.what.form
    form.title.setText("客服工单系统导出文件误发至外部邮箱")
    form.summary.setPlainText("客服专员将含用户手机号和订单信息的工单导出表误发给外部合作方邮箱，对方已回复确认收到。")
    form.discovered_by.setText("客服主管 李娜")
    form.location.setText("客服工单系统")
    form.systems.setText("客服工单系统、邮件系统")
    form.cause.setCurrentIndex(form.cause.findData("misdelivery"))
    form.recipients.setCurrentIndex(form.recipients.findData("known_limited"))


def shoot_bilingual_wizard(window) -> None:  # type: ignore[no-untyped-def]
    """Page 1 with both languages: translated title and summary, one box still an untranslated copy."""
    wizard = window.open_wizard()
    wizard.resize(*SIZE)
    fill_wizard(wizard)
    form = wizard.what.form
    form.title.setText("Customer-service export e-mailed to an outside address", "en")
    form.summary.setText("A customer-service agent sent a ticket export with users' phone numbers and orders "
                         "to a partner's mailbox by mistake; the partner confirmed receipt.", "en")
    form.discovered_by.setText("Li Na, customer-service lead", "en")
    form.systems.setText("Ticket system, e-mail", "en")
    form.location.start_from_other("en")  # still to translate: marked until edited
    save(wizard, "wizard-1-bilingual", None)
    wizard.reject()


def shoot_wizard(window) -> None:  # type: ignore[no-untyped-def]
    wizard = window.open_wizard()
    wizard.resize(*SIZE)
    save(wizard, "wizard-1-errors-empty", None)
    wizard.next()  # empty title: the message appears under the field
    save(wizard, "wizard-1-validation", None)
    fill_wizard(wizard)
    wizard.what.errors.clear()
    save(wizard, "wizard-1-what", None)
    wizard.next()
    wizard.data.picker.set_selected(["phone_number"])
    wizard.data.counts.affected_people.setValue(1260)
    wizard.data.counts.affected_records.setValue(1412)
    save(wizard, "wizard-2-data", None)
    wizard.next()
    wizard.containment.description.setEditText("要求接收方删除误发的邮件并书面确认")
    wizard.containment.owner.setText("法务 赵敏")
    wizard.containment.add_current()
    save(wizard, "wizard-3-containment", None)
    wizard.next()
    save(wizard, "wizard-4-review", None)
    wizard.confirm_discard = lambda: True
    window.errors.interactive = False
    wizard.reject()
    window.errors.interactive = True
    (OUT / "wizard-1-errors-empty.png").unlink(missing_ok=True)


def shoot_workspace(window, incident_id: int, suffix: str = "") -> None:  # type: ignore[no-untyped-def]
    workspace = window.open_incident(incident_id)
    workspace.resize(*SIZE)
    for index, spec in enumerate(workspace.specs):
        workspace.tabs.setCurrentIndex(index)
        save(workspace, f"workspace-{spec.key}{suffix}")
        if not suffix and spec.key == "timeline":
            workspace.tab_widgets["timeline"].verify_chain()
            save(workspace, "workspace-timeline-verified")
    workspace.close()


def shoot_dialogs(window, incident_id: int) -> None:  # type: ignore[no-untyped-def]
    workspace = window.open_incident(incident_id)
    overview = workspace.tab_widgets["overview"]
    dialog = overview.open_next_status()
    window.errors.interactive = False
    dialog.submit()  # without a comment: the message appears under the field
    save(dialog, "dialog-status", None)
    dialog.reject()
    dialog = overview.open_facts_dialog()
    save(dialog, "dialog-facts", None)
    dialog.reject()
    dialog = workspace.tab_widgets["remediation"].open_add_action()
    save(dialog, "dialog-action", None)
    dialog.reject()
    dialog = workspace.tab_widgets["decisions"].open_record_dialog()
    dialog.kind.setCurrentIndex(dialog.kind.findData("exempt_individual_notice"))
    save(dialog, "dialog-decision", None)
    dialog.reject()
    window.errors.interactive = True
    workspace.close()


def shoot_fulfilment(window, incident_id: int, tmp: Path) -> None:  # type: ignore[no-untyped-def]
    """'Record fulfilment…' on the CAC initial report's row, then the row showing it met."""
    from datetime import datetime, timedelta

    from incident_app.domain.clock import SHANGHAI

    workspace = window.open_incident(incident_id)
    workspace.resize(*SIZE)
    workspace.tabs.setCurrentIndex(next(i for i, s in enumerate(workspace.specs) if s.key == "assessment"))
    tab = workspace.tab_widgets["assessment"]
    tab.refresh()
    tab.select_obligation("cac-initial-report")
    dialog = tab.open_fulfilment_dialog()
    dialog.done_at.set_value(datetime.now(SHANGHAI) - timedelta(minutes=20))
    dialog.reference.setText("12387-20261201-0042")
    dialog.done_by.setText("数据安全负责人 王伟")
    dialog.note.setText("网站提交成功页已截图")
    receipt = tmp / "12387-回执截图.png"
    receipt.write_bytes((OUT / "register.png").read_bytes())  # any image stands in for the receipt page
    dialog.set_file(str(receipt))
    save(dialog, "fulfilment-dialog", None)
    dialog.submit()
    tab.select_obligation("cac-initial-report")
    save(workspace, "workspace-assessment-fulfilled")
    workspace.close()


def shoot_recipient_preview(window, incident_id: int) -> None:  # type: ignore[no-untyped-def]
    """Notices → 'Preview for a recipient…' on a teenager: their own notice and the guardian's."""
    workspace = window.open_incident(incident_id)
    workspace.tabs.setCurrentIndex(next(i for i, s in enumerate(workspace.specs) if s.key == "notices"))
    dialog = workspace.tab_widgets["notices"].open_recipient_preview()
    row = next(i for i in range(dialog.people.count()) if "14" in dialog.people.item(i).text())
    dialog.pick(row)
    save(dialog, "notice-recipient-preview", (1000, 640))
    dialog.close()
    workspace.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    family = apply_look(app)
    print("CJK font:", family)
    with tempfile.TemporaryDirectory() as tmp:
        window = build_main_window(Path(tmp) / "demo.sqlite3", "zh-CN", synchronous=True)
        window.refresh()
        save(window, "register-empty")
        window.load_demo()
        window.table.selectRow(0)
        save(window, "register")
        shoot_wizard(window)
        shoot_bilingual_wizard(window)
        shoot_workspace(window, 1)
        shoot_dialogs(window, 1)
        shoot_fulfilment(window, 1, Path(tmp))
        shoot_recipient_preview(window, 1)
        window.open_settings()
        save(window.dialog, "settings", None)
        window.dialog.tabs.setCurrentIndex(1)
        save(window.dialog, "settings-smtp", None)
        window.dialog.reject()
        window.set_language("en")
        save(window, "register-en")
        shoot_workspace(window, 1, "-en")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
