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


def corrected_db(tmp_path: Path, people: int) -> tuple[Path, list[int]]:
    """The demo incident, approved, where ``people`` people had their e-mail corrected (from
    ``bad.N@example.com``): no two share a key yet. Returns the database and their ids."""
    db, first = tmp_path / "db.sqlite3", tmp_path / "first.csv"
    first.write_text(PEOPLE_HEADER + "".join(f"人{n},bad.{n}@example.com,,30,phone_number\n" for n in range(people)),
                     encoding="utf-8")
    assert run(["demo", "--db", str(db)]) == 0
    assert run(["import-people", "1", str(first), "--replace", "--db", str(db)]) == 0
    services = open_services(db)
    try:
        kept = sorted(p.id for p in services.people.iter_people(1))
        for n, person_id in enumerate(kept):
            services.people.edit_person(1, person_id, {"email": f"fixed.{n}@example.com"}, "退信")
        services.notices.approve(1, "王安全")
    finally:
        services.close()
    return db, kept


def give_old_contacts_away(db: Path, tmp_path: Path, people: int) -> list[int]:
    """Import a list giving the old e-mails of :func:`corrected_db`'s people to others (approved
    again): every send and hand-off now refuses. Returns the others' ids, in the kept ones' order."""
    again = tmp_path / "again.csv"
    again.write_text(PEOPLE_HEADER + "".join(f"他{n},bad.{n}@example.com,,31,phone_number\n" for n in range(people)),
                     encoding="utf-8")
    services = open_services(db)
    try:
        services.people.import_file(1, again)
        by_email = {p.email: p.id for p in services.people.iter_people(1)}
        services.notices.approve(1, "王安全")
    finally:
        services.close()
    return [by_email[f"bad.{n}@example.com"] for n in range(people)]
