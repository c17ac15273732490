from __future__ import annotations

from typing import Any

import pytest
from assessment_support import CATALOG, NOW, RULES, make_incident, run

from incident_app.domain.assessment.enisa_rules import (
    Availability,
    Band,
    EnisaInputs,
    Integrity,
    check_catalog_hints,
    parse_enisa_inputs,
)
from incident_app.domain.assessment.severity import compute_severity
from incident_app.domain.catalog import Catalog, EnisaCategory, parse_catalog
from incident_app.domain.errors import ValidationError


@pytest.mark.parametrize(
    ("score", "band"),
    [(0.25, Band.LOW), (1.99, Band.LOW), (2.0, Band.MEDIUM), (2.99, Band.MEDIUM), (3.0, Band.HIGH),
     (3.99, Band.HIGH), (4.0, Band.VERY_HIGH), (6.0, Band.VERY_HIGH)],
)
def test_bands_cut_at_2_3_4(score: float, band: Band) -> None:
    assert RULES.enisa.band_of(score).band == band


def severity(inputs: EnisaInputs | None = None, **changes: Any):  # type: ignore[no-untyped-def]
    incident = make_incident(**changes)
    types = CATALOG.pick(incident.facts.data_types)
    return compute_severity(incident.facts, types, incident.facts.affected_people, inputs or EnisaInputs(), RULES.enisa)


def test_phone_numbers_leaked_to_unknown_recipients() -> None:
    result = severity()
    # simple data (1) x maximum identifiability (1) + unknown recipients (0.5)
    assert result.score == 1.5 and result.band == Band.LOW
    assert [f.id for f in result.factors] == ["dpc", "ei", "cb.confidentiality", "cb.integrity",
                                              "cb.availability", "cb.malicious"]
    assert all(f.rationale.en and f.rationale.zh and f.citation.source for f in result.factors)
    assert not result.reviewed


def test_dpc_is_the_highest_over_the_data_types() -> None:
    result = severity(data_types=["phone_number", "ip_address", "bank_account"])
    assert result.factor("dpc").value == 3
    assert result.dpc_category == EnisaCategory.FINANCIAL
    assert "Bank account" in result.factor("dpc").rationale.en


def test_officer_adjustment_and_ei_replace_the_suggestions() -> None:
    inputs = EnisaInputs(dpc_adjustment=1, dpc_rationale="full card data", ei=0.5, ei_rationale="pseudonymous ids",
                         saved_at=NOW)
    result = severity(inputs, data_types=["bank_account"], malicious=True)
    assert result.factor("dpc").value == 4 and result.factor("ei").value == 0.5
    assert result.factor("dpc").officer_rationale == "full card data"
    assert result.score == 4 * 0.5 + 0.5 + 0.5 and result.band == Band.HIGH
    assert result.reviewed


def test_unintelligible_data_suggests_negligible_identification_and_shows_the_modifier() -> None:
    result = severity(unintelligible=True, affected_people=50)
    assert result.factor("ei").value == 0.25
    modifiers = {m.id: m for m in result.modifiers}
    assert modifiers["unintelligible"].applies and modifiers["unintelligible"].effect == "lower"
    assert not modifiers["people_over_100"].applies


def test_people_over_100_is_an_explicit_modifier() -> None:
    modifiers = {m.id: m for m in severity(affected_people=101).modifiers}
    assert modifiers["people_over_100"].applies and "101" in modifiers["people_over_100"].why.en


@pytest.mark.parametrize(
    ("changes", "inputs", "cb"),
    [
        ({"recipients": "none_known"}, EnisaInputs(), 0),
        ({"recipients": "known_limited"}, EnisaInputs(), 0.25),
        ({"recipients": "public"}, EnisaInputs(), 0.5),
        ({"breach_types": ["tamper"]}, EnisaInputs(), 0.25),
        ({"breach_types": ["tamper"]}, EnisaInputs(integrity=Integrity.NOT_RECOVERABLE), 0.5),
        ({"breach_types": ["loss"]}, EnisaInputs(availability=Availability.PERMANENT), 0.5),
        ({"breach_types": ["loss"]}, EnisaInputs(availability=Availability.RECOVERABLE), 0),
        ({"breach_types": ["leak", "tamper", "loss"], "malicious": True}, EnisaInputs(), 0.5 + 0.25 + 0.25 + 0.5),
    ],
)
def test_circumstances_of_breach(changes: dict[str, Any], inputs: EnisaInputs, cb: float) -> None:
    result = severity(inputs, **changes)
    assert sum(f.value for f in result.factors if f.id.startswith("cb.")) == cb


def test_minors_raise_the_suggested_context_to_the_maximum() -> None:
    assessment = run(make_incident(affected_minors=2))
    assert assessment.severity.factor("dpc").value == 4
    assert "children under 14" in assessment.severity.factor("dpc").rationale.en


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"dpc_adjustment": 4, "dpc_rationale": "x"}, "dpc_adjustment"),
        ({"dpc_adjustment": -1, "dpc_rationale": "x"}, "dpc_adjustment"),
        ({"dpc_adjustment": 1}, "dpc_rationale"),
        ({"ei": 0.6, "ei_rationale": "x"}, "ei"),
        ({"ei": 0.5}, "ei_rationale"),
        ({"integrity": "sideways", "cb_rationale": "x"}, "integrity"),
        ({"availability": "permanent"}, "cb_rationale"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_inputs_are_validated_against_the_category_range(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_enisa_inputs(data, RULES.enisa, EnisaCategory.SIMPLE)
    assert field in [p.field for p in exc.value.problems]


def test_valid_inputs_parse() -> None:
    inputs = parse_enisa_inputs({"dpc_adjustment": -2, "dpc_rationale": "only customer status", "ei": 0.75,
                                 "ei_rationale": "ids", "availability": "temporary", "cb_rationale": "restored"},
                                RULES.enisa, EnisaCategory.FINANCIAL)
    assert inputs.dpc_adjustment == -2 and inputs.availability == Availability.TEMPORARY


def test_catalog_hints_outside_enisa_ranges_are_rejected() -> None:
    raw = [{"id": "x", "group": "g", "name_zh": "x", "name_en": "x", "sensitive": False, "enisa_category": "simple",
            "harm_zh": "h", "harm_en": "h", "advice_zh": "a", "advice_en": "a", "source": "s",
            "dpc_adjustment": -1, "ei_hint": 0.3}]
    with pytest.raises(ValidationError) as exc:
        check_catalog_hints(parse_catalog(raw), RULES.enisa)
    assert {p.field for p in exc.value.problems} == {"dpc_adjustment", "ei_hint"}


def test_shipped_catalog_covers_the_policy_and_pipl_art_28() -> None:
    ids = CATALOG.ids()
    required = {"phone_number", "device_identifiers", "ip_address", "sms_verification_code", "social_profile",
                "social_identity_verification", "app_list", "precise_location", "browsing_history", "search_history",
                "download_history", "favourites", "order_records", "delivery_address", "payment_channel_id",
                "transaction_records", "real_name", "id_number", "esign_contract", "facial_features", "bank_account",
                "customer_service_records", "cookies", "biometrics", "religious_belief", "specific_identity",
                "medical_health", "financial_account", "whereabouts", "minors_info"}
    assert required <= ids
    pipl = [t for t in CATALOG.types if t.sensitive_pipl]
    assert all(t.sensitive for t in pipl) and len(pipl) >= 9
    check_catalog_hints(CATALOG, RULES.enisa)
    assert isinstance(CATALOG, Catalog)
