"""What a user reads documents the tool itself: no pointer to the developers' notes outside the
repository, and docs/intake.md lists exactly the intake keys the validator accepts, with examples
that the validator accepts too."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from incident_app.domain.clock import parse_time
from incident_app.domain.errors import ValidationError
from incident_app.domain.incident import INTAKE_KEYS, REQUIRED_KEYS, IntakeFacts, parse_intake

ROOT = Path(__file__).resolve().parents[1]
INTAKE_DOC = ROOT / "docs" / "intake.md"
# Developer notes live outside the repository; a user has no way to open them.
OUTSIDE_POINTERS = ("../shared", "DESIGN.md", "regimes.md")


def user_facing_files() -> list[Path]:
    files = [
        ROOT / "README.md",
        *ROOT.glob("docs/**/*.md"),
        *ROOT.glob("incident_app/resources/**/*.json"),
        *ROOT.glob("incident_app/templates/**/*.md"),
        *ROOT.glob("incident_app/templates/**/*.html"),
        *ROOT.glob("incident_app/templates/**/*.txt"),
        # the code ships inside the wheel: its help texts, messages and docstrings are read too
        *ROOT.glob("incident_app/**/*.py"),
        *ROOT.glob("scripts/*"),
        *ROOT.glob("bench/*.py"),
    ]
    return sorted(set(files))


def test_the_user_docs_exist() -> None:
    assert INTAKE_DOC.is_file()
    assert (ROOT / "docs" / "legal-basis.md").is_file()
    assert any(p.match("incident_app/resources/i18n/*.json") for p in user_facing_files())


@pytest.mark.parametrize("path", user_facing_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_pointer_outside_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8").lower()
    found = [pointer for pointer in OUTSIDE_POINTERS if pointer.lower() in text]
    assert found == [], f"{path.relative_to(ROOT)} points at {found}; point at docs/ instead"


def documented_keys() -> list[str]:
    """The rows of the table in the "## Keys" section of docs/intake.md (| `key` | type | …)."""
    text = INTAKE_DOC.read_text(encoding="utf-8")
    section = text.split("\n## Keys\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z0-9_]+)` \|", section, re.MULTILINE)


def test_every_accepted_intake_key_is_documented_once() -> None:
    keys = documented_keys()
    assert sorted(keys) == sorted(INTAKE_KEYS), "docs/intake.md must list exactly the keys the validator accepts"
    assert len(keys) == len(set(keys))


def test_the_key_list_is_what_the_validator_reads() -> None:
    # INTAKE_KEYS is what parse_intake accepts; the facts carry one field per key (the English
    # values and untranslated marks of the bilingual keys ride inside those keys' JSON values).
    assert set(INTAKE_KEYS) == set(IntakeFacts.__dataclass_fields__) - {"english", "untranslated"}
    assert set(REQUIRED_KEYS) <= set(INTAKE_KEYS)
    unknown = {"title": "t", "discovered_at": "2026-11-20T09:20:00", "not_a_key": 1}
    with pytest.raises(ValidationError) as refused:
        parse_intake(unknown, now=parse_time("2027-01-01T00:00:00+08:00"))
    assert [p.field for p in refused.value.problems] == ["not_a_key"]


def example_files() -> list[dict[str, object]]:
    blocks = re.findall(r"```json\n(.*?)```", INTAKE_DOC.read_text(encoding="utf-8"), re.DOTALL)
    return [json.loads(block) for block in blocks]


def test_the_examples_pass_the_validator() -> None:
    catalog = json.loads((ROOT / "incident_app" / "resources" / "catalog.json").read_text(encoding="utf-8"))
    ids = {item["id"] for item in catalog}
    examples = example_files()
    assert examples, "docs/intake.md must hold a complete example file"
    for example in examples:
        parse_intake(example, ids, now=parse_time("2027-01-01T00:00:00+08:00"))
    assert set(examples[0]) == set(INTAKE_KEYS), "the first example is the complete one: every key"
