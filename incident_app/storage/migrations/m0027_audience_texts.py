"""Element texts per audience: the officer's wording of what happened, the cause, the possible
harm, the measures and what people can do, for each kind of notice read by people or partners
(individual, guardian, minor, public announcement, partner); '' is the shared text the authorities'
notices use. A shared text of those elements, which every notice printed before, is copied to each
audience so that existing notices read exactly as before. (Numbered 27, past the numbers other
changes take next.)"""

from __future__ import annotations

import sqlite_utils

AUDIENCES = ("individual", "guardian", "minor", "public_announcement", "partner")
ELEMENTS = ("situation", "cause", "possible_harm", "measures_taken", "self_protection")


def apply(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE notice_element_texts ADD COLUMN audience TEXT NOT NULL DEFAULT ''")
    marks = ", ".join("?" for _ in ELEMENTS)
    latest = list(db.query(
        "SELECT * FROM notice_element_texts WHERE id IN (SELECT max(id) FROM notice_element_texts"
        f" GROUP BY incident_id, element, lang) AND element IN ({marks}) AND text != '' ORDER BY id",
        list(ELEMENTS)))
    rows = [{"incident_id": r["incident_id"], "element": r["element"], "lang": r["lang"], "text": r["text"],
             "author": r["author"], "created_at": r["created_at"], "audience": audience}
            for r in latest for audience in AUDIENCES]
    if rows:
        db.table("notice_element_texts").insert_all(rows)
    db.table("notice_element_texts").create_index(["incident_id", "audience", "element", "lang"])
