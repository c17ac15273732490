from __future__ import annotations

from incident_app.domain.i18n import Translator
from incident_app.domain.incident import Cause
from incident_app.services.resources import load_messages


def test_proof_messages_exist_in_both_languages() -> None:
    tr = Translator(load_messages())
    assert tr.missing_keys() == {}
    proof_keys = [k for k in load_messages()["zh-CN"] if k.startswith("proof.")]
    assert len(proof_keys) > 30
    for cause in Cause:
        assert tr.t(f"proof.cause.{cause.value}") != f"proof.cause.{cause.value}"
