"""Affected people as rules and data: the stored person and how each one is reached (channel, the
minors' rule), which file column holds which field, and how each field is normalised."""

from typing import TYPE_CHECKING

from incident_app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from incident_app.domain.people.columns import (
        FIELDS,
        ColumnMapping,
        apply_corrections,
        check_usable,
        suggest_mapping,
    )
    from incident_app.domain.people.fields import (
        EMAIL_PATTERN,
        MAX_TEXT,
        MESSAGES,
        PHONE_FOLD,
        FieldRejected,
        age_on,
        normalise_age,
        normalise_birth_date,
        normalise_email,
        normalise_language,
        normalise_phone,
        phone_is_mobile,
        split_data_types,
    )
    from incident_app.domain.people.person import (
        Channel,
        PeopleSummary,
        Person,
        channel_code,
        choose_channel,
        is_minor_by,
        mask_address,
        mask_email,
        mask_name,
        mask_phone,
        mask_text,
        minor_cutoff,
    )

__all__ = [
    "EMAIL_PATTERN",
    "FIELDS",
    "MAX_TEXT",
    "MESSAGES",
    "PHONE_FOLD",
    "Channel",
    "ColumnMapping",
    "FieldRejected",
    "PeopleSummary",
    "Person",
    "age_on",
    "apply_corrections",
    "channel_code",
    "check_usable",
    "choose_channel",
    "is_minor_by",
    "mask_address",
    "mask_email",
    "mask_name",
    "mask_phone",
    "mask_text",
    "minor_cutoff",
    "normalise_age",
    "normalise_birth_date",
    "normalise_email",
    "normalise_language",
    "normalise_phone",
    "phone_is_mobile",
    "split_data_types",
    "suggest_mapping",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "columns": ["ColumnMapping", "FIELDS", "apply_corrections", "check_usable", "suggest_mapping"],
        "fields": [
            "EMAIL_PATTERN",
            "FieldRejected",
            "MAX_TEXT",
            "MESSAGES",
            "PHONE_FOLD",
            "age_on",
            "normalise_age",
            "normalise_birth_date",
            "normalise_email",
            "normalise_language",
            "normalise_phone",
            "phone_is_mobile",
            "split_data_types",
        ],
        "person": [
            "Channel",
            "PeopleSummary",
            "Person",
            "channel_code",
            "choose_channel",
            "is_minor_by",
            "mask_address",
            "mask_email",
            "mask_name",
            "mask_phone",
            "mask_text",
            "minor_cutoff",
        ],
    },
)
