"""A database where two people would share a send-ledger key, for the tests of the refusals
(services, CLI and GUI alike; no Qt here)."""

from __future__ import annotations

from pathlib import Path

from incident_app.cli.main import run
from incident_app.services.container import open_services

PEOPLE_HEADER = "name,email,phone,age,data_types\n"


def shared_ledger_key_db(tmp_path: Path) -> tuple[Path, int, int]:
    """The demo incident, approved, where two people would share a send-ledger key: person
    ``corrected``'s e-mail was corrected, and a list imported later gave ``other`` the old one.
    Returns the database and the two person ids (kept, other) every send and hand-off refuses."""
    db = tmp_path / "db.sqlite3"
    first, again = tmp_path / "first.csv", tmp_path / "again.csv"
    first.write_text(PEOPLE_HEADER + "甲,jia@example.com,13800138000,30,phone_number\n"
                     "乙,bad.yi@example.com,,30,phone_number\n", encoding="utf-8")
    again.write_text(PEOPLE_HEADER + "丙,bad.yi@example.com,,31,phone_number\n", encoding="utf-8")
    assert run(["demo", "--db", str(db)]) == 0
    assert run(["import-people", "1", str(first), "--replace", "--db", str(db)]) == 0
    services = open_services(db)
    try:
        corrected = next(p.id for p in services.people.iter_people(1) if p.email == "bad.yi@example.com")
        services.people.edit_person(1, corrected, {"email": "yi@example.com"}, "退信")
        services.people.import_file(1, again)
        other = next(p.id for p in services.people.iter_people(1) if p.email == "bad.yi@example.com")
        services.notices.approve(1, "王安全")
    finally:
        services.close()
    return db, corrected, other
