"""What in a text could be an affected person's name, e-mail address, phone number or ID number,
in the form the people list stores it — for a notice that must name nobody (the internal brief:
counts only). The officer's own free texts (summary, remediation actions, advice) reach the brief
verbatim, and an officer pasting "张三丰 (13800138000) reported it" into the summary would send an
affected person's data to every responsible person under the line "no affected person is named".

Candidates are cheap to make and the people list is asked once for all of them (an exact match per
column, see storage.people.PeopleRepository.mentioned). Names: every 3- and 4-character run of
Chinese characters, and every two or three consecutive capitalised Latin words. A two-character
Chinese name is not looked for: too many ordinary words (安全, 高峰) are also somebody's name, and
the brief could then never be approved. Pure."""

from __future__ import annotations

import html
import re
from itertools import pairwise

# A mainland mobile, optionally with +86/0086 and spaces or hyphens between the groups.
_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{16}[\dXx])(?![0-9A-Za-z])")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff·]{3,}")
_LATIN_WORD = re.compile(r"[A-Z][a-z'\-]+")
_TAG = re.compile(r"<[^>]+>")
# An e-mail address written in a text (the same shape as domain/mail/sending.py's, which the
# notices may not import).
_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def mention_candidates(text: str) -> dict[str, list[str]]:
    """Column -> values to look for in the people list (storage.people.MENTION_COLUMNS)."""
    plain = html.unescape(_TAG.sub(" ", text))
    emails = sorted({m.lower() for m in _ADDRESS.findall(plain)})
    phones = sorted({"+86" + "".join(m.groups()) for m in _MOBILE.finditer(plain)})
    ids = sorted({m.group(1).upper() for m in _ID_NUMBER.finditer(plain)})
    names: set[str] = set()
    for run in _CJK_RUN.findall(plain):
        for size in (3, 4):
            names.update(run[i:i + size] for i in range(len(run) - size + 1))
    for line in plain.splitlines():
        words = [(m.group(0), m.start(), m.end()) for m in _LATIN_WORD.finditer(line)]
        for i in range(len(words)):
            for size in (2, 3):
                chunk = words[i:i + size]
                # consecutive words only: separated by one space
                if len(chunk) == size and all(line[a[2]:b[1]] == " " for a, b in pairwise(chunk)):
                    names.add(" ".join(w for w, _, _ in chunk))
    found = {"email": emails, "guardian_email": emails, "phone": phones, "guardian_phone": phones,
             "id_number": ids, "name": sorted(names), "guardian_name": sorted(names)}
    return {k: v for k, v in found.items() if v}
