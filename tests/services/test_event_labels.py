"""Every event type the product records has a Timeline label in both languages, so the officer
never reads a raw key such as 'notice.element_text_set'."""

from __future__ import annotations

import re
from pathlib import Path

from incident_app.services.resources import load_messages

ROOT = Path(__file__).resolve().parents[2] / "incident_app"
EVENT_TYPE = re.compile(
    r"\"((?:incident|settings|decision|remediation|notice|people|send|export|personal_data|retention|"
    r"evidence|assessment|database|obligation|fulfilment|record|reminder|enquiry)\.[a-z_]+)\"")
NOT_EVENTS = {"incident.json", "remediation.json", "people.contacts", "send.smtp"}  # files, tables, settings keys


def recorded_event_types() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "services").rglob("*.py"):
        found |= set(EVENT_TYPE.findall(path.read_text(encoding="utf-8")))
    # Built at run time (f"people.import_{status}"), so the scan cannot see them.
    dynamic = {"people.imported", "people.import_failed", "people.import_cancelled",
               # f"{channel}.handed_off" / f"{channel}.report_imported" of the SMS and call hand-off
               "sms.handed_off", "phone.handed_off", "sms.report_imported", "phone.report_imported"}
    return (found | dynamic) - NOT_EVENTS


def test_the_scan_finds_the_core_event_types() -> None:
    assert {"incident.created", "decision.recorded", "notice.approved"} <= recorded_event_types()


def test_every_recorded_event_type_has_a_label_in_both_languages() -> None:
    messages = load_messages()
    for lang in ("zh-CN", "en"):
        missing = sorted(t for t in recorded_event_types() if f"timeline.type.{t}" not in messages[lang])
        assert not missing, f"{lang} lacks Timeline labels for {missing}"


def test_every_export_what_has_words_in_both_languages() -> None:
    """record_export(what=…) values show in the Timeline ("What: sms_batch" was a raw code)."""
    found: set[str] = set()
    for path in (ROOT / "services").rglob("*.py"):
        found |= set(re.findall(r"what=\"([a-z_]+)\"", path.read_text(encoding="utf-8")))
    assert {"sms_batch", "call_list"} <= found
    messages = load_messages()
    for lang in ("zh-CN", "en"):
        missing = sorted(w for w in found if f"timeline.what.{w}" not in messages[lang])
        assert not missing, f"{lang} lacks Timeline words for {missing}"
