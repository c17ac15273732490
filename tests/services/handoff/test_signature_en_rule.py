"""``--signature-en`` (the English SMS signature of one hand-off) follows the profile field's rule
(sms_signature_en: 2–12 Latin letters, digits or spaces, no 【】) with the same message: the
command refuses it (exit 2) before anything is written, the approval pack names it for the
English SMS, and the batch file is refused naming ``signature_en``."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_app.cli.main import run
from incident_app.domain.errors import ValidationError
from tests.services.handoff.test_sms_handoff import db as db
from tests.services.handoff.test_sms_handoff import demo_db as demo_db
from tests.services.handoff.test_sms_handoff import ledger, opened

# Each passes the gateway's own signature rule (2–12 characters, no 【】) but not the English one.
BAD = ["Wotu!", "我图网络"]


def profile_message(db: Path, value: str) -> str:
    with opened(db) as services, pytest.raises(ValidationError) as refused:
        services.profile.set_value("sms_signature_en", value)
    (problem,) = refused.value.problems
    return problem.message


@pytest.mark.parametrize("value", BAD)
def test_the_cli_refuses_an_english_signature_the_profile_would_refuse(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    message = profile_message(db, value)
    capsys.readouterr()
    assert run(["sms-pack", "1", "--signature-en", value, "--db", str(db)]) == 2
    assert f"signature_en: {message}" in capsys.readouterr().err
    out = tmp_path / "sms.csv"
    assert run(["export-sms", "1", "--out", str(out), "--signature-en", value, "--db", str(db)]) == 2
    assert f"signature_en: {message}" in capsys.readouterr().err
    assert not out.exists() and ledger(db) == []
    assert run(["sms-pack", "1", "--signature-en", "Wotu", "--db", str(db)]) == 0


@pytest.mark.parametrize("value", BAD)
def test_the_service_names_it_for_english_sms_and_refuses_the_batch(db: Path, tmp_path: Path, value: str) -> None:
    message = profile_message(db, value)
    with opened(db) as services:
        pack = services.handoff.approval_pack(1, signature_en=value)
        for notice in pack["notices"]:
            assert (message in notice["problems"]) == (notice["lang"] == "en"), notice
        with pytest.raises(ValidationError) as refused:
            services.handoff.export_sms(1, tmp_path / "sms.csv", signature_en=value)
    assert any(p.field == "signature_en" and p.message == message for p in refused.value.problems)
    assert not (tmp_path / "sms.csv").exists() and ledger(db) == []
