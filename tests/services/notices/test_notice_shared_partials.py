"""Partials under templates/_shared/ are checked like the other partials: an officer's edit is
rendered through every notice of its language before it can be saved."""

from __future__ import annotations

import re

from incident_app.services.container import Services

REGULATOR_ITEMS = "_shared/regulator_items.en.html"


def test_unknown_field_in_a_shared_partial_is_refused(services: Services) -> None:
    source = services.notices.templates.source(REGULATOR_ITEMS)
    check = services.notices.templates.validate(REGULATOR_ITEMS, source + "{{ incident.victims }}")
    assert not check.ok and "unknown field" in check.message and "victims" in check.message


def test_shared_partial_that_drops_an_element_is_refused(services: Services) -> None:
    source = services.notices.templates.source(REGULATOR_ITEMS)
    broken = re.sub(r'<section data-element="police">.*?</section>', "", source, flags=re.S)
    check = services.notices.templates.validate(REGULATOR_ITEMS, broken)
    assert not check.ok and "police: missing" in check.message


def test_unchanged_shared_partial_passes(services: Services) -> None:
    check = services.notices.templates.validate(REGULATOR_ITEMS, services.notices.templates.source(REGULATOR_ITEMS))
    assert check.ok and check.reports
