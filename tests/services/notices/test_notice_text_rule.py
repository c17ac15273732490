"""Control characters and direction overrides never reach a notice: new text is refused at
entry; text stored before the rule (written here behind the service's back) is cleaned in the
fact snapshot, so TXT, DOCX and e-mails carry none of it and DOCX export no longer crashes."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from docx import Document

from incident_app.domain.errors import ValidationError
from incident_app.services.container import Services, open_services
from tests.conftest import Clock
from tests.notice_helpers import person
from tests.services.notices.test_notices import REMEDIATION

BAD = "\x00\x1b[2J\x07\u202e"
FORBIDDEN = "\x00\x1b\x07\u202e"


@pytest.fixture
def svc(tmp_path: Path, intake: dict[str, object]) -> Services:
    services = open_services(tmp_path / "db.sqlite3", clock=Clock())
    incident = services.incidents.create(intake)
    services.remediation.add(incident.id, REMEDIATION)
    services.close()
    with closing(sqlite3.connect(tmp_path / "db.sqlite3")) as conn:  # as an older version stored it
        conn.execute("UPDATE remediation_actions SET description = description || ?", [BAD])
        facts = json.loads(conn.execute("SELECT facts FROM incidents").fetchone()[0])
        facts["title"] += BAD
        conn.execute("UPDATE incidents SET facts = ?", [json.dumps(facts)])
        conn.commit()
    return open_services(tmp_path / "db.sqlite3", clock=Clock())


def test_stored_control_characters_are_cleaned_from_every_export(svc: Services, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _, result = svc.notices.export(1, out, ["txt", "docx", "eml", "html"], recipients=[person(1)])
    assert result.files
    for path in result.files:
        if path.suffix == ".docx":
            document = Document(str(path))
            text = "\n".join(p.text for p in document.paragraphs)
        else:
            text = path.read_bytes().decode("utf-8", errors="replace")
        assert not any(c in text for c in FORBIDDEN), path
    assert "关闭公开存储桶" in (out / "individual" / "email_text.zh-CN.txt").read_text(encoding="utf-8")
    svc.close()


def test_element_texts_follow_the_rule(svc: Services) -> None:
    with pytest.raises(ValidationError) as exc:
        svc.notices.set_element_text(1, "remedies", "zh-CN", "免费提醒\x1b")
    assert [p.field for p in exc.value.problems] == ["text"]
    svc.close()
