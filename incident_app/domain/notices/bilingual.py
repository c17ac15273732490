"""Facts in the notice's language. Every free-text fact has a zh-CN and an English value; a notice
whose language lacks a value it prints shows a visible marker in its place (so the officer sees the
gap in the preview) and the completeness check turns each marker into a problem naming the field
("English text missing: summary"), which refuses approval. A value copied from the other language
and not yet edited is printed after an "untranslated" marker, with the same effect."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from incident_app.domain.wording import UNTRANSLATED, marker

# The marker's form (domain/wording.py writes it; the assessment prints it too).
_MARKER = re.compile(r"\[(Chinese|English) text (missing|untranslated): ([\w.#-]+)\]")


def fact_in(facts: Mapping[str, Any], key: str, lang: str) -> tuple[Any, bool, bool]:
    """(value, other language has one, copied untranslated) of a snapshot fact: a plain value is
    the zh-CN one (incidents recorded before facts were bilingual)."""
    value = facts.get(key, "")
    if isinstance(value, Mapping):
        other = "zh-CN" if lang == "en" else "en"
        marks = value.get("untranslated") or []
        return value.get(lang) or "", bool(value.get(other)), lang in marks
    if lang == "en":
        return ([] if isinstance(value, list) else ""), bool(value), False
    return value, False, False


def fact_text(facts: Mapping[str, Any], key: str, lang: str) -> str:
    """A text fact as a notice in ``lang`` prints it (a marker where it is missing or a copy)."""
    value, other, copied = fact_in(facts, key, lang)
    return localised(str(value or ""), key, lang, other=other, copied=copied)


def fact_list(facts: Mapping[str, Any], key: str, lang: str) -> list[str]:
    """A list fact (systems) as a notice in ``lang`` prints it."""
    value, other, copied = fact_in(facts, key, lang)
    items = [str(v) for v in value or []]
    if not items:
        return [marker(key, lang)] if other else []
    return [f"{marker(key, lang, UNTRANSLATED)} {items[0]}", *items[1:]] if copied else items


def localised(text: str, field: str, lang: str, *, other: bool, copied: bool = False) -> str:
    """``text`` for a notice in ``lang``: a marker when it is empty but the other language has a
    value; prefixed with a marker when it is an untranslated copy."""
    if not text:
        return marker(field, lang) if other else ""
    return f"{marker(field, lang, UNTRANSLATED)} {text}" if copied else text


def side_text(data: Mapping[str, Any], zh_key: str, en_key: str, lang: str, field: str) -> str:
    """A record's own bilingual pair (remediation action, advice, remedy) in ``lang``."""
    key, other = (en_key, zh_key) if lang == "en" else (zh_key, en_key)
    return localised(str(data.get(key) or ""), field, lang, other=bool(data.get(other)))


def translation_problems(text: str) -> list[str]:
    """Every marker in a rendered notice, once each: "English text missing: summary"."""
    found = dict.fromkeys(f"{m.group(1)} text {m.group(2)}: {m.group(3)}"
                          for m in _MARKER.finditer(" ".join(text.split())))
    return list(found)


def missing_fields(facts: Mapping[str, Any], keys: Sequence[str], lang: str) -> list[str]:
    """The bilingual facts that lack a ``lang`` value (or hold an untranslated copy) although the
    other language has one: what the workspace lists as still to translate."""
    out = []
    for key in keys:
        value, other, copied = fact_in(facts, key, lang)
        if copied or (other and not value):
            out.append(key)
    return out
