"""The register's helper process imports only what the metrics need (issue 17: about a second of
its 3.1 s start at 10,000 incidents was importing the templates, the mail relay, the document
writers and the people importer). A real helper process, started through each entry point, computes
the metrics cold (every incident assessed) and warm (the kept figures), then reports the modules it
had loaded when its stdin closed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from proof_helpers import import_people

from incident_app.services.container import Services, open_services
from incident_app.services.register import helper
from incident_app.services.register.export import register_metrics
from incident_app.services.register.helper import HELPER_FLAG, run_in_helper

# Modules the metrics never need; each one is a regression of the helper's start-up time.
HEAVY = (
    "jinja2", "markupsafe",  # notice and reply templates
    "aiosmtplib", "smtplib", "ssl",  # the mail relay
    "docx", "openpyxl",  # DOCX notices, the XLSX export
    "PySide6", "shiboken6",  # Qt, and with it the PDF writer (adapters/qt_pdf.py)
    "phonenumbers", "charset_normalizer", "email_validator", "keyring", "rich",
    "incident_app.adapters", "incident_app.ui", "incident_app.jobs",
    "incident_app.services.notices", "incident_app.services.mail", "incident_app.services.handoff",
    "incident_app.services.enquiries.service", "incident_app.services.people.files",
    "incident_app.services.people.importer",
)
# Modules only assessing needs: a helper serving the kept figures never loads them.
ASSESSING = ("incident_app.domain.assessment.engine", "incident_app.domain.assessment.applicability",
             "incident_app.domain.assessment.grading", "incident_app.services.assessment")
# The real entry point run as __main__ (runpy: exactly what `python -m` does); at exit, once
# serve() has returned because stdin closed, the loaded module names go to the file in argv[1].
REPORTING = """import atexit, json, runpy, sys
out, sys.argv = sys.argv[1], sys.argv[2:]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


def _entry(kind: str) -> list[str]:
    """The entry point's module and arguments (``python -m`` these): the checkout's helper, or
    the app's own entry with the flag (what a frozen build starts)."""
    if kind == "module":
        return ["incident_app.services.register.helper"]
    return ["incident_app", HELPER_FLAG]


def _loaded_after(services: Services, entry: list[str], report: Path, *, cold: bool) -> list[str]:
    """The modules one new helper process had loaded after computing the metrics: cold (every
    incident assessed there, then again from the figures it kept) or warm (the kept figures only)."""
    command = [sys.executable, "-c", REPORTING, str(report), *entry]
    if cold:
        services.ctx.store.assessment_cache.clear()
    first = run_in_helper(services, "metrics", command=command)
    again = run_in_helper(services, "metrics", command=command)
    assert first == again == register_metrics(services)
    helper.POOL.close()  # stdin closes: serve() returns and the process writes its report
    loaded = list(json.loads(report.read_text(encoding="utf-8")))
    report.unlink()
    assert "incident_app.services.register.summary" in loaded  # the report is the helper's own
    return loaded


def _heavy(loaded: list[str], heavy: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == h or m.startswith(f"{h}.") for h in heavy))


@pytest.mark.parametrize("kind", ["module", "app_entry"])
def test_the_helper_computes_the_metrics_without_heavy_modules(services: Services, intake: dict[str, Any],
                                                               tmp_path: Path, kind: str) -> None:
    first = services.incidents.create(intake).id
    services.incidents.create(intake | {"title": "演练", "drill": True})
    import_people(services, first, tmp_path)  # the people counts and channels the assessment reads
    services.enquiries.add(first, {"channel": "phone", "contact": "13800138000", "topic": "deletion",
                                   "received_at": "2026-11-20T10:00:00+08:00"})
    report = tmp_path / "modules.json"
    assert _heavy(_loaded_after(services, _entry(kind), report, cold=True), HEAVY) == []
    # A new helper while the kept figures hold (the app's start-up): nothing is assessed, so not
    # even the assessment engine is loaded.
    assert _heavy(_loaded_after(services, _entry(kind), report, cold=False), (*HEAVY, *ASSESSING)) == []


def test_the_services_build_only_what_is_used(db_path: Path) -> None:
    services = open_services(db_path)
    try:
        assert list(services.built()) == []
        services.fulfilments.list(1)  # its wiring to the assessment is looked up only when called
        assert list(services.built()) == ["fulfilments"]
        assert services.notices is services.notices  # built once, then kept
        assert set(services.built()) == {"fulfilments", "notices", "people", "assessment"}
    finally:
        services.close()
