"""The row builder's inlined fast paths must agree with the domain rules they shortcut."""

from __future__ import annotations

import itertools
from datetime import date

from incident_app.domain.people.columns import suggest_mapping
from incident_app.domain.people.person import band_code, band_cutoffs, channel_code
from incident_app.services.people.rows import BAND, BIRTH, CHANNEL, MINOR, RowBuilder
from incident_app.services.resources import load_catalog

HEADERS = ["user_id", "email", "phone", "address", "birth_date", "guardian_email", "guardian_phone"]


def test_inlined_channel_and_minor_rules_match_the_domain() -> None:
    cutoffs = band_cutoffs(date(2026, 11, 18))
    builder = RowBuilder(suggest_mapping(HEADERS), load_catalog(), incident_id=1, cutoffs=cutoffs,
                         today=date(2026, 11, 20), report=lambda *args: None)
    phones = {"": False, "13800138000": True, "021-38760448": False}
    combos = itertools.product(["", "a@example.com"], phones, ["", "北京市海淀区1号"],
                               ["", "1990-01-01", "2012-11-18", "2012-11-17", "2008-11-18", "2008-11-17"],
                               ["", "g@example.com"], ["", "13900139000"])
    for number, (email, phone, address, birth, g_email, g_phone) in enumerate(combos, start=2):
        row = builder.build(number, ["U1", email, phone, address, birth, g_email, g_phone])
        assert row is not None
        band = band_code(row[BIRTH], None, cutoffs)
        assert (row[BAND], row[MINOR]) == (band, int(band != "adult"))
        assert row[CHANNEL] == channel_code(band, email, phones[phone], address, g_email, bool(g_phone))


def test_row_positions_match_the_stored_columns() -> None:
    from incident_app.services.people import rows as people_rows
    from incident_app.storage.people import ROW_COLUMNS

    names = {"INCIDENT": "incident_id", "PERSON_ID": "id", "SOURCE_ROW": "source_row", "USER_ID": "user_id",
             "NAME": "name", "EMAIL": "email", "PHONE": "phone", "ADDRESS": "address", "BIRTH": "birth_date",
             "AGE": "age", "MINOR": "is_minor", "G_NAME": "guardian_name", "G_EMAIL": "guardian_email",
             "G_PHONE": "guardian_phone", "TYPES": "data_types", "LANGUAGE": "language", "CHANNEL": "channel",
             "MERGED": "merged_rows", "ID_NUMBER": "id_number", "BAND": "minor_band"}
    assert {ROW_COLUMNS[getattr(people_rows, const)]: column for const, column in names.items()} == {
        column: column for column in names.values()}
    assert len(ROW_COLUMNS) == people_rows.WIDTH
