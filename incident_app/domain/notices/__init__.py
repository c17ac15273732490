"""Notices as rules and data: who is told (kind), through what (channel) and in which language;
the elements each notice must carry, the fact snapshot it is rendered from, the wording of facts,
the person a personal notice is addressed to, stored versions and approvals, and the completeness
check that reads a rendered notice."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.domain.notices.completeness import (
        CheckExpectations,
        CompletenessReport,
        ElementCheck,
        ElementStatus,
        check_rendered,
        short_form_body,
    )
    from incident_app.domain.notices.fact_snapshot import (
        CONTENT_DECISIONS,
        FactChange,
        FactSnapshot,
        SnapshotInputs,
        build_snapshot,
        diff_snapshots,
    )
    from incident_app.domain.notices.kinds import (
        CHANNELS,
        ELEMENT_IDS,
        PERSONAL_KINDS,
        SHORT_CHANNELS,
        Channel,
        NoticeKind,
        heading,
        required_elements,
    )
    from incident_app.domain.notices.labels import (
        ACTION_STATUS,
        BREACH_TYPES,
        CAUSES,
        FINDING,
        GRADE_PENDING,
        GRADES,
        INCIDENT_NOUNS,
        LIKELIHOOD,
        OPERATOR_TYPES,
        RANSOM_LABELS,
        RECIPIENTS,
        REPORT_ADDRESSEES,
        change_label,
        pick,
    )
    from incident_app.domain.notices.minor_texts import guardian_advice, guardian_harms, teen_advice
    from incident_app.domain.notices.recipient import (
        NoticeRecipient,
        recipient_reference,
        recipients_from_people,
        specimen_recipient,
    )
    from incident_app.domain.notices.records import NoticeApproval, NoticeVersion, TemplateVersion

__all__ = [
    "ACTION_STATUS",
    "BREACH_TYPES",
    "CAUSES",
    "CHANNELS",
    "CONTENT_DECISIONS",
    "ELEMENT_IDS",
    "FINDING",
    "GRADES",
    "GRADE_PENDING",
    "INCIDENT_NOUNS",
    "LIKELIHOOD",
    "OPERATOR_TYPES",
    "PERSONAL_KINDS",
    "RANSOM_LABELS",
    "RECIPIENTS",
    "REPORT_ADDRESSEES",
    "SHORT_CHANNELS",
    "Channel",
    "CheckExpectations",
    "CompletenessReport",
    "ElementCheck",
    "ElementStatus",
    "FactChange",
    "FactSnapshot",
    "NoticeApproval",
    "NoticeKind",
    "NoticeRecipient",
    "NoticeVersion",
    "SnapshotInputs",
    "TemplateVersion",
    "build_snapshot",
    "change_label",
    "check_rendered",
    "diff_snapshots",
    "guardian_advice",
    "guardian_harms",
    "heading",
    "pick",
    "recipient_reference",
    "recipients_from_people",
    "required_elements",
    "short_form_body",
    "specimen_recipient",
    "teen_advice",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "completeness": [
            "CheckExpectations",
            "CompletenessReport",
            "ElementCheck",
            "ElementStatus",
            "check_rendered",
            "short_form_body",
        ],
        "fact_snapshot": [
            "CONTENT_DECISIONS",
            "FactChange",
            "FactSnapshot",
            "SnapshotInputs",
            "build_snapshot",
            "diff_snapshots",
        ],
        "minor_texts": ["guardian_advice", "guardian_harms", "teen_advice"],
        "kinds": ["CHANNELS", "Channel", "ELEMENT_IDS", "NoticeKind", "PERSONAL_KINDS", "SHORT_CHANNELS", "heading",
                  "required_elements"],
        "labels": [
            "ACTION_STATUS",
            "BREACH_TYPES",
            "CAUSES",
            "FINDING",
            "GRADES",
            "GRADE_PENDING",
            "INCIDENT_NOUNS",
            "LIKELIHOOD",
            "OPERATOR_TYPES",
            "RANSOM_LABELS",
            "RECIPIENTS",
            "REPORT_ADDRESSEES",
            "change_label",
            "pick",
        ],
        "recipient": ["NoticeRecipient", "recipient_reference", "recipients_from_people", "specimen_recipient"],
        "records": ["NoticeApproval", "NoticeVersion", "TemplateVersion"],
    },
)
