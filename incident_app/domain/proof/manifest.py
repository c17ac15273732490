"""The SHA-256 manifest of an evidence pack, in the format ``sha256sum -c`` reads
(``<64 hex digits><two spaces><name>`` per line), and the rules for names inside the pack."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

MANIFEST_JSON = "manifest.json"
MANIFEST_SHA256 = "MANIFEST.sha256"
RESERVED_NAMES = frozenset({MANIFEST_JSON, MANIFEST_SHA256})
_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


@dataclass(frozen=True)
class ManifestEntry:
    name: str
    sha256: str
    size: int


def entry_for(name: str, content: bytes) -> ManifestEntry:
    return ManifestEntry(name, hashlib.sha256(content).hexdigest(), len(content))


def sha256sum_text(entries: Iterable[ManifestEntry]) -> str:
    """The ``MANIFEST.sha256`` text: one line per file, in pack order."""
    return "".join(f"{e.sha256}  {e.name}\n" for e in entries)


def parse_sha256sum(text: str) -> tuple[dict[str, str], list[int]]:
    """Names to digests, and the numbers of lines that are not ``<digest>  <name>``."""
    digests: dict[str, str] = {}
    bad: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match:
            digests[match.group(2)] = match.group(1)
        else:
            bad.append(number)
    return digests, bad


def member_name_problem(name: str) -> str:
    """Why ``name`` may not be a file in a pack ('' when it may): relative, no '..', no reserved name."""
    if not name or name.startswith("/") or "\\" in name:
        return "must be a relative path with '/' separators"
    if any(part in ("", ".", "..") for part in name.split("/")):
        return "must not contain empty, '.' or '..' parts"
    if name in RESERVED_NAMES:
        return "is reserved for the manifest"
    if "\n" in name or "\r" in name:
        return "must not contain a line break"
    return ""
