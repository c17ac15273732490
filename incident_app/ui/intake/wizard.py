"""New incident: the intake wizard (the first step: log what happened). Nothing is written until Finish, which
saves the incident and its first containment actions in one transaction; Cancel therefore loses
nothing already saved (and asks before throwing away what was typed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMessageBox, QWidget, QWizard

from incident_app.domain.catalog import Catalog
from incident_app.domain.clock import utc_now
from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.domain.i18n import Translator
from incident_app.domain.incident import IntakeFacts, parse_intake
from incident_app.domain.profile import OrganisationProfile
from incident_app.jobs.runner import JobRunner, SyncJobRunner
from incident_app.services.incidents import DeadlineClock, create_incident_with_containment, preview_obligations
from incident_app.ui.common import ErrorReporter, FieldErrors, problem_text
from incident_app.ui.common.screen_fit import fit_to_screen
from incident_app.ui.intake.pages import ContainmentPage, DataPeoplePage, ReviewPage, WhatHappenedPage


class IntakeWizard(QWizard):
    incident_created = Signal(int)

    def __init__(self, runner: JobRunner | SyncJobRunner, tr: Translator, errors: ErrorReporter,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.tr_, self.reporter = runner, tr, errors
        self.catalog: Catalog | None = None
        self.profile: OrganisationProfile | None = None
        self.saving = False
        self.created_id: int | None = None
        self.confirm_discard: Callable[[], bool] = self._ask_discard
        self.what, self.data = WhatHappenedPage(tr), DataPeoplePage(tr)
        self.containment, self.review = ContainmentPage(tr), ReviewPage(tr)
        for page in (self.what, self.data, self.containment, self.review):
            self.addPage(page)
        self._style()
        self._pristine = self.intake_data()
        runner.run(lambda s, _p: (s.ctx.catalog, s.profile.get()),
                   on_success=self._on_context_loaded, on_failure=errors.show)

    def _style(self) -> None:
        t = self.tr_.t
        self.setWindowTitle(t("wizard.title"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        for button, key in ((QWizard.WizardButton.NextButton, "wizard.next"),
                            (QWizard.WizardButton.BackButton, "wizard.back"),
                            (QWizard.WizardButton.FinishButton, "wizard.finish"),
                            (QWizard.WizardButton.CancelButton, "wizard.cancel")):
            self.setButtonText(button, t(key))
        fit_to_screen(self, 1100, 700)

    def _on_context_loaded(self, context: tuple[Catalog, OrganisationProfile]) -> None:
        if not shiboken6.isValid(self):  # cancelled before the catalog arrived
            return
        self.catalog, self.profile = context
        self.data.picker.set_catalog(self.catalog)

    # -- reading and validating the pages ----------------------------------------------
    def intake_data(self) -> dict[str, Any]:
        """Everything typed so far, as intake-JSON keys (times as ISO 8601 +08:00)."""
        data = self.what.form.values() | self.data.values()
        return {k: v for k, v in data.items() if v is not None}

    def _parse(self) -> IntakeFacts:
        known = self.catalog.ids() if self.catalog else None
        return parse_intake(self.intake_data(), known, now=utc_now())

    def parsed_facts(self) -> IntakeFacts | None:
        try:
            return self._parse()
        except ValidationError:
            return None

    def validate_facts(self, errors: FieldErrors) -> bool:
        """Validate everything typed; show (and stop on) the problems of the fields ``errors`` owns."""
        try:
            self._parse()
        except ValidationError as exc:
            mine = [p for p in exc.problems if errors.owns(p.field)]
            errors.show(mine, self.tr_)
            return not mine
        errors.clear()
        return True

    def preview_clocks(self, facts: IntakeFacts) -> list[DeadlineClock]:
        return preview_obligations(facts, self.profile, self.tr_.lang) if self.profile else []

    # -- finishing and cancelling ------------------------------------------------------
    def accept(self) -> None:
        """Finish: save incident + containment actions in one transaction on the worker."""
        if self.saving:
            return
        self.saving = True
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        intake, actions = self.intake_data(), self.containment.drafts()
        self.runner.run(lambda s, _p: create_incident_with_containment(s, intake, actions).id,
                        on_success=self._on_saved, on_failure=self._on_save_failed)

    def _on_saved(self, incident_id: int) -> None:
        self.saving = False
        self.created_id = incident_id
        self.incident_created.emit(incident_id)
        super().accept()

    def _on_save_failed(self, exc: BaseException, details: str) -> None:
        self.saving = False
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        if isinstance(exc, ValidationError):
            self.review.show_error("\n".join(self._problem_line(p) for p in exc.problems))
        else:
            self.reporter.show(exc, details, retry=self.accept)

    def _problem_line(self, problem: FieldProblem) -> str:
        key = f"wizard.field.{problem.field}"
        label = self.tr_.t(key)
        where = problem.field if label == key else label
        row = f" #{problem.row}" if problem.row is not None else ""
        return f"{where}{row}: {problem_text(problem, self.tr_)}"

    def is_dirty(self) -> bool:
        return self.intake_data() != self._pristine or bool(self.containment.drafts())

    def reject(self) -> None:
        """Cancel: nothing was saved; ask before discarding what was typed."""
        if self.saving or (self.is_dirty() and not self.confirm_discard()):
            return
        super().reject()

    def _ask_discard(self) -> bool:
        answer = QMessageBox.question(self, self.tr_.t("wizard.discard.title"), self.tr_.t("wizard.discard.text"))
        return answer == QMessageBox.StandardButton.Yes
