"""The report PDFs as the regulator reads them (pdftotext): the Chinese report says 北京时间, an
Art. 7 item without content says 待补报, a CII police report without a crime is an incident report,
and the English report uses the officer's English account, never the Chinese summary."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from incident_app.adapters.qt_pdf import QtPdfWriter
from incident_app.services.container import Services

pytestmark = pytest.mark.qt


def pdf_text(path: Path) -> str:
    return "".join(subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                                  text=True).stdout.split())


def test_report_pdfs_read_as_the_regulator_reads_them(services: Services, intake: dict[str, object],
                                                      tmp_path: Path) -> None:
    services.profile.save({"operator_type": "critical_infrastructure"})
    incident = services.incidents.create(intake | {"cause": "misdelivery", "affected_people": 1_200_000,
                                                   "summary": "客服把订单表误发给了外部邮箱。"})
    services.notices.set_element_text(incident.id, "situation", "en",
                                      "Customer service e-mailed the order sheet to an outside address.")
    _, result = services.notices.export(incident.id, tmp_path, ["pdf"], pdf_writer=QtPdfWriter())
    files = {f"{p.parent.name}/{p.name}": p for p in result.files}
    zh = pdf_text(files["regulator_initial/document.zh-CN.pdf"])
    assert "北京时间" in zh and "发现时间：北京时间2026年11月20日09:00" in zh
    assert "涉及的设施、系统、平台：（待补报）" in zh and "地点：（待补报）" in zh
    en = pdf_text(files["regulator_initial/document.en.pdf"])
    assert "Customerservicee-mailedtheordersheettoanoutsideaddress." in en and "客服" not in en
    police = pdf_text(files["police_report/document.zh-CN.pdf"])
    assert "网络安全事件报告（公安机关）" in police and "报案材料" not in police and "请予受理" not in police
    assert "北京时间" in police
