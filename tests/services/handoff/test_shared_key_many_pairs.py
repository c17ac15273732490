"""More people sharing send-ledger keys than a refusal names: the CLI's refusal names the first
twenty pairs and says how many more there are (exit 2, nothing written); the error carries the count
for the screens."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_app.cli.main import run
from incident_app.services.container import open_services
from incident_app.services.ledger_keys import SharedLedgerKeyError
from tests.ledger_key_helpers import corrected_db, give_old_contacts_away


def test_the_refusal_says_how_many_more_pairs_share_a_key(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    db, kept = corrected_db(tmp_path, 23)
    others = give_old_contacts_away(db, tmp_path, 23)
    capsys.readouterr()
    out = tmp_path / "calls.csv"
    code = run(["export-calls", "1", "--out", str(out), "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("  - person ") == 20
    assert "  - people: and 3 more pairs like these (only the first 20 are listed)" in err
    assert not out.exists() and "bad.0@example.com" not in err
    services = open_services(db)
    try:
        with pytest.raises(SharedLedgerKeyError) as refused:
            services.platform.preview(1)
    finally:
        services.close()
    assert len(refused.value.pairs) == 20 and refused.value.more == 3
    assert set(refused.value.pairs) <= set(zip(kept, others, strict=True))


def test_twenty_pairs_or_fewer_say_no_more(tmp_path: Path) -> None:
    db, _ = corrected_db(tmp_path, 20)
    give_old_contacts_away(db, tmp_path, 20)
    services = open_services(db)
    try:
        with pytest.raises(SharedLedgerKeyError) as refused:
            services.handoff.preview(1)
    finally:
        services.close()
    assert len(refused.value.pairs) == 20 and refused.value.more == 0
    assert "more pairs" not in str(refused.value)
