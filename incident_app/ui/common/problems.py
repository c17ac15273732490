"""Validation messages in the officer's language. Domain validators speak English (the CLI prints
them as they are); the screens map the messages they can trigger to catalog keys and fall back to
the validator's own words for anything else."""

from __future__ import annotations

import re

from incident_app.domain.errors import FieldProblem
from incident_app.domain.i18n import Translator

# First match wins, so the specific "is required …" forms come before the bare one.
_PATTERNS: tuple[tuple[str, str], ...] = (
    # The enquiry desk (services/enquiries): its own wording comes before the general forms.
    (r"^give the enquirer's phone, e-mail or user id", "enquiry.problem.contact_missing"),
    (r"^not a valid e-mail address; check it with the enquirer", "enquiry.problem.email"),
    (r"^not a valid phone number \(mainland mobile", "enquiry.problem.phone"),
    (r"^longer than (?P<limit>\d+) characters", "enquiry.problem.too_long"),
    (r"is not an ISO 8601 time", "enquiry.problem.bad_time"),
    (r"in the future; give when the enquiry arrived", "enquiry.problem.future"),
    (r"is before the incident began .*; give when the enquiry arrived", "enquiry.problem.before_incident"),
    (r"has no reply yet: reply first", "enquiry.problem.no_reply"),
    (r"^enquiry \d+ is already closed", "enquiry.problem.already_closed"),
    (r"^enquiry \d+ is closed; log a new enquiry", "enquiry.problem.closed"),
    (r"^the enquirer gave no e-mail address", "enquiry.problem.no_email"),
    (r"^use done \| refused \| withdrawn|^a closed request is done", "enquiry.problem.outcome"),
    (r"an enquiry logged now would keep its contact", "enquiry.problem.purged"),
    # The SMS gateway's rules (domain/notices/sms_gateway.py, services/handoff): the hand-off
    # dialog words each in the officer's language, without the CLI's options.
    (r"^signature: (?P<length>\d+) characters; it must have (?P<min>\d+)–(?P<max>\d+)",
     "handoff.problem.signature_length"),
    (r"^signature: write it without 【】", "handoff.problem.signature_brackets"),
    (r"^sms: (?P<length>\d+) characters with the signature, UCS-2 \(the signature 【(?P<signature>.*)】 is not GSM "
     r"7-bit.*\): (?P<parts>\d+) billed parts; (?P<max>\d+) parts hold (?P<hold>\d+); set an English SMS signature",
     "handoff.problem.billing_signature"),
    (r"^sms: (?P<length>\d+) characters with the signature, (?P<encoding>GSM-7|UCS-2)(?: \(.*\))?: "
     r"(?P<parts>\d+) billed parts; (?P<max>\d+) parts hold (?P<hold>\d+); shorten the template",
     "handoff.problem.billing"),
    (r"^template: link '(?P<link>.*)' is not on the company's ICP-filed website domain \(none set in Settings\)",
     "handoff.problem.link_no_website"),
    (r"^template: link '(?P<link>.*)' is not on the company's ICP-filed website domain \((?P<domain>.*)\)",
     "handoff.problem.link_domain"),
    (r"^template: (?P<length>\d+) characters at worst; at most (?P<limit>\d+)", "handoff.problem.template_length"),
    (r"^template: contains 【 or 】", "handoff.problem.template_brackets"),
    (r"^template: two variables next to each other", "handoff.problem.adjacent_variables"),
    (r"^variable (?P<name>\w+): used (?P<used>\d+) times", "handoff.problem.variable_count"),
    (r"^variable (?P<name>\w+): up to (?P<length>\d+) characters; (?P<min>\d+)–(?P<max>\d+)",
     "handoff.problem.variable_length"),
    (r"^variable (?P<name>\w+): holds a link, which Tencent Cloud refuses", "handoff.problem.variable_link"),
    (r"^(?P<name>\w+): (?P<length>\d+) characters; (?P<min>\d+)–(?P<max>\d+)$", "handoff.problem.value_length"),
    (r"^(?P<name>\w+): holds a link, which Tencent Cloud refuses in a variable", "handoff.problem.value_link"),
    (r"^\w+: a domestic notification SMS reaches only mainland mobile numbers", "handoff.problem.mainland_only"),
    (r"^(?P<count>\d+) messages to (?P<phone>\S+); a gateway sends at most (?P<limit>\d+) a day",
     "handoff.problem.daily_limit"),
    (r"^not approved in its current form; run 'approve' first", "handoff.problem.not_approved"),
    (r"^this incident has no SMS notice to hand off", "handoff.problem.no_sms"),
    (r"^this incident has no phone script to hand off", "handoff.problem.no_script"),
    (r"^is required: notices must carry it", "wizard.problem.required_profile"),
    (r"^is required \(explain the reasoning\)", "wizard.problem.required_rationale"),
    (r"^is required \(name the person who decides\)", "wizard.problem.required_decider"),
    (r"^is required for a ", "wizard.problem.required_detail"),
    (r"^is required: say what is done", "wizard.problem.required_action"),
    (r"^is required when status is done", "wizard.problem.required_done_at"),
    (r"^is required", "wizard.problem.required"),
    (r"^lies in the future", "wizard.problem.future"),
    (r"is in the future; give the time", "wizard.problem.future"),
    (r"^say how it was done \(a reference or a note\)", "fulfil.problem.other_needs_reference"),
    (r"^year \d+ is before 1990", "wizard.problem.before_1990"),
    (r"is before the incident (was discovered|began)", "wizard.problem.before_incident"),
    (r"is before started_at \(|^is before the action was started", "wizard.problem.done_before_started"),
    (r"does not apply to this incident, so it cannot be met", "fulfil.problem.not_applicable"),
    (r"is already met by fulfilment #", "fulfil.problem.already_met"),
    (r"is already declared met by decision #(?P<record>\d+)", "fulfil.problem.declared_met"),
    (r"is already recorded as met by fulfilment #(?P<record>\d+)", "decision.problem.fulfilled"),
    (r"not a regular file", "fulfil.problem.not_regular_file"),
    (r"contains an invisible control character|lone surrogate", "wizard.problem.control_char"),
    (r"contains a text-direction override", "wizard.problem.bidi_override"),
    (r"characters; keep it under \d+$", "wizard.problem.too_long"),
    (r"is absurd \(more than 10\^12\)", "wizard.problem.absurd"),
    (r"^is after discovered_at", "wizard.problem.occurred_after_discovered"),
    (r"^is before occurred_at", "wizard.problem.until_before_occurred"),
    (r"^is before discovered_at", "wizard.problem.aware_before_discovered"),
    (r"^exceeds affected_people", "wizard.problem.minors_exceed"),
    (r"fewer than affected_minors_under_14 \+ affected_minors_14_17", "wizard.problem.minors_below_bands"),
    (r"^choose at least one of", "wizard.problem.choose_breach_type"),
    (r"is not an email address", "wizard.problem.bad_email"),
    (r"^must be one of", "wizard.problem.must_be_one_of"),
    (r"^say why the status changes", "wizard.problem.comment_required"),
    (r"^must be a whole number from 1 to 65535", "wizard.problem.port"),
    (r"^port \d+ normally needs", "wizard.problem.port_security"),
    (r"^must be a host name", "wizard.problem.host"),
    (r"is not a province-level region", "wizard.problem.province"),
    (r"is not a postcode; write its 6 digits", "wizard.problem.postcode"),
    (r"is not a number of working days", "wizard.problem.working_days"),
    (r"is not an operator type", "wizard.problem.operator_type"),
    (r"is not a notice language|^give at least one of: zh-CN", "wizard.problem.notice_languages"),
    (r"has Chinese characters; English notices print this field", "settings.problem.english_field"),
    (r"is not an English SMS signature: use 2–12 Latin", "settings.problem.sms_signature_en"),
    (r"is not a status one can declare", "wizard.problem.declared_status"),
    (r"is not an obligation; use one", "wizard.problem.obligation"),
    (r"is not a decision kind", "wizard.problem.decision_kind"),
    (r"^must be one line", "wizard.problem.one_line"),
    (r"is not a lead time; use whole minutes|^give at least one lead time|^at most \d+ lead times",
     "settings.problem.lead_minutes"),
    (r"^each entry needs text", "wizard.problem.note_text"),
    (r"^is not a valid phone number", "people.edit.problem.phone"),
    (r"^is longer than \d+ characters", "people.edit.problem.too_long"),
    (r"^say why the person's data is corrected", "people.edit.problem.reason"),
    (r"^these are the values already stored", "people.edit.problem.same"),
    (r"^give at least one new value", "people.edit.problem.changes"),
    (r"^the person would no longer be identified", "people.edit.problem.unidentified"),
    (r"there is nothing left to correct", "people.edit.problem.purged"),
)


def problem_text(problem: FieldProblem, tr: Translator) -> str:
    """The message to show beside the field."""
    for pattern, key in _PATTERNS:
        match = re.search(pattern, problem.message)
        if match:
            return tr.t(key, **match.groupdict())  # e.g. the number of the record that stands
    return problem.message
