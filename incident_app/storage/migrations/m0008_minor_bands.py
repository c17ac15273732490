"""Age bands of affected people (child under 14, teen 14–17, adult) and their resident ID number;
per-incident counts of children and teens. People stored before this were flagged only when under
14, so a flagged person becomes a child and everyone else an adult until the list is imported again."""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    people = db.table("people")
    people.add_column("id_number", str)
    people.add_column("minor_band", str, not_null_default="adult")
    db.execute("UPDATE people SET minor_band = 'child' WHERE is_minor = 1")
    stats = db.table("people_stats")
    stats.add_column("children", int, not_null_default=0)
    stats.add_column("teens", int, not_null_default=0)
    db.execute("UPDATE people_stats SET children = minors")
