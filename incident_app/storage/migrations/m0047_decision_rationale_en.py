"""A decision's rationale in English beside the Chinese one, so English notices print the
officer's own English reasons instead of the Chinese text. (Numbered 47, past the numbers other
changes take next.)"""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE decisions ADD COLUMN rationale_en TEXT NOT NULL DEFAULT ''")
