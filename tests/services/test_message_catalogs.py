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
