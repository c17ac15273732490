"""The previews and the dry run refuse like the exports and the send while two people would share a
send-ledger key: their counts would read as if the hand-off would work. The CLI's dry run exits 2
naming both people and writes no e-mail file."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_app.cli.main import run
from incident_app.services.container import open_services
from incident_app.services.ledger_keys import SharedLedgerKeyError
from tests.ledger_key_helpers import shared_ledger_key_db


def test_the_sms_and_platform_previews_refuse_naming_both_people(tmp_path: Path) -> None:
    db, kept, other = shared_ledger_key_db(tmp_path)
    services = open_services(db)
    try:
        with pytest.raises(SharedLedgerKeyError) as sms:
            services.handoff.preview(1)
        with pytest.raises(SharedLedgerKeyError) as platform:
            services.platform.preview(1)
    finally:
        services.close()
    assert sms.value.pairs == platform.value.pairs == [(kept, other)]
    assert f"person {other}" in str(sms.value) and f"person {kept} was corrected from" in str(sms.value)


def test_the_e_mail_dry_run_refuses_with_exit_2_and_writes_nothing(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db, kept, other = shared_ledger_key_db(tmp_path)
    capsys.readouterr()
    folder = tmp_path / "eml"
    code = run(["send", "1", "--dry-run", str(folder), "--from", "privacy@example.test", "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"person {other}: has the e-mail address or phone number that person {kept} was corrected from" in err
    assert "bad.yi@example.com" not in err  # the shared address is not printed
    assert not folder.exists() or not list(folder.iterdir())


def test_the_internal_brief_s_dry_run_is_not_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The brief goes to the company's staff, not to the affected people: no ledger key to share."""
    db, _, _ = shared_ledger_key_db(tmp_path)
    staff = '[{"name": "王安全", "role": "pi_protection_lead", "email": "wang@example.test"}]'
    assert run(["profile", "set", "responsible_persons", staff, "--db", str(db)]) == 0
    folder = tmp_path / "brief"
    code = run(["send", "1", "--brief", "--dry-run", str(folder), "--from", "privacy@example.test", "--db", str(db)])
    assert code == 0, capsys.readouterr().err
    assert list(folder.glob("*.eml"))
