"""Message catalog lookup: zh-CN first, English second. The catalogs are data in
resources/i18n/*.json; every user-facing string goes through :class:`Translator`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LANGUAGES: tuple[str, ...] = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"


@dataclass(frozen=True)
class Translator:
    """Looks up ``key`` in the chosen language, falling back to zh-CN, then to the key."""

    catalogs: Mapping[str, Mapping[str, str]]
    lang: str = DEFAULT_LANGUAGE

    def t(self, key: str, **values: object) -> str:
        text = self.catalogs.get(self.lang, {}).get(key)
        if text is None:
            text = self.catalogs.get(DEFAULT_LANGUAGE, {}).get(key, key)
        return text.format(**values) if values else text

    def word(self, prefix: str, code: object) -> str:
        """The reader's word for a stored code (``prefix.code`` in the catalog); a code the catalog
        does not know is shown as it is rather than as a message key."""
        key = f"{prefix}.{getattr(code, 'value', code)}"
        known = any(key in c for c in self.catalogs.values())
        return self.t(key) if known else str(getattr(code, "value", code))

    def with_language(self, lang: str) -> Translator:
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang}; choose one of {', '.join(LANGUAGES)}")
        return Translator(self.catalogs, lang)

    def missing_keys(self) -> dict[str, set[str]]:
        """Keys present in one language but not another (a test keeps this empty)."""
        every = set().union(*(set(c) for c in self.catalogs.values()))
        return {lang: every - set(c) for lang, c in self.catalogs.items() if every - set(c)}
