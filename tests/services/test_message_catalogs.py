"""Every user-facing string goes through the message catalogs: both languages hold the same keys,
and every literal key the UI code asks for exists (so no screen shows a raw key)."""

from __future__ import annotations

import re
from pathlib import Path

from incident_app.domain.i18n import Translator
from incident_app.services.resources import load_messages

PACKAGE = Path(__file__).resolve().parents[2] / "incident_app"
# t("some.key") and tr.t("some.key"); a key ending in "." is a prefix completed at run time.
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z][\w.-]*[\w-])["']""")


def test_languages_have_the_same_keys() -> None:
    assert Translator(load_messages()).missing_keys() == {}


def test_every_literal_key_in_the_ui_exists() -> None:
    catalog = load_messages()["zh-CN"]
    files = [*PACKAGE.rglob("ui/**/*.py"), *PACKAGE.rglob("services/**/*.py")]
    used = {key for path in files for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 100
    assert sorted(k for k in used if k not in catalog) == []


def test_no_key_is_written_twice() -> None:
    """A key written twice (two branches adding the same key) silently keeps the last value, so a
    screen can change its wording without anyone choosing it."""
    import json

    def keys_written_twice(pairs: list[tuple[str, object]]) -> dict[str, object]:
        names = [name for name, _ in pairs]
        twice = sorted({name for name in names if names.count(name) > 1})
        assert twice == [], twice
        return dict(pairs)

    folder = PACKAGE / "resources" / "i18n"
    for path in sorted(folder.glob("*.json")):
        json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=keys_written_twice)
