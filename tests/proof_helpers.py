"""Real records for the proof tests: an affected-people file imported through the importer, the
notices approved, and the personal e-mails sent to a loopback SMTP sink (tests/smtp_sink.py)."""

from __future__ import annotations

import csv
from pathlib import Path

from smtp_sink import smtp_settings

from incident_app.services.container import Services
from incident_app.services.mail.service import SendSummary
from incident_app.services.mail.sources import default_message_source

REMEDIATION = {
    "actions": [{"description": "关闭公开存储桶", "description_en": "closed the public bucket", "status": "done",
                 "done_at": "2026-11-20T10:00:00+08:00"}],
    "advice": [{"zh": "警惕冒充客服的来电", "en": "Beware of calls impersonating support"}],
    "remedies": [{"zh": "免费开通异常登录提醒", "en": "Free alerts for unusual sign-ins"}],
}
HEADER = ("user_id", "name", "email", "phone", "address", "birth_date", "guardian_name", "guardian_email",
          "guardian_phone", "language")
EMAIL_ADULTS = [(f"u{n}", f"用户{n}号", f"user{n}@example.test", "", "", "1990-01-0{n}", "", "", "", "zh-CN")
                for n in range(1, 5)]
CHILD = ("kid1", "张小明", "", "", "", "2016-05-01", "张大伟", "parent1@example.test", "", "zh-CN")
SMS_ONLY = ("u90", "李四", "", "13900139000", "", "", "", "", "", "zh-CN")
UNREACHABLE = ("u91", "王五", "", "", "", "", "", "", "", "zh-CN")
EVERYONE = [*EMAIL_ADULTS, CHILD, SMS_ONLY, UNREACHABLE]
ALL_BY_EMAIL = [*EMAIL_ADULTS, CHILD]


def import_people(services: Services, incident_id: int, folder: Path,
                  rows: list[tuple[str, ...]] = EVERYONE) -> None:
    """Write ``rows`` as a CSV and import it the way an officer's file is imported."""
    path = folder / f"people-{incident_id}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    services.people.import_file(incident_id, path)


def prepared_incident(services: Services, intake: dict[str, object], folder: Path,
                      rows: list[tuple[str, ...]] = EVERYONE) -> int:
    """An incident with remediation, imported people and every planned notice approved."""
    incident = services.incidents.create(intake)
    services.remediation.add(incident.id, REMEDIATION)
    import_people(services, incident.id, folder, rows)
    services.notices.approve(incident.id, "王安全")
    return incident.id


def send_all(services: Services, incident_id: int, port: int) -> SendSummary:
    """Send the approved personal e-mails to the sink listening on ``port``."""
    return services.mail.send(incident_id, default_message_source(services), smtp_settings(port))
