"""The licences of the libraries Breach Desk ships, read from the installed distributions'
metadata (so the About box stays true when a dependency changes): the application's own
requirements and, recursively, theirs."""

from __future__ import annotations

import contextlib
import importlib.metadata as metadata
import re
from dataclasses import dataclass

APP_DISTRIBUTION = "incident-app"
# The direct requirements as pinned in pyproject.toml (a test keeps the two lists equal), for a run
# from a checkout whose installed metadata may be older.
DIRECT_REQUIREMENTS = (
    "PySide6-Essentials", "shiboken6", "sqlite-utils", "Jinja2", "aiosmtplib", "platformdirs", "python-docx",
    "openpyxl", "phonenumbers", "email-validator", "charset-normalizer", "python-stdnum", "chinesecalendar",
    "keyring", "sqlcipher3", "tzdata", "rich",
)
# Installer tools a dependency's metadata names but the application never runs nor ships
# (sqlite-utils requires pip for its own ``install`` subcommand; the build excludes them).
NOT_SHIPPED = frozenset({"pip", "setuptools", "wheel"})
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class ShippedLibrary:
    name: str
    version: str
    licence: str  # the SPDX expression, the License field or the licence classifiers; "" if none

    def line(self, unstated: str) -> str:
        return f"{self.name} {self.version}: {self.licence or unstated}"


def _requirement_names(dist: metadata.Distribution) -> list[str]:
    names = []
    for requirement in dist.requires or []:
        if "extra ==" in requirement.replace('"', "").replace("'", ""):
            continue  # optional extras are not shipped
        match = _NAME.match(requirement)
        if match:
            names.append(match.group(1))
    return names


def licence_of(meta: metadata.PackageMetadata) -> str:
    """The licence a distribution declares, in the most precise form its metadata has."""
    expression = _field(meta, "License-Expression")
    if expression:
        return expression
    field = _field(meta, "License")
    if field and "\n" not in field and len(field) <= 80:  # some put the whole licence text here
        return field
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return ", ".join(classifiers)


def _field(meta: metadata.PackageMetadata, name: str) -> str:
    values = meta.get_all(name) or []
    return str(values[0]).strip() if values else ""


def shipped_libraries() -> list[ShippedLibrary]:
    """Every installed library the application depends on, sorted by name (case-insensitive)."""
    pending = list(DIRECT_REQUIREMENTS)
    # An installed application may list more (its own metadata is the truth for that build).
    with contextlib.suppress(metadata.PackageNotFoundError):
        pending += _requirement_names(metadata.distribution(APP_DISTRIBUTION))
    seen: dict[str, ShippedLibrary] = {}
    while pending:
        name = pending.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen or key in NOT_SHIPPED:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a requirement for another platform (e.g. pywin32-ctypes on Linux)
        seen[key] = ShippedLibrary(str(dist.metadata["Name"]), dist.version, licence_of(dist.metadata))
        pending.extend(_requirement_names(dist))
    return sorted(seen.values(), key=lambda lib: lib.name.lower())
