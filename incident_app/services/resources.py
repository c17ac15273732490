"""Loading the shipped data (catalog, default profile, assessment rules, message catalogs) from the
package's own ``resources/`` folder, validated once. Resources and templates are package data read
through :mod:`importlib.resources`, so an installed wheel and a frozen build find them too."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_app.domain.catalog import Catalog, parse_catalog
from incident_app.domain.profile import OrganisationProfile, parse_profile

if TYPE_CHECKING:
    from incident_app.domain.assessment.engine import AssessmentRules


def _package_folder(name: str) -> Path:
    """A data folder shipped inside the ``incident_app`` package. Installs from a wheel, a checkout
    and a PyInstaller folder all keep package data as real files (a zipped package is not supported)."""
    return Path(str(files("incident_app") / name))


RESOURCES_DIR = _package_folder("resources")
TEMPLATES_DIR = _package_folder("templates")


def read_json_resource(name: str) -> Any:
    """Parse one JSON file from resources/."""
    with (RESOURCES_DIR / name).open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def load_catalog() -> Catalog:
    """The data-type catalog (resources/catalog.json)."""
    return parse_catalog(read_json_resource("catalog.json"))


@cache
def load_default_profile() -> OrganisationProfile:
    """The organisation profile taken from the privacy policy (resources/profile.json)."""
    return parse_profile(read_json_resource("profile.json"))


@cache
def load_messages() -> dict[str, dict[str, str]]:
    """UI message catalogs by language (resources/i18n/<lang>.json)."""
    folder = RESOURCES_DIR / "i18n"
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.json"))
    }


@cache
def load_assessment_rules() -> AssessmentRules:
    """ENISA tables, CAC grading thresholds and obligation rules (resources/rules/*.json),
    validated once; the catalog's ENISA hints are checked against the ENISA tables."""
    # Deferred: every process that opens the services imports this module for the catalog; the
    # engine's modules load here, when something is first assessed.
    from incident_app.domain.assessment.engine import AssessmentRules
    from incident_app.domain.assessment.enisa_rules import check_catalog_hints, parse_enisa_rules
    from incident_app.domain.assessment.grading import parse_grading_rules
    from incident_app.domain.assessment.miit import parse_miit_rules
    from incident_app.domain.assessment.obligations import parse_obligation_rules

    enisa = parse_enisa_rules(read_json_resource("rules/enisa.json"))
    check_catalog_hints(load_catalog(), enisa)
    return AssessmentRules(
        enisa=enisa,
        grading=parse_grading_rules(read_json_resource("rules/grading.json")),
        obligations=parse_obligation_rules(read_json_resource("rules/obligations.json"),
                                           read_json_resource("rules/deadlines.json")),
        miit=parse_miit_rules(read_json_resource("rules/miit.json")),
    )
