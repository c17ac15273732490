"""The incident workspace's tabs, in order. Each capability plugs its tab in with ONE line here:

    TabSpec("people", "workspace.tab.people", PeopleTab)

A factory is called as ``factory(runner, tr, incident_id)`` and returns a QWidget with
``refresh()``. Optional extras the workspace uses when present:
  * a ``data_changed`` signal — the workspace then refreshes the other tabs and the register;
  * an ``errors`` attribute (ErrorReporter) — replaced by the workspace's shared reporter.
  * a ``set_translator(tr)`` method — a language switch then retranslates the tab in place
    (keeping selection, scroll and unsaved typing); a tab without one is rebuilt on a switch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from incident_app.domain.i18n import Translator
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.ui.assessment import AssessmentTab
from incident_app.ui.enquiries import EnquiriesTab
from incident_app.ui.notices import NoticesTab
from incident_app.ui.people import PeopleTab
from incident_app.ui.remediation import RemediationTab
from incident_app.ui.workspace.decisions import DecisionsTab
from incident_app.ui.workspace.overview import OverviewTab
from incident_app.ui.workspace.timeline import TimelineTab

TabFactory = Callable[[JobRunner | SyncJobRunner, Translator, int], QWidget]


@dataclass(frozen=True)
class TabSpec:
    key: str
    title_key: str
    factory: TabFactory


TAB_SPECS: list[TabSpec] = [
    TabSpec("overview", "workspace.tab.overview", OverviewTab),
    TabSpec("assessment", "workspace.tab.assessment", AssessmentTab),
    TabSpec("people", "workspace.tab.people", PeopleTab),
    TabSpec("remediation", "workspace.tab.remediation", RemediationTab),
    TabSpec("decisions", "workspace.tab.decisions", DecisionsTab),
    TabSpec("notices", "workspace.tab.notices", NoticesTab),
    TabSpec("enquiries", "workspace.tab.enquiries", EnquiriesTab),
    TabSpec("timeline", "workspace.tab.timeline", TimelineTab),
]
