"""A register row sent back by the helper process keeps every field: a field added to
RegisterRow but not to the wire would silently reach the window as its default (the
waiting-for-judgement mark was lost that way)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from incident_app.domain.incident import IncidentStatus
from incident_app.services.register import RegisterRow
from incident_app.services.register.view import row_from_wire, row_to_wire


def test_every_field_of_a_register_row_survives_the_wire() -> None:
    # Every field set to a value other than its default, so a dropped field shows.
    row = RegisterRow(7, "泄露", IncidentStatus.CLOSED, datetime(2026, 3, 1, 8, 30, tzinfo=UTC), 1234, "较大",
                      datetime(2026, 3, 4, 8, 30, tzinfo=UTC), "POLICY*", True, False, True)
    defaults = RegisterRow(0, "", IncidentStatus.REPORTED, datetime(2026, 1, 1, tzinfo=UTC), 0, None, None, "", False)
    for field in dataclasses.fields(RegisterRow):
        assert getattr(row, field.name) != getattr(defaults, field.name), f"set {field.name} in this test"
    assert row_from_wire(row_to_wire(row)) == row
