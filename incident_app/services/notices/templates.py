"""Notice templates: the bundled ones in templates/, overridden by the officer's stored versions,
all run in one Jinja2 sandbox (ImmutableSandboxedEnvironment, StrictUndefined, HTML autoescape).

A template that breaks — a syntax error, an unknown field, an attempt to leave the sandbox —
raises :class:`NoticeTemplateError` with a message a person can act on; it never crashes the
program and never yields a blank notice."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from incident_app.services.resources import TEMPLATES_DIR


class NoticeTemplateError(Exception):
    """A template could not be rendered; ``str(exc)`` says why and what to do."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@cache
def bundled_templates(folder: Path = TEMPLATES_DIR) -> dict[str, str]:
    """Every shipped template by name ("individual/email.zh-CN.html"), read once."""
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("*")) if p.suffix in (".html", ".txt") and p.is_file()}


def template_name(kind: str, stem: str, lang: str, ext: str) -> str:
    return f"{kind}/{stem}.{lang}.{ext}"


class _Loader(jinja2.BaseLoader):
    """Serves only known names: the officer's version if any, else the bundled file. Anything else
    (paths outside templates/, made-up names) is "not found"."""

    def __init__(self, lookup: Callable[[str], tuple[str, int] | None]) -> None:
        self._lookup = lookup

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        found = self._lookup(template)
        if found is None:
            raise jinja2.TemplateNotFound(template)
        source, version = found
        return source, template, lambda: self._version(template) == version

    def _version(self, template: str) -> int | None:
        found = self._lookup(template)
        return found[1] if found else None


class NoticeTemplates:
    """The template set in use: bundled sources plus officer overrides (name -> (source, version))."""

    def __init__(self, overrides: Mapping[str, tuple[str, int]] | None = None) -> None:
        self._bundled = bundled_templates()
        self._overrides: dict[str, tuple[str, int]] = dict(overrides or {})
        self.env = ImmutableSandboxedEnvironment(
            loader=_Loader(self._lookup), undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(["html"], default_for_string=False, default=False),
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, auto_reload=True,
            cache_size=400,
        )

    def _lookup(self, name: str) -> tuple[str, int] | None:
        if name in self._overrides:
            return self._overrides[name]
        if name in self._bundled:
            return self._bundled[name], 0
        return None

    def names(self) -> list[str]:
        return sorted(self._bundled)

    def exists(self, name: str) -> bool:
        return self._lookup(name) is not None

    def source(self, name: str) -> str:
        found = self._lookup(name)
        if found is None:
            raise NoticeTemplateError(name, "no such template")
        return found[0]

    def bundled_source(self, name: str) -> str:
        return self._bundled.get(name, "")

    def version(self, name: str) -> int:
        """0 for the bundled template, else the officer's version number."""
        found = self._lookup(name)
        return found[1] if found else 0

    def set_overrides(self, overrides: Mapping[str, tuple[str, int]]) -> None:
        self._overrides = dict(overrides)

    def with_candidate(self, name: str, source: str) -> NoticeTemplates:
        """A copy in which ``name`` has an unsaved source (for validation before saving)."""
        return NoticeTemplates({**self._overrides, name: (source, -1)})

    def get(self, name: str) -> jinja2.Template:
        """The compiled template, or a :class:`NoticeTemplateError` saying what is wrong."""
        try:
            return self.env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            raise NoticeTemplateError(exc.name or name, f"syntax error on line {exc.lineno}: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise NoticeTemplateError(name, f"template '{exc.name}' does not exist") from None

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        """Render in the sandbox; every failure becomes a :class:`NoticeTemplateError`."""
        template = self.get(name)
        try:
            return template.render(context)
        except Exception as exc:  # noqa: BLE001 - an officer's template must never crash the app
            raise NoticeTemplateError(name, describe_render_error(exc, context, self._source_of(exc, name))) from None

    def _source_of(self, exc: Exception, name: str) -> str:
        found = self._lookup(name)
        return found[0] if found else ""


def describe_render_error(exc: Exception, context: Mapping[str, Any], source: str = "") -> str:
    """Turn a render failure into a sentence that names the field or the forbidden access."""
    if isinstance(exc, SecurityError):
        return (f"template tries to access {_security_target(str(exc))}, which is not allowed: notice "
                "templates run in a sandbox and may only read the notice fields")
    if isinstance(exc, jinja2.UndefinedError):
        return _undefined_message(str(exc), context, source)
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template '{exc.name}' does not exist (templates may only use the bundled template names)"
    if isinstance(exc, jinja2.TemplateError):
        return f"template error: {exc}"
    return f"the template failed while rendering ({type(exc).__name__}: {exc})"


def _security_target(message: str) -> str:
    match = re.search(r"attribute '([^']+)' of '([^']+)'", message)
    return f"'{match.group(1)}' of a {match.group(2)}" if match else message.rstrip(".")


def _undefined_message(message: str, context: Mapping[str, Any], source: str) -> str:
    top = re.search(r"'([^']+)' is undefined", message)
    if top:
        return f"unknown field {top.group(1)}; available fields: {', '.join(sorted(context))}"
    attr = re.search(r"has no attribute '([^']+)'", message)
    if attr:
        name = attr.group(1)
        parent = re.search(r"([A-Za-z_][\w]*)\.\s*" + re.escape(name) + r"\b", source)
        if parent and isinstance(context.get(parent.group(1)), Mapping):
            fields = ", ".join(sorted(context[parent.group(1)]))
            return f"unknown field {parent.group(1)}.{name}; available fields of {parent.group(1)}: {fields}"
        return f"unknown field {name}; available fields: {', '.join(sorted(context))}"
    return f"unknown field ({message})"
